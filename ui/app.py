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
from exportdesk.review.jobs import spawn_worker
from exportdesk.ui.pages._common import current_identity, plain, settings, sign_out

st.set_page_config(page_title="exportdesk", page_icon=":material/inventory_2:", layout="wide")

PAGES = {
    "intake": st.Page(
        "pages/intake.py", title="Intake", icon=":material/upload_file:", url_path="intake"
    ),
    "queue": st.Page("pages/queue.py", title="Queue", icon=":material/list_alt:", url_path="queue"),
    "review": st.Page(
        "pages/review.py", title="Review", icon=":material/fact_check:", url_path="review"
    ),
    "history": st.Page(
        "pages/history.py", title="History", icon=":material/history:", url_path="history"
    ),
    "admin": st.Page(
        "pages/admin.py", title="Admin", icon=":material/shield_person:", url_path="admin"
    ),
}
# The trainer page belongs to the models work; it joins the menu once its file is there.
if (Path(__file__).parent / "pages" / "trainer.py").exists():
    PAGES["trainer"] = st.Page(
        "pages/trainer.py", title="Trainer", icon=":material/model_training:", url_path="trainer"
    )
    PAGES["admin"] = PAGES.pop("admin")  # admin stays last
SIGN_IN = st.Page("pages/signin.py", title="Sign in", icon=":material/login:", url_path="signin")


@st.cache_resource(show_spinner=False)
def _worker(data_dir: str) -> bool:
    """Start one local worker per data folder, so uploads are read off the request."""
    return spawn_worker(settings()) is not None


if settings().start_worker:
    _worker(str(settings().data_dir))

identity = current_identity()
if identity is None:
    pages = [SIGN_IN]
else:
    pages = [SIGN_IN] + [page for name, page in PAGES.items() if identity.role in PAGE_ROLES[name]]
    with st.sidebar:
        st.caption(f"Signed in as **{plain(identity.username)}** ({identity.role})")
        if st.button("Sign out", key="sidebar_sign_out"):
            sign_out()
            st.rerun()

st.navigation(pages, position="sidebar").run()
