"""The project's copy of the output contract: still the shared one, and real outputs obey it."""

from __future__ import annotations

import json
from pathlib import Path

import builders
import jsonschema
import pytest

from exportdesk.extract.read import read_bytes

ROOT = Path(__file__).resolve().parents[1]
OURS = ROOT / "extract" / "application-result.schema.json"
SHARED = ROOT.parent / "shared" / "contract" / "application-result.schema.json"


def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(OURS.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.skipif(not SHARED.exists(), reason="no ../shared/contract beside this checkout")
def test_project_schema_copy_matches_shared_contract() -> None:
    assert json.loads(OURS.read_text()) == json.loads(SHARED.read_text()), (
        "extract/application-result.schema.json drifted from ../shared/contract; copy it again"
    )


@pytest.mark.parametrize(
    "data",
    [builders.text_pdf(), builders.garbage_pdf(), builders.encrypted_pdf(), b""],
    ids=["digital", "corrupt", "encrypted", "empty"],
)
def test_outputs_validate_against_the_contract(data: bytes) -> None:
    out = read_bytes(data, "x.pdf").to_contract()
    errors = sorted(validator().iter_errors(out), key=str)
    assert errors == []


@pytest.mark.ocr
def test_scanned_output_validates_against_the_contract() -> None:
    out = read_bytes(builders.scanned_pdf(), "scan.pdf").to_contract()
    assert list(validator().iter_errors(out)) == []
    assert out["document"]["pages"][0]["source"] == "ocr"


def test_schema_rejects_a_result_that_breaks_the_contract() -> None:
    out = read_bytes(builders.text_pdf(), "x.pdf").to_contract()
    out["document"]["pages"][0]["source"] = "guess"
    del out["warnings"]
    assert len(list(validator().iter_errors(out))) == 2


SHARED_CLI = ROOT.parent / "shared" / "contract" / "CLI.md"


@pytest.mark.skipif(not SHARED_CLI.exists(), reason="no ../shared/contract beside this checkout")
def test_project_cli_contract_only_adds_to_the_shared_one() -> None:
    # The contract may change "only by adding": the project's copy is the shared text
    # followed by what the project added (its list of warning codes).
    assert (ROOT / "docs" / "CLI.md").read_text().startswith(SHARED_CLI.read_text())
