"""Country names in many languages and codes, resolved to ISO 3166-1 alpha-2 via pycountry."""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

from exportdesk.extract.normalise import fold

# Names pycountry does not carry: local, French, German, Spanish, Italian spellings and
# everyday short forms. Keys are matched after `fold` (lower case, no diacritics).
_EXTRA: dict[str, str] = {
    # Europe
    "deutschland": "DE",
    "allemagne": "DE",
    "alemania": "DE",
    "germania": "DE",
    "brd": "DE",
    "federal republic of germany": "DE",
    "bundesrepublik deutschland": "DE",
    "frankreich": "FR",
    "francia": "FR",
    "franca": "FR",
    "republique francaise": "FR",
    "espana": "ES",
    "espagne": "ES",
    "spanien": "ES",
    "spagna": "ES",
    "kingdom of spain": "ES",
    "italia": "IT",
    "italie": "IT",
    "italien": "IT",
    "polska": "PL",
    "pologne": "PL",
    "polen": "PL",
    "polonia": "PL",
    "cesko": "CZ",
    "ceska republika": "CZ",
    "czech republic": "CZ",
    "tchequie": "CZ",
    "tschechien": "CZ",
    "republique tcheque": "CZ",
    "chequia": "CZ",
    "sverige": "SE",
    "suede": "SE",
    "schweden": "SE",
    "suecia": "SE",
    "svezia": "SE",
    "norge": "NO",
    "noreg": "NO",
    "norvege": "NO",
    "norwegen": "NO",
    "noruega": "NO",
    "suomi": "FI",
    "finlande": "FI",
    "finnland": "FI",
    "finlandia": "FI",
    "danmark": "DK",
    "danemark": "DK",
    "danemark ": "DK",
    "dinamarca": "DK",
    "danimarca": "DK",
    "nederland": "NL",
    "pays-bas": "NL",
    "pays bas": "NL",
    "niederlande": "NL",
    "holland": "NL",
    "the netherlands": "NL",
    "paises bajos": "NL",
    "olanda": "NL",
    "belgie": "BE",
    "belgique": "BE",
    "belgien": "BE",
    "belgica": "BE",
    "belgio": "BE",
    "osterreich": "AT",
    "autriche": "AT",
    "austria": "AT",
    "schweiz": "CH",
    "suisse": "CH",
    "svizzera": "CH",
    "suiza": "CH",
    "confoederatio helvetica": "CH",
    "portugal": "PT",
    "portogallo": "PT",
    "turkiye": "TR",
    "turkey": "TR",
    "turquie": "TR",
    "turkei": "TR",
    "turquia": "TR",
    "romania": "RO",
    "roumanie": "RO",
    "rumanien": "RO",
    "rumania": "RO",
    "magyarorszag": "HU",
    "hongrie": "HU",
    "ungarn": "HU",
    "hungria": "HU",
    "ellada": "GR",
    "hellas": "GR",
    "grece": "GR",
    "griechenland": "GR",
    "grecia": "GR",
    "hrvatska": "HR",
    "slovensko": "SK",
    "slovenija": "SI",
    "eesti": "EE",
    "latvija": "LV",
    "lietuva": "LT",
    "eire": "IE",
    "irlande": "IE",
    "irland": "IE",
    "island": "IS",
    "uk": "GB",
    "u.k.": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "royaume-uni": "GB",
    "royaume uni": "GB",
    "vereinigtes konigreich": "GB",
    "reino unido": "GB",
    "regno unito": "GB",
    "grossbritannien": "GB",
    # Americas
    "usa": "US",
    "u.s.a.": "US",
    "u.s.": "US",
    "united states of america": "US",
    "etats-unis": "US",
    "etats unis": "US",
    "vereinigte staaten": "US",
    "estados unidos": "US",
    "stati uniti": "US",
    "kanada": "CA",
    "brasil": "BR",
    "bresil": "BR",
    "brasilien": "BR",
    "mexique": "MX",
    "mexiko": "MX",
    "chili": "CL",
    "argentine": "AR",
    "argentinien": "AR",
    "perou": "PE",
    "colombie": "CO",
    "kolumbien": "CO",
    # Asia, Pacific, Africa, Middle East
    "uae": "AE",
    "u.a.e.": "AE",
    "emirates": "AE",
    "emirats arabes unis": "AE",
    "vereinigte arabische emirate": "AE",
    "emiratos arabes unidos": "AE",
    "saudi arabia": "SA",
    "ksa": "SA",
    "arabie saoudite": "SA",
    "saudi-arabien": "SA",
    "japon": "JP",
    "giappone": "JP",
    "nippon": "JP",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "rok": "KR",
    "coree du sud": "KR",
    "sudkorea": "KR",
    "corea del sur": "KR",
    "north korea": "KP",
    "dprk": "KP",
    "inde": "IN",
    "indien": "IN",
    "singapour": "SG",
    "singapur": "SG",
    "australie": "AU",
    "australien": "AU",
    "afrique du sud": "ZA",
    "sudafrika": "ZA",
    "sudafrica": "ZA",
    "rsa": "ZA",
    "maroc": "MA",
    "marokko": "MA",
    "marruecos": "MA",
    "egypte": "EG",
    "agypten": "EG",
    "chine": "CN",
    "china": "CN",
    "prc": "CN",
    "people's republic of china": "CN",
    "taiwan": "TW",
    "vietnam": "VN",
    "viet nam": "VN",
    "russia": "RU",
    "russie": "RU",
    "russland": "RU",
    "rusia": "RU",
    "iran": "IR",
    "syria": "SY",
    "israel": "IL",
    "turkiye cumhuriyeti": "TR",
    "new zealand": "NZ",
    "nouvelle-zelande": "NZ",
    "indonesie": "ID",
    "indonesien": "ID",
    "malaisie": "MY",
    "thailande": "TH",
}

# Two-letter strings that are country codes but also common words or abbreviations in
# addresses; accepted only where a whole field holds nothing else.
_AMBIGUOUS_CODES = {
    "AL",
    "CA",
    "IN",
    "IT",
    "ME",
    "NO",
    "OR",
    "TO",
    "BE",
    "DE",
    "AT",
    "IS",
    "AM",
    "AS",
    "ID",
    "LA",
    "MA",
    "PA",
    "SO",
    "TN",
    "VA",
    "MT",
    "CO",
    "NE",
    "SA",
    "SE",
    "GA",
    "MO",
    "MS",
    "SC",
    "MN",
    "AR",
    "MD",
    "MH",
    "PE",
}


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                table[fold(value)] = c.alpha_2
        table[fold(c.alpha_3)] = c.alpha_2
    for key, code in _EXTRA.items():
        table[fold(key.strip())] = code
    return table


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    names = sorted((k for k in _table() if len(k) > 3), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")


def resolve_country(text: str | None) -> str | None:
    """ISO alpha-2 for a field that holds a country (name in any listed language or a code)."""
    if not text:
        return None
    raw = text.strip().strip(".,;:()")
    if not raw:
        return None
    if re.fullmatch(r"[A-Za-z]{2}", raw) and raw.isupper():
        found = pycountry.countries.get(alpha_2=raw.upper())
        if found is not None:
            return found.alpha_2
        return {"UK": "GB", "EL": "GR"}.get(raw.upper())
    key = fold(raw)
    if key in _table():
        return _table()[key]
    return None


def find_country(
    text: str, allow_code: bool = False, first: bool = False
) -> tuple[str, int, int] | None:
    """The last (or `first`) country named inside free text: (alpha-2, start, end), or None.

    Codes (two or three capitals) count only with `allow_code`, and ambiguous two-letter
    codes (US state abbreviations, words like IN, IT, NO) never count inside running text.
    """
    folded = fold(text)
    best: tuple[str, int, int] | None = None
    for m in _pattern().finditer(folded):
        best = (_table()[m.group(1)], m.start(), m.end())
        if first:
            break
    if best is None and allow_code:
        for m in re.finditer(r"(?<![\w])([A-Z]{2,3})(?![\w])", text):
            code = m.group(1)
            if len(code) == 2 and code in _AMBIGUOUS_CODES:
                continue
            resolved = resolve_country(code) if len(code) == 2 else _table().get(fold(code))
            if resolved:
                best = (resolved, m.start(), m.end())
    return best
