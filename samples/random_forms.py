"""Randomised form pages for training the label linker: domain randomisation, not templates.

Each page places party boxes at random: one or two columns, label beside, above or inline
with its value, a numbered form grid of NAME / ADDRESS / CITY / COUNTRY sub-labels, label
wording drawn from the lexicon in any of its languages, numbering, case and colons varied,
with distractor fields and a prose paragraph between. Pages are built as words with boxes
(what the reader hands to extraction), so thousands are made in seconds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from exportdesk.extract import labels
from exportdesk.extract.model import ApplicationResult, DocumentInfo, Page, Word
from exportdesk.samples import vocab
from exportdesk.samples.application import make_party

ROLES = ["applicant", "consignee", "end_user", "purchaser", "intermediate_consignee"]
CHAR = 0.5  # average glyph width as a share of the font size
SUBLABELS = {
    "name": ["NAME", "Name", "Company", "Nom", "Firma", "Naam", "Nombre", "Nazwa"],
    "address": ["ADDRESS", "Address", "Street", "Adresse", "Anschrift", "Dirección", "Adres"],
    "city": ["CITY", "City", "Town", "Ort", "Ville", "Ciudad", "Città", "Plaats", "Miasto"],
    "postcode": ["POSTAL CODE", "Postcode", "ZIP", "PLZ", "Code postal", "CAP"],
    "country": ["COUNTRY", "Country", "Land", "Pays", "País", "Paese", "Kraj"],
}
DISTRACTORS = [
    ("Date", "{d:02}.{m:02}.2025"),
    ("Invoice No.", "PI-2025-{n}"),
    ("Reference", "REF/{n}"),
    ("Our ref.", "EXP/{n}"),
    ("Payment terms", "30 days net"),
    ("Incoterms", "FCA {city}"),
    ("Contact person", "{person}"),
    ("Telephone", "+{n2} {n} {n}"),
]
PROSE = [
    "The goods will be used for the purposes stated in this application and will not be "
    "re-exported without the prior written consent of the competent authority.",
    "All values are given in the currency of the contract. The applicant declares that the "
    "particulars given are true and complete to the best of its knowledge.",
    "Please find enclosed the end-user certificate and the technical data sheets for the "
    "items listed below, together with the purchase order.",
]


@dataclass
class GoldParty:
    role: str
    name: str
    country: str
    label_word: Word  # first word of the box's label
    name_word: Word  # first word of the party's name


@dataclass
class RandomForm:
    seed: int
    page: Page
    parties: list[GoldParty] = field(default_factory=list)

    def result(self) -> ApplicationResult:
        return ApplicationResult(
            document=DocumentInfo(
                filename=f"random-{self.seed}.pdf",
                sha256="0" * 64,
                page_count=1,
                pages=[self.page],
            )
        )


class _Pen:
    """Writes words with boxes; `write` returns the words it placed."""

    def __init__(self, size: float) -> None:
        self.words: list[Word] = []
        self.size = size

    def write(self, x: float, top: float, text: str, size: float | None = None) -> list[Word]:
        size = size or self.size
        out = []
        for token in text.split():
            width = len(token) * size * CHAR
            out.append(
                Word(
                    text=token, x0=x, top=top, x1=x + width, bottom=top + size, source="text_layer"
                )
            )
            x += width + size * 0.28
        self.words += out
        return out

    def width(self, text: str, size: float | None = None) -> float:
        return len(text) * (size or self.size) * CHAR * 1.06


def _label(rng: random.Random, role: str, number: int, style: str) -> str:
    phrases = [p for p in labels.ROLE_LABELS[role] if len(p) >= 4 and "(" not in p]
    text = rng.choice(phrases)
    text = rng.choice([text.upper(), text.title(), text[:1].upper() + text[1:]])
    if style == "numbered":
        text = rng.choice([f"{number}. {text}", f"{number} {text}", f"({number}) {text}"])
    if rng.random() < 0.4 and style != "grid":
        text += ":"
    return text


def _fill(rng: random.Random, pattern: str) -> str:
    return pattern.format(
        d=rng.randint(1, 28),
        m=rng.randint(1, 12),
        n=rng.randint(1000, 99999),
        n2=rng.randint(20, 99),
        city=rng.choice(["Basel", "Lyon", "Graz", "Turin", "Oslo"]),
        person=f"{rng.choice(vocab.PERSON_FIRST)} {rng.choice(vocab.PERSON_LAST)}",
    )


def _box(
    rng: random.Random,
    pen: _Pen,
    x: float,
    top: float,
    col_width: float,
    role: str,
    number: int,
    layout: str,
) -> tuple[float, GoldParty | None]:
    """One party box at (x, top); returns the box's bottom and its gold party."""
    party = make_party(rng, role)
    size = pen.size
    pitch = size * rng.uniform(1.2, 1.6)
    country_text = party.country_written
    numbered = "numbered" if rng.random() < 0.5 else "plain"
    label = _label(rng, role, number, "grid" if layout == "grid" else numbered)
    empty = rng.random() < 0.06
    if layout == "grid":
        label_words = pen.write(x, top, label)
        y = top + pitch * 1.3
        gap = pitch * rng.uniform(1.2, 2.4)
        value_x = x + rng.uniform(45, 70)
        names = {k: rng.choice(v) for k, v in SUBLABELS.items()}
        if rng.random() < 0.5:
            names = {k: v.upper() for k, v in names.items()}
        pen.write(x, y, names["name"])
        name_words = [] if empty else pen.write(value_x, y, party.name)
        y += gap
        pen.write(x, y, names["address"])
        if not empty:
            pen.write(value_x, y, party.street)
        y += gap
        city, _, postcode = party.city_line.partition(" ")
        pen.write(x, y, names["city"])
        mid = x + col_width * 0.5
        pen.write(mid, y, names["postcode"])
        if not empty:
            pen.write(value_x, y, city)
            pen.write(mid + pen.width(names["postcode"]) + 6, y, postcode)
        y += pitch
        pen.write(mid, y, names["country"])
        if not empty:
            pen.write(mid + pen.width(names["country"]) + 6, y, country_text)
        bottom = y + pitch
    else:
        lines = [party.name, party.street, party.city_line, country_text]
        if rng.random() < 0.3:
            lines.append(f"Tel. {party.phone}")
        if empty:
            lines = [rng.choice(["None", "N/A", "—"])]
        if layout == "beside":
            label_words = pen.write(x, top, label)
            vx = x + max(pen.width(label) + rng.uniform(8, 30), rng.uniform(70, 120))
            vx = min(vx, x + col_width * 0.55)
            name_words = pen.write(vx, top, lines[0])
            for i, line in enumerate(lines[1:], start=1):
                pen.write(vx, top + i * pitch, line)
            bottom = top + len(lines) * pitch
        elif layout == "inline":
            label_words = pen.write(x, top, f"{label.rstrip(':')}: {lines[0]}")
            name_words = label_words[len(label.rstrip(":").split()) :]
            for i, line in enumerate(lines[1:], start=1):
                pen.write(x, top + i * pitch, line)
            bottom = top + len(lines) * pitch
        else:  # label above its value
            label_words = pen.write(x, top, label)
            indent = rng.choice([0, 0, 4, 10])
            name_words = pen.write(x + indent, top + pitch * 1.2, lines[0])
            for i, line in enumerate(lines[1:], start=1):
                pen.write(x + indent, top + pitch * (1.2 + i), line)
            bottom = top + pitch * (1.2 + len(lines))
    if empty or not name_words:
        return bottom, None
    return bottom, GoldParty(role, party.name, party.country, label_words[0], name_words[0])


def random_form(seed: int) -> RandomForm:
    """One randomised page of party boxes and distractors."""
    rng = random.Random(seed)
    width, height = rng.choice([(595.0, 842.0), (612.0, 792.0)])
    pen = _Pen(rng.choice([7.0, 8.0, 9.0, 10.0]))
    form = RandomForm(seed, Page(page=1, source="text_layer", width=width, height=height))
    margin = rng.uniform(28, 60)
    top = rng.uniform(30, 60)
    pen.write(
        margin + rng.uniform(0, 150),
        top,
        rng.choice(
            [
                "APPLICATION FOR AN EXPORT LICENCE",
                "Pro forma invoice",
                "Antrag auf Genehmigung",
                "Demande de licence d'exportation",
                "Solicitud de licencia",
                "Wniosek o zezwolenie",
            ]
        ),
        size=pen.size * 1.5,
    )
    top += pen.size * 3
    for _ in range(rng.randint(0, 3)):
        key, pattern = rng.choice(DISTRACTORS)
        x = rng.choice([margin, width / 2 + 10])
        pen.write(x, top, f"{key}: {_fill(rng, pattern)}")
        top += pen.size * 1.5
    top += pen.size
    columns = rng.choice([1, 2, 2])
    layout = rng.choice(["beside", "above", "inline", "grid", "mixed"])
    roles = ["applicant", *rng.sample(ROLES[1:], k=rng.randint(1, 4))]
    rng.shuffle(roles)
    col_width = (width - 2 * margin) / columns - 12
    number = rng.randint(1, 12)
    row_top, row_bottom = top, top
    for i, role in enumerate(roles):
        col = i % columns
        if col == 0:
            row_top = row_bottom + pen.size * rng.uniform(1.5, 3.0)
            if rng.random() < 0.25:  # prose between the boxes
                for line in _wrap(rng.choice(PROSE), int(col_width * columns / (pen.size * CHAR))):
                    pen.write(margin, row_top, line)
                    row_top += pen.size * 1.3
                row_top += pen.size
        box_layout = rng.choice(["beside", "above", "inline"]) if layout == "mixed" else layout
        x = margin + col * (col_width + 24)
        bottom, gold = _box(rng, pen, x, row_top, col_width, role, number, box_layout)
        number += 1
        row_bottom = max(row_bottom, bottom) if col else bottom
        if gold is not None:
            form.parties.append(gold)
        if row_bottom > height - 60:
            break
    form.page.words = [w for w in pen.words if w.bottom < height - 20]
    kept = {id(w) for w in form.page.words}
    form.parties = [p for p in form.parties if id(p.name_word) in kept and id(p.label_word) in kept]
    return form


def _wrap(text: str, chars: int) -> list[str]:
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > chars:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*out, line] if line else out
