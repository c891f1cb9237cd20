"""The review screen's Fields view: compact editable tables of parties, items and end use,
with rows added and removed by hand, numbers in the reader's locale, errors in plain words."""

from __future__ import annotations

from typing import Any, get_args

import streamlit as st

from exportdesk.extract.model import PartyRole
from exportdesk.review.corrections import NUMBER_FIELDS
from exportdesk.review.store import EDITABLE, FieldPath
from exportdesk.ui.pages._common import plain, store
from exportdesk.ui.review_state import ReviewContext, save, show_messages
from exportdesk.ui.wording import missing_facts, number

TITLES = {"parties": "Parties", "items": "Items", "end_use": "End use"}
ROLES = list(get_args(PartyRole))


def _rows(ctx: ReviewContext, kind: str) -> list[dict[str, Any]]:
    facts = ctx.result.to_contract()[kind]
    rows = []
    for fact in facts:
        row: dict[str, Any] = {}
        if kind == "items":
            row["#"] = fact.get("index")
        for name in EDITABLE[kind]:
            value = fact.get(name)
            row[name] = number(value, ctx.locale) if name in NUMBER_FIELDS else value
        flag = "⚠" if fact.get("confidence", 1) < ctx.low else ""
        row["read"] = f"{flag}{fact.get('confidence', 1):.0%}"
        rows.append(row)
    return rows


def _columns(kind: str) -> dict[str, Any]:
    config: dict[str, Any] = {
        name: st.column_config.TextColumn(name.replace("_", " ")) for name in EDITABLE[kind]
    }
    config["read"] = st.column_config.TextColumn(
        "read", disabled=True, help="Confidence of the reading; ⚠ marks low confidence."
    )
    if kind == "parties":
        config["role"] = st.column_config.SelectboxColumn(
            "role", options=ROLES, required=True, help="The party's role in the application"
        )
        config["country"] = st.column_config.TextColumn(
            "country", help="Two-letter code, e.g. DE", max_chars=2
        )
    if kind == "items":
        config["#"] = st.column_config.NumberColumn("#", disabled=True, width="small")
        config["description"] = st.column_config.TextColumn("description", width="large")
    return config


def changes_from_editors(
    original: dict[str, list[dict[str, Any]]], states: dict[str, dict[str, Any]]
) -> tuple[dict[FieldPath, Any], dict[str, list[dict[str, Any]]], dict[str, list[int]]]:
    """The data editors' edits as the store takes them: field changes, added and removed facts.

    Only cells that differ from what was shown count, so an untouched table changes nothing.
    """
    changes: dict[FieldPath, Any] = {}
    added: dict[str, list[dict[str, Any]]] = {}
    removed: dict[str, list[int]] = {}
    for kind, state in states.items():
        shown = original.get(kind, [])

        def key(position: int | str, shown: list[dict[str, Any]] = shown, kind: str = kind) -> int:
            # An item is named by its index (the "#" column), the others by their row.
            return int(shown[int(position)]["#"]) if kind == "items" else int(position)

        for position, edits in (state.get("edited_rows") or {}).items():
            row = shown[int(position)]
            for name, value in edits.items():
                if name in EDITABLE[kind] and value != row.get(name):
                    path = FieldPath(kind=kind, key=key(position), name=name)
                    changes[path] = "" if value is None else value
        new = [
            {k: v for k, v in r.items() if k in EDITABLE[kind]}
            for r in state.get("added_rows") or []
            if any(v not in (None, "") for v in r.values())
        ]
        if new:
            added[kind] = new
        if state.get("deleted_rows"):
            removed[kind] = sorted(key(p) for p in state["deleted_rows"])
    return changes, added, removed


def _table_key(ctx: ReviewContext, kind: str) -> str:
    # A new generation after each save gives fresh tables showing what was saved.
    return f"r_table_{ctx.case.id}_{kind}_{st.session_state.get(_generation(ctx), 0)}"


def _generation(ctx: ReviewContext) -> str:
    return f"r_fields_gen_{ctx.case.id}"


def _refresh(ctx: ReviewContext) -> None:
    """Fresh tables that show what was saved."""
    st.session_state[_generation(ctx)] = st.session_state.get(_generation(ctx), 0) + 1
    st.rerun()


def _save(ctx: ReviewContext, original: dict[str, list[dict[str, Any]]]) -> bool:
    states = {kind: st.session_state.get(_table_key(ctx, kind)) or {} for kind in EDITABLE}
    changes, added, removed = changes_from_editors(original, states)
    return save(
        ctx.case.id,
        "fields",
        lambda v: store().correct(
            ctx.case.id,
            v,
            changes,
            ctx.identity.username,
            added=added,
            removed=removed,
            locale=ctx.locale,
        ),
        "Corrections saved.",
    )


def _add(ctx: ReviewContext, kind: str, values: dict[str, Any], done: str) -> None:
    if save(
        ctx.case.id,
        "fields",
        lambda v: store().correct(
            ctx.case.id, v, {}, ctx.identity.username, added={kind: [values]}, locale=ctx.locale
        ),
        done,
    ):
        _refresh(ctx)


def _add_forms(ctx: ReviewContext) -> None:
    """Adding a fact with plain fields: quicker than a new table row for most people."""
    party_col, item_col = st.columns(2)
    editable = ctx.case.editable
    with (
        party_col.popover("＋ Add a party", disabled=not editable, width="stretch"),
        st.form(f"r_add_party_{ctx.case.id}", border=False),
    ):
        role = st.selectbox("Role", ROLES, format_func=lambda r: r.replace("_", " "))
        name = st.text_input("Name")
        country = st.text_input("Country (two letters, e.g. DE)")
        address = st.text_input("Address")
        if st.form_submit_button("Add party", type="primary"):
            _add(
                ctx,
                "parties",
                {"role": role, "name": name, "country": country, "address": address},
                f"Party added: {role.replace('_', ' ')} {name}.",
            )
    with (
        item_col.popover("＋ Add an item", disabled=not editable, width="stretch"),
        st.form(f"r_add_item_{ctx.case.id}", border=False),
    ):
        description = st.text_area("Description", height=80)
        quantity = st.text_input("Quantity")
        unit = st.text_input("Unit")
        total = st.text_input("Total value")
        currency = st.text_input("Currency (three letters, e.g. EUR)")
        if st.form_submit_button("Add item", type="primary"):
            _add(
                ctx,
                "items",
                {
                    "description": description,
                    "quantity": quantity,
                    "unit": unit,
                    "total_value": total,
                    "currency": currency,
                },
                "Item added.",
            )


def fields_view(ctx: ReviewContext) -> None:
    missing = missing_facts(ctx.result)
    if missing:
        st.warning(
            "The reader found "
            + plain(", ".join(missing))
            + " in this document. Add them in the tables below (＋ under a table adds a row)."
        )
    st.caption(
        "Edit a cell to correct it; ＋ adds a row, select rows and press Delete to remove them. "
        "Numbers as you write them (e.g. 1,200.5). ✎ in History shows what was changed."
    )
    original = {kind: _rows(ctx, kind) for kind in EDITABLE}
    with st.form(f"r_fields_{ctx.case.id}", border=False):
        for kind in EDITABLE:
            st.markdown(f"**{plain(TITLES[kind])}**")
            st.data_editor(
                original[kind],
                key=_table_key(ctx, kind),
                num_rows="dynamic",
                hide_index=True,
                width="stretch",
                column_config=_columns(kind),
                column_order=[
                    *(["#"] if kind == "items" else []),
                    *EDITABLE[kind],
                    "read",
                ],
                disabled=not ctx.case.editable,
            )
        submitted = st.form_submit_button(
            "Save corrections", type="primary", disabled=not ctx.case.editable
        )
    _add_forms(ctx)
    if submitted and _save(ctx, original):
        _refresh(ctx)  # on an error the edits stay put
    show_messages("fields")
