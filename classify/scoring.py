"""Pure scoring: descriptions in, candidates with raw ranker scores out (no probabilities)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from exportdesk.classify.artefact import Artefact
from exportdesk.classify.catalogue import JURISDICTIONS
from exportdesk.classify.embed import Embedder
from exportdesk.classify.features import Candidates, candidate_sets


@dataclass
class Scored:
    """One description's candidates in one jurisdiction, with the ranker's logits."""

    jurisdiction: str
    catalogues: list[str]
    candidates: Candidates
    logits: np.ndarray
    query_vector: np.ndarray | None = None


def split_by_jurisdiction(catalogues: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for j, cats in JURISDICTIONS.items():
        chosen = [c for c in cats if c in catalogues]
        if chosen:
            out[j] = chosen
    return out


def score(
    artefact: Artefact,
    embedder: Embedder,
    texts: list[str],
    catalogues: list[str],
    q_emb: np.ndarray | None = None,
    exclude_groups: list[int] | None = None,
    hide_labels: dict[str, list[int]] | None = None,
) -> list[list[Scored]]:
    """For each text, one ``Scored`` per jurisdiction that the catalogues touch."""
    if q_emb is None:
        q_emb = embedder.encode(texts)
    q_tfidf = artefact.vectorizer.transform(texts)
    out: list[list[Scored]] = [[] for _ in texts]
    for j, cats in split_by_jurisdiction(catalogues).items():
        sets = candidate_sets(
            artefact.index,
            texts,
            q_emb,
            q_tfidf,
            j,
            cats,
            exclude_groups=exclude_groups,
            hide_labels=hide_labels.get(j) if hide_labels else None,
        )
        for i, cand in enumerate(sets):
            logits = (
                artefact.ranker.logits(cand.X)
                if artefact.ranker is not None
                else np.zeros(len(cand.entries))
            )
            out[i].append(Scored(j, cats, cand, logits, q_emb[i]))
    return out
