"""Every page under every role, opened directly (as a URL would), plus sign-in."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from uihelpers import PASSWORD, UI, open_page, texts

from exportdesk.review.auth import PAGE_ROLES
from exportdesk.review.store import CaseStore
from exportdesk.review.tables import ROLES

PAGES = ("intake", "queue", "review", "history", "admin", "licensing", "trainer")


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_page_checks_the_role_itself(store: CaseStore, page: str, role: str) -> None:
    at = open_page(page, role)
    assert not at.exception
    shown = texts(at)
    if role in PAGE_ROLES[page]:
        assert "may not open" not in shown
        assert at.title[0].value.lower() == page
    else:
        assert f"Not allowed for your role: a {role} may not open the {page} page" in shown
        assert not at.title  # nothing of the page was drawn


@pytest.mark.parametrize("page", PAGES)
def test_page_asks_anyone_not_signed_in_to_sign_in_right_there(store: CaseStore, page: str) -> None:
    at = open_page(page, None)
    assert "Please sign in to open this page" in texts(at)
    assert not at.title
    # Signing in on the deep-linked page opens that page, not the home page.
    at.text_input(key="signin_user").set_value("admin")
    at.text_input(key="signin_password").set_value(PASSWORD)
    at.button[0].click().run()
    assert at.title[0].value.lower() == page


def test_signed_cookie_restores_the_sign_in_and_forgeries_do_not(store: CaseStore) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from exportdesk.review import sessions
    from exportdesk.review.auth import Identity
    from exportdesk.review.tables import User

    key = sessions.session_key(store.settings.data_dir)
    assert (store.settings.data_dir / "session.key").stat().st_mode & 0o077 == 0
    later = datetime.now(UTC) + timedelta(hours=1)
    token = sessions.issue(Identity("reviewer", "reviewer", later), key)
    restored = sessions.restore(token, key, store)
    assert restored is not None and (restored.username, restored.role) == ("reviewer", "reviewer")
    assert sessions.restore(token[:-2] + "xx", key, store) is None  # tampered
    assert sessions.restore(token, b"another key", store) is None  # signed elsewhere
    expired = sessions.issue(Identity("reviewer", "reviewer", datetime.now(UTC)), key)
    assert sessions.restore(expired, key, store) is None
    with store.session() as s:
        s.execute(update(User).where(User.username == "reviewer").values(active=False))
    assert sessions.restore(token, key, store) is None  # a deactivated account is out


def test_sign_in_with_local_account(store: CaseStore) -> None:
    at = open_page("signin", None)
    at.text_input(key="signin_user").set_value("reviewer")
    at.text_input(key="signin_password").set_value("wrong password")
    at.button[0].click().run()
    assert "Unknown user name or wrong password" in texts(at)
    assert "identity" not in at.session_state
    at.text_input(key="signin_password").set_value(PASSWORD)
    at.button[0].click().run()
    assert at.session_state["identity"].role == "reviewer"
    assert "Signed in as reviewer (reviewer)" in texts(at)


def test_expired_sign_in_is_dropped(store: CaseStore) -> None:
    from datetime import UTC, datetime, timedelta

    from exportdesk.review.auth import Identity

    at = AppTest.from_file(str(UI / "pages" / "queue.py"))
    at.session_state["identity"] = Identity("clerk", "clerk", datetime.now(UTC) - timedelta(1))
    at.run()
    assert "Your sign-in expired" in texts(at)
    assert "Please sign in to open this page" in texts(at)


def test_entrypoint_sign_in_then_pages_check_role_again(store: CaseStore) -> None:
    at = AppTest.from_file(str(UI / "app.py"), default_timeout=30).run()
    assert not at.exception
    at.text_input(key="signin_user").set_value("reviewer")
    at.text_input(key="signin_password").set_value(PASSWORD)
    at.button[0].click().run()
    assert at.session_state["identity"].role == "reviewer"
    # (Landing on the queue after sign-in is a switch_page, which AppTest does not follow;
    # the browser test checks it.)
    at.switch_page("pages/review.py").run()
    assert [t.value for t in at.title] == ["Review"]
    # Intake is not in a reviewer's menu; reaching it anyway still meets the page's own check.
    at.switch_page("pages/intake.py").run()
    assert "Not allowed for your role: a reviewer may not open the intake page" in texts(at)
    assert not at.file_uploader


def test_menu_lists_the_roles_pages_and_no_sign_in_once_signed_in(store: CaseStore) -> None:
    from datetime import UTC, datetime, timedelta

    from exportdesk.review.auth import Identity

    at = AppTest.from_file(str(UI / "app.py"), default_timeout=30)
    at.session_state["identity"] = Identity(
        "reviewer", "reviewer", datetime.now(UTC) + timedelta(hours=1)
    )
    at.run()
    assert [link.value for link in at.page_link] == ["Queue", "Review", "History"]


def test_local_accounts_switched_off_without_oidc_says_so(
    store: CaseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPORTDESK_LOCAL_ACCOUNTS", "false")
    at = open_page("signin", None)
    assert "Local accounts are switched off" in texts(at)
    assert not at.text_input  # no password form to try


class _FakeOidcUser:
    """Stands in for st.user after an OIDC sign-in: the ID token's claims."""

    def __init__(self, claims: dict) -> None:
        self.claims = {"is_logged_in": True, **claims}

    def get(self, key: str, default: object = None) -> object:
        return self.claims.get(key, default)

    def to_dict(self) -> dict:
        return dict(self.claims)


@pytest.mark.parametrize("expired", [False, True])
def test_oidc_sign_in_maps_role_and_enforces_expiry(
    store: CaseStore, monkeypatch: pytest.MonkeyPatch, expired: bool
) -> None:
    import time

    import streamlit

    from exportdesk.ui.pages import _common

    exp = time.time() + (-10 if expired else 600)
    monkeypatch.setattr(_common, "oidc_configured", lambda: True)
    monkeypatch.setattr(
        streamlit,
        "user",
        _FakeOidcUser({"email": "eve@example.org", "roles": ["reviewer"], "exp": exp}),
    )
    at = open_page("review", None)
    if expired:
        assert "Your sign-in has expired" in texts(at) and not at.title
    else:
        assert [t.value for t in at.title] == ["Review"]
        assert at.session_state["identity"].method == "oidc"
