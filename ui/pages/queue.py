"""Queue: applications by status, filtered and sorted, with counts at a glance."""

from __future__ import annotations

import streamlit as st

from exportdesk.review.screening import by_risk, risk_summaries
from exportdesk.review.tables import STATUSES
from exportdesk.ui.pages._common import CASE, require, store, when

SORTS = {
    "Oldest first": "oldest",
    "Declared-code clashes first": "attention",
    "Lowest confidence first": "lowest_confidence",
    "Newest first": "newest",
    "Highest risk first": "risk",
}

identity = require("queue")
st.title("Queue")

counts = store().counts()
for column, status in zip(st.columns(len(STATUSES)), STATUSES, strict=True):
    column.metric(status.replace("_", " ").capitalize(), counts[status])

countries, catalogues = store().filter_options()
left, middle, right, sort_col = st.columns(4)
status = left.selectbox("Status", ["any", *STATUSES], key="q_status")
country = middle.selectbox("Country", ["any", *countries], key="q_country")
catalogue = right.selectbox("Catalogue", ["any", *catalogues], key="q_catalogue")
sort = sort_col.radio("Sort", list(SORTS), key="q_sort")

rows = store().queue(
    status=None if status == "any" else status,
    country=None if country == "any" else country,
    catalogue=None if catalogue == "any" else catalogue,
    sort="oldest" if SORTS[sort] == "risk" else SORTS[sort],
)
risk = risk_summaries(store(), [r.id for r in rows])
if SORTS[sort] == "risk":
    rows = by_risk(rows, risk)
if not rows:
    st.info("No applications match these filters.")
    st.stop()

st.dataframe(
    [
        {
            "id": r.id,
            "file": r.filename,
            "status": r.status.replace("_", " "),
            "risk": risk[r.id].badge if r.id in risk else "not yet",
            "lowest confidence": r.min_confidence,
            "declared-code clashes": r.declared_conflicts,
            "countries": ", ".join(r.countries),
            "catalogues": ", ".join(r.catalogues),
            "pages": r.page_count,
            "readable": {True: "yes", False: "NO", None: "not yet"}[r.readable],
            "received": when(r.created_at),
        }
        for r in rows
    ],
    hide_index=True,
    column_config={
        "lowest confidence": st.column_config.ProgressColumn(
            "lowest confidence", min_value=0.0, max_value=1.0, format="%.2f"
        )
    },
)

labels = {
    r.id: f"#{r.id} · {r.filename} · {r.status.replace('_', ' ')}"
    + (f" · {risk[r.id].badge}" if r.id in risk and risk[r.id].score else "")
    for r in rows
}
chosen = st.selectbox(
    "Open application", list(labels), format_func=labels.__getitem__, key="q_open"
)
open_review, open_history = st.columns(2)
if identity.may_open("review") and open_review.button("Review", type="primary"):
    st.session_state[CASE] = chosen
    st.switch_page("pages/review.py")
if open_history.button("History"):
    st.session_state[CASE] = chosen
    st.switch_page("pages/history.py")
