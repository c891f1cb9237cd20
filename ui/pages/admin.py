"""Admin: check the audit log, manage the accounts, watch the workers, retry failed jobs,
see which model versions fail their manifest."""

from __future__ import annotations

import streamlit as st

from exportdesk.models.registry import KINDS, Registry, RegistryError
from exportdesk.review.audit import verify
from exportdesk.review.auditkeys import anchor_file
from exportdesk.review.auth import (
    AuthError,
    list_users,
    set_active,
    set_password,
    set_role,
    unlock,
)
from exportdesk.review.store import StoreError
from exportdesk.review.tables import ROLES
from exportdesk.review.workers import list_workers
from exportdesk.ui.pages._common import plain, queue, require, settings, store, when

identity = require("admin")
st.title("Admin")

st.subheader("Audit log")
if st.button("Verify the audit log", key="a_verify"):
    with store().session() as session:
        report = verify(session, anchors=anchor_file(settings()))
    if report.ok:
        st.success(
            f"The audit log is intact: {plain(report.events)} events, none edited or deleted."
        )
    else:
        st.error(
            "The audit log was tampered with. Restore the database from a backup taken "
            "before the first broken event.\n\n"
            + "\n".join(f"- {plain(p)}" for p in report.problems)
        )

st.subheader("Accounts")
st.caption("Add accounts with `exportdesk users add NAME --role ROLE` on the server.")
with store().session() as session:
    accounts = list_users(session)
    st.table(
        [
            {
                "user": u.username,
                "role": u.role,
                "active": "yes" if u.active else "no",
                "sign-in": "local" if u.password_hash else "OIDC only",
                "since": when(u.created_at),
            }
            for u in accounts
        ]
    )
if "a_flash" in st.session_state:
    kind, text = st.session_state.pop("a_flash")
    (st.success if kind == "ok" else st.error)(plain(text))


def _change(action, done: str) -> None:
    """Run one account change in its own transaction and report it on the next run."""
    try:
        with store().session() as session:
            action(session, identity.username)
    except AuthError as exc:
        st.session_state["a_flash"] = ("error", str(exc))
    else:
        st.session_state["a_flash"] = ("ok", done)


if accounts:
    with st.form("a_account"):
        name = st.selectbox("Account", [u.username for u in accounts], key="a_user")
        role = st.selectbox("Role", list(ROLES), key="a_role")
        password = st.text_input("New password", type="password", key="a_password")
        cols = st.columns(5)
        clicked = {
            "deactivate": cols[0].form_submit_button("Deactivate"),
            "activate": cols[1].form_submit_button("Activate"),
            "role": cols[2].form_submit_button("Set role"),
            "password": cols[3].form_submit_button("Reset password"),
            "unlock": cols[4].form_submit_button("Clear sign-in delays"),
        }
    if clicked["deactivate"]:
        _change(lambda s, actor: set_active(s, name, False, actor), f"{name} deactivated.")
    elif clicked["activate"]:
        _change(lambda s, actor: set_active(s, name, True, actor), f"{name} activated.")
    elif clicked["role"]:
        _change(lambda s, actor: set_role(s, name, role, actor), f"{name} is now {role}.")
    elif clicked["password"]:
        _change(
            lambda s, actor: set_password(s, name, password, actor), f"New password for {name}."
        )
    elif clicked["unlock"]:
        _change(lambda s, actor: unlock(s, name, actor), f"Sign-in delays for {name} cleared.")
    if any(clicked.values()):
        st.rerun()

st.subheader("Workers and queue")
depth = queue().depth()
statuses = ("queued", "running", "waiting", "done", "failed")  # waiting: for page ranges
queue_cols = st.columns(len(statuses))
for col, status in zip(queue_cols, statuses, strict=True):
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

st.subheader("Models")
registry = Registry.for_settings(settings())
model_rows = []
for kind in KINDS:
    try:
        infos = registry.list(kind)
    except RegistryError as exc:
        st.error(plain(f"The {kind} versions cannot be listed: {exc}"))
        continue
    model_rows += [
        {
            "model": kind,
            "version": v.version,
            "active": "yes" if v.active else "",
            "files": "BROKEN: changed since sealed" if v.broken else "match the manifest",
            "trained by": v.trained_by or "not recorded",
        }
        for v in infos
    ]
    for v in infos:
        if v.broken:
            st.error(
                plain(
                    f"{kind} {v.version}"
                    + (" (the active version)" if v.active else "")
                    + f" is broken: {v.broken}"
                )
            )
if model_rows:
    st.table(model_rows)
else:
    st.caption("No trained models are installed.")
