"""History: every event recorded for one application, in the order it happened."""

from __future__ import annotations

import streamlit as st

from exportdesk.review.store import NotFoundError
from exportdesk.ui.letters_panel import show_versions
from exportdesk.ui.pages._common import choose_case, plain, require, store, when
from exportdesk.ui.wording import describe

require("history")
st.title("History")

chosen = choose_case(store().queue(sort="newest"), "h_case", "No applications yet.")

try:
    events = store().history(chosen)
except NotFoundError as exc:
    st.error(plain(exc))
    st.stop()


# A static table: every event readable at once (and plain text, never markup).
st.table(
    [
        {
            "#": e.seq,
            "when": when(e.at),
            "who": e.actor,
            "what": e.action.replace("_", " "),
            "details": describe(e.action, e.detail),
        }
        for e in events
    ],
)

st.subheader("Licence decision and letters")
show_versions(store(), chosen)
