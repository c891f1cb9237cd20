"""`acronyms_in` skips texts without a bracketed acronym: that must never skip a definition."""

from __future__ import annotations

from exportdesk.classify import criteria


def test_every_text_with_a_definition_passes_the_prefilter() -> None:
    texts = [n.text for t in criteria.load_criteria().values() for n in t.walk()]
    defining = [t for t in texts if criteria._DEFINED.search(t)]
    assert len(defining) > 100  # the lists do define acronyms: the check has something to see
    assert all(criteria._BRACKETED.search(t) for t in defining)
    assert criteria.acronyms_in("an Analogue-to-Digital Converter (ADC) of 12 bit") == {
        "adc": frozenset(criteria._stems("Analogue-to-Digital") | criteria._stems("Converter"))
    }
    assert criteria.acronyms_in("no brackets here at all") == {}
