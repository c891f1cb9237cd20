"""Screening every extracted party (and end users named in end-use statements) against the list."""

from __future__ import annotations

from pathlib import Path

from exportdesk.extract.model import ApplicationResult, Warning
from exportdesk.risk.findings import SCREENING_HIT, finding
from exportdesk.risk.screening import screen, screening_index


def screening_findings(result: ApplicationResult, data_dir: Path | None = None) -> list[Warning]:
    """One `party_screening_hit` per party and list entry at or above the threshold."""
    index = screening_index(data_dir)
    edition = index.edition.label if index.edition else "unknown edition"
    found: list[Warning] = []
    seen: set[tuple[str, str]] = set()
    names = [(p.name, p.country, p.role, p.evidence[:1]) for p in result.parties]
    names += [(e.end_user, None, "end_user", e.evidence[:1]) for e in result.end_use if e.end_user]
    for name, country, role, evidence in names:
        for hit in screen(name, country, data_dir):
            key = (name.casefold(), hit.entry.uid)
            if key in seen:
                continue
            seen.add(key)
            programs = ", ".join(hit.entry.programs) or "no program given"
            where = " (listed for another country)" if hit.country_mismatch else ""
            found.append(
                finding(
                    SCREENING_HIT,
                    f"{role.replace('_', ' ')} '{name}' resembles '{hit.matched_name}' on the "
                    f"{edition} (score {hit.score:.2f}{where}; programs: {programs}). A reviewer "
                    "must confirm or clear this hit with a reason.",
                    evidence,
                    party=name,
                    role=role,
                    score=hit.score,
                    entry_uid=hit.entry.uid,
                    entry_name=hit.entry.name,
                    matched_name=hit.matched_name,
                    programs=hit.entry.programs,
                    entry_countries=hit.entry.countries,
                    country_mismatch=hit.country_mismatch,
                    list_edition=edition,
                )
            )
    return found
