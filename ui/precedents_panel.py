"""The precedent panel on the Review page: earlier decisions for this item, flagged, one-click."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from exportdesk.extract.model import Item
from exportdesk.review.precedents import (
    Precedent,
    decided_items,
    find_precedents,
    precedent_of,
    take_precedent,
)
from exportdesk.review.store import CaseStore, CaseView
from exportdesk.ui.pages._common import CASE, plain, when

Save = Callable[[Callable[[int], int], str], None]


@st.cache_resource(show_spinner=False)
def _embedder():
    from exportdesk.classify.embed import default_embedder

    return default_embedder()


def _open_case(application_id: int) -> None:
    st.session_state[CASE] = application_id
    st.session_state.pop("r_case", None)


def show_precedents(store: CaseStore, case: CaseView, item: Item, actor: str, save: Save) -> None:
    """Up to a few earlier confirmed decisions for ``item``; ``save`` runs a locked write."""
    taken = [precedent_of(store, d.id) for d in case.in_force(item.index)]
    for source in filter(None, taken):
        st.caption(plain(f"This item's decision was taken from precedent decision {source}."))
    try:
        pool = decided_items(store, exclude_application=case.id)
        # The embedder loads only once there is something to compare with.
        found = (
            find_precedents(
                item,
                pool,
                _embedder(),
                store.settings.precedent_min_similarity,
                store.settings.precedent_limit,
            )
            if pool
            else []
        )
    except Exception as exc:  # the panel is help, never a reason to lose the page
        st.caption(plain(f"Precedents could not be looked up ({type(exc).__name__}: {exc})."))
        return
    if not found:
        st.caption("No earlier confirmed decision on this model or description.")
        return
    st.markdown("**Precedents**")
    for p in found:
        _one(store, case, item, actor, save, p)


def _one(
    store: CaseStore, case: CaseView, item: Item, actor: str, save: Save, p: Precedent
) -> None:
    d = p.decided
    how = (
        f"same model {d.model}"
        if p.match == "model"
        else f"description {p.similarity:.0%} alike, same parameters"
    )
    with st.container(border=True, key=f"prec_{case.id}_{item.index}_{d.decision_id}"):
        st.markdown(
            plain(
                f"Precedent {d.catalogue} {d.code} — decided by {d.decided_by}, "
                f"{when(d.decided_at)}, application #{d.application_id} item {d.item_index} "
                f"({how})"
            )
        )
        st.caption(plain(f"List edition: {d.catalogue_edition or 'not recorded'}"))
        if p.disagrees_with:
            st.warning(plain(f"Disagrees with the current suggestion {p.disagrees_with}."))
        if p.older_edition:
            st.warning(
                plain(
                    "Decided under another list edition "
                    f"({d.catalogue_edition or 'not recorded'}); current: {p.older_edition}. "
                    "Check the entry's wording before relying on it."
                )
            )
        left, right = st.columns(2)
        left.button(
            f"Open application #{d.application_id}",
            key=f"prec_open_{item.index}_{d.decision_id}",
            on_click=_open_case,
            args=(d.application_id,),
        )
        if p.takeable:
            right.button(
                f"Take precedent {d.code}",
                key=f"prec_take_{item.index}_{d.decision_id}",
                disabled=not case.editable,
                on_click=save,
                args=(
                    lambda v: take_precedent(store, case.id, v, item.index, d.decision_id, actor),
                    f"Item {item.index}: {d.catalogue} {d.code} taken from precedent "
                    f"(decision {d.decision_id}).",
                ),
            )
        else:
            right.caption("Not the same model and parameters: choose by hand if it applies.")
