"""History: every event recorded for one application, in the order it happened."""

from __future__ import annotations

import json

import streamlit as st
from exportdesk.review.store import NotFoundError
from exportdesk.ui.pages._common import choose_case, require, store, when

require("history")
st.title("History")

chosen = choose_case(store().queue(sort="newest"), "h_case", "No applications yet.")

try:
    events = store().history(chosen)
except NotFoundError as exc:
    st.error(str(exc))
    st.stop()

st.dataframe(
    [
        {
            "#": e.seq,
            "when": when(e.at),
            "who": e.actor,
            "what": e.action.replace("_", " "),
            "details": json.dumps(e.detail, ensure_ascii=False, sort_keys=True),
        }
        for e in events
    ],
    hide_index=True,
    width="stretch",
)
