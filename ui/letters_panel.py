"""Licence decision versions with their letters, shown on the Licensing and History pages."""

from __future__ import annotations

import streamlit as st

from exportdesk.review import licensing
from exportdesk.review.letter import OUTCOME_WORDS
from exportdesk.review.licensing import LicenceRecord
from exportdesk.review.store import CaseStore
from exportdesk.ui.pages._common import plain, when


def show_versions(
    store: CaseStore, case_id: int, issued: list[LicenceRecord] | None = None
) -> None:
    """Every version, oldest first, each with its reasons, conditions, duties and letter."""
    issued = licensing.versions(store, case_id) if issued is None else issued
    if not issued:
        st.caption("No licence decision has been issued for this application.")
    for rec in issued:
        with st.container(border=True):
            head = f"{rec.reference} — {OUTCOME_WORDS[rec.outcome]} by {rec.issued_by}, "
            head += when(rec.issued_at)
            st.markdown(plain(head))
            if rec.correction_reason:
                st.caption(
                    plain(f"Correction of version {rec.version - 1}: {rec.correction_reason}")
                )
            st.caption(plain(f"Reasons: {rec.reasons}"))
            if rec.valid_from:
                st.caption(plain(f"Valid {rec.valid_from} to {rec.valid_until}"))
            for c in rec.conditions:
                st.caption(plain(f"Condition: {c['text']}"))
            for d in rec.reporting_duties:
                st.caption(plain(f"Reporting duty: {d['text']} (because {d['because']})"))
            st.download_button(
                f"Letter {rec.reference} (PDF)",
                data=licensing.letter(store, case_id, rec.version),
                file_name=f"{rec.reference}.pdf",
                mime="application/pdf",
                key=f"l_letter_{rec.id}",
            )
