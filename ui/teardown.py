"""Ending a command-line process without tearing its heap down object by object.

`process` ends with spaCy's vocabulary, the classifier's arrays and the screening index in
memory: hundreds of thousands of objects that the interpreter frees one by one at exit, and
the cycle collector walks once more. That took 0.35-0.4 s of CPU and wall time after the
output was already written (docs/benchmarks.md, "Command-line start-up"). A command that has
written everything it produces calls `skip()`; `exit_process` then runs the `atexit`
handlers (logging's flush, temporary files, multiprocessing), flushes stdout and stderr and
ends the process with the same status. Commands that keep files or connections open do not
call `skip()` and end the ordinary way.
"""

from __future__ import annotations

import atexit
import os
import sys
from typing import NoReturn

_skip = False


def skip() -> None:
    """The running command has written all its output: its process may end without teardown."""
    global _skip
    _skip = True


def exit_process(code: object) -> NoReturn:
    """End the process with ``code`` as `SystemExit` would (None is 0, a string goes to stderr
    with status 1); without teardown when the command asked for it through `skip()`."""
    if not _skip:
        raise SystemExit(code)
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        sys.stderr.write(f"{code}\n")
        status = 1
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, OSError):
        # What the interpreter itself does when stdout cannot be flushed at exit (e.g. `| head`).
        status = status or 120
    os._exit(status)
