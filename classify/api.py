"""suggest / suggest_many: calibrated, explained control-list suggestions for item descriptions."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from exportdesk.classify import artefact as art
from exportdesk.classify import prediction_sets, rationale
from exportdesk.classify.catalogue import (
    CATALOGUES,
    NOT_LISTED,
    ClassifyError,
    Entry,
    Row,
    editions,
    index_rows,
    jurisdiction_of,
    load_entries,
    primary_jurisdiction,
)
from exportdesk.classify.criteria import stated
from exportdesk.classify.embed import Embedder, default_embedder
from exportdesk.classify.features import NL_INDEX, familiarity
from exportdesk.classify.scoring import Scored, score
from exportdesk.classify.walk import EntryCheck, Walked, top_features, walk
from exportdesk.extract.model import Suggestion

_LOCK = threading.Lock()


def edition_label(catalogue: str) -> str:
    e = editions()[catalogue]
    return f"{e['edition']}, {e['date']}"


@dataclass
class Classifier:
    """A loaded model version with its embedder and the catalogue rows it quotes."""

    artefact: art.Artefact
    embedder: Embedder
    entries: tuple[Entry, ...]
    rows: list[Row]
    set_rule: prediction_sets.SetRule | None = None  # conformal sets, when fitted

    @property
    def version(self) -> str:
        return self.artefact.version

    def suggest_many(
        self, descriptions: list[str], catalogues: list[str] | None = None, top_k: int = 5
    ) -> list[list[Suggestion]]:
        cats = resolve_catalogues(catalogues)
        out: list[list[Suggestion]] = [[] for _ in descriptions]
        live = [i for i, d in enumerate(descriptions) if d and d.strip()]
        if not live or top_k <= 0:
            return out
        texts = [" ".join(descriptions[i].split()) for i in live]
        rule = self.set_rule
        for i, text, per_j in zip(live, texts, self.walk_many(texts, cats), strict=True):
            ranked = [
                (float(p), sc, e, walked)
                for sc, walked in per_j
                for e, p in zip(walked.entries, walked.probs, strict=True)
            ]
            ranked = primary_first(ranked, top_k)
            sets = {
                sc.jurisdiction: prediction_sets.PredictionSet.of(rule, sc.jurisdiction, w.probs)
                for sc, w in per_j
            }
            # Only the suggestions that make the final list get a rationale (the slow part).
            out[i] = [
                self._suggestion(text, sc, e, p, w).model_copy(
                    update=sets[sc.jurisdiction].fields(p)
                )
                for p, sc, e, w in ranked[:top_k]
            ]
        return out

    def walk_many(
        self, texts: list[str], catalogues: list[str], calibrate: bool = True
    ) -> list[list[tuple[Scored, Walked]]]:
        """Per text and jurisdiction: the scored candidates and the review walk over them.
        Calibration is applied here, after and apart from scoring; then each proposal is
        tested against its own criteria (walk.py); then the walk's own calibration."""
        out = []
        for text, per_j in zip(
            texts, score(self.artefact, self.embedder, texts, catalogues), strict=True
        ):
            st = stated(text)
            row = []
            for sc in per_j:
                probs = self.artefact.calibrator.probabilities(
                    sc.logits, familiarity(sc.candidates), sc.jurisdiction
                )
                walked = walk(
                    self.entries,
                    [int(e) for e in sc.candidates.entries],
                    probs,
                    lambda e, sc=sc: self.row_cos(sc, e),
                    st,
                )
                if calibrate and self.artefact.walk_calibrator is not None:
                    walked.probs = self.artefact.walk_calibrator.apply(
                        walked.probs,
                        top_features(walked, familiarity(sc.candidates)),
                        sc.jurisdiction,
                    )
                row.append((sc, walked))
            out.append(row)
        return out

    def row_cos(self, sc: Scored, entry: int) -> dict[str, float]:
        if sc.query_vector is None:
            return {}
        index = self.artefact.index
        lo, hi = np.searchsorted(index.row_entry, [entry, entry + 1])
        cos = index.row_emb[lo:hi] @ sc.query_vector
        return {self.rows[lo + j].code: float(c) for j, c in enumerate(cos)}

    def _suggestion(self, text: str, sc: Scored, e: int, prob: float, walked: Walked) -> Suggestion:
        cand = sc.candidates
        conf = float(np.clip(prob, 0.0, 1.0))
        if e == NL_INDEX:
            return self._not_listed(text, sc, conf, walked)
        entry = self.entries[e]
        hit = np.flatnonzero(cand.entries == e)
        fallback = int(cand.best_row[hit[0]]) if hit.size else self._first_row(e)
        row = self.rows[self._quote_row(text, sc, e, fallback)]
        chk = walked.checks.get(e)
        code = row.code if row.code != entry.code and not row.reserved else entry.code
        if chk is not None and chk.code.startswith(entry.code + "."):
            code = chk.code
            row = next(
                (r for r in entry.rows if code.startswith(r.code + ".") or r.code == code), row
            )
        edition = edition_label(entry.catalogue)
        why = rationale.for_entry(text, entry, row, edition)
        if chk is not None:
            fell = [(self.entries[f], walked.checks[f]) for f in walked.rejected_for.get(e, [])]
            why = rationale.with_check(why, chk, fell)
        why = rationale.with_open(why, code, self._opened(walked, e))
        return Suggestion(
            catalogue=entry.catalogue,
            code=code,
            title=entry.title,
            confidence=conf,
            rationale=why,
            model_version=self.version,
            catalogue_edition=edition,
        )

    def _opened(self, walked: Walked, e: int) -> list[tuple[Entry, EntryCheck]]:
        return [(self.entries[f], walked.checks[f]) for f in walked.left_open_for.get(e, [])]

    def _first_row(self, entry: int) -> int:
        lo = int(np.searchsorted(self.artefact.index.row_entry, entry))
        return lo

    def _quote_row(self, text: str, sc: Scored, entry: int, fallback: int) -> int:
        """The sub-paragraph to quote: closest in meaning, helped by shared words, and
        preferring the broader paragraph when two are about as close."""
        if sc.query_vector is None:
            return fallback
        index = self.artefact.index
        lo, hi = np.searchsorted(index.row_entry, [entry, entry + 1])
        if hi <= lo:
            return fallback
        cos = index.row_emb[lo:hi] @ sc.query_vector
        words = rationale.content_words(text)
        best, best_score = fallback, -np.inf
        for offset, c in enumerate(cos):
            row = self.rows[lo + offset]
            overlap = len(words & rationale.content_words(f"{row.title} {row.text}"))
            score = c + 0.05 * overlap / max(len(words), 1) - 0.02 * max(0, row.level - 2)
            if score > best_score:
                best, best_score = lo + offset, score
        return int(best)

    def _not_listed(self, text: str, sc: Scored, conf: float, walked: Walked) -> Suggestion:
        cand = sc.candidates
        real = np.flatnonzero(cand.entries != NL_INDEX)
        closest, sim = None, None
        if real.size:
            k = real[np.nanargmax(cand.emb_score[real])]
            closest, sim = self.entries[int(cand.entries[k])], float(cand.emb_score[k])
        eds = [edition_label(c) for c in sc.catalogues]
        home = sc.catalogues[0]
        title = (
            "EAR99 (not listed on the Commerce Control List)"
            if home == "us-ccl"
            else "Not listed in the searched catalogues"
        )
        why = rationale.for_not_listed(text, sc.catalogues, eds, closest, sim)
        fell = [(self.entries[f], walked.checks[f]) for f in walked.rejected_for.get(NL_INDEX, [])]
        if fell:
            why = rationale.with_rejections(why, fell, home == "us-ccl")
        where = "EAR99" if home == "us-ccl" else "NOT_LISTED"
        why = rationale.with_open(why, where, self._opened(walked, NL_INDEX))
        return Suggestion(
            catalogue=home,
            code=NOT_LISTED,
            title=title,
            confidence=conf,
            rationale=why,
            model_version=self.version,
            catalogue_edition="; ".join(eds),
        )


def primary_first(ranked: list, top_k: int) -> list:
    """Best first; with an authority set (``EXPORTDESK_AUTHORITY``), the primary
    jurisdiction's answers lead (at least three of them, or all when fewer) and the other
    jurisdiction's follow, so one item does not show the same entry four times in a row."""
    from exportdesk.extract.settings import get_settings

    ranked = sorted(ranked, key=lambda t: -t[0])
    primary = primary_jurisdiction(get_settings().authority)
    if primary is None:
        return ranked
    own = [t for t in ranked if t[1].jurisdiction == primary]
    other = [t for t in ranked if t[1].jurisdiction != primary]
    if not own or not other:
        return ranked
    keep = max(3, top_k - 2)
    return own[:keep] + other[: max(0, top_k - min(keep, len(own)))] + own[keep:]


def is_primary(suggestion: Suggestion) -> bool:
    """Whether a suggestion belongs to the office's primary catalogues (for the review
    screen: show these first, the others on request). True for all when no authority."""
    from exportdesk.extract.settings import get_settings

    primary = primary_jurisdiction(get_settings().authority)
    return primary is None or jurisdiction_of(suggestion.catalogue) == primary


def resolve_catalogues(catalogues: list[str] | None) -> list[str]:
    if not catalogues:
        from exportdesk.extract.settings import get_settings

        catalogues = list(get_settings().default_catalogues)
    unknown = [c for c in catalogues if c not in CATALOGUES]
    if unknown:
        raise ClassifyError(
            f"unknown catalogue(s) {', '.join(unknown)}; choose from {', '.join(CATALOGUES)}"
        )
    return list(dict.fromkeys(catalogues))


@lru_cache(maxsize=4)
def load_classifier(version: str | None = None, root: Path | None = None) -> Classifier:
    """Load (once per process) the active classifier version, or the one named."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from exportdesk.extract.settings import get_settings

    version = version or get_settings().classifier_version or art.active_version(root)
    folder = art.version_folder(version, root)
    artefact = art.load(folder)
    entries = load_entries()
    rows = [r for _, r in index_rows(entries)]
    if len(rows) != len(artefact.index.row_entry) or len(entries) != len(artefact.index.entry_code):
        raise art.ArtefactError(
            f"classifier {version} was trained on other catalogue files; "
            "retrain it (`python -m exportdesk.models.classification.train`)"
        )
    return Classifier(
        artefact=artefact,
        embedder=default_embedder(),
        entries=entries,
        rows=rows,
        set_rule=prediction_sets.rule_for(version, folder.parent),
    )


def suggest_many(
    descriptions: list[str], catalogues: list[str] | None = None, top_k: int = 5
) -> list[list[Suggestion]]:
    """Suggestions for many descriptions at once (batched embedding: much faster per item)."""
    with _LOCK:
        # Resolve the active version on every call (one small JSON read), so activating or
        # rolling back in the registry reaches a running app or worker without a restart.
        clf = load_classifier(_current_version())
    return clf.suggest_many(list(descriptions), catalogues, top_k)


def _current_version() -> str:
    from exportdesk.extract.settings import get_settings

    return get_settings().classifier_version or art.active_version()


def warm_up() -> None:
    """Load the active classifier and the catalogue criteria now; both stay for the process.

    A batch reader calls this while its first file is read in a child process, so the
    loading overlaps reading instead of following it.
    """
    from exportdesk.classify.criteria import list_acronyms, load_criteria
    from exportdesk.classify.quantities import unit_table

    with _LOCK:
        clf = load_classifier(_current_version())
    load_criteria()
    list_acronyms()
    unit_table()  # units of quantities in descriptions and criteria (pint, or its cache)
    clf.embedder.encode(["warm up"])  # lays out the weight matrices for BLAS once


def suggest(
    description: str, catalogues: list[str] | None = None, top_k: int = 5
) -> list[Suggestion]:
    """Best-first suggestions for one item description; ``NOT_LISTED`` competes with entries."""
    return suggest_many([description], catalogues, top_k)[0]
