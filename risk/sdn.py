"""The OFAC SDN list as published (sdn.csv) read into typed list entries with their aliases."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from exportdesk.extract.countries import find_country, resolve_country
from exportdesk.extract.errors import ExportdeskError

# sdn.csv has no header; these are OFAC's documented columns, in order.
COLUMNS = (
    "ent_num",
    "name",
    "type",
    "programs",
    "title",
    "call_sign",
    "vessel_type",
    "tonnage",
    "grt",
    "vessel_flag",
    "vessel_owner",
    "remarks",
)
EMPTY = "-0-"
_AKA = re.compile(r"\b(?:a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)\s*'([^']+)'", re.IGNORECASE)
# OFAC writes some countries in forms pycountry does not know.
_OFAC_COUNTRIES = {"burma": "MM", "korea, north": "KP", "korea, south": "KR", "north korea": "KP"}


# Programs aimed at one country name it; used only when the remarks name no country.
PROGRAM_COUNTRIES = {
    "CUBA": "CU",
    "IRAN": "IR",
    "IRGC": "IR",
    "IFSR": "IR",
    "HRIT-IR": "IR",
    "SYRIA": "SY",
    "HRIT-SY": "SY",
    "DPRK": "KP",
    "RUSSIA": "RU",
    "BELARUS": "BY",
    "VENEZUELA": "VE",
    "BURMA": "MM",
    "NICARAGUA": "NI",
    "IRAQ": "IQ",
    "LIBYA": "LY",
    "SOMALIA": "SO",
    "SUDAN": "SD",
    "SOUTH SUDAN": "SS",
    "CAR": "CF",
    "DRCONGO": "CD",
    "YEMEN": "YE",
    "LEBANON": "LB",
    "MALI": "ML",
    "ETHIOPIA": "ET",
    "HK": "HK",
    "DARFUR": "SD",
}


def program_country(program: str) -> str | None:
    head = re.split(r"[-0-9 ]", program, maxsplit=1)[0]
    return PROGRAM_COUNTRIES.get(program) or PROGRAM_COUNTRIES.get(head)


class ListEntry(BaseModel):
    """One restricted party: its listed name, aliases, programs and the countries it names."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    uid: str
    name: str
    kind: str = Field(description="entity, individual, vessel or aircraft")
    programs: list[str]
    aliases: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    remarks: str = ""


class ListFormatError(ExportdeskError, ValueError):
    """The file is not an OFAC sdn.csv; the message says what was expected."""


def _value(raw: str) -> str:
    raw = raw.strip()
    return "" if raw == EMPTY else raw


def _countries(remarks: str, flag: str) -> list[str]:
    found: set[str] = set()
    for part in re.split(r"[;()]", remarks):
        part = part.strip()
        key = part.lower().removeprefix("nationality ").removeprefix("citizen ").strip(" .")
        code = _OFAC_COUNTRIES.get(key) or resolve_country(key)
        if code is None:
            hit = find_country(part)
            code = hit[0] if hit else None
        if code:
            found.add(code)
    if flag:
        code = resolve_country(flag)
        if code:
            found.add(code)
    return sorted(found)


def parse_sdn(data: bytes, prefix: str = "sdn") -> list[ListEntry]:
    """Entries of an sdn.csv (Latin-1, 12 columns, `-0-` for empty); raises ListFormatError."""
    text = data.decode("latin-1")
    entries = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if len(row) == 1 and row[0].strip() in ("", "\x1a"):
            continue  # OFAC ends the file with a DOS end-of-file mark
        if len(row) != len(COLUMNS):
            raise ListFormatError(
                f"line {number} has {len(row)} columns; an OFAC sdn.csv has {len(COLUMNS)} "
                "(ent_num, name, type, programs, ..., remarks). Download sdn.csv, not "
                "add.csv or alt.csv."
            )
        rec = dict(zip(COLUMNS, row, strict=True))
        if not rec["ent_num"].strip().isdigit() or not _value(rec["name"]):
            raise ListFormatError(
                f"line {number} does not start with an entry number and a name; is this "
                "OFAC's sdn.csv?"
            )
        remarks = _value(rec["remarks"])
        programs = [p.strip() for p in re.split(r"\]\s*\[", _value(rec["programs"])) if p.strip()]
        countries = _countries(remarks, _value(rec["vessel_flag"]))
        if not countries:
            countries = sorted({c for p in programs if (c := program_country(p))})
        entries.append(
            ListEntry(
                uid=f"{prefix}-{rec['ent_num'].strip()}",
                name=_value(rec["name"]),
                kind=_value(rec["type"]) or "entity",
                programs=programs,
                aliases=sorted({a.strip() for a in _AKA.findall(remarks) if a.strip()}),
                countries=countries,
                remarks=remarks,
            )
        )
    if not entries:
        raise ListFormatError("the file holds no entries; is it an empty download?")
    return entries


def read_sdn(path: Path) -> list[ListEntry]:
    return parse_sdn(path.read_bytes())
