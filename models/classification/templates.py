"""Generates the template training set (``train_items.jsonl``) from the concept table.

Run ``python -m exportdesk.models.classification.templates``. Deterministic (fixed seed).
Each row records its concept and noun group so that training can hold out whole groups
for calibration and leave a row's own group out of the exemplar bank.
"""

from __future__ import annotations

import json
import random

from exportdesk.models.classification.concepts import CONCEPTS
from exportdesk.models.classification.data import TRAINING_DIR

OUT = TRAINING_DIR / "train_items.jsonl"
SEED = 20261128
PER_CONCEPT = 44

BRANDS = [
    "Norvik",
    "Altessa",
    "Kestrel Dynamics",
    "Orrin & Co",
    "Vantora",
    "Helix Systems",
    "Brightwater",
    "Tamsk",
    "Quorra",
    "Meridian Labs",
    "Falk Industrie",
    "Sunoko",
]

TEMPLATES = [
    "{noun}, {spec}",
    "{qty} x {noun} ({spec})",
    "{Noun}, model {model}; {spec}",
    "Supply of {noun} - {spec}",
    "{Noun}",
    "{noun} incl. spare parts and operating manual",
    "{brand} {model} {noun}, {spec}, {spec2}",
    "Export of {qty} units: {noun} with {spec}",
    "Item: {noun}. Specs: {spec}.",
    "{Noun} type {model} ({brand})",
    "{noun} - {spec2}; qty {qty}",
    "Spare {noun} for customer fleet, {spec}",
    "We are exporting {noun} ({spec}) to a customer abroad.",
    "Our {noun} with {spec}; please advise on licensing.",
    "Quotation line {qty}: {noun}, {spec}",
    "{qty} pcs {noun}",
    "{Noun} - {spec} - delivered with cables and software",
]


def _model(rng: random.Random) -> str:
    return f"{rng.choice('ABCDEFGHKMRSTVX')}{rng.choice('KLMRSTXZ')}-{rng.randint(10, 9999)}"


def generate(seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    rows: list[dict] = []
    seen: set[str] = set()
    for concept in CONCEPTS:
        n = max(PER_CONCEPT, 4 * len(concept.nouns))
        tries = 0
        made = 0
        while made < n and tries < n * 10:
            tries += 1
            ni = made % len(concept.nouns)
            noun = concept.nouns[ni]
            specs = list(concept.specs) or ["standard configuration"]
            spec, spec2 = rng.choice(specs), rng.choice(specs)
            text = rng.choice(TEMPLATES).format(
                noun=noun,
                Noun=noun[:1].upper() + noun[1:],
                spec=spec,
                spec2=spec2,
                qty=rng.choice([1, 2, 4, 5, 10, 12, 20, 50, 100]),
                model=_model(rng),
                brand=rng.choice(BRANDS),
            )
            key = text.lower()
            if key in seen:
                continue
            seen.add(key)
            made += 1
            rows.append(
                {
                    "description": text,
                    "eu": concept.eu,
                    "us": concept.us,
                    "concept": concept.key,
                    "group": f"{concept.key}/{ni}",
                    "noun_index": ni,
                    "source": "template",
                }
            )
    return rows


def main() -> int:
    rows = generate()
    with OUT.open("w") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
