"""Candidate retrieval and ranking features: pure functions of a query batch and the index."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from exportdesk.classify.cues import (
    civil_cue,
    military_cue,
    software_cue,
    technology_cue,
    threshold_match,
    units_in,
)
from exportdesk.classify.lexical import CsrLike, TermColumns, similarity

ENTRY_FEATURES = [
    "tfidf",
    "emb_rows",
    "emb_title",
    "ex_max",
    "has_ex",
    "knn_vote",
    "log_rank_emb",
    "log_rank_tfidf",
    "is_mil",
    "mil_x_milcue",
    "mil_x_civcue",
    "civ_x_milcue",
    "unit_match",
    "stub",
    "s600_x_milcue",
    "s9xx",
    "s9xx_x_civcue",
    "s5xx",
    "rel_emb",
    "rel_tfidf",
    "rel_ex",
    "sw_x_D",
    "sw_x_notD",
    "tech_x_E",
    "threshold",
]
NL_FEATURES = [
    "nl_bias",
    "nl_ex_max",
    "nl_knn_vote",
    "nl_best_emb",
    "nl_best_tfidf",
    "nl_civcue",
    "nl_milcue",
    "nl_best_ex",
]
FEATURES = ENTRY_FEATURES + NL_FEATURES
NL_INDEX = -1  # candidate "entry index" used for NOT_LISTED

# Label codes in the exemplar bank: an entry index, or one of these.
LABEL_NOT_LISTED = -1
LABEL_UNKNOWN = -2


@dataclass
class IndexArrays:
    """Everything retrieval needs, as arrays (see ``artefact.py`` for how it is stored)."""

    entry_catalogue: np.ndarray  # (E,) str
    entry_code: np.ndarray  # (E,) str
    entry_flags: np.ndarray  # (E, 5) int8: military, stub, series600, series9xx, series5xx
    entry_units: list[set[str]]
    entry_tfidf: CsrLike  # (E, V), rows L2-normalised
    title_emb: np.ndarray  # (E, D)
    row_emb: np.ndarray  # (R, D)
    row_entry: np.ndarray  # (R,) entry index of each row, non-decreasing
    ex_emb: np.ndarray  # (X, D)
    ex_label: dict[str, np.ndarray]  # jurisdiction -> (X,) entry index / -1 / -2
    ex_group: np.ndarray  # (X,) str, used only to leave a query's own group out in training

    @cached_property
    def tfidf_columns(self) -> TermColumns:
        """``entry_tfidf`` by term, for `lexical.similarity` (built on first use)."""
        return TermColumns(self.entry_tfidf)


@dataclass
class Candidates:
    """One query's candidates in one jurisdiction: entry indices (NL_INDEX for NOT_LISTED),
    their feature rows, and the best-matching row of each entry (for the rationale)."""

    entries: np.ndarray
    X: np.ndarray
    best_row: np.ndarray
    emb_score: np.ndarray
    tfidf_score: np.ndarray


def _row_max(S: np.ndarray, row_entry: np.ndarray, n_entries: int) -> tuple[np.ndarray, np.ndarray]:
    """Per entry, the max over its rows and the arg-max row (rows are grouped by entry)."""
    starts = np.searchsorted(row_entry, np.arange(n_entries))
    best = np.maximum.reduceat(S, starts, axis=1)
    # Arg-max row: the first row in each group that attains the group max.
    hit = np.repeat(best, np.diff(np.append(starts, S.shape[1])), axis=1) <= S
    pos = np.where(hit, np.arange(S.shape[1])[None, :], S.shape[1])
    arg = np.minimum.reduceat(pos, starts, axis=1)
    return best, arg


def _exemplar_scores(
    S_ex: np.ndarray, labels: np.ndarray, n_entries: int, k: int = 10, tau: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """Per label (entries then NOT_LISTED last): max similarity to its exemplars, and a
    soft k-nearest-neighbour vote. Labels unknown for this jurisdiction are ignored."""
    n_q = S_ex.shape[0]
    ex_max = np.full((n_q, n_entries + 1), -1.0, dtype=np.float32)
    vote = np.zeros((n_q, n_entries + 1), dtype=np.float32)
    valid = labels >= LABEL_NOT_LISTED
    if not valid.any():
        return ex_max, vote
    cols = np.where(labels[valid] == LABEL_NOT_LISTED, n_entries, labels[valid])
    S = S_ex[:, valid]
    order = np.argsort(cols, kind="stable")
    sorted_cols = cols[order]
    uniq, starts = np.unique(sorted_cols, return_index=True)
    ex_max[:, uniq] = np.maximum.reduceat(S[:, order], starts, axis=1)
    kk = min(k, S.shape[1])
    top = np.argpartition(-S, kk - 1, axis=1)[:, :kk]
    top_s = np.take_along_axis(S, top, axis=1)
    w = np.exp((top_s - top_s.max(axis=1, keepdims=True)) / tau)
    w /= w.sum(axis=1, keepdims=True)
    for j in range(kk):
        np.add.at(vote, (np.arange(n_q), cols[top[:, j]]), w[:, j])
    return ex_max, vote


def familiarity(cand: Candidates) -> float:
    """How close the description is to any training exemplar (entry or NOT_LISTED)."""
    nl = cand.X[-1]
    return float(max(nl[FEATURES.index("nl_best_ex")], nl[FEATURES.index("nl_ex_max")]))


def _product_group(code: str) -> str:
    """``5D002`` -> ``D`` (software); ``E`` is technology. Military lists have none."""
    return code[1] if len(code) == 5 and code[0].isdigit() else ""


def candidate_sets(
    index: IndexArrays,
    texts: list[str],
    q_emb: np.ndarray,
    q_tfidf: CsrLike,
    jurisdiction: str,
    catalogues: list[str],
    exclude_groups: list[int] | None = None,
    hide_labels: list[int] | None = None,
    per_source: int = 25,
) -> list[Candidates]:
    """Retrieve candidates (lexical + embedding + exemplar neighbours) and build features."""
    n_e = len(index.entry_code)
    allowed = np.isin(index.entry_catalogue, catalogues)
    S_tfidf = similarity(q_tfidf, index.tfidf_columns).astype(np.float32)
    S_title = q_emb @ index.title_emb.T
    S_rows_all = q_emb @ index.row_emb.T
    S_rows, arg_rows = _row_max(S_rows_all, index.row_entry, n_e)
    S_ex = q_emb @ index.ex_emb.T
    if exclude_groups is not None:
        same = np.asarray(exclude_groups)[:, None] == index.ex_group[None, :]
        S_ex = np.where(same, -1.0, S_ex)
    labels = index.ex_label[jurisdiction].copy()
    if hide_labels is not None:
        # Training only: pretend the query's own entry has no exemplars at all, so the
        # ranker learns to find entries that no training row names, from their text.
        hidden = np.asarray(hide_labels)[:, None] == labels[None, :]
        hidden &= np.asarray(hide_labels)[:, None] >= 0
        S_ex = np.where(hidden, -1.0, S_ex)
    # Exemplars whose label lies outside the searched catalogues count as NOT_LISTED there.
    in_scope = np.zeros(n_e, dtype=bool)
    in_scope[allowed] = True
    outside = (labels >= 0) & ~in_scope[np.clip(labels, 0, None)]
    labels[outside] = LABEL_NOT_LISTED
    ex_max, vote = _exemplar_scores(S_ex, labels, n_e)

    masked_rows = np.where(allowed[None, :], S_rows, -np.inf)
    masked_tfidf = np.where(allowed[None, :], S_tfidf, -np.inf)
    masked_ex = np.where(allowed[None, :], ex_max[:, :n_e], -np.inf)
    rank_emb = np.argsort(np.argsort(-masked_rows, axis=1), axis=1)
    rank_tfidf = np.argsort(np.argsort(-masked_tfidf, axis=1), axis=1)
    flags = index.entry_flags
    out: list[Candidates] = []
    for q, text in enumerate(texts):
        pick = set(np.argsort(-masked_rows[q])[:per_source].tolist())
        pick |= set(np.argsort(-masked_tfidf[q])[:per_source].tolist())
        ex_top = np.argsort(-masked_ex[q])[:10]
        pick |= {int(e) for e in ex_top if masked_ex[q, e] > 0}
        ents = np.array(sorted(e for e in pick if allowed[e]), dtype=np.int64)
        mil, civ = np.log1p(military_cue(text)), np.log1p(civil_cue(text))
        sw, tech = float(software_cue(text) > 0), float(technology_cue(text) > 0)
        group = np.array([_product_group(index.entry_code[e]) for e in ents])
        thresh = np.array(
            [
                threshold_match(text, str(index.entry_catalogue[e]), str(index.entry_code[e]))[0]
                for e in ents
            ]
        )
        q_units = units_in(text)
        unit_match = np.array(
            [len(q_units & index.entry_units[e]) / len(q_units) if q_units else 0.0 for e in ents]
        )
        f = flags[ents].astype(np.float32)
        has_ex = (ex_max[q, ents] > -1).astype(np.float32)
        exm = np.where(has_ex > 0, ex_max[q, ents], 0.0)
        best_emb = masked_rows[q].max()
        best_tfidf = masked_tfidf[q].max()
        best_ex = max(float(masked_ex[q].max()), 0.0)
        X = np.zeros((len(ents) + 1, len(FEATURES)), dtype=np.float32)
        cols = np.column_stack(
            [
                S_tfidf[q, ents],
                S_rows[q, ents],
                S_title[q, ents],
                exm,
                has_ex,
                vote[q, ents],
                np.log1p(rank_emb[q, ents]),
                np.log1p(rank_tfidf[q, ents]),
                f[:, 0],
                f[:, 0] * mil,
                f[:, 0] * civ,
                (1 - f[:, 0]) * mil,
                unit_match,
                f[:, 1],
                f[:, 2] * mil,
                f[:, 3],
                f[:, 3] * civ,
                f[:, 4],
                S_rows[q, ents] - best_emb,
                S_tfidf[q, ents] - best_tfidf,
                exm - best_ex,
                sw * (group == "D"),
                sw * (group != "D"),
                tech * (group == "E"),
                thresh,
            ]
        )
        X[:-1, : len(ENTRY_FEATURES)] = cols
        nl_ex = ex_max[q, n_e]
        X[-1, len(ENTRY_FEATURES) :] = [
            1.0,
            nl_ex if nl_ex > -1 else 0.0,
            vote[q, n_e],
            best_emb,
            best_tfidf,
            civ,
            mil,
            best_ex,
        ]
        out.append(
            Candidates(
                entries=np.append(ents, NL_INDEX),
                X=X,
                best_row=np.append(arg_rows[q, ents], -1),
                emb_score=np.append(S_rows[q, ents], np.nan),
                tfidf_score=np.append(S_tfidf[q, ents], np.nan),
            )
        )
    return out
