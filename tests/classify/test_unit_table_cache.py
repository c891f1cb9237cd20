"""The unit table comes from pint the first time and from the derived cache afterwards, with
the same values; a damaged cache is only rebuilt."""

from __future__ import annotations

import pytest
from probes import run_fresh

from exportdesk.classify import quantities
from exportdesk.extract.settings import get_settings


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPORTDESK_CACHE_DIR", str(tmp_path / "cache"))
    get_settings.cache_clear()
    quantities.unit_table.cache_clear()
    yield tmp_path / "cache"
    get_settings.cache_clear()
    quantities.unit_table.cache_clear()


def test_cached_table_is_what_pint_computes(cache_dir):
    built = quantities.unit_table()  # computes with pint and writes
    assert len(list(cache_dir.glob("unit-scales-*.json"))) == 1
    quantities.unit_table.cache_clear()
    cached = quantities.unit_table()  # reads
    assert cached == built
    for form in quantities.UNIT_FORMS:
        assert cached[form] == quantities._unit_scale_with_pint(form)
    assert quantities.unit_scale("GHz") == (1e9, 0.0, "1 / [time]")
    assert quantities.unit_scale("°C")[1] == pytest.approx(273.15)
    assert quantities.unit_scale("furlongs") is None


def test_damaged_cache_is_rebuilt(cache_dir):
    built = quantities.unit_table()
    (path,) = cache_dir.glob("unit-scales-*.json")
    path.write_text('{"ghz": [')
    quantities.unit_table.cache_clear()
    assert quantities.unit_table() == built
    quantities.unit_table.cache_clear()
    assert quantities.unit_table() == built  # rewritten whole


def test_quantities_with_a_warm_cache_do_not_import_pint(cache_dir):
    quantities.unit_table()
    probe = (
        "import sys; from exportdesk.classify.quantities import find_quantities; "
        "q = find_quantities('a 20 kW laser at 1 064 nm, 5-20 GHz'); "
        "print(len(q), 'pint' in sys.modules)"
    )
    assert run_fresh(probe).split() == ["3", "False"]
