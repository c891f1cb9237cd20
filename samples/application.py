"""The synthetic application behind each sample: parties, goods, end-use text, and its gold JSON."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from exportdesk.samples import vocab

GOLD_SCHEMA = "exportdesk.sample-gold/v1"
FLAG_NAMES = ("no_reexport_assurance", "no_wmd_assurance", "no_military_end_use_assurance")


@dataclass
class SynParty:
    role: str
    name: str
    street: str
    city_line: str
    country: str  # ISO alpha-2
    country_written: str
    phone: str

    @property
    def address(self) -> str:
        return f"{self.street}, {self.city_line}"

    def gold(self) -> dict:
        return {
            "role": self.role,
            "name": self.name,
            "address": self.address,
            "country": self.country,
        }


@dataclass
class SynItem:
    description: str
    model: str
    manufacturer: str
    classification: str | None
    quantity: float
    unit: str
    unit_price: float
    total: float
    currency: str

    def gold(self, index: int) -> dict:
        return {
            "index": index,
            "description": self.description,
            "quantity": self.quantity,
            "unit": self.unit,
            "unit_price": self.unit_price,
            "total_value": self.total,
            "currency": self.currency,
            "model": self.model,
            "manufacturer": self.manufacturer,
            "declared_classification": self.classification,
        }


@dataclass
class SynEndUse:
    paragraphs: list[str]
    end_user: str | None
    flags: list[str]

    @property
    def statement(self) -> str:
        return " ".join(self.paragraphs)

    def gold(self) -> dict:
        return {"statement": self.statement, "end_user": self.end_user, "flags": sorted(self.flags)}


@dataclass
class SynApplication:
    family: str
    seed: int
    lang: str
    number_style: str
    parties: list[SynParty]
    items: list[SynItem]
    end_uses: list[SynEndUse]
    purpose: str
    reference: str
    date: str
    signatory: str
    expected_warnings: list[str] = field(default_factory=list)
    # item fields the layout actually printed; the gold leaves the others empty
    rendered_item_fields: set[str] = field(default_factory=set)

    def party(self, role: str) -> SynParty | None:
        return next((p for p in self.parties if p.role == role), None)

    def _printed(self, item: dict) -> dict:
        names = {"classification": "declared_classification", "total": "total_value"}
        shown = {names.get(k, k) for k in self.rendered_item_fields}
        for key in ("model", "manufacturer", "declared_classification", "unit_price"):
            if key not in shown:
                item[key] = None
        return item

    def gold(self, filename: str, variant: str) -> dict:
        return {
            "schema": GOLD_SCHEMA,
            "file": filename,
            "family": self.family,
            "seed": self.seed,
            "variant": variant,
            "language": self.lang,
            "parties": [p.gold() for p in self.parties],
            "items": [self._printed(it.gold(i)) for i, it in enumerate(self.items, start=1)],
            "end_use": [e.gold() for e in self.end_uses],
            "expected_warnings": list(self.expected_warnings),
        }


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(n))


def make_party(
    rng: random.Random,
    role: str,
    country: str | None = None,
    government: bool = False,
    written_as: str | None = None,
) -> SynParty:
    code = country or rng.choice(sorted(vocab.COUNTRIES))
    info = vocab.COUNTRIES[code]
    if government:
        name = rng.choice(vocab.GOVERNMENT_BODIES)
    else:
        sector = rng.choice(vocab.SECTOR_WORDS.get(info["lang"], vocab.SECTOR_WORDS["en"]))
        name = f"{rng.choice(vocab.NAME_ROOTS)} {sector} {rng.choice(info['forms'])}"
    city, pattern = rng.choice(info["cities"])
    postcode = pattern.format(
        n1=_digits(rng, 1),
        n2=_digits(rng, 2),
        n3=_digits(rng, 3),
        n4=_digits(rng, 4),
        n5=_digits(rng, 5),
    )
    street_name = rng.choice(info["streets"])
    number = str(rng.randint(1, 240))
    street = (
        f"{number} {street_name}" if info["lang"] in ("en", "fr") else f"{street_name} {number}"
    )
    city_line = (
        f"{city} {postcode}"
        if code in ("GB", "US", "CA", "AE", "SG", "AU")
        else f"{postcode} {city}"
    )
    if written_as == "code":
        written = code
    elif written_as is not None:
        written = written_as
    else:
        written = rng.choice(info["names"][:2]) if rng.random() < 0.75 else code
    phone = f"+{rng.randint(20, 99)} {_digits(rng, 3)} {_digits(rng, 4)}"
    return SynParty(role, name, street, city_line, code, written, phone)


def make_items(rng: random.Random, count: int, currency: str, mismatch: bool) -> list[SynItem]:
    goods = rng.sample(vocab.GOODS, k=min(count, len(vocab.GOODS)))
    while len(goods) < count:
        goods.append(rng.choice(vocab.GOODS))
    items: list[SynItem] = []
    for desc, stem, prefix, classes, units, (lo, hi), _category in goods:
        unit = rng.choice(units)
        if unit in ("kg", "m", "l"):
            quantity: float = round(rng.uniform(5, 2500), rng.choice([0, 1]))
        elif unit == "rounds":
            quantity = float(rng.choice([5000, 10000, 25000, 120000]))
        else:
            quantity = float(rng.randint(1, 400))
        unit_price = round(rng.uniform(lo, hi), 2)
        if currency == "JPY":
            unit_price = float(round(unit_price * 150))
        total = round(quantity * unit_price, 2)
        maker_root = rng.choice(vocab.NAME_ROOTS)
        manufacturer = f"{maker_root} {stem}"
        model = f"{prefix}-{rng.randint(10, 990)}{rng.choice(['', 'A', 'X', 'M2', '/S'])}"
        items.append(
            SynItem(
                desc,
                model,
                manufacturer,
                rng.choice(classes),
                quantity,
                unit,
                unit_price,
                total,
                currency,
            )
        )
    if mismatch and items:
        victim = items[rng.randrange(len(items))]
        victim.total = round(victim.total * rng.choice([1.1, 0.9, 2.0]) + 10, 2)
    return items


def make_end_use(
    rng: random.Random,
    end_user: SynParty,
    applicant: SynParty,
    purpose: str,
    vague: bool,
    prose: bool,
) -> SynEndUse:
    """An end-use statement; prose ones read like a signed certificate."""
    country_name = vocab.COUNTRIES[end_user.country]["names"][0]
    purpose_text = purpose.format(country=country_name)
    flags: list[str] = []
    present = [f for f in FLAG_NAMES if rng.random() < 0.7]
    paragraphs: list[str] = []
    if prose:
        opener = rng.choice(
            [
                "We, {eu}, of {addr}, {cw}, hereby certify that the goods supplied by {ap} "
                "under the contract referenced above will be used solely for {p}.",
                "{eu}, {addr}, {cw}, as the end user of the goods described in this certificate, "
                "certifies that they will be used exclusively for {p}.",
                "This is to certify that {eu} of {addr}, {cw}, is the final end user of the goods "
                "to be delivered by {ap}, and that the goods are intended for {p}.",
            ]
        )
        paragraphs.append(
            opener.format(
                eu=end_user.name,
                addr=end_user.address,
                cw=end_user.country_written,
                ap=applicant.name,
                p=purpose_text,
            )
        )
    else:
        paragraphs.append(
            rng.choice(
                [
                    "The items will be used for {p}.",
                    "Specific end use: {p}.",
                    "The goods are required for {p}.",
                ]
            ).format(p=purpose_text)
        )
    for flag in present:
        paragraphs.append(rng.choice(vocab.ASSURANCES[flag]))
    flags.extend(present)
    flags.extend(f"missing_{f}" for f in FLAG_NAMES if f not in present)
    if vague:
        flags.append("vague_wording")
    return SynEndUse(paragraphs, end_user.name, flags)


def make_application(family: str, seed: int, rng: random.Random) -> SynApplication:
    lang = rng.choices(["en", "de", "fr", "es"], weights=[55, 20, 15, 10])[0]
    number_style = rng.choice(["en", "de", "fr", "plain"])
    if lang == "de":
        number_style = rng.choice(["de", "de", "en"])
    currency = rng.choice(vocab.CURRENCIES)
    applicant_country = rng.choice(
        ["DE", "FR", "GB", "SE", "IT", "ES", "NL", "AT", "CZ", "PL", "FI", "NO", "DK", "CH"]
    )
    applicant = make_party(rng, "applicant", applicant_country)
    end_country = rng.choice(sorted(c for c in vocab.COUNTRIES if c != applicant_country))
    government = rng.random() < 0.25
    end_user = make_party(rng, "end_user", end_country, government=government)
    parties = [applicant]
    want_purchaser = family in ("numbered_form", "invoice") or rng.random() < 0.4
    if want_purchaser:
        parties.append(
            make_party(rng, "purchaser", rng.choice([end_country, end_country, "AE", "SG", "CH"]))
        )
    if rng.random() < 0.35:
        parties.append(
            make_party(rng, "intermediate_consignee", rng.choice(["NL", "DK", "AE", "SG", "CH"]))
        )
    parties.append(make_party(rng, "consignee", end_country))
    parties.append(end_user)
    second_user = None
    if rng.random() < 0.2:
        second_user = make_party(rng, "end_user", rng.choice(sorted(vocab.COUNTRIES)))
        parties.append(second_user)
    n_items = rng.choice([1, 2, 3, 3, 4, 5, 6, 8, 12, 16])
    mismatch = rng.random() < 0.15
    items = make_items(rng, n_items, currency, mismatch)
    purpose, vague = rng.choice(vocab.END_USES)
    prose = family == "cover_letter" or rng.random() < (0.5 if family == "invoice" else 0.2)
    end_uses = [make_end_use(rng, end_user, applicant, purpose, vague, prose)]
    if second_user is not None:
        purpose2, vague2 = rng.choice(vocab.END_USES)
        end_uses.append(make_end_use(rng, second_user, applicant, purpose2, vague2, True))
    signatory = f"{rng.choice(vocab.PERSON_FIRST)} {rng.choice(vocab.PERSON_LAST)}"
    app = SynApplication(
        family=family,
        seed=seed,
        lang=lang,
        number_style=number_style,
        parties=parties,
        items=items,
        end_uses=end_uses,
        purpose=purpose,
        signatory=signatory,
        reference=f"{rng.choice(['EXP', 'LIC', 'PO', 'INV'])}-{rng.randint(2024, 2026)}-"
        f"{rng.randint(1000, 99999)}",
        date=f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(2024, 2026)}",
    )
    if mismatch:
        app.expected_warnings.append("total_mismatch")
    return app


def format_number(value: float, style: str, decimals: int = 2) -> str:
    """1,250.00 (en) / 1.250,00 (de) / 1 250,00 (fr) / 1250.00 (plain)."""
    text = f"{value:,.{decimals}f}"  # en style first
    if style == "de":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    elif style == "fr":
        text = text.replace(",", " ").replace(".", ",")
    elif style == "plain":
        text = text.replace(",", "")
    return text


def format_quantity(value: float, style: str) -> str:
    decimals = 0 if float(value).is_integer() else 1
    if value < 10000 and decimals == 0:
        return str(int(value))
    return format_number(value, style, decimals)
