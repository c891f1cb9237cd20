"""How the screens word stored things: numbers in the reader's locale, warnings placed beside
the fact they concern, and history events as sentences instead of raw values."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from babel.numbers import format_decimal

from exportdesk.extract.model import ApplicationResult
from exportdesk.extract.model import Warning as ReadWarning
from exportdesk.extract.settings import Settings
from exportdesk.review.corrections import CorrectionError, FieldPath

_ITEM_WARNING = re.compile(r"^Item (\d+)\b")


def number(value: float | None, locale: str = "en") -> str:
    """``120000.0`` as ``120,000`` (en) or ``120.000`` (de); whole numbers without decimals."""
    if value is None:
        return ""
    try:
        return format_decimal(value, format="#,##0.##", locale=locale)
    except (ValueError, TypeError):
        return f"{value:,.2f}".rstrip("0").rstrip(".")


def placed_warnings(result: ApplicationResult) -> dict[str, list[ReadWarning]]:
    """Each reading warning under the fact it concerns: ``item:N``, ``page:N`` or ``document``.

    The extraction names the item at the start of the message ("Item 3: total …"); page
    warnings carry their page. Anything else concerns the document as a whole.
    """
    placed: dict[str, list[ReadWarning]] = defaultdict(list)
    items = {i.index for i in result.items}
    for w in result.warnings:
        found = _ITEM_WARNING.match(w.message)
        if found and int(found.group(1)) in items:
            placed[f"item:{found.group(1)}"].append(w)
        elif w.page is not None:
            placed[f"page:{w.page}"].append(w)
        else:
            placed["document"].append(w)
    return dict(placed)


def missing_facts(result: ApplicationResult) -> list[str]:
    """What the reader did not find, said plainly (a datasheet often has no parties at all)."""
    missing = []
    if not result.parties:
        missing.append("no parties (applicant, consignee, end user)")
    if not result.items:
        missing.append("no items")
    if not result.end_use:
        missing.append("no end-use statement")
    return missing


def item_gaps(item: Any) -> list[str]:
    """The item columns that were not read from the page."""
    names = ("quantity", "total_value", "currency", "manufacturer", "model")
    return [n.replace("_", " ") for n in names if getattr(item, n, None) in (None, "")]


# --- history ----------------------------------------------------------------------------
def _value(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return number(value)
    if isinstance(value, list):
        return ", ".join(_value(v).replace("_", " ") for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')} {_value(v)}" for k, v in value.items())
    return str(value)


def _field(path: str) -> str:
    try:
        return FieldPath.parse(path, stored=True).describe()
    except CorrectionError:
        return path.replace("_", " ")


def _family(detail: dict[str, Any]) -> str:
    family = detail.get("family")
    return f" ({family.upper()})" if family else ""


def describe(action: str, detail: dict[str, Any]) -> str:
    """One history event as a sentence."""
    d = detail
    item = f"Item {d.get('item')}{_family(d)}"
    if action == "received":
        return f"Received {d.get('filename')} ({_value(d.get('size_bytes'))} bytes)."
    if action == "duplicate_upload":
        return f"The same file was uploaded again as {d.get('filename')}; nothing new stored."
    if action == "extracted":
        warnings = d.get("warnings") or []
        said = f"; warnings: {_value(warnings)}" if warnings else "; no warnings"
        readable = "" if d.get("readable", True) else " The file could not be read."
        return f"Read {d.get('parties', 0)} parties and {d.get('items', 0)} items{said}.{readable}"
    if action == "review_started":
        return "Review started."
    if action == "confirmed_suggestion":
        rank = d.get("rank")
        which = f" (suggestion {rank})" if rank and rank > 1 else ""
        return f"{item}: confirmed {d.get('final')}{which}."
    if action == "override":
        return (
            f"{item}: recorded {d.get('final')} instead of the suggested "
            f"{d.get('suggested') or 'nothing'}. Reason: {d.get('reason')}"
        )
    if action == "decision_changed":
        return (
            f"{item}: changed from {d.get('previous')} (by {d.get('previous_by')}) to "
            f"{d.get('final')}. Why: {d.get('change_reason')}"
        )
    if action == "field_corrected":
        old, new = _value(d.get("old")), _value(d.get("new"))
        return f"Corrected {_field(str(d.get('field')))}: {old} → {new}."
    if action == "facts_changed":
        kind = str(d.get("kind", "facts")).replace("_", " ")
        parts = []
        if d.get("added"):
            parts.append("added " + _value(d["added"]))
        if d.get("removed"):
            parts.append("removed " + _value(d["removed"]))
        return f"{kind.capitalize()}: " + "; ".join(parts) + "."
    if action in ("confirmed", "returned"):
        why = f" Reason: {d['reason']}" if d.get("reason") else ""
        done = "confirmed" if action == "confirmed" else "returned to the applicant"
        return f"Application {done}.{why}"
    shown = {k: v for k, v in d.items() if v not in (None, "", {}, [])}
    return "; ".join(f"{k.replace('_', ' ')}: {_value(v)}" for k, v in shown.items())


def upload_limit_text(settings: Settings) -> str:
    """The intake page's note on how large a file may be, and which setting decides it."""
    limit = settings.max_file_bytes / 2**20
    return (
        f"Files up to {limit:,.0f} MB and {settings.max_pages} pages "
        "(EXPORTDESK_MAX_FILE_BYTES, by default EXPORTDESK_MAX_PAGE_BYTES per page times "
        "EXPORTDESK_MAX_PAGES; an admin raises them and restarts the app)."
    )
