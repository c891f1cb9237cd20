"""Review (reviewer): the page image beside the extracted facts; decide each item's code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from exportdesk.extract.model import ApplicationResult, BBox, Evidence
from exportdesk.review.store import EDITABLE, CaseView, ConflictError, StoreError
from exportdesk.ui.catalogue_view import label, lookup, search
from exportdesk.ui.pages._common import CASE, choose_case, plain, require, settings, store, when
from exportdesk.ui.precedents_panel import show_precedents
from exportdesk.ui.render import render_page
from exportdesk.ui.risk_panel import show_risk

LOADED = "r_loaded"  # {application id: the version this reviewer's screen started from}
FLASH = "r_flash"

identity = require("review")
low = settings().low_confidence
st.title("Review")


@st.cache_data(max_entries=64, show_spinner=False)
def _page_image(sha256: str, page: int, boxes: tuple[BBox, ...]) -> bytes:
    # Keyed by content digest, so a cached image can never belong to another document.
    return render_page(store().originals.get(sha256), page, list(boxes))


def _show_page(sha256: str, page: int, pages: int, evidence: list[Evidence]) -> None:
    try:
        image = _page_image(sha256, page, tuple(e.bbox for e in evidence if e.page == page))
        st.container(border=True).image(image, caption=f"Page {page} of {pages}", width="stretch")
    except Exception as exc:  # a page that cannot be drawn must not hide the fields
        st.warning(plain(f"Page {page} could not be drawn ({type(exc).__name__})."))


# --- saving: every change names the version on screen (optimistic locking) ----------------
def _save(case_id: int, action: Callable[[int], int], done: str) -> None:
    loaded = st.session_state.setdefault(LOADED, {})
    try:
        loaded[case_id] = action(loaded[case_id])
    except ConflictError as exc:
        st.session_state[FLASH] = ("conflict", str(exc))
    except StoreError as exc:
        st.session_state[FLASH] = ("error", str(exc))
    else:
        st.session_state[FLASH] = ("success", done)


def _reload(case_id: int) -> None:
    st.session_state.setdefault(LOADED, {})[case_id] = store().case(case_id).version
    st.session_state[FLASH] = ("info", "Reloaded: you now see the latest saved version.")


def _confirm(case_id: int, index: int, catalogue: str, code: str) -> None:
    _save(
        case_id,
        lambda v: store().decide(case_id, v, index, catalogue, code, identity.username),
        f"Item {index}: confirmed {catalogue} {code}.",
    )


def _override(case_id: int, index: int) -> None:
    choice = st.session_state.get(f"r_pick_{case_id}_{index}")
    reason = st.session_state.get(f"r_reason_{case_id}_{index}", "")
    if choice is None:
        st.session_state[FLASH] = ("error", "Pick a catalogue entry first (search above the list).")
        return
    catalogue, code = choice
    _save(
        case_id,
        lambda v: store().decide(case_id, v, index, catalogue, code, identity.username, reason),
        f"Item {index}: recorded {catalogue} {code} instead of the suggestion.",
    )


def _goto_item(case_id: int, position: int, items: int) -> None:
    position %= max(items, 1)
    st.session_state[f"r_item_{case_id}"] = position
    st.session_state[f"r_fact_{case_id}"] = f"items.{position}"


def _fact_chosen(case_id: int) -> None:
    # Choosing an item to highlight also makes it the item being classified.
    chosen = st.session_state.get(f"r_fact_{case_id}") or ""
    if chosen.startswith("items."):
        st.session_state[f"r_item_{case_id}"] = int(chosen.split(".")[1])


def _next_case(case_id: int) -> None:
    following = store().next_case(after_id=case_id) or store().next_case()
    if following is None or following == case_id:
        st.session_state[FLASH] = ("info", "No other application is waiting for review.")
    else:
        st.session_state[CASE] = following
        st.session_state.pop("r_case", None)


def _corrections(case_id: int, fields: list[str]) -> None:
    changes = {f: st.session_state.get(f"r_field_{case_id}_{f}") for f in fields}
    _save(
        case_id,
        lambda v: store().correct(case_id, v, changes, identity.username),
        "Corrections saved.",
    )


def _finish(case_id: int, outcome: str) -> None:
    reason = (
        st.session_state.get(f"r_return_reason_{case_id}", "") if outcome == "returned" else None
    )
    _save(
        case_id,
        lambda v: store().finish(case_id, v, outcome, identity.username, reason),
        f"Application {case_id} {outcome}.",
    )


# --- which application ---------------------------------------------------------------------
case_id = choose_case(
    [r for r in store().queue() if r.status != "received"],
    "r_case",
    "Nothing has been read yet. Applications appear here once the reader is done.",
)
case: CaseView = store().case(case_id)
loaded: dict[int, int] = st.session_state.setdefault(LOADED, {})
loaded.setdefault(case_id, case.version)

flash = st.session_state.pop(FLASH, None)
if flash:
    kind, message = flash
    {"success": st.success, "info": st.info, "error": st.error}.get(kind, st.error)(plain(message))
if case.version != loaded[case_id]:
    st.warning(
        "Someone else saved this application after you opened it. Your unsaved "
        "entries stay on screen; reload to work on the latest version."
    )
    st.button("Reload", on_click=_reload, args=(case_id,), key="r_reload")

result: ApplicationResult | None = case.result
if result is None:
    st.info("This application has not been read yet.")
    st.stop()
assert result is not None
if not result.readable:
    for w in result.warnings:
        st.error(plain(w.message))

show_risk(store(), case, identity.username)

# --- facts and the page image -----------------------------------------------------------------
facts: dict[str, tuple[str, float, list[Evidence]]] = {}
for i, p in enumerate(result.parties):
    facts[f"parties.{i}"] = (f"{p.role.replace('_', ' ')}: {p.name}", p.confidence, p.evidence)
for i, it in enumerate(result.items):
    facts[f"items.{i}"] = (f"item {it.index}: {it.description}", it.confidence, it.evidence)
for i, e in enumerate(result.end_use):
    facts[f"end_use.{i}"] = (f"end use: {e.statement[:80]}", e.confidence, e.evidence)


def _fact_label(key: str) -> str:
    text, confidence, _ = facts[key]
    mark = f"⚠ {confidence:.0%} " if confidence < low else ""
    return mark + text


left, right = st.columns([1.15, 1], gap="medium")
with right:
    fact_key = None
    if facts:
        fact_key = st.selectbox(
            "Highlight on the page",
            list(facts),
            format_func=_fact_label,
            key=f"r_fact_{case_id}",
            on_change=_fact_chosen,
            args=(case_id,),
        )
    else:
        st.info("No parties, items or end-use statements were found; enter them by hand.")
with left:
    evidence = facts[fact_key][2] if fact_key else []
    pages = result.document.page_count or 1
    page = evidence[0].page if evidence else 1
    if pages > 1:
        page = st.number_input("Page", 1, pages, page, key=f"r_page_{case_id}_{fact_key}")
    if not result.readable:
        st.info("There is no page image: the file could not be read as a PDF.")
    else:
        _show_page(case.sha256, int(page), pages, evidence)

# --- classification, fields, finishing -------------------------------------------------------
with right:
    classify_tab, fields_tab, finish_tab = st.tabs(["Classification", "Fields", "Finish"])

with classify_tab:
    if not result.items:
        st.info("No items to classify.")
    else:
        n = len(result.items)
        pos = st.session_state.get(f"r_item_{case_id}", 0) % n
        item = result.items[pos]
        nav1, nav2 = st.columns(2)
        nav1.button(
            "◀ Previous item",
            on_click=_goto_item,
            args=(case_id, pos - 1, n),
            key="r_prev",
            shortcut="P",
        )
        nav2.button(
            "Next item ▶",
            on_click=_goto_item,
            args=(case_id, pos + 1, n),
            key="r_next",
            shortcut="N",
        )
        st.caption("Shortcuts: N next item · P previous item · Y confirm the top suggestion")
        mark = f" ⚠ low confidence ({item.confidence:.0%})" if item.confidence < low else ""
        st.subheader(f"Item {item.index} of {n}{mark}")
        st.text(item.description)
        if item.declared_classification:
            st.caption("Declared by the applicant: " + plain(item.declared_classification))
        decided = case.decisions.get(item.index)
        if decided is not None:
            how = f" — override: {decided.override_reason}" if decided.override_reason else ""
            st.success(
                plain(
                    f"Decided: {decided.final_catalogue} {decided.final_code} by "
                    f"{decided.decided_by}, {when(decided.decided_at)}{how}"
                )
            )
        show_precedents(store(), case, item, identity.username, lambda a, d: _save(case_id, a, d))
        for rank, sug in enumerate(item.suggestions[:3]):
            with st.container(border=True):
                flag = " ⚠" if sug.confidence < low else ""
                st.progress(
                    sug.confidence,
                    text=plain(f"{sug.catalogue} {sug.code} — {sug.confidence:.0%}{flag}"),
                )
                if sug.title:
                    st.caption(plain(sug.title))
                st.caption("Why: " + plain(sug.rationale))
                entry = lookup(sug.catalogue, sug.code)
                if entry is not None:
                    st.caption("> " + plain(entry.text[:400]))
                if rank == 0:
                    st.button(
                        "Confirm " + plain(sug.code),
                        type="primary",
                        shortcut="Y",
                        key=f"r_confirm_{item.index}",
                        on_click=_confirm,
                        args=(case_id, item.index, sug.catalogue, sug.code),
                        disabled=not case.editable,
                    )
        if not item.suggestions:
            st.info("No suggestions for this item; choose a code below.")
        with st.expander("Choose another code", expanded=not item.suggestions):
            query = st.text_input(
                "Search the catalogues (code or words)", key=f"r_search_{case_id}_{item.index}"
            )
            found = search(query, limit=60)
            options: list[Any] = [(e.catalogue, e.code) for e in found]
            options += [
                (s.catalogue, s.code)
                for s in item.suggestions
                if (s.catalogue, s.code) not in options
            ]
            titles = {(e.catalogue, e.code): label(e) for e in found}
            st.selectbox(
                "Catalogue entry",
                options,
                index=None,
                format_func=lambda o: titles.get(o, f"{o[0]} {o[1]}"),
                key=f"r_pick_{case_id}_{item.index}",
                placeholder="Pick an entry",
            )
            st.text_area(
                "Reason for not following the suggestion (required)",
                key=f"r_reason_{case_id}_{item.index}",
            )
            st.button(
                "Record this code",
                on_click=_override,
                args=(case_id, item.index),
                key=f"r_override_{item.index}",
                disabled=not case.editable,
            )

with fields_tab:
    data = result.to_contract()
    paths: list[str] = []
    with st.form(f"r_fields_{case_id}"):
        for kind, names in EDITABLE.items():
            for i, fact in enumerate(data[kind]):
                flag = " ⚠ low confidence" if fact["confidence"] < low else ""
                heading = f"{kind.replace('_', ' ')} {i + 1}"
                st.markdown(f"**{plain(heading)}**{plain(flag)}")
                for name in names:
                    path = f"{kind}.{i}.{name}"
                    paths.append(path)
                    value = fact.get(name)
                    edited = " ✎" if path in case.corrected_fields else ""
                    st.text_input(
                        f"{name.replace('_', ' ')}{edited}",
                        value="" if value is None else str(value),
                        key=f"r_field_{case_id}_{path}",
                    )
        st.form_submit_button(
            "Save corrections",
            on_click=_corrections,
            args=(case_id, paths),
            disabled=not case.editable,
        )

with finish_tab:
    decided_n = sum(1 for it in result.items if it.index in case.decisions)
    st.write(
        plain(
            f"{decided_n} of {len(result.items)} items decided. Status: "
            f"{case.status.replace('_', ' ')}."
        )
    )
    st.button(
        "Confirm application",
        type="primary",
        on_click=_finish,
        args=(case_id, "confirmed"),
        disabled=not case.editable,
        key="r_finish",
    )
    st.text_input("Why it goes back to the applicant", key=f"r_return_reason_{case_id}")
    st.button(
        "Return to applicant",
        on_click=_finish,
        args=(case_id, "returned"),
        disabled=not case.editable,
        key="r_return",
    )
    st.divider()
    st.button(
        "Next application ▶",
        on_click=_next_case,
        args=(case_id,),
        key="r_next_case",
        help="The next application waiting for review, in queue order.",
    )
