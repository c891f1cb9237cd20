"""The review app's entrypoint: sign-in state, the worker, and the pages each role may see.

Run with `streamlit run ui/app.py` (or `exportdesk demo`). Each page also checks the role
itself, so opening a page's URL directly is not a way around this menu.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import streamlit as st

from exportdesk.review.auth import PAGE_ROLES
from exportdesk.review.workers import keep_worker_alive
from exportdesk.ui.pages._common import (
    JUST_SIGNED_IN,
    current_identity,
    plain,
    settings,
    sign_out,
)

st.set_page_config(page_title="exportdesk", page_icon=":material/inventory_2:", layout="wide")

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


def _page(name: str, title: str, icon: str, default: bool = False) -> st.Page:
    return st.Page(f"pages/{name}.py", title=title, icon=icon, url_path=name, default=default)


if settings().start_worker:
    # Every page view checks that the local worker lives (a pid check) and restarts it if
    # it died, so uploads never wait for a reader that is gone.
    keep_worker_alive(settings())

identity = current_identity()
allowed: dict[str, st.Page] = {}
if identity is None:
    pages = [_page("signin", "Sign in", ":material/login:", default=True)]
else:
    here = Path(__file__).parent / "pages"
    allowed = {
        name: _page(name, title, icon, default=name == HOME)
        for name, title, icon in PAGES
        if identity.role in PAGE_ROLES.get(name, ()) and (here / f"{name}.py").exists()
    }
    pages = [_page("signin", "Sign in", ":material/login:"), *allowed.values()]
    with st.sidebar:
        st.caption(f"Signed in as **{plain(identity.username)}** ({plain(identity.role)})")
        if st.button("Sign out", key="sidebar_sign_out"):
            sign_out()
            st.rerun()

navigation = st.navigation(pages, position="sidebar")
if st.session_state.pop(JUST_SIGNED_IN, False) and HOME in allowed:
    st.switch_page(allowed[HOME])
navigation.run()
