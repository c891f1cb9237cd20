"""A command that asked for it ends without heap teardown, but with its output, its atexit
handlers and its exit status intact."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROBE = """
import atexit, sys
from exportdesk.ui import teardown

class Noisy:
    def __del__(self):  # runs only if the interpreter tears the heap down
        sys.stderr.write("torn down\\n")

keep = Noisy()
atexit.register(lambda: open({marker!r}, "w").write("atexit ran"))
sys.stdout.write("buffered, no newline")
if {skip!r}:
    teardown.skip()
teardown.exit_process({code!r})
"""


def run(tmp_path: Path, skip: bool, code: object) -> tuple[subprocess.CompletedProcess, Path]:
    marker = tmp_path / "marker"
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(marker=str(marker), skip=skip, code=code)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done, marker


def test_skipped_teardown_keeps_output_atexit_and_status(tmp_path: Path) -> None:
    done, marker = run(tmp_path, skip=True, code=3)
    assert done.returncode == 3
    assert done.stdout == "buffered, no newline"
    assert marker.read_text() == "atexit ran"
    assert "torn down" not in done.stderr


def test_without_skip_the_process_ends_the_ordinary_way(tmp_path: Path) -> None:
    done, marker = run(tmp_path, skip=False, code=0)
    assert done.returncode == 0
    assert done.stdout == "buffered, no newline"
    assert marker.read_text() == "atexit ran"
    assert "torn down" in done.stderr  # the probe can tell the two apart


def test_a_message_as_exit_code_goes_to_stderr_with_status_1(tmp_path: Path) -> None:
    done, _ = run(tmp_path, skip=True, code="no such file")
    assert done.returncode == 1
    assert done.stderr.strip() == "no such file"
    done, _ = run(tmp_path, skip=True, code=None)
    assert done.returncode == 0
