"""Intake (clerk): upload applications; each is stored, queued, and its reading shown as it goes."""

from __future__ import annotations

import streamlit as st

from exportdesk.extract.names import display_name
from exportdesk.extract.settings import get_settings
from exportdesk.review.intake import Submitted, submit
from exportdesk.review.store import StoreError
from exportdesk.ui.pages._common import plain, queue, require, store
from exportdesk.ui.wording import upload_limit_text

SUBMITTED = "intake_submitted"
PROGRESS = {"queued": (0.1, "waiting for the reader"), "running": (0.5, "reading pages")}

identity = require("intake")
st.title("Intake")
st.caption("Upload one or more application PDFs. Reading runs in the background; you can go on.")
st.caption(plain(upload_limit_text(get_settings())))

ROUND = "intake_round"  # a fresh uploader after each submit, so nothing is sent twice


def _submit(key: str) -> None:
    done: list[tuple[str, Submitted | None, str | None]] = []
    for upload in st.session_state.get(key) or []:
        try:
            receipt = submit(store(), queue(), upload.getvalue(), upload.name, identity.username)
            done.append((upload.name, receipt, None))
        except StoreError as exc:
            done.append((upload.name, None, str(exc)))
    st.session_state[SUBMITTED] = done + st.session_state.get(SUBMITTED, [])
    st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1


key = f"intake_files_{st.session_state.get(ROUND, 0)}"
uploads = st.file_uploader("Application files", accept_multiple_files=True, key=key, type=None)
st.button("Submit", type="primary", disabled=not uploads, on_click=_submit, args=(key,))


@st.fragment(run_every=2)
def show_progress() -> None:
    """Re-drawn every two seconds on its own, so the rest of the page stays responsive."""
    for name, submitted, error in st.session_state.get(SUBMITTED, []):
        box = st.container(border=True)
        box.text(display_name(name))  # plain text: never markup, never a path
        if submitted is None:
            box.error(plain(error or "This file could not be stored."))
            continue
        app_id = submitted.receipt.application_id
        if submitted.job_id is None:
            box.info(plain(submitted.message))
            continue
        state = queue().state(submitted.job_id)
        if state.status in ("running", "waiting") and state.fraction is not None:
            box.progress(
                0.1 + 0.8 * state.fraction,
                text=f"Application {app_id}: read page {state.done} of {state.total}",
            )
        elif state.status in PROGRESS:
            value, label = PROGRESS[state.status]
            box.progress(value, text=f"Application {app_id}: {label}")
        elif state.status == "failed":
            box.error(
                plain(
                    f"Application {app_id} could not be read: {state.error or ''}. The "
                    "original is kept; the admin can retry it on the Admin page."
                )
            )
        else:
            case = store().case(app_id)
            result = case.result
            if result is not None and not result.readable:
                reasons = "; ".join(w.message for w in result.warnings if w.page is None)
                box.error(plain(f"Application {app_id} is unreadable: {reasons}"))
            else:
                box.progress(1.0, text=f"Application {app_id}: read, waiting in the queue")


show_progress()
