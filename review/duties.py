"""Reporting duties that follow from a licence's decided codes and its destinations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from exportdesk.classify.catalogue import EU_MEMBER_STATES, MILITARY, NOT_LISTED

# Countries of the EU general export authorisation EU001 (Regulation (EU) 2021/821, Annex II
# Section A): exports there carry the lightest follow-up.
EU001 = frozenset({"AU", "CA", "IS", "JP", "NZ", "NO", "CH", "LI", "GB", "US"})
# Dual-use entries for information security (cryptography).
CRYPTO_ENTRIES = ("5A002", "5A003", "5A004", "5D002", "5E002")


@dataclass(frozen=True)
class Duty:
    """One reporting duty, who owes it, and the codes or destination it follows from."""

    key: str
    text: str
    because: str
    owed_by: str = "exporter"  # or "office"

    def as_dict(self) -> dict[str, str]:
        return {
            "key": self.key,
            "text": self.text,
            "because": self.because,
            "owed_by": self.owed_by,
        }


def reporting_duties(
    outcome: str, codes: Iterable[tuple[str, str]], destinations: Iterable[str]
) -> list[Duty]:
    """The office's duty rules applied to (catalogue, code) pairs and destination countries.

    These are the office's own follow-up rules, written in plain words; the legal basis is
    the licence conditions the officer chooses, not this list.
    """
    listed = sorted({(c, k) for c, k in codes if k and k.upper() != NOT_LISTED})
    abroad = sorted({d for d in destinations if d and d not in EU_MEMBER_STATES})
    military = [f"{c} {k}" for c, k in listed if c in MILITARY]
    dual = [f"{c} {k}" for c, k in listed if c not in MILITARY]
    crypto = [f"{c} {k}" for c, k in listed if k.startswith(CRYPTO_ENTRIES)]
    outside_eu001 = [d for d in abroad if d not in EU001]
    duties: list[Duty] = []
    if outcome == "refuse":
        if dual:
            duties.append(
                Duty(
                    "denial-notice",
                    "Notify this refusal to the other EU member states and the Commission.",
                    "refusal of dual-use items: " + ", ".join(dual),
                    owed_by="office",
                )
            )
        return duties
    if outcome != "approve":
        return duties
    if listed:
        duties.append(
            Duty(
                "use-report",
                "At expiry, report the quantities and values shipped against the licensed amounts.",
                "listed items: " + ", ".join(f"{c} {k}" for c, k in listed),
            )
        )
    if military:
        duties.append(
            Duty(
                "shipment-report",
                "Report each shipment (date, quantity, value, consignee) within 30 days, and "
                "send the delivery verification certificate within 90 days.",
                "military list items: " + ", ".join(military),
            )
        )
    if crypto:
        duties.append(
            Duty(
                "crypto-report",
                "Report exports of information-security items under this licence every six months.",
                "cryptography entries: " + ", ".join(crypto),
            )
        )
    if dual and outside_eu001:
        duties.append(
            Duty(
                "end-use-confirmation",
                "Obtain the end user's written confirmation of receipt and end use within six "
                "months of delivery and keep it for inspection.",
                "dual-use items to " + ", ".join(outside_eu001) + " (outside the EU001 area)",
            )
        )
    return duties
