"""Small fake engines for the worker tests, loaded by workers via EXPORTDESK_JOB_PIPELINE."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

from casefactory import make_result

from exportdesk.extract.model import ApplicationResult


def crash_or_read(data: bytes, name: str, progress: Any = None) -> ApplicationResult:
    """Kills its own worker process for files named crash*, like a segfault in a library."""
    if name.startswith("crash"):
        os.kill(os.getpid(), signal.SIGKILL)
    return counted(data, name, progress)


def counted(data: bytes, name: str, progress: Any = None) -> ApplicationResult:
    """Records each start in EXPORTDESK_TEST_CALLS (one line per run), then reads slowly."""
    with open(os.environ["EXPORTDESK_TEST_CALLS"], "a") as calls:
        calls.write(f"{name} {os.getpid()}\n")
    for page in (1, 2):
        time.sleep(0.2)
        if progress is not None:
            progress(page, 2)
    return make_result(data, name)


def hungry(data: bytes, name: str, progress: Any = None) -> ApplicationResult:
    """Files named big* need 3 GB at once, like decoding a huge scan."""
    if name.startswith("big"):
        block = bytearray(3 * 1024**3)
        block[-1] = 1
    return make_result(data, name)
