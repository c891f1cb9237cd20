"""End-use red flags: what the end-use statements, the parties and the suggestions say together.

Each flag quotes the sentence (or party, or item) that triggered it as evidence and says
why it matters. Cues are multilingual word lists (English, German, French, Spanish) on
folded text, the same way extraction reads labels, and a cue inside a negated sentence
("not ... for weapons of mass destruction") is an assurance, not a flag.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache

from exportdesk.extract.countries import resolve_country
from exportdesk.extract.labels import VAGUE_PATTERNS
from exportdesk.extract.model import ApplicationResult, EndUse, Evidence, Item, Warning
from exportdesk.extract.normalise import fold, normalise_code
from exportdesk.risk.findings import RED_FLAG, finding
from exportdesk.risk.lists import COMMITTED_DIR

EMBARGO_FILE = COMMITTED_DIR / "arms_embargoes.json"

WMD = [
    r"nuclear (weapon|explosive|device|warhead)",
    r"atomic (bomb|weapon)",
    r"enrichment",
    r"centrifuge",
    r"weapons?[- ]grade",
    r"plutonium",
    r"chemical (weapon|warfare|agent)",
    r"nerve agent",
    r"biological (weapon|warfare|agent)",
    r"toxin weapon",
    r"bioweapon",
    r"ballistic missile",
    r"\bmissiles?\b",
    r"rocket (motor|engine)s?",
    r"\bwarheads?\b",
    r"(weapons?|armes?|armas?) (of|de) (mass|destruction)",
    r"\bwmd\b",
    r"\buav\b.{0,30}payload",
    r"kernwaffe",
    r"atomwaffe",
    r"chemiewaffe",
    r"biowaffe",
    r"rakete",
    r"lenkflugkorper",
    r"arme nucleaire",
    r"arme chimique",
    r"arme biologique",
    r"\bmissile",
    r"arma nuclear",
    r"arma quimica",
    r"arma biologica",
    r"\bmisil",
]
NEGATION = (
    r"\b(not|never|no|nor|none|neither|without|nicht|kein\w*|nie|ne|pas|jamais|aucun\w*|"
    r"nunca|ningun\w*|ni)\b"
)
MILITARY = [
    r"\barmy\b",
    r"\bnavy\b",
    r"\bnaval\b",
    r"air force",
    r"armed forces",
    r"\bmilitary\b",
    r"ministry of defen[cs]e",
    r"defen[cs]e forces",
    r"\bmod\b",
    r"national guard",
    r"revolutionary guard",
    r"\birgc\b",
    r"marine corps",
    r"\bbattalion\b",
    r"\bbrigade\b",
    r"\bregiment\b",
    r"weapons? systems?",
    r"\bcombat\b",
    r"\bmunitions?\b",
    r"streitkrafte",
    r"bundeswehr",
    r"militar",
    r"verteidigungsministerium",
    r"\barmee\b",
    r"\bmilitaire",
    r"ministere de la defense",
    r"ministere des armees",
    r"\bejercito\b",
    r"fuerzas armadas",
    r"ministerio de defensa",
]
TRADING = [
    r"\btrad(ing|ers?|e)\b",
    r"\bimport",
    r"\bexport",
    r"\bimpex\b",
    r"\bhandel",
    r"\bcommerce\b",
    r"\bcommercial\b",
    r"\bnegoce\b",
    r"\bcomerci(al|alizadora)\b",
    r"\blogisti(c|k|que)",
    r"\bfreight\b",
    r"\bforward(ing|ers?)\b",
    r"\bspedition\b",
    r"\btransitaire\b",
    r"\bshipping\b",
    r"\bcargo\b",
    r"\bdistribut(ion|ors?)\b",
    r"\bbrokers?\b",
]
# Wording of a trial, evaluation or demonstration use: what needs a handful, not a stock.
# ("Research" and "test" alone are left out: "test and measurement systems" and "research
# laboratory" describe products and places, not a trial.)
TESTING = [
    r"\bevaluation\b",
    r"\btrials?\b",
    r"\bdemonstrations?\b",
    r"\bprototypes?\b",
    r"\bsamples? (for|of)\b",
    r"\btesting of\b",
    r"\bfor test(ing)? purposes\b",
    r"\bfield tests?\b",
    r"\bqualification tests?\b",
    r"\berprobung\b",
    r"\bversuchszweck",
    r"\bessais?\b",
    r"\bevaluacion\b",
    r"\bpruebas?\b",
]
# Experimental: above these quantities a trial use is unusual (military / other listed items).
TEST_QUANTITY_LIMIT = {"military": 20, "dual_use": 200}
# Applicants' declared codes are right far more often than not, so a calibrated suggestion
# must be very sure before its disagreement is worth an officer's time. At 0.8, the
# dev-external set's near-threshold twins gave 4 flags on 32 applications, all wrong.
CONTRADICTION_CONFIDENCE = 0.95
NOT_LISTED = {"EAR99", "NOT_LISTED", "NLR", "NOT LISTED", "N/A", "NONE"}
DUAL_USE_CATALOGUES = {"eu-dual-use", "us-ccl"}


def _any(patterns: list[str], text: str) -> re.Match[str] | None:
    for p in patterns:
        m = re.search(p, text)
        if m:
            return m
    return None


_ABBREVIATION_END = re.compile(
    r"(\b(?:[A-Za-z]\.){1,3}|\b(?:Co|Ltd|Inc|Corp|No|Nr|St|Dr|Mr|Mrs|Ms|etc|approx|incl|Pte|"
    r"Pty|Bhd|Ste|Av|Ave)\.)$"
)


def sentences(statement: str) -> list[str]:
    """Sentences of a statement; "S.A. de C.V." and "Co. Ltd." do not end one."""
    out: list[str] = []
    for part in re.split(r"(?<=[.;!?])\s+", statement.strip()):
        if out and _ABBREVIATION_END.search(out[-1]):
            out[-1] = f"{out[-1]} {part}"
        elif part.strip():
            out.append(part.strip())
    return out


def _sentence_evidence(end_use: EndUse, sentence: str) -> list[Evidence]:
    if not end_use.evidence:
        return []
    first = end_use.evidence[0]
    return [Evidence(page=first.page, bbox=first.bbox, text=sentence, source=first.source)]


def _affirmed(patterns: list[str], sentence: str) -> bool:
    """A cue that is not negated before it in the same sentence."""
    text = fold(sentence)
    m = _any(patterns, text)
    return m is not None and not re.search(NEGATION, text[: m.start()])


def _flag(rule: str, message: str, explanation: str, evidence: list[Evidence], **extra) -> Warning:
    return finding(
        RED_FLAG, f"{message} {explanation}", evidence, rule=rule, explanation=explanation, **extra
    )


def _is_dual_use(item: Item) -> bool:
    code = normalise_code(item.declared_classification) or ""
    if re.match(r"^\d[A-E]\d{3}", code):
        return True
    top = item.suggestions[0] if item.suggestions else None
    return bool(top and top.catalogue in DUAL_USE_CATALOGUES and top.code != "NOT_LISTED")


def _listed_status(item: Item) -> str | None:
    """ "military" or "dual_use" from the declared code, else a confident suggestion; None if
    the item is not listed or nothing says."""
    code = normalise_code(item.declared_classification)
    if code:
        status = control_status(None, code)
    elif item.suggestions and item.suggestions[0].confidence >= 0.5:
        top = item.suggestions[0]
        status = control_status(top.catalogue, top.code)
    else:
        return None
    return None if status == "not_listed" else status


def _sentence_flags(
    result: ApplicationResult,
    hit: Callable[[str], bool],
    rule: str,
    message: str,
    explanation: str,
) -> list[Warning]:
    """One flag per end-use sentence for which ``hit`` is true; ``message`` quotes it."""
    return [
        _flag(rule, message.format(sentence=s), explanation, _sentence_evidence(eu, s))
        for eu in result.end_use
        for s in sentences(eu.statement)
        if hit(s)
    ]


def wmd_flags(result: ApplicationResult) -> list[Warning]:
    return _sentence_flags(
        result,
        lambda s: _affirmed(WMD, s),
        "wmd_wording",
        'End-use statement mentions weapons of mass destruction or their delivery: "{sentence}".',
        "WMD-related end use is a catch-all ground for refusal; ask what the goods are for "
        "and check the end user.",
    )


def military_flags(result: ApplicationResult) -> list[Warning]:
    dual = [i for i in result.items if _is_dual_use(i)]
    if not dual:
        return []
    items = ", ".join(str(i.index) for i in dual)
    why = (
        f"Items {items} look dual-use; a military end use or end user needs a military "
        "end-use check (EU 2021/821 Art. 4) and may need a licence as a military export."
    )
    found = _sentence_flags(
        result,
        lambda s: _affirmed(MILITARY, s),
        "military_end_use",
        'Military end use stated: "{sentence}".',
        why,
    )
    for party in result.parties:
        if party.role == "end_user" and _affirmed(MILITARY, party.name):
            found.append(
                _flag(
                    "military_end_use",
                    f"The end user '{party.name}' is military.",
                    why,
                    party.evidence[:1],
                )
            )
    return found


def vague_flags(result: ApplicationResult) -> list[Warning]:
    if not result.end_use:
        if not result.items:
            return []
        return [
            _flag(
                "missing_end_use",
                "No end-use statement was found.",
                "Without a stated end use the application cannot be assessed; ask the "
                "applicant for an end-use certificate.",
                [],
            )
        ]
    return _sentence_flags(
        result,
        lambda s: _affirmed(VAGUE_PATTERNS, s),
        "vague_end_use",
        'Vague end use: "{sentence}".',
        "A vague end use ('various projects', 'general use') hides what the goods are for; "
        "ask for the specific use.",
    )


def assurance_flags(result: ApplicationResult) -> list[Warning]:
    if not result.end_use:
        return []
    found = []
    flags = {f for eu in result.end_use for f in eu.flags}
    evidence = result.end_use[0].evidence[:1]
    for name, what in (
        ("no_reexport_assurance", "no re-export without authorisation"),
        ("no_wmd_assurance", "no use in weapons of mass destruction"),
    ):
        if name not in flags:
            found.append(
                _flag(
                    f"missing_{name}",
                    f"No end-use statement gives the assurance of {what}.",
                    "End-user certificates are expected to carry this undertaking; "
                    "ask for a certificate that does.",
                    evidence,
                )
            )
    return found


def trading_end_user_flags(result: ApplicationResult) -> list[Warning]:
    found = []
    for party in result.parties:
        if party.role == "end_user" and _any(TRADING, fold(party.name)):
            found.append(
                _flag(
                    "end_user_trading_or_forwarder",
                    f"The end user '{party.name}' looks like a trading company or "
                    "freight forwarder.",
                    "Traders and forwarders do not use goods "
                    "themselves; the real end user is unknown. Ask who will use them.",
                    party.evidence[:1],
                    party=party.name,
                )
            )
    return found


@lru_cache(maxsize=1)
def embargo_table() -> dict:
    return json.loads(EMBARGO_FILE.read_text())


def embargo_flags(result: ApplicationResult) -> list[Warning]:
    table = embargo_table()
    by_country = {e["country"]: e for e in table["embargoes"]}
    found = []
    seen: set[str] = set()
    for party in result.parties:
        if party.role == "applicant" or not party.country:
            continue
        code = resolve_country(party.country) or party.country
        entry = by_country.get(code)
        if entry is None or code in seen:
            continue
        seen.add(code)
        found.append(
            _flag(
                "arms_embargo",
                f"Destination {entry['name']} ({party.role.replace('_', ' ')} "
                f"'{party.name}') is under an arms embargo ({'/'.join(entry['regimes'])}, scope "
                f"{entry['scope'].replace('_', ' ')}; table as of {table['as_of']}).",
                "Military items are prohibited and dual-use items need particular care; check the "
                "embargo's current terms.",
                party.evidence[:1],
                country=code,
                scope=entry["scope"],
                regimes=entry["regimes"],
                table_as_of=table["as_of"],
            )
        )
    return found


def control_status(catalogue: str | None, code: str) -> str:
    """ "military", "dual_use" or "not_listed", from a code's shape or its catalogue."""
    code = code.upper().replace(" ", "")
    if code in NOT_LISTED:
        return "not_listed"
    if catalogue in ("eu-military", "us-usml") or re.match(r"^(ML\d|[IVX]+(\(|$))", code):
        return "military"
    if re.match(r"^\d[A-E]\d{3}", code):
        # the 600 and 515 series of the CCL hold military items moved from the USML
        return "military" if code[2] == "6" or code[2:5] == "515" else "dual_use"
    return "dual_use"


def _codes_agree(declared: str, suggested: str) -> bool:
    a, b = declared.upper().replace(" ", ""), suggested.upper().replace(" ", "")
    return a.startswith(b) or b.startswith(a)


def contradiction_flags(result: ApplicationResult) -> list[Warning]:
    """A declared code whose control status (military, dual-use, not listed) the confident
    suggestion contradicts, and that no suggestion supports."""
    found = []
    for item in result.items:
        declared = normalise_code(item.declared_classification)
        if not declared or not item.suggestions:
            continue
        top = item.suggestions[0]
        if top.confidence < CONTRADICTION_CONFIDENCE:
            continue
        if any(_codes_agree(declared, s.code) for s in item.suggestions):
            continue
        said, suggested = control_status(None, declared), control_status(top.catalogue, top.code)
        if said == suggested:
            continue  # another entry of the same kind: a question of detail, not a contradiction
        found.append(
            _flag(
                "declared_code_contradicts_suggestion",
                f"Item {item.index}: declared {declared} ({said.replace('_', ' ')}), but the "
                f"suggestion is {top.code} ({top.catalogue}, {suggested.replace('_', ' ')}, "
                f"confidence {top.confidence:.2f}).",
                "A declared status the classification does not support may be an error or an "
                "under-classification; check the item's specifications.",
                item.evidence[:1],
                item=item.index,
                declared=declared,
                suggested=top.code,
            )
        )
    return found


def quantity_flags(result: ApplicationResult) -> list[Warning]:
    """Experimental: large quantities of listed items for a trial or evaluation end use."""
    testing = [
        (eu, s) for eu in result.end_use for s in sentences(eu.statement) if _any(TESTING, fold(s))
    ]
    if not testing:
        return []
    eu, sentence = testing[0]
    found = []
    for item in result.items:
        status = _listed_status(item)
        if status is None or not item.quantity or item.quantity <= TEST_QUANTITY_LIMIT[status]:
            continue
        found.append(
            _flag(
                "implausible_quantity",
                f"Item {item.index}: {item.quantity:g} {item.unit or 'units'} of a "
                f"{status.replace('_', '-')} listed item for a trial or evaluation use "
                f'("{sentence}").',
                "(Experimental.) A trial, evaluation or demonstration rarely needs this many "
                f"listed items (more than {TEST_QUANTITY_LIMIT[status]}); ask why.",
                [*item.evidence[:1], *_sentence_evidence(eu, sentence)],
                item=item.index,
                experimental=True,
            )
        )
    return found


CHECKS = (
    wmd_flags,
    military_flags,
    vague_flags,
    assurance_flags,
    trading_end_user_flags,
    embargo_flags,
    contradiction_flags,
    quantity_flags,
)


def red_flags(result: ApplicationResult) -> list[Warning]:
    return [w for check in CHECKS for w in check(result)]
