"""What every page shares: the store, the signed-in identity, the role check, safe text."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import streamlit as st

from exportdesk.extract.settings import Settings
from exportdesk.review import sessions
from exportdesk.review.auth import AuthError, Identity, identity_from_oidc, recheck, sign_in
from exportdesk.review.jobs import DatabaseJobQueue, queue_for
from exportdesk.review.store import CaseStore, QueueRow

IDENTITY = "identity"
JUST_SIGNED_IN = "just_signed_in"  # the entrypoint then opens the home page
COOKIE_PENDING = "cookie_pending"  # ("set", token) or ("clear", ""): written by the entrypoint
SIGNED_OUT = "signed_out"  # this browser tab signed out: ignore a cookie not yet cleared
CASE = "case_id"

# Markdown punctuation, and the angle brackets of HTML, shown literally.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&:])")


def plain(text: object) -> str:
    """``text`` escaped for st.markdown, st.caption etc.: shown as typed, never as markup."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", "  \n")


def settings() -> Settings:
    return Settings()  # read from the environment each run: cheap, and tests can vary it


@st.cache_resource(show_spinner=False)
def _open_store(url: str, data_dir: str) -> CaseStore:
    return CaseStore(settings())


def store() -> CaseStore:
    cfg = settings()
    return _open_store(cfg.resolved_database_url, str(cfg.data_dir))


def queue() -> DatabaseJobQueue:
    return queue_for(store())


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def current_identity() -> Identity | None:
    """The signed-in identity, or None; an expired sign-in is dropped here, on every page."""
    ident = st.session_state.get(IDENTITY)
    if ident is None and not st.session_state.get(SIGNED_OUT):
        # A reload starts a new session: the signed cookie brings the sign-in back.
        ident = _from_cookie()
        if ident is not None:
            st.session_state[IDENTITY] = ident
    if ident is None and oidc_configured() and st.user.get("is_logged_in"):
        try:
            with store().session() as s:
                ident = identity_from_oidc(s, st.user.to_dict(), settings().oidc_role_claim)
        except AuthError as exc:
            st.error(plain(exc))
            return None
        st.session_state[IDENTITY] = ident
    if not isinstance(ident, Identity):
        return None
    if ident.expired():
        sign_out()
        st.warning("Your sign-in expired; please sign in again.")
        return None
    with store().session() as s:
        current = recheck(s, ident)  # a deactivated user or changed role applies at once
    if current is None:
        sign_out()
        st.warning("Your account is no longer active; ask an admin.")
        return None
    st.session_state[IDENTITY] = current
    return current


def client_address() -> str:
    """Where the browser connects from, as Streamlit sees it (a proxy's address behind one)."""
    try:
        return str(st.context.ip_address or "unknown")
    except Exception:  # no browser context (tests, bare mode)
        return "unknown"


def _session_key() -> bytes:
    return sessions.session_key(settings().data_dir)


def _from_cookie() -> Identity | None:
    try:
        token = st.context.cookies.get(sessions.COOKIE)
    except Exception:  # no browser behind this run (tests, bare mode)
        return None
    return sessions.restore(token, _session_key(), store()) if token else None


def sign_out() -> None:
    ident = st.session_state.pop(IDENTITY, None)
    st.session_state.pop(CASE, None)
    st.session_state[SIGNED_OUT] = True
    st.session_state[COOKIE_PENDING] = ("clear", "")
    if isinstance(ident, Identity) and ident.method == "oidc":
        st.logout()


def signed_in(ident: Identity) -> None:
    """Remember ``ident`` in this tab and, through a signed cookie, across reloads."""
    st.session_state[IDENTITY] = ident
    st.session_state.pop(SIGNED_OUT, None)
    st.session_state[COOKIE_PENDING] = ("set", sessions.issue(ident, _session_key()))
    st.session_state[JUST_SIGNED_IN] = True


def sign_in_form() -> None:
    """The local sign-in form; on success the same page opens again, now signed in."""
    with st.form("sign_in"):
        username = st.text_input("User name", key="signin_user")
        password = st.text_input("Password", type="password", key="signin_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            ident = sign_in(store(), username, password, settings(), client=client_address())
        except AuthError as exc:
            st.error(plain(exc))
        else:
            signed_in(ident)
            st.rerun()


def require(page: str) -> Identity:
    """Stop the page unless the signed-in role may open it. Every page calls this first.

    Someone not signed in gets the sign-in form right here, so a deep link (or a reload
    after the sign-in expired) comes back to the page that was asked for.
    """
    ident = current_identity()
    if ident is None:
        st.info("Please sign in to open this page.")
        if settings().local_accounts:
            sign_in_form()
        if oidc_configured() and st.button("Sign in with your organisation account"):
            st.login()
        st.stop()
    assert ident is not None
    if not ident.may_open(page):
        st.error(
            f"Not allowed for your role: a {plain(ident.role)} may not open the "
            f"{plain(page)} page. Ask an admin if you need access."
        )
        st.stop()
    return ident


def choose_case(rows: list[QueueRow], key: str, empty: str) -> int:
    """An application picker that starts on the one chosen elsewhere (e.g. in the queue)."""
    if not rows:
        st.info(plain(empty))
        st.stop()
    labels = {r.id: f"#{r.id} · {r.filename} · {r.status.replace('_', ' ')}" for r in rows}
    ids = list(labels)
    wanted = st.session_state.get(CASE)
    chosen = st.selectbox(
        "Application",
        ids,
        index=ids.index(wanted) if wanted in ids else 0,
        format_func=labels.__getitem__,
        key=key,
    )
    st.session_state[CASE] = chosen
    return int(chosen)


def when(value: datetime | str) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
