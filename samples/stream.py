"""A stream of synthetic applications in which goods come back: repeats, rewordings, near misses.

Deterministic by seed. Each item carries what became of it in the stream (``kind``) and the
product it repeats, so a benchmark can tell a right precedent from a wrong one.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from exportdesk.samples.application import SynApplication, SynItem, make_application
from exportdesk.samples.generate import FAMILY_ORDER

# repeat: same maker and model (part number written another way);
# repeat_no_model: the same product on a form that prints no model, so only the wording matches;
# near_miss: an earlier product's wording with one number-with-unit changed (another product);
# new: a product not seen before (possibly the same kind of goods as an earlier one).
KINDS = ("new", "repeat", "repeat_no_model", "near_miss")
_NUMBER_UNIT = re.compile(r"(\d+(?:\.\d+)?)(\s?)(mm|kg|kW|GHz|GPa|kPa|%)")
_LEGAL = ("GmbH", "AG", "Ltd", "S.A.", "AB", "B.V.", "Inc.")


@dataclass
class StreamItem:
    item: SynItem
    kind: str
    product: int  # the product's number in the stream; a repeat shares its original's
    good: str  # the generator's goods description it was made from


@dataclass
class StreamApplication:
    seed: int
    app: SynApplication
    items: list[StreamItem] = field(default_factory=list)


def _model_variant(model: str, rng: random.Random) -> str:
    """The same part number as another clerk or form would write it."""
    choice = rng.randrange(4)
    if choice == 0:
        return model.lower()
    if choice == 1:
        return model.replace("-", " ")
    if choice == 2:
        return "P/N " + model.replace("-", "")
    return model.replace("-", "/")


def _reword(description: str, rng: random.Random) -> str:
    """The same goods in another clerk's words; numbers with units are kept as they are."""
    parts = [p.strip() for p in description.split(",")]
    choice = rng.randrange(4)
    if choice == 0 and len(parts) > 1:
        return f"{parts[1]}, {parts[0]}" + "".join(f", {p}" for p in parts[2:])
    if choice == 1:
        return description + rng.choice([", new", ", as quoted", " (spare stock)", ", boxed"])
    if choice == 2:
        return description.lower()
    return description


def _maker_variant(maker: str, rng: random.Random) -> str:
    return maker if rng.random() < 0.5 else f"{maker} {rng.choice(_LEGAL)}"


def _changed_parameter(description: str, rng: random.Random) -> str | None:
    """The wording with one number-with-unit changed, or None when it has none."""
    found = list(_NUMBER_UNIT.finditer(description))
    if not found:
        return None
    m = rng.choice(found)
    value = float(m[1]) * rng.choice([0.5, 2.0, 3.0])
    text = f"{value:g}"
    return description[: m.start(1)] + text + description[m.end(1) :]


def repeat_stream(
    count: int = 300,
    seed: int = 1,
    repeat_rate: float = 0.3,
    no_model_share: float = 0.25,
    near_miss_rate: float = 0.05,
) -> list[StreamApplication]:
    """``count`` applications; each item repeats an earlier product with ``repeat_rate``."""
    rng = random.Random(seed)
    seen: list[tuple[int, SynItem, str]] = []
    out: list[StreamApplication] = []
    for i in range(count):
        doc_seed = seed * 100000 + i
        family = FAMILY_ORDER[doc_seed % len(FAMILY_ORDER)]
        app = make_application(family, doc_seed, random.Random(doc_seed))
        entry = StreamApplication(doc_seed, app)
        for item in app.items:
            roll = rng.random()
            if seen and roll < repeat_rate:
                product, original, good = rng.choice(seen)
                no_model = rng.random() < no_model_share
                copy = SynItem(**{**original.__dict__})
                copy.description = _reword(original.description, rng)
                copy.model = None if no_model else _model_variant(original.model, rng)
                copy.manufacturer = _maker_variant(original.manufacturer, rng)
                copy.quantity, copy.total = item.quantity, item.total
                kind = "repeat_no_model" if no_model else "repeat"
                entry.items.append(StreamItem(copy, kind, product, good))
                continue
            if seen and roll < repeat_rate + near_miss_rate:
                product, original, good = rng.choice(seen)
                changed = _changed_parameter(good, rng)
                if changed is not None:
                    item.description = changed
                    entry.items.append(StreamItem(item, "near_miss", len(seen), good))
                    seen.append((len(seen), item, good))
                    continue
            good = item.description
            entry.items.append(StreamItem(item, "new", len(seen), good))
            seen.append((len(seen), item, good))
        app.items = [s.item for s in entry.items]
        out.append(entry)
    return out
