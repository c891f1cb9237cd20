"""Admin: check the audit log, see the accounts, watch the workers, retry failed jobs."""

from __future__ import annotations

import streamlit as st

from exportdesk.review.audit import verify
from exportdesk.review.auth import list_users
from exportdesk.review.store import StoreError
from exportdesk.review.workers import list_workers
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

st.subheader("Workers and queue")
depth = queue().depth()
cols = st.columns(4)
for col, status in zip(cols, ("queued", "running", "done", "failed"), strict=True):
    col.metric(status.capitalize(), depth[status])
seen = list_workers(store())
if not seen:
    st.warning(
        "No worker has reported in the last day: uploads wait to be read. Start one with "
        "`exportdesk worker` (or the Celery workers, see the README)."
    )
else:
    st.table(
        [
            {
                "worker": w.name,
                "back end": w.backend,
                "state": w.state,
                "job": w.job_id or "",
                "last heartbeat": w.heartbeat_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
                "since": when(w.started_at),
            }
            for w in seen
        ]
    )
    if not any(w.state in ("idle", "working") for w in seen):
        st.error("No worker is alive: uploads wait to be read. Start one (see the README).")

st.subheader("Failed jobs")
failed = queue().failed()
if not failed:
    st.caption("No job has failed.")
for job in failed:
    box = st.container(border=True)
    what = f"document {job.document_sha256[:12]}" if job.document_sha256 else job.kind
    box.text(f"Job {job.id} ({what}) failed after {job.attempts} attempts: {job.error}")
    if box.button("Retry", key=f"a_retry_{job.id}"):
        try:
            queue().retry(job.id, identity.username)
        except StoreError as exc:
            st.error(plain(str(exc)))
        else:
            st.rerun()
