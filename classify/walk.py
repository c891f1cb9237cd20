"""The review walk: each proposed entry is tested against its own criteria, failures fall through.

Retrieval and the ranker propose entries; a classifier then reads each proposal's
sub-paragraphs against what the description states. An entry whose relevant
sub-paragraphs are all failed on a stated parameter is rejected (with the comparison
that failed), and its probability passes to where a classifier would go next: the
catch-all of the same product group (US ``x99x`` such as 3A991), or NOT_LISTED / EAR99.
An entry whose deciding parameter is not stated keeps its place but says what it needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from exportdesk.classify.catalogue import CATALOGUE_DIR, MILITARY, Entry, Row
from exportdesk.classify.criteria import (
    Clause,
    Stated,
    Verdict,
    about,
    evaluate,
    load_criteria,
)
from exportdesk.classify.cues import entry_kind, item_kind, military_cue, product_group_of
from exportdesk.classify.exclusions import note_exclusion
from exportdesk.classify.fallbacks import backed_by, takes_from

# Rows whose embedding similarity to the description is within this margin of the
# entry's best row are the ones a reader would weigh (the rest are about other things).
RELEVANCE_MARGIN = 0.06
# How much of a rejected entry's probability it keeps; the rest goes to its fallback.
REJECT_KEEP = 0.08
# An entry the walk leaves open (no stated value decides it) although the description does
# state parameters (at least OPEN_MIN_STATED of them) has not been shown to be controlled:
# the item may sit on either side of the deciding threshold. This share of its probability
# goes to where the item falls if it is not controlled (the x99x entry that names it, or
# NOT_LISTED / EAR99), so the answer is close to even and its confidence says so. Chosen on
# the other author's twins and our held-out set together (docs/benchmarks-classify.md);
# below one half, so an entry with no rival keeps first place.
OPEN_SHARE = 0.47
OPEN_MIN_STATED = 3


@dataclass
class EntryCheck:
    """The verdict on one entry: met (with the deepest met sub-paragraph), failed, or open."""

    status: bool | None
    code: str
    met: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    above_ceiling: bool = False  # rejected only for being above the entry's upper limits
    instead: int | None = None  # the entry a reader turns to instead (another kind of item)


def _tree(row: Row) -> Clause | None:
    return load_criteria().get((row.catalogue, row.code))


def check_entry(entry: Entry, row_cos: dict[str, float], st: Stated) -> EntryCheck:
    """Test the entry's relevant sub-paragraphs. ``row_cos``: row code -> similarity."""
    rows = [r for r in entry.rows if not r.reserved]
    subs = [r for r in rows if r.level > 1] or rows
    if not subs:
        return EntryCheck(None, entry.code)
    best = max(row_cos.get(r.code, -1.0) for r in subs)
    relevant = [r for r in subs if row_cos.get(r.code, -1.0) >= best - RELEVANCE_MARGIN]
    verdicts: list[tuple[Row, Verdict]] = []
    relevant.sort(key=lambda r: -row_cos.get(r.code, -1.0))
    for r in relevant:
        tree = _tree(r)
        if tree is not None:
            verdicts.append((r, evaluate(tree, st)))
    if verdicts and verdicts[0][1].status is not None and len(verdicts) > 1:
        # The closest sub-paragraph decides when it can: a reader weighs the one that
        # describes the item ("CW lasers"), not a neighbour about another kind ("tunable").
        verdicts = verdicts[:1]
    met = [(r, v) for r, v in verdicts if v.status is True]
    if met:
        r, v = max(met, key=lambda rv: row_cos.get(rv[0].code, -1.0))
        return EntryCheck(True, v.path, met=v.met[:3])
    decided = [(r, v) for r, v in verdicts if v.status is False]
    # As inside a row (criteria.evaluate): an undecided sub-paragraph keeps the entry open
    # only if some of its values were tested or it is about the described item.
    open_ = [
        (r, v)
        for r, v in verdicts
        if v.status is None and (v.evaluated or about(_tree(r), st) or not decided)
    ]
    if decided and not open_:
        r, v = max(decided, key=lambda rv: row_cos.get(rv[0].code, -1.0))
        return EntryCheck(
            False,
            r.code,
            failed=_unique(v.failed)[:2],
            above_ceiling=all(v.above_ceiling for _, v in decided),
        )
    needs = [n for _, v in open_ for n in v.needs]
    code = open_[0][0].code if open_ else relevant[0].code
    return EntryCheck(None, code, needs=_unique(needs)[:2])


def _note_trees(entry: Entry) -> list[Clause]:
    """The entry's clause trees when one of them carries an exclusion note, else none."""
    key = (entry.catalogue, entry.code)
    if key not in _NOTE_TREES:
        trees = [t for r in entry.rows if not r.reserved and (t := _tree(r)) is not None]
        noted = any(n.excludes for t in trees for n in t.walk())
        _NOTE_TREES[key] = trees if noted else []
    return _NOTE_TREES[key]


_NOTE_TREES: dict[tuple[str, str], list[Clause]] = {}


def excluded_by_note(entry: Entry, st: Stated) -> EntryCheck | None:
    """The entry rejected when one of its notes excludes the described item ("does not
    control body armour designed to provide protection only from knife, spike ...")."""
    trees = _note_trees(entry)
    note = note_exclusion(trees, st) if trees else None
    if note is None:
        return None
    return EntryCheck(False, entry.code, failed=[f"Excluded by Note: “{note}”"])


_MASS_MARKET = re.compile(
    r"\b(?:mass[- ]market\w*|retail\w*|consumer|app stores?|online stores?|general public|"
    r"over the counter)\b",
    re.I,
)
_DENIED = re.compile(r"\b(?:not|non|never|no)\b[\w\s-]{0,20}$", re.I)


def mass_market_cue(text: str) -> str | None:
    """The words that say an item is sold to the public ("through retail stores")."""
    for m in _MASS_MARKET.finditer(text):
        if not _DENIED.search(text[max(0, m.start() - 25) : m.start()]):
            return m.group(0)
    return None


_NOTE_CODES = re.compile(
    r"Cryptography Note\s+((?:\d[A-E]\d{3}[\w.]*,?\s*(?:and\s+)?)+)do not apply"
)


@lru_cache(maxsize=1)
def released_by_note() -> frozenset[str]:
    """The entries the list's Cryptography Note (Note 3 to Category 5 Part 2) releases
    for items generally available to the public, read from the committed list text. The
    EAR carries the same note, so the same entries are released in the US list."""
    # The note sits in the category's lead text, kept with the 2025 wording of the rows.
    with (CATALOGUE_DIR / "eu-dual-use.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            # the substring test first: the pattern alone takes 0.3 s over the whole file
            m = _NOTE_CODES.search(line) if "Cryptography Note" in line else None
            if m:
                return frozenset(re.findall(r"\d[A-E]\d{3}", m.group(1)))
    return frozenset()


def mass_market_release(entry: Entry, text: str) -> EntryCheck | None:
    """The lists release mass-market items from the entries that say so (the Cryptography
    Note of 5A002/5D002); a catch-all that takes mass-market items (US 5A992.c) is not
    released by it."""
    if entry.catalogue not in ("eu-dual-use", "us-ccl") or entry.code not in released_by_note():
        return None
    cue = mass_market_cue(text)
    if cue is None:
        return None
    return EntryCheck(
        False,
        entry.code,
        failed=[
            f'{entry.code} releases "mass market" items (Cryptography Note); '
            f"the description states “{cue}”"
        ],
    )


def _munitions_kind(entry: Entry) -> str | None:
    """The kind of item a munitions entry is about (ML1 weapons, ML3 ammunition; USML I, III;
    the US 0A50x entries); None for other entries."""
    munitions = entry.catalogue in MILITARY or (
        entry.catalogue == "us-ccl" and len(entry.code) == 5 and entry.code[1:3] in ("A5", "A6")
    )
    return entry_kind(entry.title) if munitions else None


def other_kind(
    entries: tuple[Entry, ...], cand: list[int], p: np.ndarray, e: int, text: str
) -> EntryCheck | None:
    """Military first, by the kind of item: "9 mm ammunition" meets ML1's calibre, but ML1
    is about weapons; when another proposed munitions entry is about the described kind
    (ML3 ammunition), a reader turns to it (the most probable of them; of the munitions list
    only for an item stated to be military). Only when such an entry was proposed."""
    kind = _munitions_kind(entries[e])
    item = item_kind(text) if kind else None
    if item is None or item[0] == kind:
        return None
    match = [
        i
        for i, c in enumerate(cand)
        if c >= 0 and c != e and _munitions_kind(entries[c]) == item[0]
    ]
    if not match:
        return None
    # Stated to be military, the munitions list's entry; otherwise the US 0A50x entry first.
    mil = military_cue(text) > 0
    return EntryCheck(
        False,
        entries[e].code,
        failed=[
            f"{entries[e].code} is about {kind}s; the description is of {item[0]} (“{item[1]}”)"
        ],
        instead=cand[
            max(match, key=lambda i: ((entries[cand[i]].catalogue in MILITARY) == mil, p[i]))
        ],
    )


def _software_or_technology(
    entries: tuple[Entry, ...],
    cand: list[int],
    p: np.ndarray,
    e: int,
    st: Stated,
    checks: dict[int, EntryCheck],
    row_cos_of,
) -> EntryCheck | None:
    """The description is of software or technology ("Software licence for a CNC kernel",
    "Technology transfer package: ..."): an entry for the items themselves (product group
    A, B or C) gives way to the software (D) or technology (E) entry of its category that
    the item does not fail: the most probable proposed one, else the entry of the same
    number (3A001 -> 3E001, technology for the items 3A001 controls)."""
    ent = entries[e]
    if _group(ent) not in ("A", "B", "C"):
        return None
    group = product_group_of(st.text)
    if group is None:
        return None
    same = [
        i
        for i, c in enumerate(cand)
        if c >= 0
        and entries[c].catalogue == ent.catalogue
        and entries[c].code[0] == ent.code[0]
        and _group(entries[c]) == group
    ]
    targets = [cand[i] for i in sorted(same, key=lambda i: -p[i])]
    mirror = _entry_index(entries, ent.catalogue, ent.code[0] + group + ent.code[2:])
    if mirror is not None and mirror not in targets:
        targets.append(mirror)
    for c in targets:
        cc = checks.get(c) or check_entry(entries[c], row_cos_of(c), st)
        checks[c] = cc
        if cc.status is False:
            continue
        what = "software" if group == "D" else "technology"
        return EntryCheck(
            False,
            ent.code,
            failed=[
                f"{ent.code} is about the items; the description is of {what} ({entries[c].code})"
            ],
            instead=c,
        )
    return None


def _group(entry: Entry) -> str:
    """The product group of a dual-use entry: A/B equipment, C materials, D software, E
    technology ("" for the munitions lists)."""
    dual = entry.catalogue in ("eu-dual-use", "us-ccl") and len(entry.code) == 5
    return entry.code[1] if dual and entry.code[0].isdigit() else ""


def _unique(xs: list[str]) -> list[str]:
    return list(dict.fromkeys(xs))


def catch_alls(entries: tuple[Entry, ...], failed: Entry) -> list[int]:
    """Where a reader looks when ``failed`` does not control the item: the entries the list
    says take what it leaves (``fallbacks.py``: "not controlled by 3A001", the 600-series
    entry of a munitions-list category), and the US ``x99x`` entries of its product group
    ("n.e.s." catch-alls that name no entry; not the x98x crime-control or x90x entries,
    which list items of their own)."""
    named = [_entry_index(entries, f.catch_all_catalogue, f.catch_all) for f in backed_by(failed)]
    out = [i for i in named if i is not None]
    if failed.catalogue == "us-ccl" and len(failed.code) == 5:
        group = failed.code[:2]
        out += [
            i
            for i, e in enumerate(entries)
            if e.catalogue == failed.catalogue
            and e.code.startswith(group)
            and e.code[2:4] == "99"
            and e is not failed
        ]
    return list(dict.fromkeys(out))


def names(entry: Entry, other: Entry) -> bool:
    """Whether the list says ``entry`` takes what ``other`` does not control."""
    return any(f.catch_all == entry.code for f in backed_by(other))


_INDEX: dict[int, dict[tuple[str, str], int]] = {}


def _entry_index(entries: tuple[Entry, ...], catalogue: str, code: str) -> int | None:
    if id(entries) not in _INDEX:
        _INDEX[id(entries)] = {(e.catalogue, e.code): i for i, e in enumerate(entries)}
    return _INDEX[id(entries)].get((catalogue, code))


# A catch-all must be at least this close in meaning to the description to take it.
CATCH_ALL_FLOOR = 0.35


@dataclass
class Walked:
    """Candidates after the walk: entry indices (-1 = NOT_LISTED), probabilities, checks."""

    entries: list[int]
    probs: np.ndarray
    checks: dict[int, EntryCheck]
    rejected_for: dict[int, list[int]]  # fallback entry -> entries whose mass it took
    # where an item goes if not controlled -> entries left open with stated parameters that
    # passed it part of their probability (OPEN_SHARE)
    left_open_for: dict[int, list[int]] = field(default_factory=dict)


def walk(
    entries: tuple[Entry, ...],
    cand_entries: list[int],
    probs: np.ndarray,
    row_cos_of,
    st: Stated,
    top_n: int = 8,
) -> Walked:
    """Apply the criteria to the ``top_n`` most probable candidates (see module doc).
    ``row_cos_of(entry_index)`` gives that entry's row similarities."""
    cand = list(cand_entries)
    p = np.asarray(probs, dtype=np.float64).copy()
    checks: dict[int, EntryCheck] = {}
    rejected_for: dict[int, list[int]] = {}
    reached: set[int] = set()  # catch-alls an item has already been sent to in this walk
    left_open_for: dict[int, list[int]] = {}
    order = np.argsort(-p)[:top_n]
    nl_pos = cand.index(-1) if -1 in cand else None
    for k in order:
        e = cand[k]
        if e < 0:
            continue
        chk = (
            mass_market_release(entries[e], st.text)
            or other_kind(entries, cand, p, e, st.text)
            or _software_or_technology(entries, cand, p, e, st, checks, row_cos_of)
            or excluded_by_note(entries[e], st)
            or check_entry(entries[e], row_cos_of(e), st)
        )
        checks[e] = chk
        pos: int | None
        if chk.status is None and _undecided_dual_use(entries[e], st):
            moved = p[k] * OPEN_SHARE
            p[k] -= moved
            cand, p, pos = _where_uncontrolled(entries, cand, p, e, nl_pos, row_cos_of)
            if pos is not None and cand[pos] >= 0:
                reached.add(cand[pos])
            if pos is not None:
                p[pos] += moved
                left_open_for.setdefault(cand[pos], []).append(e)
            continue
        if chk.status is not False:
            continue
        moved = p[k] * (1.0 - REJECT_KEEP)
        p[k] -= moved
        if chk.instead is not None:
            cand, p, pos = _place(cand, p, chk.instead)
            p[pos] += moved
            rejected_for.setdefault(chk.instead, []).append(e)
            continue
        if chk.above_ceiling and entries[e].catalogue in ("eu-dual-use", "us-ccl"):
            # Above a dual-use entry's upper limit ("equal to or less than level IIIA"), an
            # item is more than the dual-use list covers: a reader goes to the military
            # entries proposed for it (munitions list, US 600 series), not to NOT_LISTED.
            mil = _military_next(entries, cand, p, checks, row_cos_of, st)
            if mil is not None:
                p[mil] += moved
                rejected_for.setdefault(cand[mil], []).append(e)
                continue
        if entries[e].catalogue in MILITARY:
            cand, p, spread = _after_military(entries, cand, p, k, moved, checks, row_cos_of, st)
            for i in spread:
                rejected_for.setdefault(cand[i], []).append(e)
            continue
        target = _catch_all_for(entries, e, chk, checks, row_cos_of, st, reached)
        if target is not None:
            reached.add(target)
        cand, p, pos = _place(cand, p, target) if target is not None else (cand, p, nl_pos)
        if pos is None:
            continue
        p[pos] += moved
        rejected_for.setdefault(cand[pos], []).append(e)
    p /= p.sum()
    return Walked(cand, p, checks, rejected_for, left_open_for)


def _undecided_dual_use(entry: Entry, st: Stated) -> bool:
    """A dual-use entry (not a catch-all or 600-series entry) left open by a description
    that states parameters: whether the item is controlled is not established."""
    if entry.catalogue not in ("eu-dual-use", "us-ccl") or st.values_stated < OPEN_MIN_STATED:
        return False
    return not (entry.catalogue == "us-ccl" and len(entry.code) == 5 and entry.code[2] in "69")


def _where_uncontrolled(
    entries: tuple[Entry, ...],
    cand: list[int],
    p: np.ndarray,
    e: int,
    nl_pos: int | None,
    row_cos_of,
) -> tuple[list[int], np.ndarray, int | None]:
    """Where an item goes if ``entries[e]`` does not control it: of the catch-alls that name
    the entry ("not controlled by 3A001"), the one closest to the description; else
    NOT_LISTED / EAR99."""
    naming = [c for c in catch_alls(entries, entries[e]) if names(entries[c], entries[e])]
    if not naming:
        return cand, p, nl_pos
    c = max(naming, key=lambda c: max(row_cos_of(c).values(), default=-1.0))
    return _place(cand, p, c)


def _place(cand: list[int], p: np.ndarray, c: int) -> tuple[list[int], np.ndarray, int]:
    """The position of entry ``c`` among the candidates, adding it (at probability 0) when
    retrieval did not propose it."""
    if c not in cand:
        cand.append(c)
        p = np.append(p, 0.0)
    return cand, p, cand.index(c)


def _catch_all_for(
    entries: tuple[Entry, ...],
    e: int,
    chk: EntryCheck,
    checks: dict[int, EntryCheck],
    row_cos_of,
    st: Stated,
    reached: set[int] = frozenset(),  # type: ignore[assignment]
) -> int | None:
    """The catch-all a rejected ``entries[e]`` falls to: the closest in meaning (at least
    ``CATCH_ALL_FLOOR``, unless the walk already sent the item there from another entry of
    the product group) of those that take what it leaves, favouring the one the list names
    for it, whose own criteria the item does not fail and whose deciding values it does
    not leave unstated (a catch-all with thresholds of its own, such as 3A901's 4.5 K, is not
    shown to take an item that states none); None for NOT_LISTED / EAR99."""
    target, best = None, CATCH_ALL_FLOOR
    mass_market = bool(chk.failed) and "mass market" in chk.failed[0]
    for c in catch_alls(entries, entries[e]):
        cos = row_cos_of(c)
        closeness = max(cos.values(), default=-1.0)
        closeness += 0.05 if names(entries[c], entries[e]) else 0.0
        if mass_market and "mass market" in entries[c].head.text.lower():
            closeness += 0.1  # released as mass market: the catch-all that takes those
        if c in reached:
            closeness = max(closeness, CATCH_ALL_FLOOR)
        if closeness < best:
            continue
        cc = checks.get(c) or check_entry(entries[c], cos, st)
        checks[c] = cc
        if cc.status is False or (cc.status is None and cc.needs):
            continue  # failed, or it needs a value the description does not give
        target, best = c, closeness
    if target is not None:
        return _named_sibling(entries, e, target, best, checks, row_cos_of, st) or target
    return target


def _named_sibling(
    entries: tuple[Entry, ...],
    e: int,
    target: int,
    closeness: float,
    checks: dict[int, EntryCheck],
    row_cos_of,
    st: Stated,
) -> int | None:
    """A catch-all takes only what none of the entries it names controls ("not controlled by
    8A001 or 8A002"): before an item rejected by 8A001 falls to 8A992, a reader checks 8A002
    (when the walk has not weighed it yet). The named entry takes the item instead when the
    description reads more like it than like the catch-all or the rejected entry, and the
    item does not fail it."""
    # Closer than the catch-all and than the rejected entry itself: retrieval under-ranked it.
    closeness = max(closeness, max(row_cos_of(e).values(), default=-1.0))
    for f in takes_from(entries[target]):
        s = _entry_index(entries, f.catalogue, f.entry)
        if s is None or s == e or s in checks:
            continue  # already weighed in this walk
        cos = row_cos_of(s)
        if max(cos.values(), default=-1.0) <= closeness:
            continue
        cs = check_entry(entries[s], cos, st)
        checks[s] = cs
        if cs.status is not False:
            return s
    return None


def _after_military(
    entries: tuple[Entry, ...],
    cand: list[int],
    p: np.ndarray,
    k: int,
    moved: float,
    checks: dict[int, EntryCheck],
    row_cos_of,
    st: Stated,
) -> tuple[list[int], np.ndarray, list[int]]:
    """Where the probability of a rejected munitions-list entry goes, in the order of review
    (military first): an item stated to be of military design goes to the 600-series entry
    that takes what the category does not enumerate (US), when the item does not fail it;
    any other item is not a munitions-list item, and the review goes on with the remaining
    candidates (dual-use entries, catch-alls, NOT_LISTED) in proportion to their
    probabilities. Returns the positions that received some of it."""
    if military_cue(st.text):
        for f in backed_by(entries[cand[k]]):
            c = _entry_index(entries, f.catch_all_catalogue, f.catch_all)
            if c is None:
                continue
            cc = checks.get(c) or check_entry(entries[c], row_cos_of(c), st)
            checks[c] = cc
            if cc.status is False:
                continue
            cand, p, pos = _place(cand, p, c)
            p[pos] += moved
            return cand, p, [pos]
    rest = [
        i
        for i in range(len(cand))
        if i != k and p[i] > 0 and (cand[i] < 0 or entries[cand[i]].catalogue not in MILITARY)
    ]
    total = float(sum(p[i] for i in rest))
    if total <= 0:
        p[k] += moved  # nothing else was proposed: the entry keeps it
        return cand, p, []
    for i in rest:
        p[i] += moved * p[i] / total
    return cand, p, [i for i in rest if p[i] >= 0.05]


def _military_next(entries, cand, p, checks, row_cos_of, st) -> int | None:
    """The most probable military candidate whose own criteria the item does not fail."""
    order = sorted(range(len(cand)), key=lambda i: -p[i])
    for i in order:
        e = cand[i]
        if e < 0:
            continue
        ent = entries[e]
        if ent.catalogue not in MILITARY and not (
            ent.catalogue == "us-ccl" and len(ent.code) == 5 and ent.code[2] == "6"
        ):
            continue
        chk = checks.get(e) or check_entry(ent, row_cos_of(e), st)
        checks[e] = chk
        if chk.status is not False:
            return i
    return None


def top_features(w: Walked, familiarity: float) -> np.ndarray:
    """What the confidence of the top answer depends on after the walk (see
    ``calibration.WALK_FEATURES``): its probability, whether it is NOT_LISTED, whether its
    criteria were met or it needs a value not stated, whether a rejected entry fell to it,
    its lead over the second answer, and how close the description is to any training
    exemplar (text like the training data is answered more reliably)."""
    order = np.argsort(-w.probs)
    top = int(order[0])
    p1 = float(np.clip(w.probs[top], 1e-6, 1 - 1e-6))
    p2 = float(w.probs[order[1]]) if len(order) > 1 else 0.0
    e = w.entries[top]
    chk = w.checks.get(e)
    return np.array(
        [
            np.log(p1 / (1 - p1)),
            float(e < 0),
            float(chk is not None and chk.status is True),
            float(chk is not None and chk.status is None and bool(chk.needs)),
            float(bool(w.rejected_for.get(e))),
            p1 - p2,
            familiarity,
        ]
    )
