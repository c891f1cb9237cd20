"""The four layout families that draw a synthetic application onto PDF pages with reportlab."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from pathlib import Path

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from exportdesk.samples import vocab
from exportdesk.samples.application import (
    SynApplication,
    SynEndUse,
    SynItem,
    SynParty,
    format_number,
    format_quantity,
)

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/liberation")]
FONT_PAIRS = [
    ("DejaVuSans", "DejaVuSans-Bold"),
    ("DejaVuSerif", "DejaVuSerif-Bold"),
    ("DejaVuSansCondensed", "DejaVuSansCondensed-Bold"),
    ("LiberationSans-Regular", "LiberationSans-Bold"),
    ("LiberationSerif-Regular", "LiberationSerif-Bold"),
    ("LiberationSansNarrow-Regular", "LiberationSansNarrow-Bold"),
]


def register_fonts() -> None:
    """Register the TrueType fonts once; they carry the diacritics the Type 1 fonts lack."""
    for pair in FONT_PAIRS:
        for name in pair:
            if name in pdfmetrics.getRegisteredFontNames():
                continue
            path = next(
                (d / f"{name}.ttf" for d in FONT_DIRS if (d / f"{name}.ttf").exists()), None
            )
            if path is None:
                raise FileNotFoundError(
                    f"Font {name}.ttf not found under {FONT_DIRS}; install the Debian packages "
                    "fonts-dejavu-core and fonts-liberation (make system-deps)."
                )
            pdfmetrics.registerFont(TTFont(name, str(path)))


class Pen:
    """A reportlab canvas addressed top-left, like pdfplumber reports coordinates."""

    def __init__(self, rng: random.Random, pagesize: tuple[float, float]) -> None:
        register_fonts()
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=pagesize, invariant=1)
        self.width, self.height = pagesize
        self.regular, self.bold = rng.choice(FONT_PAIRS)
        self.size = rng.choice([8.5, 9.0, 9.5, 10.0, 10.5])
        self.leading = self.size * rng.uniform(1.25, 1.45)
        self.margin = rng.uniform(36, 62)
        self.y = self.margin

    def text(
        self,
        x: float,
        y: float,
        s: str,
        bold: bool = False,
        size: float | None = None,
        right: bool = False,
    ) -> None:
        size = size or self.size
        self.canvas.setFont(self.bold if bold else self.regular, size)
        if right:
            self.canvas.drawRightString(x, self.height - y - size * 0.8, s)
        else:
            self.canvas.drawString(x, self.height - y - size * 0.8, s)

    def wrap(
        self, s: str, width: float, size: float | None = None, bold: bool = False
    ) -> list[str]:
        return simpleSplit(s, self.bold if bold else self.regular, size or self.size, width)

    def paragraph(self, x: float, y: float, s: str, width: float, bold: bool = False) -> float:
        for line in self.wrap(s, width, bold=bold):
            self.text(x, y, line, bold=bold)
            y += self.leading
        return y

    def rect(self, x: float, y: float, w: float, h: float) -> None:
        self.canvas.setLineWidth(0.6)
        self.canvas.rect(x, self.height - y - h, w, h)

    def hline(self, x0: float, x1: float, y: float) -> None:
        self.canvas.setLineWidth(0.6)
        self.canvas.line(x0, self.height - y, x1, self.height - y)

    def vline(self, x: float, y0: float, y1: float) -> None:
        self.canvas.setLineWidth(0.6)
        self.canvas.line(x, self.height - y0, x, self.height - y1)

    def new_page(self) -> None:
        self.canvas.showPage()
        self.y = self.margin

    def room(self, needed: float) -> bool:
        return self.y + needed < self.height - self.margin

    def finish(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def money(app: SynApplication, value: float, style: str) -> str:
    decimals = 0 if app.items and app.items[0].currency == "JPY" else 2
    number = format_number(value, app.number_style, decimals)
    currency = app.items[0].currency if app.items else "EUR"
    if style == "code_after":
        return f"{number} {currency}"
    if style == "code_before":
        return f"{currency} {number}"
    if style == "symbol":
        if currency in vocab.CURRENCY_SYMBOLS:
            return f"{vocab.CURRENCY_SYMBOLS[currency]}{number}"
        return f"{currency} {number}"
    return number


def role_label(rng: random.Random, lang: str, role: str) -> str:
    return rng.choice(vocab.ROLE_LABELS[lang][role])


def col_label(rng: random.Random, lang: str, key: str) -> str:
    return rng.choice(vocab.COLUMN_LABELS[lang][key])


def party_lines(rng: random.Random, party: SynParty, labelled: bool) -> list[str]:
    if labelled:
        return [
            f"Name: {party.name}",
            f"Address: {party.street}, {party.city_line}",
            f"Country: {party.country_written}",
        ]
    lines = [party.name, party.street, party.city_line, party.country_written]
    if rng.random() < 0.5:
        lines.append(f"Tel. {party.phone}")
    return lines


def draw_certificate(
    pen: Pen, rng: random.Random, app: SynApplication, eu: SynEndUse, heading: str | None = None
) -> None:
    """A prose end-user certificate on a page of its own, with a signature block."""
    pen.new_page()
    x, width = pen.margin, pen.width - 2 * pen.margin
    title = heading or rng.choice(
        [
            "END-USER CERTIFICATE",
            "End-User Certificate",
            "END-USE STATEMENT",
            "Certificate of End Use",
            "End User Undertaking",
        ]
    )
    pen.text(x, pen.y, title, bold=True, size=pen.size + 4)
    pen.y += pen.leading * 2.5
    pen.text(x, pen.y, f"Reference: {app.reference}")
    pen.y += pen.leading * 2
    for para in eu.paragraphs:
        pen.y = pen.paragraph(x, pen.y, para, width) + pen.leading * 0.8
    pen.y += pen.leading * 2
    for line in [
        "Signed: ______________________",
        f"Name: {app.signatory}",
        f"Title: {rng.choice(['Managing Director', 'Head of Procurement', 'Commander'])}",
        f"Date: {app.date}",
    ]:
        pen.text(x, pen.y, line)
        pen.y += pen.leading * 1.3


# --------------------------------------------------------------------------------- family A
def draw_numbered_form(app: SynApplication, rng: random.Random) -> bytes:
    """A numbered-block government form: party boxes in a grid, per-item blocks 22(a)-(j)."""
    pen = Pen(rng, LETTER)
    x0, width = pen.margin, pen.width - 2 * pen.margin
    pen.text(
        x0,
        pen.y,
        rng.choice(
            [
                "MULTIPURPOSE EXPORT APPLICATION",
                "APPLICATION FOR EXPORT LICENSE",
                "Export License Application Form",
            ]
        ),
        bold=True,
        size=pen.size + 4,
    )
    pen.y += pen.leading * 2
    pen.text(x0, pen.y, f"Application control number: {app.reference}")
    pen.text(x0 + width, pen.y, f"Date: {app.date}", right=True)
    pen.y += pen.leading * 2
    base = rng.choice([14, 3, 5])
    roles = [
        ("applicant", 0),
        ("other", 1),
        ("purchaser", 2),
        ("intermediate_consignee", 3),
        ("consignee", 4),
        ("end_user", 5),
    ]
    col_w = width / 2
    box_h = pen.leading * 7
    for row in range(3):
        if not pen.room(box_h):
            pen.new_page()
        for col in range(2):
            role, offset = roles[row * 2 + col]
            bx = x0 + col * col_w
            pen.rect(bx, pen.y, col_w, box_h)
            label = (
                "Other party authorized to receive license"
                if role == "other"
                else role_label(rng, "en", role)
            )
            pen.text(bx + 4, pen.y + 3, f"{base + offset}. {label}", bold=True, size=pen.size - 0.5)
            party = app.party(role) if role != "other" else None
            lines = party_lines(rng, party, rng.random() < 0.25) if party else ["N/A"]
            ly = pen.y + 3 + pen.leading * 1.3
            for line in lines[:5]:
                for wrapped in pen.wrap(line, col_w - 12)[:2]:
                    pen.text(bx + 8, ly, wrapped)
                    ly += pen.leading
        pen.y += box_h
    pen.y += pen.leading
    eu = app.end_uses[0]
    text_lines = pen.wrap(eu.statement, width - 12)
    h = pen.leading * (len(text_lines) + 2)
    if not pen.room(h):
        pen.new_page()
    pen.rect(x0, pen.y, width, h)
    pen.text(x0 + 4, pen.y + 3, f"{base + 7}. Specific end use", bold=True, size=pen.size - 0.5)
    ly = pen.y + 3 + pen.leading * 1.2
    for line in text_lines:
        pen.text(x0 + 8, ly, line)
        ly += pen.leading
    pen.y += h + pen.leading
    money_style = rng.choice(["code_before", "code_after", "symbol", "bare"])
    if money_style == "bare":
        pen.text(x0, pen.y, f"All values in {app.items[0].currency}")
        pen.y += pen.leading * 1.5
    app.rendered_item_fields.update(
        {
            "classification",
            "model",
            "quantity",
            "unit",
            "unit_price",
            "total",
            "manufacturer",
            "description",
        }
    )
    for index, item in enumerate(app.items, start=1):
        box = pen.leading * 8.5
        if not pen.room(box):
            pen.new_page()
        pen.rect(x0, pen.y, width, box)
        pen.text(x0 + 4, pen.y + 3, f"{base + 8}. Item {index}", bold=True)
        fields = [
            ("(a) ECCN", item.classification or "—"),
            ("(c) Model number", item.model),
            ("(e) Quantity", format_quantity(item.quantity, app.number_style)),
            ("(f) Units", item.unit),
            ("(g) Unit price", money(app, item.unit_price, money_style)),
            ("(h) Total price", money(app, item.total, money_style)),
            ("(i) Manufacturer", item.manufacturer),
        ]
        cw = width / 4
        for k, (label, value) in enumerate(fields):
            fx = x0 + 6 + (k % 4) * cw
            fy = pen.y + pen.leading * (1.4 + 2.2 * (k // 4))
            pen.text(fx, fy, label, size=pen.size - 1.5)
            pen.text(fx, fy + pen.leading * 0.9, value)
        dy = pen.y + pen.leading * 5.9
        pen.text(x0 + 6, dy, "(j) Technical description", size=pen.size - 1.5)
        for line in pen.wrap(item.description, width - 14)[:2]:
            dy += pen.leading * 0.95
            pen.text(x0 + 6, dy, line)
        pen.y += box + 4
    for eu2 in app.end_uses[1:]:
        draw_certificate(pen, rng, app, eu2)
    return pen.finish()


# --------------------------------------------------------------------------------- family B
TITLES = {
    "en": "Application for an individual export authorisation",
    "de": "Antrag auf Erteilung einer Einzelausfuhrgenehmigung",
    "fr": "Demande de licence individuelle d'exportation",
    "es": "Solicitud de licencia individual de exportación",
}
SECTION_END_USE = {
    "en": "Intended end use",
    "de": "Endverwendung",
    "fr": "Utilisation finale prévue",
    "es": "Uso final previsto",
}
TOTAL_WORD = {"en": "Total", "de": "Gesamtsumme", "fr": "Total", "es": "Total"}


def _cells(app: SynApplication, item: SynItem, index: int, money_style: str) -> dict[str, str]:
    return {
        "no": str(index),
        "description": item.description,
        "classification": item.classification or "",
        "model": item.model,
        "quantity": format_quantity(item.quantity, app.number_style),
        "unit": item.unit,
        "unit_price": money(app, item.unit_price, money_style),
        "total": money(app, item.total, money_style),
    }


def _fit_widths(
    pen: Pen,
    keys: list[str],
    headers: list[str],
    rows: list[dict[str, str]],
    width: float,
    force: bool = False,
) -> list[float] | None:
    """Column widths where every cell and header fits; None if the description gets too narrow."""
    widths = []
    for key, head in zip(keys, headers, strict=True):
        if key == "description":
            widths.append(0.0)
            continue
        entries = [(r[key], pen.regular) for r in rows] + [(head, pen.bold)]
        widths.append(max(pen.canvas.stringWidth(e, f, pen.size) for e, f in entries) + 10)
    k = keys.index("description")
    need = pen.canvas.stringWidth(headers[k], pen.bold, pen.size) + 10
    widths[k] = width - sum(widths)
    if widths[k] < max(need, 100.0) and not force:
        return None
    widths[k] = max(widths[k], 60.0)
    return widths


def draw_goods_table(
    pen: Pen, rng: random.Random, app: SynApplication, lang: str, ruled: bool, money_style: str
) -> None:
    """A goods table that carries over to the next page with its header repeated."""
    x0, width = pen.margin, pen.width - 2 * pen.margin
    keys = ["no", "description", "classification", "quantity", "unit", "unit_price", "total"]
    if rng.random() < 0.5:
        keys.insert(3, "model")
    currency = app.items[0].currency
    headers = [col_label(rng, lang, k) for k in keys]
    if money_style == "bare":
        headers = [
            f"{h} ({currency})" if k in ("unit_price", "total") else h
            for h, k in zip(headers, keys, strict=True)
        ]
    numeric = {"quantity", "unit_price", "total"}
    rows_text = [
        _cells(app, item, index, money_style) for index, item in enumerate(app.items, start=1)
    ]
    widths = _fit_widths(pen, keys, headers, rows_text, width)
    if widths is None:  # too wide: shortest header wordings, then drop the model column
        headers = [
            min(vocab.COLUMN_LABELS[lang][k], key=len) if k not in numeric else h
            for k, h in zip(keys, headers, strict=True)
        ]
        widths = _fit_widths(pen, keys, headers, rows_text, width)
    if widths is None and "model" in keys:
        drop = keys.index("model")
        del keys[drop]
        del headers[drop]
        widths = _fit_widths(pen, keys, headers, rows_text, width)
    if widths is None:
        widths = _fit_widths(pen, keys, headers, rows_text, width, force=True)
    assert widths is not None
    xs = [x0 + sum(widths[:i]) for i in range(len(keys))]
    app.rendered_item_fields.update(k for k in keys if k != "no")

    def header() -> None:
        top = pen.y
        for h, x, w, k in zip(headers, xs, widths, keys, strict=True):
            if k in numeric:
                pen.text(x + w - 3, pen.y + 2, h, bold=True, size=pen.size - 1, right=True)
            else:
                pen.text(x + 3, pen.y + 2, h, bold=True, size=pen.size - 1)
        pen.y += pen.leading * 1.4
        if ruled:
            pen.rect(x0, top, width, pen.y - top)
        else:
            pen.hline(x0, x0 + width, pen.y - 2)

    header()
    for cells in rows_text:
        wrapped = [
            pen.wrap(cells[k], w - 6) if k not in numeric else [cells[k]]
            for k, w in zip(keys, widths, strict=True)
        ]
        rows = max(len(c) for c in wrapped)
        h = pen.leading * rows + 4
        if not pen.room(h + pen.leading):
            pen.new_page()
            header()
        top = pen.y
        for lines, x, w, k in zip(wrapped, xs, widths, keys, strict=True):
            for j, line in enumerate(lines):
                if k in numeric:
                    pen.text(x + w - 3, pen.y + 2 + j * pen.leading, line, right=True)
                else:
                    pen.text(x + 3, pen.y + 2 + j * pen.leading, line)
        pen.y += h
        if ruled:
            pen.rect(x0, top, width, h)
            for x in xs[1:]:
                pen.vline(x, top, top + h)
    total = sum(it.total for it in app.items)
    pen.y += 4
    pen.text(xs[-2] - 6, pen.y, f"{TOTAL_WORD[lang]}:", bold=True, right=True)
    pen.text(x0 + width - 3, pen.y, money(app, total, money_style), bold=True, right=True)
    pen.y += pen.leading * 2


def draw_eu_individual(app: SynApplication, rng: random.Random) -> bytes:
    """A European individual licence application: numbered sections, ruled goods table."""
    lang = app.lang
    pen = Pen(rng, A4)
    x0, width = pen.margin, pen.width - 2 * pen.margin
    pen.text(x0, pen.y, TITLES[lang], bold=True, size=pen.size + 3)
    pen.y += pen.leading * 1.6
    pen.text(x0, pen.y, f"Ref.: {app.reference}    {app.date}")
    pen.y += pen.leading * 2
    order = ["applicant", "consignee", "end_user", "intermediate_consignee", "purchaser"]
    shown = [r for r in order if app.party(r) is not None or rng.random() < 0.5]
    titles = {r: f"{k}. {role_label(rng, lang, r)}" for k, r in enumerate(shown, start=1)}
    label_w = max(
        rng.uniform(110, 160),
        24 + max(pen.canvas.stringWidth(t, pen.bold, pen.size - 0.5) for t in titles.values()),
    )
    section = 1
    for role in shown:
        party = app.party(role)
        lines = party_lines(rng, party, False)[:4] if party else ["—"]
        h = pen.leading * (len(lines) + 0.8)
        if not pen.room(h):
            pen.new_page()
        pen.rect(x0, pen.y, width, h)
        pen.text(x0 + 4, pen.y + 4, titles[role], bold=True, size=pen.size - 0.5)
        for j, line in enumerate(lines):
            pen.text(x0 + label_w, pen.y + 4 + j * pen.leading, line)
        pen.y += h
        section += 1
    pen.y += pen.leading
    money_style = rng.choice(["code_before", "code_after", "bare", "bare"])
    pen.text(
        x0,
        pen.y,
        f"{section}. " + {"en": "Goods", "de": "Güter", "fr": "Biens", "es": "Bienes"}[lang],
        bold=True,
    )
    pen.y += pen.leading * 1.5
    draw_goods_table(pen, rng, app, lang, ruled=True, money_style=money_style)
    first = app.end_uses[0]
    prose_first = (
        first.paragraphs[0].startswith(("We,", "This is to certify"))
        or "certifies" in first.paragraphs[0]
    )
    if not prose_first:
        lines = pen.wrap(first.statement, width - 8)
        if not pen.room(pen.leading * (len(lines) + 2)):
            pen.new_page()
        pen.text(x0, pen.y, f"{section + 1}. {SECTION_END_USE[lang]}", bold=True)
        pen.y += pen.leading * 1.4
        for line in lines:
            pen.text(x0 + 4, pen.y, line)
            pen.y += pen.leading
    else:
        draw_certificate(pen, rng, app, first)
    for eu in app.end_uses[1:]:
        draw_certificate(pen, rng, app, eu)
    return pen.finish()


# --------------------------------------------------------------------------------- family C
def draw_cover_letter(app: SynApplication, rng: random.Random) -> bytes:
    """A cover letter on letterhead with a schedule of goods, then a prose end-user certificate."""
    pen = Pen(rng, rng.choice([A4, LETTER]))
    x0, width = pen.margin, pen.width - 2 * pen.margin
    ap = app.party("applicant")
    assert ap is not None
    right = rng.random() < 0.4
    head = [ap.name, ap.street, ap.city_line, ap.country_written, f"Phone {ap.phone}"]
    for j, line in enumerate(head):
        if right:
            pen.text(x0 + width, pen.y + j * pen.leading, line, bold=j == 0, right=True)
        else:
            pen.text(
                x0,
                pen.y + j * pen.leading,
                line,
                bold=j == 0,
                size=pen.size + 3 if j == 0 else None,
            )
    pen.y += pen.leading * (len(head) + 2)
    for line in ["Export Control Office", "Licensing Unit", "P.O. Box 1200", app.date]:
        pen.text(x0, pen.y, line)
        pen.y += pen.leading
    pen.y += pen.leading
    pen.text(
        x0,
        pen.y,
        f"Re: Application for an export licence, our reference {app.reference}",
        bold=True,
    )
    pen.y += pen.leading * 2
    cons = app.party("consignee")
    pur = app.party("purchaser")
    inter = app.party("intermediate_consignee")
    body = ["Dear Sir or Madam,"]
    if cons is not None:
        body.append(
            f"We hereby apply for a licence to export the goods listed below. The goods will be "
            f"shipped to the consignee, {cons.name}, {cons.address}, {cons.country_written}."
        )
    if pur is not None:
        body.append(
            f"The purchaser of the goods is {pur.name}, {pur.address}, {pur.country_written}."
        )
    if inter is not None:
        body.append(
            f"Shipment will pass through the intermediate consignee {inter.name}, "
            f"{inter.address}, {inter.country_written}."
        )
    body.append("The signed end-user certificate is enclosed with this letter.")
    for para in body:
        pen.y = pen.paragraph(x0, pen.y, para, width) + pen.leading * 0.6
    pen.y += pen.leading
    pen.text(x0, pen.y, "Schedule of goods", bold=True)
    pen.y += pen.leading * 1.5
    draw_goods_table(
        pen,
        rng,
        app,
        "en",
        ruled=False,
        money_style=rng.choice(["code_before", "code_after", "symbol"]),
    )
    if not pen.room(pen.leading * 4):
        pen.new_page()
    pen.text(x0, pen.y, "Yours faithfully,")
    pen.text(x0, pen.y + pen.leading * 3, app.signatory)
    for eu in app.end_uses:
        draw_certificate(pen, rng, app, eu)
    return pen.finish()


# --------------------------------------------------------------------------------- family D
INVOICE_TITLES = {
    "en": "PRO-FORMA INVOICE",
    "de": "PROFORMA-RECHNUNG",
    "fr": "FACTURE PRO FORMA",
    "es": "FACTURA PROFORMA",
}
SELLER = {
    "en": ["Seller", "Exporter", "Shipper"],
    "de": ["Verkäufer", "Ausführer"],
    "fr": ["Vendeur", "Expéditeur"],
    "es": ["Vendedor", "Exportador"],
}


def draw_invoice(app: SynApplication, rng: random.Random) -> bytes:
    """A pro-forma invoice (party blocks side by side, goods table) and a separate end-use page."""
    lang = app.lang
    pen = Pen(rng, rng.choice([A4, LETTER]))
    x0, width = pen.margin, pen.width - 2 * pen.margin
    pen.text(x0 + width, pen.y, INVOICE_TITLES[lang], bold=True, size=pen.size + 5, right=True)
    ap = app.party("applicant")
    assert ap is not None
    pen.text(x0, pen.y, f"{rng.choice(SELLER[lang])}:", bold=True)
    for j, line in enumerate(party_lines(rng, ap, False)[:4]):
        pen.text(x0, pen.y + (j + 1) * pen.leading, line)
    pen.text(x0 + width, pen.y + pen.leading * 2, f"No. {app.reference}", right=True)
    pen.text(x0 + width, pen.y + pen.leading * 3, app.date, right=True)
    pen.y += pen.leading * 7
    blocks = [r for r in ("purchaser", "consignee", "intermediate_consignee") if app.party(r)]
    col_w = width / len(blocks)
    tallest = 0.0
    for k, role in enumerate(blocks):
        party = app.party(role)
        assert party is not None
        bx = x0 + k * col_w
        pen.text(bx, pen.y, f"{role_label(rng, lang, role)}:", bold=True)
        ly = pen.y + pen.leading
        for line in party_lines(rng, party, False)[:4]:
            for wrapped in pen.wrap(line, col_w - 14)[:2]:
                pen.text(bx, ly, wrapped)
                ly += pen.leading
        tallest = max(tallest, ly - pen.y)
    pen.y += tallest + pen.leading * 1.5
    if rng.random() < 0.5:
        pen.text(x0, pen.y, f"Currency: {app.items[0].currency}    Incoterms: FCA")
        pen.y += pen.leading * 1.5
        style = "bare"
    else:
        style = rng.choice(["code_before", "code_after", "symbol"])
    draw_goods_table(pen, rng, app, lang, ruled=rng.random() < 0.5, money_style=style)
    pen.text(x0, pen.y, "Payment: 30 days net. Delivery subject to export licence.")
    first = app.end_uses[0]
    eu_party = app.party("end_user")
    pen.new_page()
    pen.text(
        x0,
        pen.y,
        rng.choice(["END-USE STATEMENT", "Statement of End Use", "END-USER STATEMENT"]),
        bold=True,
        size=pen.size + 4,
    )
    pen.y += pen.leading * 2.5
    if eu_party is not None and not first.paragraphs[0].startswith(("We,", "This is")):
        pen.text(x0, pen.y, f"{role_label(rng, lang, 'end_user')}:", bold=True)
        for line in party_lines(rng, eu_party, False)[:4]:
            pen.y += pen.leading
            pen.text(x0 + 12, pen.y, line)
        pen.y += pen.leading * 2
    for para in first.paragraphs:
        pen.y = pen.paragraph(x0, pen.y, para, width) + pen.leading * 0.8
    pen.y += pen.leading * 2
    pen.text(x0, pen.y, f"Name: {app.signatory}")
    pen.text(x0, pen.y + pen.leading * 1.3, f"Date: {app.date}")
    for eu in app.end_uses[1:]:
        draw_certificate(pen, rng, app, eu)
    return pen.finish()


FAMILIES: dict[str, Callable[[SynApplication, random.Random], bytes]] = {
    "numbered_form": draw_numbered_form,
    "eu_individual": draw_eu_individual,
    "cover_letter": draw_cover_letter,
    "invoice": draw_invoice,
}
