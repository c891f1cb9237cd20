"""The review app's entrypoint: sign-in state, the worker, the menu of the pages a role may see.

Run with `python -m exportdesk.ui.serve` (or `exportdesk demo`); it serves ui/asgi.py, this
script plus the sign-in cookie route. Every page is registered, so a
deep link always reaches its page; the page itself asks for a sign-in or says that the role
may not open it. The menu lists only the pages the signed-in role may open.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import streamlit as st
import streamlit.components.v1 as components

from exportdesk.review.auth import PAGE_ROLES
from exportdesk.review.workers import keep_worker_alive
from exportdesk.ui import session_cookie
from exportdesk.ui.pages._common import (
    COOKIE_PENDING,
    JUST_SIGNED_IN,
    current_identity,
    plain,
    settings,
    sign_out,
)

HERE = Path(__file__).parent
# A local icon: the browser fetches nothing from outside (a material icon comes from Google).
st.set_page_config(
    page_title="exportdesk", page_icon=str(HERE / "static" / "favicon.png"), layout="wide"
)

# name (as in PAGE_ROLES), title, icon. Each page's file is pages/<name>.py.
PAGES = [
    ("intake", "Intake", ":material/upload_file:"),
    ("queue", "Queue", ":material/list_alt:"),
    ("review", "Review", ":material/fact_check:"),
    ("history", "History", ":material/history:"),
    ("trainer", "Trainer", ":material/model_training:"),  # the models work's page
    ("licensing", "Licensing", ":material/approval:"),
    ("admin", "Admin", ":material/shield_person:"),
]
HOME = "queue"  # where a signed-in user lands


def _write_cookie(pending: tuple[str, str]) -> None:
    """Set or clear the signed session cookie: the browser collects it from the cookie route
    (ui/session_cookie.py) with a one-time code, so it arrives HttpOnly, SameSite=Strict."""
    action, token = pending
    age = int(settings().session_hours * 3600) if action == "set" else 0
    code = session_cookie.hand_over("set" if action == "set" else "clear", token, age)
    components.html(
        "<script>window.parent.fetch("
        f"{json.dumps(session_cookie.PATH)}, "
        f"{{method: 'POST', body: {json.dumps(code)}, credentials: 'same-origin'}});</script>",
        height=0,
    )


if settings().start_worker:
    # Every page view checks that the local worker lives (a pid check) and restarts it if
    # it died, so uploads never wait for a reader that is gone.
    keep_worker_alive(settings())

identity = current_identity()
signin = st.Page(
    "pages/signin.py",
    title="Sign in",
    icon=":material/login:",
    url_path="signin",
    default=identity is None,
)
pages = {
    name: st.Page(
        f"pages/{name}.py",
        title=title,
        icon=icon,
        url_path=name,
        default=identity is not None and name == HOME,
    )
    for name, title, icon in PAGES
    if (HERE / "pages" / f"{name}.py").exists()
}
navigation = st.navigation([signin, *pages.values()], position="hidden")

with st.sidebar:
    if identity is None:
        st.page_link(signin)
    else:
        for name, page in pages.items():
            if identity.role in PAGE_ROLES.get(name, ()):
                st.page_link(page)
        st.divider()
        st.caption(f"Signed in as **{plain(identity.username)}** ({plain(identity.role)})")
        if st.button("Sign out", key="sidebar_sign_out"):
            sign_out()
            st.rerun()
    pending = st.session_state.pop(COOKIE_PENDING, None)
    if pending:
        _write_cookie(pending)

if st.session_state.pop(JUST_SIGNED_IN, False) and navigation.url_path in ("", "signin"):
    if pending:  # written on the home page's run instead; switching would drop it
        st.session_state[COOKIE_PENDING] = pending
    st.switch_page(pages[HOME])
navigation.run()
