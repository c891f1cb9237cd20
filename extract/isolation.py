"""Reading one document in a forked child under a memory limit and a deadline.

A hostile PDF can make pdfium, pdfminer or Pillow allocate gigabytes (a content stream
that inflates to 1 GiB, an image hidden where the size checks do not look) or spin for
minutes. Checking every such path in advance is a game of whack-a-mole; a child process
with ``RLIMIT_AS`` and a wall-clock deadline bounds them all. A breach becomes the
file-level warning ``resource_limit`` and the rest of the batch carries on.

The child is forked after the parent's imports, so it starts in about a millisecond with
pdfium and pdfplumber already loaded. Results come back as JSON (never pickle: the child
has just parsed hostile bytes).
"""

from __future__ import annotations

import contextlib
import faulthandler
import json
import logging
import os
import resource
import select
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from exportdesk.extract.model import ApplicationResult, Warning
from exportdesk.extract.names import display_name
from exportdesk.extract.ranges import dump_result as _dump
from exportdesk.extract.ranges import load_result as _load
from exportdesk.extract.settings import Settings

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]
Reader = Callable[[ProgressFn], ApplicationResult]


def read_limited(
    read: Reader, name: str, settings: Settings, progress: ProgressFn | None = None
) -> ApplicationResult:
    """Run ``read`` in a child under the configured limits; in-process when they are off."""
    return start_limited(read, name, settings).wait(progress)


class PendingRead:
    """A document being read in its child process; ``wait`` collects the result.

    Started early, the child reads while the parent does other work (interprets the previous
    document, loads the models). The deadline counts from ``wait``, so time the parent spends
    elsewhere is never charged to the file.
    """

    def __init__(self, read: Reader, name: str, settings: Settings):
        self.read, self.name, self.settings = read, display_name(name), settings
        self.pid: int | None = None
        self.rfd: int | None = None
        if settings.max_read_memory_mb <= 0 or not hasattr(os, "fork"):
            return  # in-process: read when collected
        sys.stdout.flush()
        sys.stderr.flush()
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(rfd)
            _child(read, settings, wfd)
        os.close(wfd)
        with contextlib.suppress(OSError):  # set from both sides: no race with the child's call
            os.setpgid(pid, pid)
        self.pid, self.rfd = pid, rfd

    def wait(self, progress: ProgressFn | None = None) -> ApplicationResult:
        if self.pid is None or self.rfd is None:
            return self.read(progress or _ignore)
        try:
            return _parent(self.pid, self.rfd, self.name, self.settings, progress)
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Stop the child (if still running) and release it; safe to call twice."""
        if self.pid is None or self.rfd is None:
            return
        pid, rfd = self.pid, self.rfd
        self.pid = self.rfd = None
        os.close(rfd)
        # Kill the group before reaping, so its id cannot have been reused: this ends any
        # Tesseract the child left running (deadline, Ctrl-C, or a crash in the child).
        _kill_group(pid)
        # Tearing down the child's copy of a large parent takes ~20 ms: reap it meanwhile.
        threading.Thread(target=_reap, args=(pid,), daemon=True).start()


def start_limited(read: Reader, name: str, settings: Settings) -> PendingRead:
    """Fork the child that runs ``read`` now; collect it later with ``wait``."""
    return PendingRead(read, name, settings)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _ignore(done: int, total: int) -> None:
    return None


def _address_space_now() -> int:
    """Bytes of address space this process holds (VmSize); the limit is set above it."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _child(read: Reader, settings: Settings, wfd: int) -> None:
    code = 0
    try:
        faulthandler.disable()  # a crash here is reported by the parent, not as a dump
        os.setpgid(0, 0)  # its own group, so Tesseract children die with it on a deadline
        budget = settings.max_read_memory_mb * 2**20
        limit = _address_space_now() + budget
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)  # an outer limit (ulimit -v, a container) still holds
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        out = os.fdopen(wfd, "w", encoding="utf-8")

        def progress(done: int, total: int) -> None:
            out.write(json.dumps({"progress": [done, total]}) + "\n")
            out.flush()

        try:
            result = read(progress)
            message: dict[str, Any] = {"result": _dump(result)}
        except MemoryError:
            message = {"breach": "memory"}
        out.write(json.dumps(message) + "\n")
        out.flush()
    except MemoryError:
        code = 3
    except BaseException:  # anything else is a bug in the reader: let the parent report it
        with contextlib.suppress(Exception):
            log.exception("reading failed in the child process")
        code = 4
    finally:
        os._exit(code)


def _parent(
    pid: int, rfd: int, name: str, settings: Settings, progress: ProgressFn | None
) -> ApplicationResult:
    deadline = time.monotonic() + settings.max_read_seconds
    buffer = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return _breach(name, "time", settings)
        ready, _, _ = select.select([rfd], [], [], min(left, 1.0))
        if not ready:
            continue
        chunk = os.read(rfd, 1 << 20)
        if not chunk:
            break  # the child closed its end: it finished or died
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            message = json.loads(line)
            if "progress" in message:
                if progress:
                    progress(*message["progress"])
            elif "result" in message:
                return _load(message["result"])
            else:
                return _breach(name, message["breach"], settings)
    status = _wait_briefly(pid)
    if status is None:
        return _breach(name, "crash", settings, "closed its pipe without a result")
    if os.WIFSIGNALED(status):
        how = signal.Signals(os.WTERMSIG(status)).name
        log.warning("reading %s: the child process died of %s", name, how)
        return _breach(name, "crash", settings, how)
    if os.WEXITSTATUS(status) == 3:
        return _breach(name, "memory", settings)
    return _breach(name, "crash", settings, f"exit status {os.WEXITSTATUS(status)}")


def _wait_briefly(pid: int, seconds: float = 5.0) -> int | None:
    """The child's wait status without reaping it (so its group id stays reserved)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        if info is not None:
            if info.si_code == os.CLD_EXITED:
                return info.si_status << 8
            return info.si_status  # killed or dumped: the signal number
        time.sleep(0.01)
    return None


def _breach(name: str, kind: str, settings: Settings, detail: str = "") -> ApplicationResult:
    from exportdesk.extract.read import failed_result  # import cycle: read imports settings

    if kind == "time":
        message = (
            f"Reading '{name}' took longer than {settings.max_read_seconds:g} s and was "
            "stopped. The file may be built to stall the reader; if it is trusted, raise "
            "EXPORTDESK_MAX_READ_SECONDS and process it again."
        )
    elif kind == "memory":
        message = (
            f"Reading '{name}' needed more than {settings.max_read_memory_mb} MB of memory "
            "and was stopped (possibly a decompression bomb). Ask for a normally exported "
            "copy; if the file is trusted, raise EXPORTDESK_MAX_READ_MEMORY_MB."
        )
    else:
        message = (
            f"Reading '{name}' stopped the PDF engine ({detail}), most likely by exhausting "
            f"its {settings.max_read_memory_mb} MB memory allowance. Ask for a normally "
            "exported copy; if the file is trusted, raise EXPORTDESK_MAX_READ_MEMORY_MB."
        )
    return failed_result(name, b"", Warning(code="resource_limit", message=message))


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
