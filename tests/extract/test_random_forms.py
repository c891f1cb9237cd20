"""The randomised form generator: varied layouts with gold that the extractor can be held to."""

from __future__ import annotations

from exportdesk.extract.fields import extract_fields
from exportdesk.samples.random_forms import random_form


def test_same_seed_gives_the_same_page_and_other_seeds_differ():
    a, b, c = random_form(5), random_form(5), random_form(6)
    assert [w.text for w in a.page.words] == [w.text for w in b.page.words]
    assert [w.text for w in a.page.words] != [w.text for w in c.page.words]


def test_gold_names_are_on_the_page_at_their_words():
    for seed in range(20):
        form = random_form(seed)
        texts = " ".join(w.text for w in form.page.words)
        for party in form.parties:
            assert party.name in texts
            assert party.name.startswith(party.name_word.text)


def test_extraction_finds_most_parties_on_a_small_held_out_batch():
    tp = total = 0
    for seed in range(90_000_000, 90_000_020):
        form = random_form(seed)
        r = form.result()
        extract_fields(r)
        got = {(p.role, p.name) for p in r.parties}
        tp += sum((p.role, p.name) in got for p in form.parties)
        total += len(form.parties)
    assert total > 40
    assert tp / total >= 0.9
