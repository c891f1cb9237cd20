"""Licensing (licensing officer): the licence decision after review, its versions and letters."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from exportdesk.review import licensing
from exportdesk.review.letter import OUTCOME_WORDS
from exportdesk.review.licensing import LicensingError, draft_from
from exportdesk.review.store import StoreError
from exportdesk.ui.letters_panel import show_versions
from exportdesk.ui.pages._common import choose_case, plain, require, store

identity = require("licensing")
st.title("Licensing")
FLASH = "l_flash"

signing = identity.may("issue_licence")
if not signing:
    st.info(
        f"You are signed in as {plain(identity.role.replace('_', ' '))}: you can read licence "
        "decisions, but only a licensing officer can issue one."
    )

if identity.may("edit_conditions"):
    with st.expander("Condition templates (admin)"):
        for t in licensing.templates(store()):
            st.caption(plain(f"{t.key}: {t.text}"))
        key = st.text_input("Key (no spaces)", key="l_tpl_key")
        wording = st.text_area("Wording", key="l_tpl_text")
        if st.button("Save template", key="l_tpl_save"):
            try:
                licensing.save_template(store(), key, wording, identity.username, identity.role)
            except StoreError as exc:
                st.error(plain(str(exc)))
            else:
                st.success(plain(f"Template {key} saved."))

rows = [r for r in store().queue(sort="newest") if r.status == "confirmed"]
case_id = choose_case(rows, "l_case", "No application has finished review yet.")
case = store().case(case_id)
snapshot = licensing.snapshot_of(case)
issued = licensing.versions(store(), case_id)

flash = st.session_state.pop(FLASH, None)
if flash:
    (st.success if flash[0] == "success" else st.error)(plain(flash[1]))

st.subheader("Items and their decided codes")
st.table(
    [
        {
            "#": it["index"],
            "description": it["description"],
            "model": it["model"] or "",
            "codes": ", ".join(f"{c['catalogue']} {c['code']}" for c in it["codes"]) or "-",
            "list edition": "; ".join(
                sorted({c["edition"] or "not recorded" for c in it["codes"]})
            ),
            "decided by": ", ".join(sorted({c["decided_by"] for c in it["codes"]})),
        }
        for it in snapshot["items"]
    ]
)
st.caption(
    plain(
        "Parties: "
        + "; ".join(
            f"{p['role'].replace('_', ' ')} {p['name']} ({p['country'] or '?'})"
            for p in snapshot["parties"]
        )
    )
)

st.subheader("Licence decision")
show_versions(store(), case_id, issued)

correcting = bool(issued)
templates = {t.key: t.text for t in licensing.templates(store())}
with st.form(f"l_form_{case_id}_{len(issued)}"):
    st.markdown("**Correct the decision (new version)**" if correcting else "**Issue**")
    outcome = st.radio(
        "Outcome",
        list(OUTCOME_WORDS),
        format_func=lambda o: OUTCOME_WORDS[o].capitalize(),
        horizontal=True,
        key="l_outcome",
    )
    reasons = st.text_area("Reasons", key="l_reasons")
    chosen = st.multiselect(
        "Conditions (from the template list)",
        list(templates),
        format_func=lambda k: f"{k}: {templates[k][:80]}",
        key="l_conditions",
    )
    free = st.text_area("Further conditions (one per line)", key="l_free")
    start, end = st.columns(2)
    valid_from = start.date_input("Valid from", value=date.today(), key="l_from")
    valid_until = end.date_input(
        "Valid until", value=date.today() + timedelta(days=365), key="l_until"
    )
    correction = (
        st.text_input("Why the decision is corrected", key="l_correction") if correcting else ""
    )
    submitted = st.form_submit_button(
        "Issue correction" if correcting else "Issue decision", type="primary", disabled=not signing
    )

if submitted:
    approve = outcome == "approve"
    try:
        draft = draft_from(
            outcome=outcome,
            reasons=reasons,
            condition_keys=chosen if approve else [],
            free_conditions=free.splitlines() if approve else [],
            valid_from=valid_from if approve else None,
            valid_until=valid_until if approve else None,
        )
        rec = licensing.issue(
            store(),
            case_id,
            draft,
            identity.username,
            identity.role,
            correction_reason=correction if correcting else None,
        )
    except (LicensingError, StoreError) as exc:
        st.session_state[FLASH] = ("error", str(exc))
    else:
        st.session_state[FLASH] = ("success", f"Issued {rec.reference}; the letter is ready.")
    st.rerun()
