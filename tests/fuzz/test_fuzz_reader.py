"""A short budget of the reader's fuzz target (`make fuzz` runs the long one)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
RUNS = 40


def _inherited_peak_mb() -> int:
    """libFuzzer's memory limit reads the process's peak resident size, and Linux carries a
    process's peak across fork and exec: the fuzzer started from this test process begins
    at this process's peak (a test worker that loaded the classifier and OCR is at 2 GB),
    so the 2 GB budget (`make fuzz`, from a fresh shell) is counted above it."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


@pytest.mark.slow
def test_reader_survives_a_short_fuzzing_budget(tmp_path: Path) -> None:
    corpus, findings = tmp_path / "corpus", tmp_path / "findings"
    findings.mkdir()
    subprocess.run([sys.executable, str(HERE / "seeds.py"), str(corpus)], check=True, timeout=300)
    proc = subprocess.run(
        [
            sys.executable,
            str(HERE / "fuzz_reader.py"),
            str(corpus),
            f"-dict={HERE / 'pdf.dict'}",
            f"-runs={RUNS}",
            f"-rss_limit_mb={2048 + _inherited_peak_mb()}",
            "-timeout=120",
            f"-artifact_prefix={findings}/",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert f"Done {RUNS} runs" in proc.stderr
    assert list(findings.iterdir()) == []  # no crash, timeout or out-of-memory input
