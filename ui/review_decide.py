"""The review screen's Classification view: one item, a decision per catalogue family (EU, US),
a confirm for every suggestion, overrides with a reason, and changes only on purpose."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import streamlit as st

from exportdesk.extract.model import Item, Suggestion
from exportdesk.review.decisions import (
    declared_conflict,
    families,
    family_name,
    family_of,
)
from exportdesk.review.store import Decision
from exportdesk.ui.catalogue_view import label, lookup, search
from exportdesk.ui.pages._common import plain, store, when
from exportdesk.ui.review_state import ReviewContext, save, say, show_messages
from exportdesk.ui.wording import item_gaps, placed_warnings


def _key(ctx: ReviewContext, what: str, family: str) -> str:
    assert ctx.item is not None
    return f"r_{what}_{ctx.case.id}_{ctx.item.index}_{family}"


# --- actions (run as button callbacks, before the page is drawn again) ----------------------
def _confirm(case_id: int, index: int, family: str, sug: tuple[str, str], actor: str) -> None:
    catalogue, code = sug
    save(
        case_id,
        f"decide_{index}_{family}",
        lambda v: store().decide(case_id, v, index, catalogue, code, actor),
        f"Item {index} ({family_name(family)}): confirmed {catalogue} {code}.",
    )


def _prefix(case_id: int, index: int, family: str) -> str:
    return f"r_{{}}_{case_id}_{index}_{family}"


def _picked(
    case_id: int, index: int, family: str, pick: str, why: str, missing: str
) -> tuple[str, str, str] | None:
    """The entry picked in the family's widgets and the reason typed beside it; None, with
    the message said beside the item, when there is no entry of this family."""
    prefix = _prefix(case_id, index, family)
    choice = st.session_state.get(prefix.format(pick))
    place = f"decide_{index}_{family}"
    if choice is None:
        say(place, "error", missing)
        return None
    catalogue, code = choice
    if family_of(catalogue) != family:
        say(place, "error", f"{catalogue} {code} is not a {family_name(family)} entry.")
        return None
    return catalogue, code, st.session_state.get(prefix.format(why), "")


def _override(case_id: int, index: int, family: str, actor: str) -> None:
    """Record the picked entry instead of the suggestions, with the override reason."""
    missing = "Pick a catalogue entry first (search above the list)."
    _record(case_id, index, family, actor, ("pick", "reason", "other"), missing, change=False)


def _change(case_id: int, index: int, family: str, actor: str) -> None:
    """Replace the family's decision with the chosen entry, saying why."""
    missing = "Choose the new code first."
    _record(case_id, index, family, actor, ("newcode", "why", "changing"), missing, change=True)


def _record(
    case_id: int,
    index: int,
    family: str,
    actor: str,
    keys: tuple[str, str, str],
    missing: str,
    change: bool,
) -> None:
    """Save the entry picked in the widgets ``keys`` (entry, reason, the toggle to close)."""
    pick, why, toggle = keys
    picked = _picked(case_id, index, family, pick, why, missing)
    if picked is None:
        return
    catalogue, code, reason = picked
    if change:
        done = f"changed to {catalogue} {code}"
        decide = partial(store().decide, change_reason=reason or "")
    else:
        done = f"recorded {catalogue} {code} instead of the suggestion"
        decide = partial(store().decide, reason=reason)
    if save(
        case_id,
        f"decide_{index}_{family}",
        lambda v: decide(case_id, v, index, catalogue, code, actor),
        f"Item {index} ({family_name(family)}): {done}.",
    ):
        st.session_state[_prefix(case_id, index, family).format(toggle)] = False


def _toggle(key: str, value: bool) -> None:
    st.session_state[key] = value


# --- drawing -------------------------------------------------------------------------------
def _suggestion_card(
    ctx: ReviewContext, family: str, rank: int, sug: Suggestion, confirmable: bool
) -> None:
    with st.container(border=True):
        flag = " ⚠ low confidence" if sug.confidence < ctx.low else ""
        if sug.prediction_set_coverage is not None:
            flag += f" · in the {sug.prediction_set_coverage:.0%} set"
        st.progress(
            sug.confidence,
            text=plain(f"{rank + 1}. {sug.catalogue} {sug.code} — {sug.confidence:.0%}{flag}"),
        )
        if sug.title:
            st.markdown("**" + plain(sug.title) + "**")
        st.markdown("Why: " + plain(sug.rationale))
        entry = lookup(sug.catalogue, sug.code)
        if entry is not None and entry.text:
            with st.popover("Catalogue text"):
                st.markdown(plain(entry.text[:1500]))
        if confirmable:
            assert ctx.item is not None
            st.button(
                "Confirm " + plain(sug.code),
                type="primary" if rank == 0 else "secondary",
                key=f"r_confirm_{ctx.item.index}_{family}_{rank}",
                on_click=_confirm,
                args=(
                    ctx.case.id,
                    ctx.item.index,
                    family,
                    (sug.catalogue, sug.code),
                    ctx.identity.username,
                ),
                disabled=not ctx.case.editable,
                shortcut="Y"
                if rank == 0 and st.session_state.get("r_y_family") == family
                else None,
            )


def _code_picker(ctx: ReviewContext, family: str, key: str, query_key: str) -> None:
    """Search one family's catalogues, pick an entry (the suggestions are always listed)."""
    assert ctx.item is not None
    query = st.text_input("Search the catalogues (code or words)", key=query_key)
    found = [e for e in search(query, limit=400) if family_of(e.catalogue) == family][:60]
    options: list[Any] = [(e.catalogue, e.code) for e in found]
    options += [
        (s.catalogue, s.code)
        for s in ctx.item.suggestions
        if family_of(s.catalogue) == family and (s.catalogue, s.code) not in options
    ]
    titles = {(e.catalogue, e.code): label(e) for e in found}
    st.selectbox(
        "Catalogue entry",
        options,
        index=None,
        format_func=lambda o: titles.get(o, f"{o[0]} {o[1]}"),
        key=key,
        placeholder="Pick an entry",
    )


def _decided(ctx: ReviewContext, family: str, decision: Decision) -> None:
    assert ctx.item is not None
    st.success(
        f"**Decided: {plain(decision.final_catalogue)} {plain(decision.final_code)}** by "
        f"{plain(decision.decided_by)}, {plain(when(decision.decided_at))}",
        icon=":material/task_alt:",
    )
    if decision.override_reason:
        st.caption("Override reason: " + plain(decision.override_reason))
    if decision.change_reason:
        st.caption("Changed because: " + plain(decision.change_reason))
    earlier = [
        d
        for d in ctx.case.all_decisions
        if d.item_index == ctx.item.index and d.family == family and d.id != decision.id
    ]
    if earlier:
        st.caption(
            "Earlier: "
            + "; ".join(
                plain(f"{d.final_catalogue} {d.final_code} by {d.decided_by}") for d in earlier
            )
        )
    changing = _key(ctx, "changing", family)
    if not st.session_state.get(changing):
        st.button(
            "Change decision",
            key=f"r_change_{ctx.item.index}_{family}",
            on_click=_toggle,
            args=(changing, True),
            disabled=not ctx.case.editable,
        )
        return
    with st.container(border=True):
        st.markdown(f"**Change the {plain(family_name(family))} decision**")
        _code_picker(ctx, family, _key(ctx, "newcode", family), _key(ctx, "newsearch", family))
        st.text_area(
            "Why the decision changes (required; the earlier decision stays in the history)",
            key=_key(ctx, "why", family),
        )
        save_col, cancel_col = st.columns(2)
        save_col.button(
            "Save the change",
            type="primary",
            key=f"r_change_save_{ctx.item.index}_{family}",
            on_click=_change,
            args=(ctx.case.id, ctx.item.index, family, ctx.identity.username),
        )
        cancel_col.button(
            "Cancel",
            key=f"r_change_cancel_{ctx.item.index}_{family}",
            on_click=_toggle,
            args=(changing, False),
        )


def _set_note(shown: list[Suggestion]) -> None:
    """How sure the model is, as a set: "one of these 2, 90 %" (conformal, fitted on items
    the ranker never trained on); says so when the set holds more than are shown."""
    members = [s for s in shown if s.prediction_set_coverage is not None]
    if not members:
        return
    size = members[0].prediction_set_size or len(members)
    coverage = members[0].prediction_set_coverage
    codes = ", ".join(s.code for s in members)
    if size <= len(members):
        st.caption(plain(f"With {coverage:.0%} certainty the right entry is one of: {codes}."))
    else:
        st.caption(
            plain(
                f"With {coverage:.0%} certainty the right entry is one of {size} candidates; "
                f"{len(members)} are shown ({codes}). Check the others in the catalogue."
            )
        )


def _undecided(ctx: ReviewContext, family: str, suggestions: list[Suggestion]) -> None:
    assert ctx.item is not None
    for rank, sug in enumerate(suggestions[:4]):
        _suggestion_card(ctx, family, rank, sug, confirmable=True)
    _set_note(suggestions[:4])
    if not suggestions:
        st.info("No suggestions in this family; choose a code below.")
    other = _key(ctx, "other", family)
    if not suggestions:
        st.session_state.setdefault(other, True)
    if st.toggle("Choose another code", key=other):
        with st.container(border=True):
            _code_picker(ctx, family, _key(ctx, "pick", family), _key(ctx, "search", family))
            st.text_area(
                "Reason for not following the suggestions (required)",
                key=_key(ctx, "reason", family),
            )
            st.button(
                "Record this code",
                on_click=_override,
                args=(ctx.case.id, ctx.item.index, family, ctx.identity.username),
                key=f"r_override_{ctx.item.index}_{family}",
                disabled=not ctx.case.editable,
            )


def _item_header(ctx: ReviewContext, item: Item) -> None:
    mark = f" ⚠ low confidence ({item.confidence:.0%})" if item.confidence < ctx.low else ""
    st.subheader(f"Item {item.index} of {len(ctx.result.items)}{mark}")
    st.markdown(plain(item.description))
    for w in placed_warnings(ctx.result).get(f"item:{item.index}", []):
        st.warning(plain(w.message), icon=":material/warning:")
    gaps = item_gaps(item)
    if gaps:
        st.caption("Not found on the page: " + plain(", ".join(gaps)) + ". Add them under Fields.")
    if item.declared_classification:
        clash = declared_conflict(item)
        if clash is not None:
            st.error(
                plain(
                    f"The applicant declared {item.declared_classification}, but the "
                    f"suggestion is {clash.catalogue} {clash.code}. Check which is right "
                    "before deciding."
                ),
                icon=":material/rule:",
            )
        else:
            st.caption("Declared by the applicant: " + plain(item.declared_classification))


def classification_view(
    ctx: ReviewContext, item_panels: list[Callable[[ReviewContext], None]] | None = None
) -> None:
    """The current item: its header, then ``item_panels`` (e.g. precedents), then a decision
    section per catalogue family."""
    item = ctx.item
    assert item is not None
    _item_header(ctx, item)
    for panel in item_panels or []:
        panel(ctx)
    wanted = families(item) or ["eu"]
    # Y confirms the top suggestion of the first family still open, and only there.
    open_families = [f for f in wanted if (item.index, f) not in ctx.case.by_family]
    st.session_state["r_y_family"] = open_families[0] if open_families else None
    extra = [f for f in ("eu", "us") if f not in wanted]
    for family in wanted:
        with st.container(border=True):
            st.markdown(f"#### {plain(family_name(family))} decision")
            decision = ctx.case.by_family.get((item.index, family))
            if decision is not None:
                _decided(ctx, family, decision)
            else:
                _undecided(
                    ctx,
                    family,
                    [s for s in item.suggestions if family_of(s.catalogue) == family],
                )
            show_messages(f"decide_{item.index}_{family}")
    for family in extra:
        decision = ctx.case.by_family.get((item.index, family))
        shown = _key(ctx, "extra", family)
        if decision is not None or st.toggle(
            f"Also decide a {family_name(family)} code for this item", key=shown
        ):
            with st.container(border=True):
                st.markdown(f"#### {plain(family_name(family))} decision")
                if decision is not None:
                    _decided(ctx, family, decision)
                else:
                    _undecided(ctx, family, [])
                show_messages(f"decide_{item.index}_{family}")
