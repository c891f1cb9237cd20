"""Surface cues in an applicant's wording: military vs civil context, and technical parameters."""

from __future__ import annotations

import re
from dataclasses import dataclass

_MILITARY = re.compile(
    r"\b(militar\w*|defen[cs]e|army|armies|navy|naval|navies|air force|armed forces|combat|"
    r"weapons?|munitions?|ammunition|missiles?|warheads?|tactical|soldiers?|infantry|"
    r"battlefield|warships?|frigates?|corvettes?|howitzers?|mortars?|grenades?|sniper|"
    r"special forces|stanag|mil-std|mil-spec|itar|fighter|attack|assault|armou?red|"
    r"select[- ]fire|fully automatic|full[- ]auto|belt[- ]fed|artillery|torpedo\w*|"
    r"landmines?|mines|gunnery|jammer|comint|elint|sigint|brigades?|airlifter|hardpoints?|"
    r"pylons?|bayonets?|warfare|nerve agents?|fire[- ]control)\b",
    re.IGNORECASE,
)
_CIVIL = re.compile(
    r"\b(consumer|retail|household|home|hobby\w*|toys?|mass[- ]market|kids|children'?s?|"
    r"school\w*|civil|civilian|commercial|office|easa|faa|agricultur\w*|farm\w*|sporting|"
    r"hunting|hunters?|deer|dealers?|cafes?|supermarkets?|garden|kitchen|pharmacy|"
    r"beginner|selfie|birdwatching|classroom\w*|teaching|students?)\b",
    re.IGNORECASE,
)

# Units that carry a control threshold, normalised to one spelling each.
_UNITS = {
    "kw": "kW",
    "w": "W",
    "mw": "mW",
    "megawatt": "MW",
    "tw": "TW",
    "gw": "GW",
    "ghz": "GHz",
    "mhz": "MHz",
    "khz": "kHz",
    "hz": "Hz",
    "gbit/s": "Gbit/s",
    "gbps": "Gbit/s",
    "gb/s": "Gbit/s",
    "g": "g_or_G",
    "µm": "µm",
    "um": "µm",
    "micron": "µm",
    "microns": "µm",
    "nm": "nm",
    "mm": "mm",
    "km": "km",
    "m": "m",
    "kg": "kg",
    "bit": "bit",
    "bits": "bit",
    "db": "dB",
    "dbc/hz": "dBc/Hz",
    "gy": "Gy",
    "krad": "krad",
    "fps": "frames/s",
    "mpa": "MPa",
    "gpa": "GPa",
    "degree per hour": "deg/h",
    "degrees per hour": "deg/h",
    "deg/hr": "deg/h",
    "nmi/h": "nm/h",
    "nmi/hr": "nm/h",
    "deg/h": "deg/h",
    "°/h": "deg/h",
    "°/hr": "deg/h",
    "µg": "µg",
    "ppm": "ppm",
    "l": "l",
    "litres": "l",
    "liters": "l",
    "m3": "m3",
    "m2": "m2",
    "h": "h",
    "hours": "h",
    "hour": "h",
    "min": "min",
    "minutes": "min",
    "kva": "kVA",
    "°c": "°C",
    "u": "u",
    "gs/s": "GS/s",
    "gsps": "GS/s",
    "ns": "ns",
    "fs": "fs",
    "ps": "ps",
    "mgal": "mGal",
    "nt": "nT",
    "kn": "kN",
    "kj": "kJ",
}
_PARAM = re.compile(
    r"(?P<num>\d[\d,.]*(?:\s?[x×]\s?10\^?-?\d+)?)[\s-]?(?P<unit>"
    + "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
    + r")(?![a-zA-Z])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Parameter:
    """A number with a unit in the applicant's text, e.g. ``20 kW``."""

    text: str
    value: float | None
    unit: str


# "not made to military standards", "non-military": a military word that denies military use.
_NEGATED = re.compile(
    r"\b(?:not|non|never)[- ](?:\w+[ -]){0,4}?(?:militar\w*|defen[cs]e|weapons?)", re.IGNORECASE
)
_SOFTWARE = re.compile(
    r"\b(software|firmware|source code|sdk|licen[cs]es?|app|application "
    r"suite|library|libraries|platform software|program(?:me)?s?)\b",
    re.IGNORECASE,
)
_TECHNOLOGY = re.compile(
    r"\b(technology|technical data|know-how|drawings|blueprints|"
    r"design data|production data|training courses?)\b",
    re.IGNORECASE,
)


def military_cue(text: str) -> int:
    return len(_MILITARY.findall(_NEGATED.sub(" ", text)))


def civil_cue(text: str) -> int:
    return len(_CIVIL.findall(text)) + len(_NEGATED.findall(text))


def software_cue(text: str) -> int:
    return len(_SOFTWARE.findall(text))


def technology_cue(text: str) -> int:
    return len(_TECHNOLOGY.findall(text))


# Thresholds written in the entries that decide between neighbouring entries, as
# (catalogue, entry, unit, lowest value, highest value): inside the range counts for the
# entry, outside against it. Calibre separates ML1/ML2 (20 mm) and USML I/II (12.7 mm).
THRESHOLDS: dict[tuple[str, str], tuple[str, float, float, str]] = {
    ("eu-military", "ML1"): ("mm", 0.0, 19.99, "calibre below 20 mm"),
    ("eu-military", "ML2"): ("mm", 20.0, 1e9, "calibre of 20 mm or more"),
    ("us-usml", "I"): ("mm", 0.0, 12.7, "calibre up to .50 (12.7 mm)"),
    ("us-usml", "II"): ("mm", 12.71, 1e9, "calibre over .50 (12.7 mm)"),
}


def threshold_match(text: str, catalogue: str, code: str) -> tuple[int, str | None]:
    """+1 when a stated parameter falls inside the entry's deciding range, -1 when outside,
    0 when the entry has no such rule or the text states no value in that unit."""
    rule = THRESHOLDS.get((catalogue, code))
    if rule is None:
        return 0, None
    unit, lo, hi, label = rule
    values = [p for p in parameters(text) if p.unit == unit and p.value is not None]
    if not values:
        return 0, None
    p = values[0]
    inside = lo <= (p.value or 0.0) <= hi
    return (1 if inside else -1), f"{p.text} ({'within' if inside else 'outside'} {label})"


def parameters(text: str) -> list[Parameter]:
    out = []
    for m in _PARAM.finditer(text):
        unit = _UNITS[m.group("unit").lower().replace("μ", "µ")]
        if unit == "m" and m.group("unit") == "M":
            continue
        try:
            value = float(m.group("num").replace(",", ""))
        except ValueError:
            value = None
        out.append(Parameter(text=m.group(0).strip(), value=value, unit=unit))
    return out


def units_in(text: str) -> set[str]:
    return {p.unit for p in parameters(text)}


# Kinds of munitions-list item that neighbouring entries divide between them (ML1 weapons,
# ML3 ammunition, ML4 bombs and missiles; USML I / III / IV; US 0A501 / 0A505): the words
# the lists' own headings use for each.
_KIND_WORDS: dict[str, tuple[str, ...]] = {
    "ammunition": ("ammunition", "cartridge", "round", "bullet", "projectile", "shell"),
    "weapon": (
        *("weapon", "firearm", "rifle", "pistol", "handgun", "revolver", "shotgun", "carbine"),
        *("gun", "howitzer", "cannon", "armament", "arms"),
    ),
    "explosive device": ("bomb", "torpedo", "rocket", "missile", "mine", "grenade", "warhead"),
}
_KIND_OF = {w: k for k, ws in _KIND_WORDS.items() for w in ws}
# Where a description's head phrase ends: "Magazines for 9 mm pistols" is about magazines.
_HEAD_END = re.compile(r"[,;:(]|\b(?:for|with|of|to|from|in|on|used|designed|made)\b", re.I)
_HEAD_SKIP = re.compile(
    r"\d[\w.,/-]*|\b[A-Z]{2,}\b|\b(?:[xX]|mm|[Cc]al|[Cc]aliber|[Cc]alibre|[Gg]auge)\b"
)


def _kind_of_word(word: str) -> str | None:
    w = word.lower()
    return _KIND_OF.get(w) or (_KIND_OF.get(w[:-1]) if w.endswith("s") and w != "arms" else None)


def item_kind(text: str) -> tuple[str, str] | None:
    """The kind of munitions-list item a description is of, read from its head noun (the
    last word of its first phrase, numbers and acronyms aside): "9 mm ammunition" and
    "9mm pistol cartridges" are ammunition, "Magazines for 9 mm pistols" and "Rifle scope"
    are none of the kinds. Returns (kind, word)."""
    head = _HEAD_END.split(text, maxsplit=1)[0]
    words = re.findall(r"[A-Za-z][A-Za-z-]*", _HEAD_SKIP.sub(" ", head))
    if not words:
        return None
    kind = _kind_of_word(words[-1])
    return (kind, words[-1]) if kind else None


def entry_kind(title: str) -> str | None:
    """The kind of item a munitions-list heading is about: the first kind word of its head
    phrase ("Smooth-bore weapons with ..." weapon, "Ammunition and Ordnance" ammunition,
    "Optical sighting devices for firearms" none)."""
    for w in re.findall(r"[A-Za-z]+", _HEAD_END.split(title, maxsplit=1)[0]):
        kind = _kind_of_word(w)
        if kind:
            return kind
    return None


_SOFTWARE_HEAD = frozenset(["software", "firmware", "licence", "license", "sdk"])
_TECHNOLOGY_HEAD = frozenset(["technology", "know-how"])


def product_group_of(text: str) -> str | None:
    """ "D" when a description's head phrase says it is software ("Software licence for a
    CNC kernel"), "E" when it says technology ("Technology transfer package: ..."), else None."""
    head = _HEAD_END.split(text, maxsplit=1)[0]
    words = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]*", head)}
    if words & _TECHNOLOGY_HEAD or "technical data" in head.lower():
        return "E"
    return "D" if words & _SOFTWARE_HEAD else None
