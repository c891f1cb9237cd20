"""Imports point one way (ui -> models -> samples -> review -> risk -> classify -> extract);
the run path never imports learning or sample code; no module takes another's private names."""

from __future__ import annotations

import layering
import pytest
from layering import Import, check, imports_of


def rules(violations: list[layering.Violation]) -> list[str]:
    return [v.rule for v in violations]


def test_every_installed_package_has_a_place_in_the_contract() -> None:
    unplaced = sorted(set(layering.installed_packages()) - set(layering.LAYERS))
    assert unplaced == [], f"add {unplaced} to LAYERS in tests/layering.py"


def test_the_installed_packages_keep_the_contract() -> None:
    found = layering.project_imports()
    # The checker must have seen the real graph, not an empty one.
    assert any(i.importer.startswith("exportdesk.ui.") for i in found)
    assert any(i.target.startswith("exportdesk.extract.") for i in found)
    violations = check(found)
    assert violations == [], "\n".join(map(str, violations))


def test_upward_import_in_a_module_fails() -> None:
    bad = "def f():\n    from exportdesk.ui.cli import main\n    return main\n"
    violations = check(imports_of("exportdesk.extract.bad", bad))
    assert rules(violations) == ["upward import"]
    assert "exportdesk.extract.bad:2" in str(violations[0])


@pytest.mark.parametrize(
    ("importer", "target"),
    [
        ("exportdesk.classify.api", "exportdesk.review.store"),
        ("exportdesk.review.store", "exportdesk.models.registry"),
        ("exportdesk.classify.api", "exportdesk.risk.screening"),
        ("exportdesk.risk.screening", "exportdesk.review.store"),
    ],
)
def test_upward_edges_in_a_graph_fail(importer: str, target: str) -> None:
    assert rules(check([Import(importer, target, ("x",), 1)])) == ["upward import"]


def test_downward_and_sibling_imports_pass() -> None:
    graph = [
        Import("exportdesk.ui.cli", "exportdesk.models.workflow", ("retrain",), 1),
        Import("exportdesk.models.registry", "exportdesk.classify.artefact", ("Artefact",), 1),
        Import("exportdesk.review.pipeline", "exportdesk.classify", ("suggest_many",), 1),
        Import("exportdesk.classify.api", "exportdesk.extract.model", ("Suggestion",), 1),
        Import("exportdesk.extract.read", "exportdesk.extract.ocr", ("ocr_image",), 1),
    ]
    assert check(graph) == []


@pytest.mark.parametrize("package", ["extract", "classify"])
@pytest.mark.parametrize(
    "source",
    [
        "from exportdesk.models.classification.train import split\n",
        "from exportdesk.models.extraction import evaluate\n",
        "import exportdesk.samples.generate\n",
    ],
)
def test_run_path_importing_training_evaluation_or_samples_fails(package: str, source: str) -> None:
    violations = check(imports_of(f"exportdesk.{package}.bad", source))
    assert "run path imports learning/sample code" in rules(violations)


def test_private_name_from_another_module_fails() -> None:
    source = "from exportdesk.extract.parties import _role\n"
    assert rules(check(imports_of("exportdesk.extract.enduse", source))) == ["private name"]


def test_private_attribute_through_an_imported_module_fails() -> None:
    source = "from exportdesk.classify import artefact as art\nart._cache.clear()\n"
    assert rules(check(imports_of("exportdesk.models.registry", source))) == ["private name"]


def test_private_module_outside_its_package_fails() -> None:
    source = "from exportdesk.ui.pages._common import store\n"
    assert rules(check(imports_of("exportdesk.review.bad", source))) == [
        "upward import",
        "private module",
    ]
    assert check(imports_of("exportdesk.ui.app", source)) == []


def test_relative_import_is_resolved_before_checking() -> None:
    source = "from ..review import store\n"
    found = list(imports_of("exportdesk.classify.bad", source))
    assert [i.target for i in found] == ["exportdesk.review"]
    assert rules(check(found)) == ["upward import"]


def test_package_missing_from_the_contract_fails() -> None:
    graph = [Import("exportdesk.newthing.a", "exportdesk.extract.model", ("Item",), 1)]
    assert rules(check(graph)) == ["unplaced package"]


def test_heavy_libraries_are_imported_only_where_needed() -> None:
    found = [
        problem
        for package in layering.RUN_PACKAGES
        for module, source, _pkg in layering.package_modules(package)
        for problem in layering.heavy_top_level_imports(module, source)
    ]
    assert found == [], "import it inside the function that uses it:\n" + "\n".join(found)


def test_heavy_import_at_module_level_is_found() -> None:
    source = "import torch\n\ndef f():\n    import sklearn\n"
    assert layering.heavy_top_level_imports("exportdesk.classify.embed", source) == [
        "exportdesk.classify.embed imports torch at module level"
    ]
    assert layering.heavy_top_level_imports("exportdesk.extract.nlp", "import spacy\n") == []
    guarded = "with quiet():\n    import transformers\n"
    assert layering.heavy_top_level_imports("exportdesk.review.x", guarded) == [
        "exportdesk.review.x imports transformers at module level"
    ]
