"""`exportdesk process --json` as shared/contract/CLI.md specifies: output, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import builders
import pytest
from typer.testing import CliRunner

from exportdesk.ui.cli import app

runner = CliRunner()

BAD_INPUTS = {
    "not_a_pdf": builders.jpeg_bytes,
    "empty_file": lambda: b"",
    "truncated": builders.truncated_pdf,
    "encrypted": builders.encrypted_pdf,
    "no_pages": builders.zero_page_pdf,
    "corrupt": builders.garbage_pdf,
}


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("code", sorted(BAD_INPUTS))
def test_bad_file_gets_warning_exit_1_and_the_other_files_are_still_processed(
    tmp_path: Path, code: str
) -> None:
    good_before = _write(tmp_path, "before.pdf", builders.text_pdf())
    bad = _write(tmp_path, f"bad-{code}.pdf", BAD_INPUTS[code]())
    good_after = _write(tmp_path, "after.pdf", builders.text_pdf([["Item list", "A B C D E F G"]]))
    result = runner.invoke(
        app, ["process", str(good_before), str(bad), str(good_after), "--json", "--no-suggestions"]
    )
    assert result.exit_code == 1, result.stderr
    out = json.loads(result.stdout)
    assert [o["document"]["filename"] for o in out] == ["before.pdf", bad.name, "after.pdf"]
    assert [w["code"] for w in out[1]["warnings"]] == [code]
    assert out[1]["parties"] == out[1]["items"] == out[1]["end_use"] == []
    assert out[0]["document"]["page_count"] == 2 and out[2]["document"]["page_count"] == 1
    assert code in result.stderr  # the clerk sees why on the terminal too


def test_page_limit_from_environment(tmp_path: Path) -> None:
    path = _write(tmp_path, "three.pdf", builders.text_pdf([["a" * 30]] * 3))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "exportdesk.ui.cli",
            "process",
            str(path),
            "--json",
            "--no-suggestions",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "EXPORTDESK_MAX_PAGES": "2"},
        timeout=120,
    )
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["warnings"][0]["code"] == "too_many_pages"


def test_one_path_prints_one_object_and_exits_0(tmp_path: Path) -> None:
    path = _write(tmp_path, "one.pdf", builders.text_pdf())
    result = runner.invoke(app, ["process", str(path), "--json", "--no-suggestions"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert isinstance(out, dict)
    assert out["schema"] == "exportdesk.application-result/v1"


def test_missing_arguments_is_a_usage_error_exit_2() -> None:
    assert runner.invoke(app, ["process", "--json"]).exit_code == 2
    assert runner.invoke(app, ["process", "x.pdf", "--no-such-flag"]).exit_code == 2


def test_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    result = runner.invoke(app, ["process", str(tmp_path / "nope.pdf"), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["warnings"][0]["code"] == "unreadable_path"


def test_stdout_is_pure_json_even_with_progress_and_warnings(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.pdf", builders.text_pdf())
    bad = _write(tmp_path, "bad.pdf", b"not a pdf at all")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "exportdesk.ui.cli",
            "-v",
            "process",
            str(good),
            str(bad),
            "--json",
            "--no-suggestions",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert len(json.loads(proc.stdout)) == 2  # would raise if anything else were on stdout
    assert "page 1/2" in proc.stderr and "not_a_pdf" in proc.stderr
    assert "Traceback" not in proc.stderr


LIMIT_CASES = {
    # code: (environment, bad file, exit status: 1 if the file as a whole is unreadable)
    "too_many_pages": (
        {"EXPORTDESK_MAX_PAGES": "2"},
        lambda: builders.text_pdf([["x" * 40]] * 3),
        1,
    ),
    "file_too_large": ({"EXPORTDESK_MAX_FILE_BYTES": "100000"}, builders.bomb_pdf, 1),
    "image_too_large": ({}, builders.bomb_pdf, 0),
    "not_a_pdf": ({}, builders.docx_bytes, 1),
}


@pytest.mark.parametrize("code", sorted(LIMIT_CASES))
def test_limits_from_the_environment_spare_the_other_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    from exportdesk.extract.settings import get_settings

    env, make_bad, status = LIMIT_CASES[code]
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    try:
        good = _write(tmp_path, "good.pdf", builders.text_pdf([builders.APPLICATION_LINES]))
        bad = _write(tmp_path, "bad.pdf", make_bad())
        result = runner.invoke(app, ["process", str(bad), str(good), "--json", "--no-suggestions"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == status, result.stderr
    bad_out, good_out = json.loads(result.stdout)
    assert code in [w["code"] for w in bad_out["warnings"]]
    assert good_out["warnings"] == [] and good_out["document"]["page_count"] == 1
    assert good_out["items"], "the good file was still read and interpreted"


@pytest.mark.ocr
def test_ocr_timeout_is_a_page_warning_and_the_file_still_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exportdesk.extract.settings import get_settings

    monkeypatch.setenv("EXPORTDESK_OCR_TIMEOUT_SECONDS", "0.05")
    get_settings.cache_clear()
    try:
        mixed = _write(tmp_path, "mixed.pdf", builders.mixed_pdf())
        good = _write(tmp_path, "good.pdf", builders.text_pdf())
        result = runner.invoke(
            app, ["process", str(mixed), str(good), "--json", "--no-suggestions"]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.stderr
    mixed_out, good_out = json.loads(result.stdout)
    # page-level reading warnings only; a page-less extraction note (no_parties_found) may follow
    assert [(w["code"], w["page"]) for w in mixed_out["warnings"] if w["page"] is not None] == [
        ("ocr_timeout", 2)
    ]
    assert good_out["document"]["page_count"] == 2
