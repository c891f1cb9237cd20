"""Review (reviewer): the page image beside the extracted facts; decide each item's codes."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from babel import Locale, UnknownLocaleError

from exportdesk.extract.model import ApplicationResult, BBox, Evidence
from exportdesk.review.decisions import families
from exportdesk.review.store import CaseView
from exportdesk.risk.findings import SCREENING_HIT
from exportdesk.ui.pages._common import CASE, choose_case, plain, require, settings, store
from exportdesk.ui.precedents_panel import show_precedents
from exportdesk.ui.render import render_page
from exportdesk.ui.review_decide import classification_view
from exportdesk.ui.review_fields import fields_view
from exportdesk.ui.review_state import (
    LOADED,
    ReviewContext,
    reload,
    save,
    say,
    show_messages,
)
from exportdesk.ui.risk_panel import TITLES as RISK_TITLES
from exportdesk.ui.risk_panel import show_risk
from exportdesk.ui.wording import placed_warnings

VIEWS = ["Classification", "Fields", "Finish"]


def _precedents(ctx: ReviewContext) -> None:  # issue 15: earlier decisions on this item
    assert ctx.item is not None
    place = f"precedents_{ctx.item.index}"
    show_precedents(
        store(),
        ctx.case,
        ctx.item,
        ctx.identity.username,
        lambda a, d: save(ctx.case.id, place, a, d),
    )
    show_messages(place)


# Panels other parts of the product add, drawn in this order; each gets the context.
# ITEM_PANELS sit under the current item's header in the Classification view; PANELS under
# whichever view is open. (The risk panel is application-wide and sits above the page.)
ITEM_PANELS: list[Callable[[ReviewContext], None]] = [_precedents]
PANELS: list[Callable[[ReviewContext], None]] = []

identity = require("review")
low = settings().low_confidence
st.title("Review")


def _locale() -> str:
    try:
        return str(Locale.parse((st.context.locale or "en").replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError):
        return "en"


@st.cache_data(max_entries=64, show_spinner=False)
def _page_image(sha256: str, page: int, boxes: tuple[BBox, ...], dpi: int) -> bytes:
    # Keyed by content digest, so a cached image can never belong to another document.
    return render_page(store().originals.get(sha256), page, list(boxes), dpi=dpi)


def _show_page(sha256: str, page: int, pages: int, evidence: list[Evidence]) -> None:
    zoom = st.session_state.get("r_zoom", 100)
    try:
        image = _page_image(
            sha256, page, tuple(e.bbox for e in evidence if e.page == page), 110 * zoom // 100
        )
    except Exception as exc:  # a page that cannot be drawn must not hide the fields
        st.warning(f"Page {plain(str(page))} could not be drawn ({plain(type(exc).__name__)}).")
        return
    frame = st.container(border=True, height=900 if zoom > 100 else "content")
    frame.image(
        image,
        caption=f"Page {page} of {pages}",
        width="stretch" if zoom == 100 else int(8.2 * zoom),
    )


# --- actions --------------------------------------------------------------------------------
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
        say("finish", "info", "No other application is waiting for review.")
    else:
        st.session_state[CASE] = following
        st.session_state.pop("r_case", None)


def _finish(case_id: int, outcome: str) -> None:
    reason = (
        st.session_state.get(f"r_return_reason_{case_id}", "") if outcome == "returned" else None
    )
    save(
        case_id,
        "finish",
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

show_messages("top")
if case.version != loaded[case_id]:
    st.warning(
        "Someone else saved this application after you opened it. Your unsaved "
        "entries stay on screen; reload to work on the latest version."
    )
    st.button("Reload", on_click=reload, args=(case_id,), key="r_reload")

result: ApplicationResult | None = case.result
if result is None:
    st.info("This application has not been read yet.")
    st.stop()
assert result is not None
warnings = placed_warnings(result)
for w in warnings.get("document", []):
    if w.code in RISK_TITLES or w.code == SCREENING_HIT:
        continue  # a risk finding: the Risk panel below shows it with its decision
    (st.warning if result.readable else st.error)(plain(w.message), icon=":material/warning:")

show_risk(store(), case, identity.username)


# --- facts and the page image -----------------------------------------------------------------
facts: dict[str, tuple[str, float, list[Evidence]]] = {}
for i, p in enumerate(result.parties):
    facts[f"parties.{i}"] = (f"{p.role.replace('_', ' ')}: {p.name}", p.confidence, p.evidence)
for i, it in enumerate(result.items):
    mark = "⚠ " if warnings.get(f"item:{it.index}") else ""
    facts[f"items.{i}"] = (f"{mark}item {it.index}: {it.description}", it.confidence, it.evidence)
for i, e in enumerate(result.end_use):
    facts[f"end_use.{i}"] = (f"end use: {e.statement[:80]}", e.confidence, e.evidence)


def _fact_label(key: str) -> str:
    text, confidence, _ = facts[key]
    mark = f"⚠ {confidence:.0%} " if confidence < low else ""
    return mark + text


# Correcting fields wants a wide table; deciding wants a wide page image.
wide_table = st.session_state.get("r_view") == "Fields"
left, right = st.columns([1, 1.6] if wide_table else [1.35, 1], gap="medium")
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
with left:
    evidence = facts[fact_key][2] if fact_key else []
    pages = result.document.page_count or 1
    page = evidence[0].page if evidence else 1
    if pages > 1:
        pager, zoom_at = st.columns([1, 2])
        page = pager.number_input("Page", 1, pages, page, key=f"r_page_{case_id}_{fact_key}")
    else:
        zoom_at = st.container()
    zoom_at.select_slider(
        "Zoom", options=[100, 150, 200, 300], value=100, key="r_zoom", format_func="{}%".format
    )
    for w in warnings.get(f"page:{int(page)}", []):
        st.warning(plain(w.message), icon=":material/warning:")
    if not result.readable:
        st.info("There is no page image: the file could not be read as a PDF.")
    else:
        _show_page(case.sha256, int(page), pages, evidence)

# --- classification, fields, finishing -------------------------------------------------------
item = None
if result.items:
    position = st.session_state.get(f"r_item_{case_id}", 0) % len(result.items)
    item = result.items[position]
ctx = ReviewContext(case, result, identity, item, _locale(), low)

with right:
    view = st.segmented_control("View", VIEWS, default=VIEWS[0], key="r_view") or VIEWS[0]
    if view == "Classification":
        if item is None:
            st.info("No items to classify. Add them under Fields if the reader missed them.")
        else:
            n = len(result.items)
            nav1, nav2 = st.columns(2)
            nav1.button(
                "◀ Previous item",
                on_click=_goto_item,
                args=(case_id, position - 1, n),
                key="r_prev",
                shortcut="P",
                width="stretch",
            )
            nav2.button(
                "Next item ▶",
                on_click=_goto_item,
                args=(case_id, position + 1, n),
                key="r_next",
                shortcut="N",
                width="stretch",
            )
            st.caption("Shortcuts: N next item · P previous item · Y confirm the top suggestion")
            classification_view(ctx, ITEM_PANELS)
    elif view == "Fields":
        fields_view(ctx)
    else:
        wanted = [(it.index, f) for it in result.items for f in families(it) or [None]]
        made = sum(
            1
            for index, f in wanted
            if ((index, f) in case.by_family if f else index in case.decisions)
        )
        st.write(
            plain(
                f"{made} of {len(wanted)} decisions made. Status: {case.status.replace('_', ' ')}."
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
        show_messages("finish")
        st.divider()
        st.button(
            "Next application ▶",
            on_click=_next_case,
            args=(case_id,),
            key="r_next_case",
            help="The next application waiting for review, in queue order.",
        )
    for panel in PANELS:
        panel(ctx)
