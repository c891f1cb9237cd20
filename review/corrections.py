"""Reviewers' corrections in people's terms: numbers as they type them, facts added or removed
by hand, and validation errors said in plain language instead of pydantic's."""

from __future__ import annotations

import contextlib
import re
from decimal import Decimal
from typing import Any, Literal

import pycountry
from babel.numbers import NumberFormatError, parse_decimal
from pydantic import BaseModel, ConfigDict, Field

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


# Fields a reviewer may correct, per kind of fact.
EDITABLE: dict[str, tuple[str, ...]] = {
    "parties": ("role", "name", "address", "country"),
    "items": (
        "description",
        "quantity",
        "unit",
        "total_value",
        "currency",
        "model",
        "manufacturer",
        "declared_classification",
    ),
    "end_use": ("statement", "end_user"),
}
_ITEM_PATH = re.compile(r"^items\[(\d+)\]\.(\w+)$")
_POSITION_PATH = re.compile(r"^(parties|items|end_use)\.(\d+)\.(\w+)$")


class FieldPath(BaseModel):
    """One correctable field. An item is named by its ``index`` (1-based, its one identity);
    a party or end-use statement, which has no identity of its own, by its 0-based position.

    Written as ``items[3].quantity`` and ``parties.0.name``. Corrections stored before items
    had one identity name items by position (``items.2.quantity``); they read back with
    ``by_position`` set and are replayed as they were recorded.
    """

    model_config = ConfigDict(frozen=True)

    kind: Literal["parties", "items", "end_use"]
    key: int = Field(ge=0)  # items: the item's index; otherwise the position in the list
    name: str
    by_position: bool = False  # only an item path in the old form

    @classmethod
    def parse(cls, path: str | FieldPath, stored: bool = False) -> FieldPath:
        """``path`` as typed or stored; ``stored`` also accepts the old positional item form."""
        if isinstance(path, FieldPath):
            return path
        if match := _ITEM_PATH.match(path):
            found = cls(kind="items", key=int(match[1]), name=match[2])
        elif (match := _POSITION_PATH.match(path)) and (match[1] != "items" or stored):
            found = cls(
                kind=match[1],
                key=int(match[2]),
                name=match[3],
                by_position=match[1] == "items",
            )
        else:
            raise CorrectionError(
                f"{path!r} does not name a field: write items[INDEX].field for an item "
                "(e.g. items[1].quantity) and parties.POSITION.field or end_use.POSITION.field "
                "for the others (e.g. parties.0.name)."
            )
        if found.name not in EDITABLE[found.kind]:
            raise CorrectionError(f"{path!r} is not a field a reviewer can correct.")
        return found

    def __str__(self) -> str:
        if self.kind == "items" and not self.by_position:
            return f"items[{self.key}].{self.name}"
        return f"{self.kind}.{self.key}.{self.name}"

    def position(self, facts: list[dict[str, Any]]) -> int:
        """Where the field's fact stands in ``facts``; CorrectionError if it is not there."""
        if self.kind == "items" and not self.by_position:
            for position, fact in enumerate(facts):
                if fact.get("index") == self.key:
                    return position
        elif self.key < len(facts):
            return self.key
        raise CorrectionError(f"{self} does not exist in this application.")

    def by_index(self, facts: list[dict[str, Any]]) -> FieldPath:
        """The same field in today's form (an old positional item path gets the index)."""
        if not self.by_position:
            return self
        index = facts[self.position(facts)].get("index")
        return FieldPath(kind="items", key=int(index or 0), name=self.name)

    def describe(self) -> str:
        """“item 3 quantity”, “party 1 name”: how a person names the field."""
        what = {"parties": "party", "items": "item", "end_use": "end-use statement"}[self.kind]
        number = self.key if self.kind == "items" and not self.by_position else self.key + 1
        return f"{what} {number} {self.name.replace('_', ' ')}"
