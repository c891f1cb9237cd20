"""The repeat stream (samples/stream.py): deterministic by seed, with every kind of item."""

from __future__ import annotations

from collections import Counter

from exportdesk.review.precedents import normalise_part, parameter_key
from exportdesk.samples.stream import repeat_stream


def test_same_seed_same_stream_and_repeats_share_their_product() -> None:
    first, again = repeat_stream(30, seed=7), repeat_stream(30, seed=7)
    assert [[s.item for s in a.items] for a in first] == [[s.item for s in a.items] for a in again]
    kinds = Counter(s.kind for a in first for s in a.items)
    assert kinds["new"] and kinds["repeat"] and kinds["repeat_no_model"]
    originals = {}
    for a in first:
        for s in a.items:
            if s.kind in ("new", "near_miss"):
                originals[s.product] = s.item
    for a in first:
        for s in a.items:
            if s.kind == "repeat":
                # Written another way, the same part number once normalised.
                assert normalise_part(s.item.model) == normalise_part(originals[s.product].model)
            if s.kind == "repeat_no_model":
                assert s.item.model is None


def test_near_miss_changes_a_number_with_a_unit() -> None:
    stream = repeat_stream(200, seed=3, near_miss_rate=0.3)
    near = [s for a in stream for s in a.items if s.kind == "near_miss"]
    assert near
    for s in near:
        assert parameter_key(s.item.description) != parameter_key(s.good)
