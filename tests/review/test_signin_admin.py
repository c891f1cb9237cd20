"""Sign-in throttling without lockouts (issue 12, #12) and user administration (#13)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from exportdesk.review import throttle
from exportdesk.review.auth import (
    AuthError,
    add_user,
    recheck,
    set_active,
    set_password,
    set_role,
    sign_in,
    unlock,
)
from exportdesk.review.store import CaseStore
from exportdesk.review.tables import AuditEvent

PASSWORD = "a long passphrase"


def _anna(store: CaseStore) -> None:
    with store.session() as s:
        add_user(s, "anna", "reviewer", PASSWORD, actor="test")
        add_user(s, "root", "admin", "another long one", actor="test")


def _fail(store: CaseStore, times: int, client: str) -> None:
    for _ in range(times):
        with pytest.raises(AuthError, match="wrong password"):
            sign_in(store, "anna", "guess", store.settings, client=client)


def test_wrong_passwords_from_one_client_do_not_lock_the_user_out_elsewhere(
    store: CaseStore,
) -> None:
    _anna(store)
    _fail(store, store.settings.signin_free_failures + 1, client="10.0.0.66")
    with pytest.raises(AuthError, match=r"from here; try again in \d+ s"):
        sign_in(store, "anna", PASSWORD, store.settings, client="10.0.0.66")
    # The real user, at her own desk, signs in at once: there is no lockout.
    assert sign_in(store, "anna", PASSWORD, store.settings, client="10.0.0.7").role == "reviewer"
    with store.session() as s:
        failed = s.execute(select(AuditEvent.detail).where(AuditEvent.action == "sign_in_failed"))
        assert all('"client":"10.0.0.66"' in d for d in failed.scalars())


def test_delays_grow_with_each_failure_and_are_capped(store: CaseStore) -> None:
    settings = store.settings
    delays = [throttle.delay_for(n, settings) for n in range(1, 16)]
    free = settings.signin_free_failures
    assert delays[: free - 1] == [0.0] * (free - 1)
    assert delays[free - 1 : free + 3] == [1.0, 2.0, 4.0, 8.0]
    assert max(delays) == settings.signin_max_delay_seconds


def test_waiting_out_the_delay_lets_the_client_try_again(store: CaseStore) -> None:
    _anna(store)
    _fail(store, store.settings.signin_free_failures + 1, client="c1")
    with store.session() as s:
        later = datetime.now(UTC) + timedelta(seconds=3)
        assert throttle.wait_seconds(s, "anna", "c1", store.settings) > 0
        assert throttle.wait_seconds(s, "anna", "c1", store.settings, now=later) == 0


def test_admin_unlock_clears_the_delay(store: CaseStore) -> None:
    _anna(store)
    _fail(store, store.settings.signin_free_failures + 3, client="c1")
    with store.session() as s:
        unlock(s, "anna", actor="root")
    assert sign_in(store, "anna", PASSWORD, store.settings, client="c1").role == "reviewer"


def test_deactivated_user_loses_access_at_the_next_page(store: CaseStore) -> None:
    _anna(store)
    identity = sign_in(store, "anna", PASSWORD, store.settings)
    with store.session() as s:
        assert recheck(s, identity) == identity
        set_active(s, "anna", False, actor="root")
    with store.session() as s:
        assert recheck(s, identity) is None
    with pytest.raises(AuthError):
        sign_in(store, "anna", PASSWORD, store.settings)


def test_role_change_applies_to_a_signed_in_user(store: CaseStore) -> None:
    _anna(store)
    identity = sign_in(store, "anna", PASSWORD, store.settings)
    with store.session() as s:
        set_role(s, "anna", "clerk", actor="root")
    with store.session() as s:
        now = recheck(s, identity)
    assert now is not None and now.role == "clerk" and not now.may_open("review")


def test_password_reset_replaces_the_old_password(store: CaseStore) -> None:
    _anna(store)
    with store.session() as s:
        set_password(s, "anna", "a brand new passphrase", actor="root")
    with pytest.raises(AuthError):
        sign_in(store, "anna", PASSWORD, store.settings)
    assert sign_in(store, "anna", "a brand new passphrase", store.settings).username == "anna"


def test_last_admin_cannot_be_deactivated_or_demoted(store: CaseStore) -> None:
    _anna(store)
    with store.session() as s, pytest.raises(AuthError, match="last active admin"):
        set_active(s, "root", False, actor="root")
    with store.session() as s, pytest.raises(AuthError, match="last active admin"):
        set_role(s, "root", "clerk", actor="root")
