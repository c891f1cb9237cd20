"""The Risk panel on the Review page: screening hits to clear or confirm, red flags, mismatches."""

from __future__ import annotations

import streamlit as st

from exportdesk.review.screening import ScreeningError, review_hit, screening_hits
from exportdesk.review.store import CaseStore, CaseView
from exportdesk.ui.pages._common import plain

TITLES = {
    "end_use_red_flag": "End-use red flags",
    "inconsistent_documents": "Differences between the documents",
}


def show_risk(store: CaseStore, case: CaseView, actor: str) -> None:
    """Every risk finding of the application; each screening hit needs a decision and a reason."""
    if case.result is None:
        return
    hits = screening_hits(store, case)
    others = [w for w in case.result.warnings if w.code in TITLES]
    open_count = sum(1 for h in hits if h.outcome is None)
    label = f"Risk — {open_count} open screening hit(s), {len(others)} other finding(s)"
    with st.expander(label, expanded=bool(hits or others)):
        if not hits and not others:
            st.caption("No screening hit, red flag or difference between the documents.")
        for n, hit in enumerate(hits):
            with st.container(border=True):
                st.markdown("**Screening hit**: " + plain(hit.message))
                if hit.outcome:
                    st.caption(
                        plain(f"{hit.outcome.capitalize()} by {hit.decided_by}: {hit.reason}")
                    )
                    continue
                reason = st.text_input("Reason", key=f"risk_reason_{case.id}_{n}")
                clear, confirm = st.columns(2)
                for column, outcome, text in (
                    (clear, "cleared", "Clear hit"),
                    (confirm, "confirmed", "Confirm hit"),
                ):
                    if column.button(text, key=f"risk_{outcome}_{case.id}_{n}"):
                        try:
                            review_hit(
                                store, case.id, hit.party, hit.entry_uid, outcome, reason, actor
                            )
                        except ScreeningError as exc:
                            st.error(plain(exc))
                        else:
                            st.rerun()
        for code, title in TITLES.items():
            found = [w for w in others if w.code == code]
            if found:
                st.markdown(f"**{plain(title)}**")
                for w in found:
                    where = " · ".join(f"p.{e.page}" for e in (w.evidence or []))
                    st.caption(plain(w.message) + (plain(f" ({where})") if where else ""))
