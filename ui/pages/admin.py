"""Admin: check the audit log, see the accounts, and retry jobs that failed."""

from __future__ import annotations

import streamlit as st

from exportdesk.review.audit import verify
from exportdesk.review.auth import list_users
from exportdesk.review.store import StoreError
from exportdesk.ui.pages._common import plain, queue, require, store, when

identity = require("admin")
st.title("Admin")

st.subheader("Audit log")
if st.button("Verify the audit log", key="a_verify"):
    with store().session() as session:
        report = verify(session)
    if report.ok:
        st.success(f"The audit log is intact: {report.events} events, none edited or deleted.")
    else:
        st.error(
            "The audit log was tampered with. Restore the database from a backup taken "
            "before the first broken event.\n\n"
            + "\n".join(f"- {plain(p)}" for p in report.problems)
        )

st.subheader("Accounts")
st.caption("Add accounts with `exportdesk users add NAME --role ROLE` on the server.")
with store().session() as session:
    st.table(
        [
            {
                "user": u.username,
                "role": u.role,
                "active": "yes" if u.active else "no",
                "sign-in": "local" if u.password_hash else "OIDC only",
                "since": when(u.created_at),
            }
            for u in list_users(session)
        ]
    )

st.subheader("Failed jobs")
failed = queue().failed()
if not failed:
    st.caption("No job has failed.")
for job in failed:
    box = st.container(border=True)
    box.text(f"Job {job.id} after {job.attempts} attempts: {job.error}")
    if box.button("Retry", key=f"a_retry_{job.id}"):
        try:
            queue().retry(job.id, identity.username)
        except StoreError as exc:
            st.error(plain(str(exc)))
        else:
            st.rerun()
