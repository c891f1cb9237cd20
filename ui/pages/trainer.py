"""Trainer: label statistics, suggestion vs decision, label-next queue, agreement, versions."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from exportdesk.extract.registry import sha256_file
from exportdesk.models import insights, jobs, workflow
from exportdesk.models.classification.fixed_set import FIXED_SET
from exportdesk.models.registry import Registry, RegistryError
from exportdesk.ui.pages._common import plain, require, settings, store, when

identity = require("trainer")
st.title("Trainer")
QUEUE_ORDER = {
    "Lowest top-1 confidence": "confidence",
    "Smallest margin to the runner-up": "margin",
}
queue_by = st.session_state.get("t_queue_by", next(iter(QUEUE_ORDER)))
data = insights.overview(store(), queue_by=QUEUE_ORDER[queue_by])
stats = data["stats"]

st.subheader("Label statistics")
cols = st.columns(4)
cols[0].metric("Decided items", stats["decided_items"])
cols[1].metric("In confirmed applications", stats["confirmed_items"])
cols[2].metric("Overrides", stats["overrides"])
accepted = stats["top_suggestion_accepted"]
cols[3].metric("Top suggestion accepted", "–" if accepted is None else f"{accepted:.0%}")
if stats["decided_items"]:
    left, right = st.columns(2)
    left.bar_chart(pd.DataFrame({"items": stats["by_catalogue"]}), horizontal=True)
    right.dataframe(
        pd.DataFrame(list(stats["by_code"].items()), columns=["entry", "items"]),
        hide_index=True,
        height=260,
    )
else:
    st.info("No decisions yet: reviewers' confirmed decisions appear here.")

st.subheader("Suggestion against decision")
if data["confusion"]:
    conf = pd.DataFrame(data["confusion"])
    top = conf.groupby("decided")["count"].sum().nlargest(15).index
    heat = conf[conf["decided"].isin(top)]
    st.altair_chart(
        alt.Chart(heat)
        .mark_rect()
        .encode(
            x=alt.X("decided:N", title="reviewer's decision"),
            y=alt.Y("suggested:N", title="model's top suggestion"),
            color=alt.Color("count:Q", scale=alt.Scale(scheme="blues")),
            tooltip=["suggested", "decided", "count"],
        ),
        width="stretch",
    )
    st.dataframe(pd.DataFrame(data["by_version"]), hide_index=True)
else:
    st.info("Nothing to compare until reviewers decide items.")

st.subheader("Label next (least certain first)")
st.radio("Rank by", list(QUEUE_ORDER), key="t_queue_by", horizontal=True)
st.caption(
    "One row per item and catalogue family (EU, US): the margin compares the top suggestion "
    "with the next one in the same family."
)
if data["queue"]:
    st.dataframe(
        pd.DataFrame(data["queue"]),
        hide_index=True,
        column_config={
            "confidence": st.column_config.ProgressColumn(
                "confidence", min_value=0.0, max_value=1.0, format="%.2f"
            )
        },
    )
else:
    st.info("No undecided items are waiting.")

st.subheader("Inter-annotator agreement")
agree = data["agreement"]
if agree.items:
    cols3 = st.columns(3)
    cols3[0].metric("Items decided by 2+ reviewers", agree.items)
    cols3[1].metric("Raw agreement", f"{agree.raw_agreement:.0%}")
    alpha = agree.krippendorff_alpha
    cols3[2].metric("Krippendorff's α (nominal)", "–" if alpha is None else f"{alpha:.3f}")
    st.dataframe(pd.DataFrame(agree.pairs), hide_index=True)
else:
    st.info("No item has been decided by two reviewers yet.")

st.subheader("Model versions on the fixed evaluation set")
if "t_flash" in st.session_state:
    st.success(plain(st.session_state.pop("t_flash")))
registry = Registry.for_settings(settings())
fixed_sha = sha256_file(FIXED_SET)
versions = registry.list("classifier", fixed_sha)
if versions:

    def _figure(v, key: str) -> str:
        value = (v.fixed_set or {}).get(key)
        return "–" if value is None else f"{value:.3f}"

    st.dataframe(
        pd.DataFrame(
            [
                {
                    "version": v.version,
                    "active": v.active,
                    "created": when(v.created) if v.created else "not recorded",
                    "top-1": _figure(v, "top1"),
                    "top-3": _figure(v, "top3"),
                    "ECE": _figure(v, "ece"),
                    "trained by": v.trained_by or "not recorded",
                    "kept in": "shipped (read only)" if v.shipped else "data folder",
                    "files": "changed since sealed: do not activate" if v.broken else "intact",
                    "why no figures": v.figures_note or "",
                }
                for v in versions
            ]
        ),
        hide_index=True,
    )
    for v in versions:
        if v.broken:
            st.error(plain(f"Version {v.version}: {v.broken}"))
    pick, force_col = st.columns([3, 2])
    chosen = pick.selectbox("Version", [v.version for v in versions], key="t_version")
    force = force_col.checkbox("Activate even if worse on the fixed set", key="t_force")
    act_col, back_col = st.columns(2)
    if act_col.button("Activate this version", key="t_activate_version"):
        try:
            done = workflow.activate(
                settings(),
                chosen,
                actor=identity.username,
                force=force,
                embedder_factory=workflow.measured_only,
            )
            st.session_state["t_flash"] = (
                f"{chosen} is now active (was {done.previous or 'the newest folder'})."
                + (" Forced past the fixed-set check." if done.forced else "")
            )
            st.rerun()
        except RegistryError as exc:
            st.error(plain(exc))
    if back_col.button("Roll back to the previous version", key="t_rollback"):
        try:
            done = workflow.rollback(
                settings(), actor=identity.username, embedder_factory=workflow.measured_only
            )
            st.session_state["t_flash"] = f"Rolled back: {done.version} is active again."
            st.rerun()
        except RegistryError as exc:
            st.error(plain(exc))
bars, bins = insights.version_metrics(registry, fixed_sha)
if bars:
    st.altair_chart(
        alt.Chart(pd.DataFrame(bars))
        .mark_bar()
        .encode(
            x=alt.X("group:N", title=None, axis=alt.Axis(labelAngle=-30)),
            xOffset="version:N",
            y=alt.Y("value:Q", title=None),
            color="version:N",
            tooltip=["version", "group", "metric", "value"],
        )
        .properties(height=170, width=620)
        .facet(row=alt.Row("metric:N", title=None))
        .resolve_scale(y="independent")
    )
    diagonal = pd.DataFrame({"mean confidence": [0.0, 1.0], "accuracy": [0.0, 1.0]})
    st.altair_chart(
        alt.layer(
            alt.Chart(diagonal)
            .mark_line(strokeDash=[4, 4], color="gray")
            .encode(x="mean confidence:Q", y="accuracy:Q"),
            alt.Chart(pd.DataFrame(bins))
            .mark_line(point=True)
            .encode(
                x="mean confidence:Q",
                y="accuracy:Q",
                color="version:N",
                tooltip=["version", "mean confidence", "accuracy", "count"],
            ),
        ).properties(title="Reliability (top-1 confidence against accuracy)"),
        width="stretch",
    )
elif versions:
    st.info(
        "No version has fixed-set figures yet; `exportdesk models evaluate VERSION` measures one."
    )
else:
    st.info("No classifier versions yet.")

st.subheader("Retrain")
activate = st.checkbox(
    "Activate the new version if it is not worse on the fixed set", key="t_activate"
)
if st.button("Start retrain", type="primary", key="t_start"):
    try:
        started = jobs.launch(settings(), identity.username, activate)
        st.success(plain(f"Retrain {started} started."))
    except jobs.JobError as exc:
        st.error(plain(exc))


@st.fragment(run_every=3)
def _progress() -> None:
    recent = jobs.history(settings())[:5]
    if not recent:
        st.caption("No retrain has been started from here yet.")
        return
    for job in recent:
        label = f"{job.id} · {job.state} · by {plain(job.requested_by)}" + (
            f" · version {job.summary['version']}" if job.summary else ""
        )
        with st.expander(label, expanded=job is recent[0]):
            if job.error:
                st.error(plain(job.error))
            if job.summary and job.summary.get("activation"):
                act = job.summary["activation"]
                (st.success if act["activated"] else st.warning)(
                    "Activated."
                    if act["activated"]
                    else plain("Not activated: " + "; ".join(act["gate"]))
                )
            st.code("\n".join(job.progress) or "(no output yet)", language=None)


_progress()
