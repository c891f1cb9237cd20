"""Restricted-party screening: a blocking index over the list and a name score that survives
transliteration, word order, legal forms, abbreviations and typos.

Scoring is pure (`ScreeningIndex.score_name`); the threshold that turns a score into a
hit is read afterwards from ``lists/screening_threshold.json``, written by the benchmark
from its development split (``models/risk/screening_bench.py``).
"""

from __future__ import annotations

import json
import logging
import marshal
import math
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz, process

from exportdesk.extract import derived
from exportdesk.risk.lists import COMMITTED_DIR, Edition, active_list
from exportdesk.risk.names import acronym, arabic_script, coarse_skeleton, name_tokens, skeleton
from exportdesk.risk.sdn import ListEntry

THRESHOLD_FILE = COMMITTED_DIR / "screening_threshold.json"
# A listed party in another country than the applicant says is still a hit, but weaker.
COUNTRY_MISMATCH_FACTOR = 0.9
# A key shared by more forms than this says little; it is used only when nothing rarer is.
COMMON_KEY_FORMS = 300
PREFILTER = 25
# The name index of a whole list takes about a second to build; it is kept in the cache
# folder under a key made of the list's hash and the source of the code that builds it.
_INDEX_CODE = ("names.py", "screening.py", "sdn.py")

log = logging.getLogger(__name__)


class Hit(BaseModel):
    """One list entry a name resembles, with the score and why."""

    model_config = ConfigDict(extra="forbid")

    query: str
    score: float
    matched_name: str
    entry: ListEntry
    country_mismatch: bool = False


class _Form(NamedTuple):
    entry: int
    text: str
    tokens: tuple[str, ...]
    joined: str
    skeletons: str


def _form(entry: int, text: str, tokens: tuple[str, ...]) -> _Form:
    return _Form(entry, text, tokens, " ".join(tokens), " ".join(skeleton(t) for t in tokens))


def _keys(tokens: tuple[str, ...]) -> set[str]:
    keys = set()
    for tok in tokens:
        if len(tok) < 2:
            continue
        keys.add("t:" + tok)
        sk = skeleton(tok)
        if len(sk) >= 3:
            keys.add("s:" + sk)
        if len(tok) >= 5:
            keys.add("p:" + tok[:4])
            keys.add("x:" + tok[-4:])
    return keys


def _subsequence(short: str, long_: str) -> bool:
    letters = iter(long_)
    return all(ch in letters for ch in short)


def token_similarity(a: str, b: str, coarse: bool = False) -> float:
    """How alike two name words are, allowing typos, other transliterations and initials.

    ``coarse`` compares skeletons folded for a name read from Arabic script.
    """
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:
        return 0.8 if a[0] == b[0] else 0.0
    sim = fuzz.ratio(a, b) / 100
    fold = coarse_skeleton if coarse else skeleton
    ska, skb = fold(a), fold(b)
    if ska == skb and (len(ska) >= 2 or max(len(a), len(b)) <= 3):
        sim = max(sim, 0.92)
    elif min(len(ska), len(skb)) >= 3:
        sim = max(sim, 0.9 * fuzz.ratio(ska, skb) / 100)
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 3 and short[0] == long_[0] and _subsequence(short, long_):
        sim = max(sim, 0.85)  # an abbreviation: "Intl", "Ind", "Mfg", "Mohd"
    return sim


class ScreeningIndex:
    """Every name and alias of a list, indexed by word, skeleton, prefix and suffix."""

    def __init__(
        self,
        entries: tuple[ListEntry, ...] | list[ListEntry],
        edition: Edition | None = None,
        state: tuple | None = None,
    ):
        self.entries = tuple(entries)
        self.edition = edition
        if state is not None:  # from `state()` of an index over the same entries
            forms, blocks, self._idf, self._max_idf = state
            self.forms = [_Form(*f) for f in forms]
            self.blocks: dict[str, list[int]] = defaultdict(list, blocks)
            return
        self.forms = []
        for n, entry in enumerate(self.entries):
            seen: set[tuple[str, ...]] = set()
            for text in (entry.name, *entry.aliases):
                tokens = name_tokens(text)
                if not tokens or len("".join(tokens)) < 3 or tokens in seen:
                    continue  # aliases like "AB" would match everything
                seen.add(tokens)
                self.forms.append(_form(n, text, tokens))
                short = acronym(tokens) if entry.kind != "individual" else None
                if short and (short,) not in seen:
                    seen.add((short,))
                    self.forms.append(_form(n, f"{short.upper()} (initials of {text})", (short,)))
        self.blocks = defaultdict(list)
        df: Counter[str] = Counter()
        for i, form in enumerate(self.forms):
            for key in _keys(form.tokens):
                self.blocks[key].append(i)
            for key in {"c:" + coarse_skeleton(t) for t in form.tokens}:
                if len(key) >= 5:
                    self.blocks[key].append(i)
            df.update(set(form.tokens))
        total = len(self.forms) or 1
        self._idf = {tok: math.log((1 + total) / (1 + count)) + 1 for tok, count in df.items()}
        self._max_idf = math.log(1 + total) + 1

    def state(self) -> tuple:
        """The built index as plain tuples, lists and dicts (what `marshal` can store)."""
        forms = [tuple(f) for f in self.forms]
        return forms, dict(self.blocks), self._idf, self._max_idf

    def weight(self, token: str) -> float:
        if len(token) == 1:
            return 1.0  # an initial or a stray letter says little about who it is
        return self._idf.get(token, self._max_idf)

    def candidates(self, tokens: tuple[str, ...], coarse: bool = False) -> list[int]:
        keys = _keys(tokens)
        if coarse:
            keys |= {"c:" + coarse_skeleton(t) for t in tokens if len(coarse_skeleton(t)) >= 3}
        rare = [k for k in keys if len(self.blocks.get(k, ())) <= COMMON_KEY_FORMS]
        found: set[int] = set()
        for key in rare or keys:
            found.update(self.blocks.get(key, ()))
        if len(found) <= 2 * PREFILTER:
            return sorted(found)
        ids = sorted(found)
        joined, skel = " ".join(tokens), " ".join(skeleton(t) for t in tokens)
        keep: set[int] = set()
        for choices, query in (
            ([self.forms[i].joined for i in ids], joined),
            ([self.forms[i].skeletons for i in ids], skel),
        ):
            for _, _, pos in process.extract(
                query, choices, scorer=fuzz.token_sort_ratio, limit=PREFILTER
            ):
                keep.add(ids[pos])
        return sorted(keep)

    def score_tokens(
        self, query: tuple[str, ...], form: _Form, individual: bool, coarse: bool = False
    ) -> float:
        """Weighted agreement of the two names' words, in either order (0-1)."""
        pairs = sorted(
            (
                (token_similarity(q, f, coarse), i, j)
                for i, q in enumerate(query)
                for j, f in enumerate(form.tokens)
            ),
            reverse=True,
        )
        used_q: set[int] = set()
        used_f: set[int] = set()
        matched_q = matched_f = 0.0
        for sim, i, j in pairs:
            if i in used_q or j in used_f or sim < 0.5:
                continue
            used_q.add(i)
            used_f.add(j)
            # A middling resemblance ("Zuleta"/"Zolotov") is weak evidence: it counts less
            # than in proportion, while near-identical words count in full.
            sim = sim if sim >= 0.88 else sim * (sim / 0.88) ** 3
            matched_q += sim * self.weight(query[i])
            matched_f += sim * self.weight(form.tokens[j])
        weight_q = sum(self.weight(t) for t in query)
        # A person is often written without middle names or patronymic: their absence
        # from the query costs less than an extra word would.
        missing = [self.weight(t) for j, t in enumerate(form.tokens) if j not in used_f]
        weight_f = sum(self.weight(t) for j, t in enumerate(form.tokens) if j in used_f)
        weight_f += sum(missing) * (0.35 if individual and len(used_f) >= 2 else 1.0)
        if not matched_q or not weight_q or not weight_f:
            return 0.0
        precision, recall = matched_q / weight_q, matched_f / weight_f
        return 2 * precision * recall / (precision + recall)

    def score_name(self, name: str, country: str | None = None, limit: int = 5) -> list[Hit]:
        """The best-scoring entries for one name (pure: no threshold applied)."""
        tokens = name_tokens(name)
        if not tokens:
            return []
        coarse = arabic_script(name)
        best: dict[int, Hit] = {}
        for i in self.candidates(tokens, coarse):
            form = self.forms[i]
            entry = self.entries[form.entry]
            score = self.score_tokens(tokens, form, entry.kind == "individual", coarse)
            mismatch = bool(country and entry.countries and country not in entry.countries)
            if mismatch:
                score *= COUNTRY_MISMATCH_FACTOR
            if form.entry not in best or score > best[form.entry].score:
                best[form.entry] = Hit(
                    query=name,
                    score=round(score, 4),
                    matched_name=form.text,
                    entry=entry,
                    country_mismatch=mismatch,
                )
        return sorted(best.values(), key=lambda h: -h.score)[:limit]


def threshold() -> float:
    """The score from which a resemblance is reported, as chosen on the development split."""
    return float(json.loads(THRESHOLD_FILE.read_text())["threshold"])


def _cache_file(edition: Edition) -> Path | None:
    """Where the index of this list edition, built by this code, is cached (None: no cache)."""
    here = Path(__file__).resolve().parent
    return derived.cache_file(
        "screening-index", ".marshal", [here / n for n in _INDEX_CODE], [edition.sha256]
    )


def _cached_index(entries: tuple[ListEntry, ...], edition: Edition | None) -> ScreeningIndex:
    """The index from the cache when this list and code built it before, else built and kept.

    A cache that cannot be read or written is only slower: the index is then built here.
    """
    path = _cache_file(edition) if edition is not None else None
    data = derived.read(path) if path is not None else None
    if path is not None and data is not None:
        try:
            state = marshal.loads(data)
            if len(state) == 5 and state[0] == len(entries):
                return ScreeningIndex(entries, edition, state=state[1:])
        except (EOFError, ValueError, TypeError) as exc:
            log.info("screening index cache %s unusable (%s); rebuilding it", path, exc)
    index = ScreeningIndex(entries, edition)
    if path is not None:
        derived.write(path, marshal.dumps((len(entries), *index.state())))
    return index


@lru_cache(maxsize=2)
def _index_for(data_dir: Path | None) -> ScreeningIndex:
    edition, entries = active_list(data_dir)
    return _cached_index(entries, edition)


def screening_index(data_dir: Path | None = None) -> ScreeningIndex:
    return _index_for(data_dir)


def screen(
    name: str,
    country: str | None = None,
    data_dir: Path | None = None,
    min_score: float | None = None,
) -> list[Hit]:
    """Hits at or above the threshold for one party name, best first."""
    cut = threshold() if min_score is None else min_score
    return [h for h in screening_index(data_dir).score_name(name, country) if h.score >= cut]
