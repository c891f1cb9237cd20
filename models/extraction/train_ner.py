"""Training of the organisation NER (spaCy tok2vec + ner) on generated certificate and letter prose.

    python -m exportdesk.models.extraction.train_ner [--out models/ner/1.0.0] [--examples 1500]

Sentences come from the sample generator's vocabulary with seeds in a range that no sample
set uses (training seeds start at 50,000,000), plus OCR-style noise; the score written to
``<out>/metrics.json`` is measured on sentences from a separate seed range. ``<out>`` is a
registry version folder: ``model/`` (the spaCy pipeline), ``metrics.json`` and a manifest.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import spacy
from spacy.training import Example
from spacy.util import minibatch

from exportdesk.extract.registry import sha256_tree

TRAIN_SEED_BASE = 50_000_000
TEST_SEED_BASE = 60_000_000
MODEL_NAME = "exportdesk_ner"
MODEL_VERSION = "1.0.0"

# Sentence frames beyond the generator's own, so the model learns the entity, not one template.
FRAMES = [
    (
        "We, {org}, of {addr}, {country}, hereby certify that the goods will be used solely "
        "for {purpose}.",
        "end_user",
    ),
    (
        "{org}, {addr}, {country}, as the end user of the goods, certifies that they will be "
        "used exclusively for {purpose}.",
        "end_user",
    ),
    (
        "This is to certify that {org} of {addr}, {country}, is the final end user of the goods "
        "supplied by {org2}.",
        "end_user",
    ),
    (
        "The undersigned, acting for {org}, declares that the items will be installed at "
        "{addr}, {country}.",
        "end_user",
    ),
    ("The goods will be shipped to the consignee, {org}, {addr}, {country}.", "consignee"),
    ("The purchaser of the goods is {org}, {addr}, {country}.", "purchaser"),
    (
        "Shipment will pass through the intermediate consignee {org}, {addr}, {country}.",
        "intermediate_consignee",
    ),
    (
        "Delivery will be made to {org} at {addr}, {country}, which will act as consignee.",
        "consignee",
    ),
    ("The contract was concluded between {org2} and {org} on {date}.", "other"),
    ("Please contact {org} ({country}) should you require further information.", "other"),
    ("{org} confirms that the equipment will not be transferred to any third party.", "end_user"),
    ("On behalf of {org} I confirm the order placed with {org2}.", "other"),
]
NEGATIVES = [
    "The goods will not be re-exported without the prior written authorisation of the "
    "exporting government.",
    "Dear Sir or Madam, we hereby apply for a licence to export the goods listed below.",
    "The signed end-user certificate is enclosed with this letter.",
    "Payment: 30 days net. Delivery subject to export licence.",
    "The goods will not be used for the development or production of weapons of mass destruction.",
    "Export Control Office, Licensing Unit, P.O. Box 1200",
    "Yours faithfully, Managing Director",
]


def _strip_accents(text: str, rng: random.Random) -> str:
    import unicodedata

    out = []
    for ch in text:
        if rng.random() < 0.5 and unicodedata.combining(unicodedata.normalize("NFKD", ch)[-1:]):
            out.append(unicodedata.normalize("NFKD", ch)[0])
        else:
            out.append(ch)
    return "".join(out)


def make_examples(count: int, seed_base: int) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """Sentences with character spans of every organisation they name."""
    from exportdesk.samples import vocab
    from exportdesk.samples.application import make_party

    data: list[tuple[str, list[tuple[int, int, str]]]] = []
    for i in range(count):
        rng = random.Random(seed_base + i)
        if rng.random() < 0.12:
            data.append((rng.choice(NEGATIVES), []))
            continue
        frame, _role = rng.choice(FRAMES)
        party = make_party(rng, "end_user", government=rng.random() < 0.3)
        other = make_party(rng, "applicant")
        purpose = rng.choice(vocab.END_USES)[0].format(
            country=vocab.COUNTRIES[party.country]["names"][0]
        )
        noisy = rng.random() < 0.3
        values = {
            "org": party.name,
            "org2": other.name,
            "addr": party.address,
            "country": party.country_written,
            "purpose": purpose,
            "date": f"{rng.randint(1, 28)} March {rng.randint(2024, 2026)}",
        }
        if noisy:
            values = {k: _strip_accents(v, rng) for k, v in values.items()}
        text, spans, pos = "", [], 0
        for part in _split_frame(frame):
            if part.startswith("{") and part.endswith("}"):
                value = values[part[1:-1]]
                if part in ("{org}", "{org2}"):
                    spans.append((pos, pos + len(value), "ORG"))
                text += value
                pos += len(value)
            else:
                text += part
                pos += len(part)
        data.append((text, spans))
    return data


def _split_frame(frame: str) -> list[str]:
    import re

    return [p for p in re.split(r"(\{[a-z0-9]+\})", frame) if p]


def train(out: Path, examples: int = 1500, epochs: int = 8, seed: int = 0) -> dict:
    import warnings

    # a few names end in "Ltd." right before a full stop; spaCy drops those spans (W030)
    warnings.filterwarnings("ignore", message=r".*\[W030\]")
    spacy.util.fix_random_seed(seed)
    nlp = spacy.blank("en")
    nlp.add_pipe("ner")
    train_data = make_examples(examples, TRAIN_SEED_BASE)
    train_examples = [Example.from_dict(nlp.make_doc(t), {"entities": e}) for t, e in train_data]
    optimizer = nlp.initialize(lambda: train_examples)
    started = time.perf_counter()
    rng = random.Random(seed)
    for epoch in range(epochs):
        rng.shuffle(train_examples)
        losses: dict[str, float] = {}
        for batch in minibatch(train_examples, size=16):
            nlp.update(batch, sgd=optimizer, drop=0.2, losses=losses)
        print(f"epoch {epoch + 1}/{epochs}: loss {losses.get('ner', 0):.1f}", file=sys.stderr)
    seconds = time.perf_counter() - started
    test = [
        Example(nlp(t), Example.from_dict(nlp.make_doc(t), {"entities": e}).reference)
        for t, e in make_examples(300, TEST_SEED_BASE)
    ]
    scores = nlp.evaluate(test)
    nlp.meta["name"] = MODEL_NAME
    nlp.meta["version"] = MODEL_VERSION
    nlp.meta["description"] = "Organisation names in export-control prose (synthetic training)."
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out / "model")
    metrics = {
        "model": f"{MODEL_NAME}-{MODEL_VERSION}",
        "train_examples": examples,
        "epochs": epochs,
        "train_seconds": round(seconds, 1),
        "train_seed_base": TRAIN_SEED_BASE,
        "test_seed_base": TEST_SEED_BASE,
        "test_examples": 300,
        "ents_p": round(scores["ents_p"], 4),
        "ents_r": round(scores["ents_r"], 4),
        "ents_f": round(scores["ents_f"], 4),
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    write_manifest(out, MODEL_VERSION)
    return metrics


def write_manifest(folder: Path, version: str) -> None:
    """Seal a NER version folder: every file with its SHA-256, as the registry checks it."""
    manifest = {"version": version, "kind": "ner", "files": sha256_tree(folder, relative_to=folder)}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[1] / "ner" / MODEL_VERSION
    parser.add_argument("--out", type=Path, default=default)
    parser.add_argument("--examples", type=int, default=1500)
    parser.add_argument("--epochs", type=int, default=8)
    args = parser.parse_args(argv)
    metrics = train(args.out, args.examples, args.epochs)
    print(json.dumps(metrics, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
