"""Run a few lines of Python in a fresh interpreter (what a command would have imported)."""

from __future__ import annotations

import subprocess
import sys


def run_fresh(code: str, timeout: float = 300) -> str:
    """Stdout of ``python -c code``; fails the test with its stderr if the probe fails."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout
