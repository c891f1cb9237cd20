"""Things that are not regular files, and file names built to forge log lines."""

from __future__ import annotations

import os
from pathlib import Path

import builders
import hostile_files as hf


def test_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    run = hf.process_beside_good(tmp_path, "pipe.pdf", fifo)
    assert run.exit_code == 1
    assert run.codes("pipe.pdf") == ["not_a_regular_file"]
    assert "regular file" in run.results["pipe.pdf"]["warnings"][0]["message"]


def test_dev_zero_is_refused_without_reading_it(tmp_path: Path) -> None:
    run = hf.process_beside_good(tmp_path, "zero", Path("/dev/zero"))
    assert run.exit_code == 1
    assert run.codes("zero") == ["not_a_regular_file"]


def test_newline_in_file_name_cannot_forge_a_log_line(tmp_path: Path) -> None:
    name = "x.pdf\nERROR forged: all files approved"
    run = hf.process_beside_good(tmp_path, name, builders.garbage_pdf())
    lines = run.stderr.splitlines()
    assert not any(line.startswith("ERROR forged") for line in lines), run.stderr
    assert any("x.pdf\\nERROR forged" in line for line in lines), run.stderr


def test_terminal_escape_in_file_name_is_shown_escaped(tmp_path: Path) -> None:
    name = "red\x1b[31m.pdf"
    run = hf.process_beside_good(tmp_path, name, builders.garbage_pdf())
    assert "\x1b" not in run.stderr
    assert "red\\x1b[31m.pdf" in run.stderr
