"""The decision letter: a licence decision version rendered as a PDF with reportlab."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

OUTCOME_WORDS = {
    "approve": "APPROVED",
    "refuse": "REFUSED",
    "return": "RETURNED TO THE APPLICANT",
}


def reference(application_id: int, version: int) -> str:
    return f"EXD-{application_id:06d}-v{version}"


def render_letter(
    *,
    application_id: int,
    version: int,
    outcome: str,
    reasons: str,
    conditions: list[dict[str, Any]],
    duties: list[dict[str, Any]],
    valid_from: date | None,
    valid_until: date | None,
    snapshot: dict[str, Any],
    issued_by: str,
    issued_at: datetime,
    office: str,
    supersedes: tuple[int, str] | None = None,
) -> bytes:
    """The letter's PDF bytes; every text from the case is escaped, never read as markup."""
    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["Italic"]

    def para(text: object, style: Any = body) -> Paragraph:
        return Paragraph(
            escape(str(text if text is not None else "")).replace("\n", "<br/>"), style
        )

    story: list[Any] = [
        para(office, styles["Heading3"]),
        para("Export licence decision", styles["Title"]),
        para(
            f"Reference {reference(application_id, version)} · application #{application_id} "
            f"({snapshot.get('filename', '')}) · issued {issued_at:%Y-%m-%d}"
        ),
    ]
    if supersedes is not None:
        story.append(
            para(
                f"This letter replaces version {supersedes[0]}. Correction: {supersedes[1]}", small
            )
        )
    story += [
        Spacer(1, 4 * mm),
        para(f"Decision: {OUTCOME_WORDS.get(outcome, outcome)}", styles["Heading2"]),
    ]
    story.append(para(f"Reasons: {reasons}"))
    if outcome == "approve":
        story.append(para(f"Valid from {valid_from} until {valid_until}."))

    story += [Spacer(1, 3 * mm), para("Parties", styles["Heading3"])]
    story.append(
        _table(
            ["Role", "Name", "Address", "Country"],
            [
                [
                    p.get("role", "").replace("_", " "),
                    p.get("name"),
                    p.get("address"),
                    p.get("country"),
                ]
                for p in snapshot.get("parties", [])
            ],
            [28 * mm, 52 * mm, 75 * mm, 17 * mm],
            para,
        )
    )
    story += [Spacer(1, 3 * mm), para("Items", styles["Heading3"])]
    rows = []
    for it in snapshot.get("items", []):
        codes = "\n".join(f"{d['catalogue']} {d['code']}" for d in it.get("codes", [])) or "-"
        editions = "\n".join(
            sorted({d.get("edition") or "edition not recorded" for d in it.get("codes", [])})
        )
        qty = it.get("quantity")
        amount = f"{qty:g} {it.get('unit') or ''}".strip() if isinstance(qty, int | float) else ""
        rows.append(
            [it.get("index"), it.get("description"), it.get("model") or "", amount, codes, editions]
        )
    story.append(
        _table(
            ["#", "Description", "Model", "Quantity", "Control code", "List edition"],
            rows,
            [8 * mm, 56 * mm, 22 * mm, 18 * mm, 30 * mm, 38 * mm],
            para,
        )
    )
    if conditions:
        story += [Spacer(1, 3 * mm), para("Conditions", styles["Heading3"])]
        for n, c in enumerate(conditions, start=1):
            story.append(para(f"{n}. {c['text']}"))
    if duties:
        story += [Spacer(1, 3 * mm), para("Reporting duties", styles["Heading3"])]
        for d in duties:
            who = "" if d.get("owed_by", "exporter") == "exporter" else " (office)"
            story.append(para(f"- {d['text']}{who} Because: {d['because']}."))
    story += [
        Spacer(1, 8 * mm),
        para(
            f"Signed for the licensing authority by {issued_by} (licensing officer), "
            f"{issued_at:%Y-%m-%d %H:%M} UTC."
        ),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"Export licence decision {reference(application_id, version)}",
        author=office,
        invariant=1,
    )
    doc.build(story)
    return buffer.getvalue()


def _table(header: list[str], rows: list[list[Any]], widths: list[float], para: Any) -> Table:
    data = [[para(h) for h in header]] + [[para(v) for v in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table
