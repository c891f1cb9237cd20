"""Local passwords (argon2) and the mapping of OIDC ID-token claims to an exportdesk role."""

from __future__ import annotations

import time

import pytest

from exportdesk.review.auth import (
    PAGE_ROLES,
    AuthError,
    add_user,
    authenticate,
    identity_from_oidc,
)
from exportdesk.review.store import CaseStore


def test_password_is_argon2_hashed_and_checked(store: CaseStore) -> None:
    with store.session() as s:
        user = add_user(s, "anna", "reviewer", "a long passphrase", actor="test")
        assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
        assert "a long passphrase" not in user.password_hash
        with pytest.raises(AuthError, match="too short"):
            add_user(s, "ben", "clerk", "short", actor="test")
    with store.session() as s:
        ident = authenticate(s, "anna", "a long passphrase", hours=2)
        assert ident.role == "reviewer" and not ident.expired()
        for wrong in (("anna", "not it at all"), ("nobody", "a long passphrase")):
            with pytest.raises(AuthError, match="Unknown user name or wrong password"):
                authenticate(s, *wrong, hours=2)


def test_oidc_token_expiry_is_enforced(store: CaseStore) -> None:
    claims = {"email": "eve@example.org", "roles": ["reviewer"]}
    with store.session() as s:
        with pytest.raises(AuthError, match="no expiry"):
            identity_from_oidc(s, claims, "roles")
        with pytest.raises(AuthError, match="expired"):
            identity_from_oidc(s, {**claims, "exp": time.time() - 5}, "roles")
        ident = identity_from_oidc(s, {**claims, "exp": time.time() + 60}, "roles")
    assert ident.role == "reviewer" and ident.method == "oidc"
    assert 50 < (ident.expires_at.timestamp() - time.time()) <= 60


def test_oidc_role_from_local_account_first_then_claim(store: CaseStore) -> None:
    exp = time.time() + 600
    with store.session() as s:
        add_user(s, "kim@example.org", "trainer", None, actor="test")
    with store.session() as s:
        # The local account wins over whatever the provider claims.
        kim = identity_from_oidc(
            s, {"email": "kim@example.org", "roles": ["admin"], "exp": exp}, "roles"
        )
        assert kim.role == "trainer"
        with pytest.raises(AuthError, match="no exportdesk role"):
            identity_from_oidc(s, {"email": "x@example.org", "roles": ["ceo"], "exp": exp}, "roles")


def test_every_page_names_its_roles() -> None:
    assert PAGE_ROLES["review"] == {"reviewer", "admin"}
    assert PAGE_ROLES["intake"] == {"clerk", "admin"}
    assert all("admin" in roles for roles in PAGE_ROLES.values())
