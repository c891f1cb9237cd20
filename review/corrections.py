"""Reviewers' corrections in people's terms: numbers as they type them, facts added or removed
by hand, and validation errors said in plain language instead of pydantic's."""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

import pycountry
from babel.numbers import NumberFormatError, parse_decimal

from exportdesk.extract.errors import ExportdeskError

NUMBER_FIELDS = frozenset({"quantity", "unit_price", "total_value"})
KIND_NAMES = {"parties": "Party", "items": "Item", "end_use": "End-use statement"}
# What a fact added by hand starts with: nobody read it from the page, a person typed it.
HAND_ADDED: dict[str, Any] = {"confidence": 1.0, "evidence": []}


class CorrectionError(ExportdeskError, ValueError):
    """A correction that cannot be saved; the message is for the reviewer."""


def parse_number(text: object, locale: str = "en") -> float | None:
    """A number as a person types it in ``locale`` ("1,200.5", "1 200,5" in de): a float."""
    if text is None or isinstance(text, int | float):
        return None if text is None else float(text)
    cleaned = str(text).strip().replace("\u00a0", " ").replace("\u202f", " ")
    if not cleaned:
        return None
    for attempt in (locale, "en"):
        try:
            return float(parse_decimal(cleaned.replace(" ", ""), locale=attempt, strict=True))
        except (NumberFormatError, ValueError):
            continue
    try:
        return float(Decimal(cleaned.replace(" ", "").replace(",", "")))
    except ArithmeticError:
        raise CorrectionError(
            f"“{text}” is not a number. Type digits only, e.g. 1200 or 1,200.5."
        ) from None


def where(kind: str, position: int, name: str, fact: dict[str, Any] | None) -> str:
    """“Party 2 (consignee), country” / “Item 1, quantity”: how a reviewer names a field."""
    label = f"{KIND_NAMES.get(kind, kind)} {position + 1}"
    if kind == "parties" and fact and fact.get("role"):
        label += f" ({str(fact['role']).replace('_', ' ')})"
    elif kind == "items" and fact and fact.get("index"):
        label = f"Item {fact['index']}"
    return f"{label}, {name.replace('_', ' ')}"


def plain_error(error: dict[str, Any], data: dict[str, Any]) -> str:
    """One pydantic error as a sentence a reviewer can act on."""
    loc = [str(p) for p in error.get("loc", ())]
    value = error.get("input")
    if len(loc) >= 3 and loc[0] in KIND_NAMES and loc[1].isdigit():
        kind, position, name = loc[0], int(loc[1]), loc[2]
        facts = data.get(kind) or []
        fact = facts[position] if position < len(facts) else None
        place = where(kind, position, name, fact)
    else:
        name, place = (loc[-1] if loc else "value"), " ".join(loc) or "A value"
    kind_of = error.get("type", "")
    if name == "country":
        hint = ""
        with contextlib.suppress(LookupError):
            hint = f" (for {value} that is {pycountry.countries.lookup(str(value)).alpha_2})"
        return f"{place}: “{value}” is not a two-letter country code such as DE or CL{hint}."
    if name == "currency":
        return f"{place}: “{value}” is not a three-letter currency code such as EUR or USD."
    if name == "role":
        return f"{place}: choose a role from the list (applicant, consignee, end user, …)."
    if kind_of == "missing" or (kind_of.startswith("string") and not value):
        return f"{place} is required; fill it in or remove the row."
    if "float" in kind_of or "int" in kind_of or "number" in kind_of:
        return f"{place}: “{value}” is not a number. Type digits only, e.g. 1200 or 1,200.5."
    return f"{place}: “{value}” is not accepted ({error.get('msg', 'invalid')})."


def new_fact(kind: str, values: dict[str, Any], existing: list[dict[str, Any]]) -> dict[str, Any]:
    """A fact a reviewer typed in: empty cells dropped, items numbered after the last one."""
    fact = {k: v for k, v in values.items() if v not in (None, "")}
    if kind == "items":
        fact["index"] = max((int(f.get("index", 0)) for f in existing), default=0) + 1
        fact.setdefault("suggestions", [])
    if kind == "end_use":
        fact.setdefault("flags", [])
    return {**fact, **HAND_ADDED}
