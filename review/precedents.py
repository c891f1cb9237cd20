"""Precedents: earlier confirmed decisions on the same model or a near-identical description."""

from __future__ import annotations

import re
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np
from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from exportdesk.classify.catalogue import CATALOGUES, editions, jurisdiction_of
from exportdesk.classify.cues import parameters
from exportdesk.classify.embed import Embedder
from exportdesk.extract.model import Item
from exportdesk.review import audit
from exportdesk.review.licensing_tables import PrecedentUse
from exportdesk.review.store import CaseStore, StoreError, latest_results
from exportdesk.review.tables import Application, Decision
from exportdesk.review.values import Value

Match = Literal["model", "description"]

# Words that introduce a part number rather than belong to it.
_PART_LABEL = re.compile(
    r"^\s*(?:model|type|part|p/?n|pn|ref(?:erence)?|art(?:icle)?|item)\s*"
    r"(?:no\.?|nr\.?|number|#)?\s*[:.#]?\s*",
    re.IGNORECASE,
)
_LEGAL_FORMS = re.compile(
    r"\b(?:gmbh|ag|kg|se|ab|as|asa|oy|oyj|bv|nv|sa|sas|sarl|spa|srl|sl|ltd|limited|plc|inc|"
    r"corp|corporation|co|llc|lda|ltda|sp\s*z\s*o\s*o|s\s*r\s*o|a\s*s)\b",
    re.IGNORECASE,
)
MIN_PART_CHARS = 3  # shorter "part numbers" (e.g. "A1") match too much by accident
MAKER_MIN_RATIO = 90.0


def normalise_part(text: str | None) -> str:
    """``P/N: tws-120/a`` -> ``TWS120A``: label, case, spaces and punctuation do not count."""
    if not text:
        return ""
    return re.sub(r"[^0-9A-Z]", "", _PART_LABEL.sub("", text).upper())


def normalise_maker(text: str | None) -> str:
    if not text:
        return ""
    words = re.sub(r"[^\w\s]", " ", text.casefold())
    return " ".join(_LEGAL_FORMS.sub(" ", words).split())


def same_maker(a: str | None, b: str | None) -> bool | None:
    """True or False when both name a manufacturer; None when either does not."""
    na, nb = normalise_maker(a), normalise_maker(b)
    if not na or not nb:
        return None
    return fuzz.token_set_ratio(na, nb) >= MAKER_MIN_RATIO


_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def parameter_key(text: str) -> tuple[tuple[str, float | None], ...]:
    """The numbers in a description, order-free: with their unit where the classifier's cues
    know it (``20 kW`` and ``20kW`` agree), bare otherwise (``99 %``, ``640x480``)."""
    found = parameters(text)
    rest = text
    for p in found:
        rest = rest.replace(p.text, " ", 1)
    bare = [("", float(n.replace(",", "."))) for n in _NUMBER.findall(rest)]
    return tuple(sorted([(p.unit, p.value) for p in found] + bare, key=repr))


class DecidedItem(Value):
    """A confirmed decision with the item it was about, as the item read after corrections."""

    decision_id: int
    application_id: int
    item_index: int
    catalogue: str
    code: str
    decided_by: str
    decided_at: datetime
    catalogue_edition: str | None
    description: str
    model: str | None
    manufacturer: str | None


@dataclass(frozen=True)
class Precedent:
    """One earlier decision offered for the current item, with why it matched and its flags."""

    decided: DecidedItem
    match: Match
    similarity: float
    same_parameters: bool
    same_maker: bool | None
    disagrees_with: str | None  # the current suggestion it contradicts, if any
    older_edition: str | None  # the current edition, if the precedent used another

    @property
    def takeable(self) -> bool:
        """Same model (and maker, where both are known) and the same parameters."""
        return self.match == "model" and self.same_parameters and self.same_maker is not False

    @property
    def label(self) -> str:
        return f"{self.decided.catalogue} {self.decided.code}"


def decided_items(store: CaseStore, exclude_application: int | None = None) -> list[DecidedItem]:
    """The current decisions of every confirmed application, with their items' facts."""
    with store.session() as s:
        confirmed = select(Application.id).where(Application.status == "confirmed")
        if exclude_application is not None:
            confirmed = confirmed.where(Application.id != exclude_application)
        decisions = list(
            s.execute(
                select(Decision).where(Decision.application_id.in_(confirmed)).order_by(Decision.id)
            ).scalars()
        )
        apps = {d.application_id for d in decisions}
        if not apps:
            return []
        results = latest_results(s, list(apps))
    # The newest decision per (application, item, jurisdiction) is the one that stands.
    current: dict[tuple[int, int, str], Decision] = {}
    for d in decisions:
        current[(d.application_id, d.item_index, jurisdiction_of(d.final_catalogue))] = d
    out = []
    for d in current.values():
        result = results.get(d.application_id)
        item = next((i for i in result.items if i.index == d.item_index), None) if result else None
        if item is None:
            continue
        out.append(
            DecidedItem.of(
                d,
                decision_id=d.id,
                catalogue=d.final_catalogue,
                code=d.final_code,
                description=item.description,
                model=item.model,
                manufacturer=item.manufacturer,
            )
        )
    return sorted(out, key=lambda x: x.decision_id)


class _VectorCache:
    """Description vectors per embedder and text, so each earlier item is embedded once."""

    def __init__(self, size: int = 50_000) -> None:
        self.size = size
        # Per embedder object: two embedders' vectors are never compared, and an embedder's
        # vectors go when it does (an id could be reused; a weak key cannot).
        self._data: weakref.WeakKeyDictionary[Any, OrderedDict[str, np.ndarray]] = (
            weakref.WeakKeyDictionary()
        )

    def vectors(self, embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
        known = self._data.setdefault(embedder, OrderedDict())
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            for text, vec in zip(missing, embedder.encode(missing), strict=True):
                known[text] = vec
            while len(known) > self.size:
                known.popitem(last=False)
        return np.stack([known[t] for t in texts]) if texts else np.zeros((0, 1))


_CACHE = _VectorCache()


def current_edition(catalogue: str) -> str | None:
    if catalogue not in CATALOGUES:
        return None
    e = editions()[catalogue]
    return f"{e['edition']}, {e['date']}"


def find_precedents(
    item: Item,
    pool: Sequence[DecidedItem],
    embedder: Embedder | None,
    min_similarity: float = 0.90,
    limit: int = 3,
    check_parameters: bool = True,
) -> list[Precedent]:
    """Earlier decisions for ``item``: same model first, then near-identical descriptions.

    Without an embedder only part numbers are compared. One precedent per decided code is
    kept (the closest, then the newest), so the list shows how the office decided, not how
    often.
    """
    part = normalise_part(item.model)
    params = parameter_key(item.description)
    found: list[Precedent] = []
    by_model: set[int] = set()
    if len(part) >= MIN_PART_CHARS:
        for d in pool:
            if normalise_part(d.model) != part:
                continue
            maker = same_maker(item.manufacturer, d.manufacturer)
            if maker is False:
                continue
            by_model.add(d.decision_id)
            found.append(_precedent(item, d, "model", 1.0, params, maker))
    others = [d for d in pool if d.decision_id not in by_model and d.description]
    if embedder is not None and others and item.description.strip():
        vecs = _CACHE.vectors(embedder, [item.description] + [d.description for d in others])
        sims = vecs[1:] @ vecs[0]
        for d, sim in zip(others, sims, strict=True):
            same = parameter_key(d.description) == params
            if sim >= min_similarity and (same or not check_parameters):
                maker = same_maker(item.manufacturer, d.manufacturer)
                found.append(_precedent(item, d, "description", float(sim), params, maker))
    found.sort(key=lambda p: (p.match != "model", -p.similarity, -p.decided.decided_at.timestamp()))
    best: dict[tuple[str, str], Precedent] = {}
    for p in found:
        best.setdefault((p.decided.catalogue, p.decided.code), p)
    return list(best.values())[:limit]


def _precedent(
    item: Item,
    d: DecidedItem,
    match: Match,
    similarity: float,
    params: tuple,
    maker: bool | None,
) -> Precedent:
    same_jurisdiction = [
        s for s in item.suggestions if jurisdiction_of(s.catalogue) == jurisdiction_of(d.catalogue)
    ]
    top = (same_jurisdiction or item.suggestions or [None])[0]
    disagrees = None
    if top is not None and (top.catalogue, top.code) != (d.catalogue, d.code):
        disagrees = f"{top.catalogue} {top.code}"
    now = current_edition(d.catalogue)
    # An unrecorded edition cannot be assumed current, so it is flagged too.
    older = now if now and now not in (d.catalogue_edition or "") else None
    return Precedent(
        decided=d,
        match=match,
        similarity=similarity,
        same_parameters=parameter_key(d.description) == params,
        same_maker=maker,
        disagrees_with=disagrees,
        older_edition=older,
    )


def take_precedent(
    store: CaseStore,
    application_id: int,
    version: int,
    item_index: int,
    precedent_decision_id: int,
    actor: str,
) -> int:
    """Decide an item with a confirmed precedent's code in one step; returns the new version.

    Only a precedent on the same model with the same parameters may be taken this way; the
    decision then records which precedent it came from (table precedent_uses and the audit).
    """
    case = store.case(application_id)
    item = next(
        (i for i in (case.result.items if case.result else []) if i.index == item_index), None
    )
    if item is None:
        raise StoreError(
            f"Application {application_id} has no item {item_index}; nothing was saved."
        )
    pool = [
        d
        for d in decided_items(store, exclude_application=application_id)
        if d.decision_id == precedent_decision_id
    ]
    if not pool:
        raise StoreError(
            f"Decision {precedent_decision_id} is not a confirmed decision of another "
            "application, so it cannot serve as a precedent. Nothing was saved."
        )
    found = find_precedents(item, pool, embedder=None)
    if not found or not found[0].takeable:
        raise StoreError(
            f"Decision {precedent_decision_id} is not on the same model with the same "
            "parameters as this item; choose its code by hand with a reason instead."
        )
    p = found[0]
    d = p.decided
    reason = (
        f"Taken from precedent: decision {d.decision_id} (application {d.application_id}, item "
        f"{d.item_index}, {d.decided_by}, {d.decided_at:%Y-%m-%d}), same model "
        f"{item.model}"
    )

    def record_use(s: Session, decision_id: int) -> None:
        s.add(
            PrecedentUse(
                decision_id=decision_id,
                precedent_decision_id=d.decision_id,
                match=p.match,
                similarity=p.similarity,
                taken_by=actor,
            )
        )
        audit.append(
            s,
            actor,
            "precedent_taken",
            application_id,
            {
                "item": item_index,
                "decision_id": decision_id,
                "precedent_decision_id": d.decision_id,
                "precedent_application_id": d.application_id,
                "code": f"{d.catalogue} {d.code}",
                "match": p.match,
                "older_edition": bool(p.older_edition),
                "disagreed_with": p.disagrees_with,
            },
        )

    # The decision and the record of its precedent are one transaction.
    return store.decide(
        application_id, version, item_index, d.catalogue, d.code, actor, reason, also=record_use
    )


def precedent_of(store: CaseStore, decision_id: int) -> int | None:
    """The decision a decision was taken from, if it came from a precedent."""
    with store.session() as s:
        return s.execute(
            select(PrecedentUse.precedent_decision_id).where(
                PrecedentUse.decision_id == decision_id
            )
        ).scalar_one_or_none()
