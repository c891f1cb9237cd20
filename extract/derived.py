"""Derived caches: files computed from data and code, kept to spare a command the work.

A cache file is named by a key made of everything it is derived from (the data's hash, the
source of the code that builds it, the Python version), so a change to any of them makes a
new name and the old file is simply not read again. Reading or writing one never fails a
command: the caller builds the value when `read` gives None, and a cache that cannot be
written only costs the build next time. The folder is ``cache_dir`` in the settings,
``<data_dir>/cache`` by default; deleting it is always safe.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import uuid
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)


def cache_file(stem: str, suffix: str, sources: Iterable[Path], extra: Iterable[str] = ()) -> Path:
    """``<cache_dir>/<stem>-<key><suffix>``, the key hashing ``extra``, the Python version and
    the bytes of each source file."""
    from exportdesk.extract.settings import get_settings

    settings = get_settings()
    folder = settings.cache_dir or settings.data_dir / "cache"
    key = hashlib.sha256()
    for part in extra:
        key.update(part.encode())
    key.update(sys.version.encode())
    for path in sources:
        key.update(path.read_bytes())
    return folder / f"{stem}-{key.hexdigest()[:24]}{suffix}"


def read(path: Path) -> bytes | None:
    """The file's bytes, or None when there is none or it cannot be read."""
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError as exc:
        log.info("cache %s unreadable (%s); it is rebuilt", path, exc)
        return None


def write(path: Path, data: bytes) -> None:
    """Write atomically (a reader sees the old file or the whole new one); on failure log and
    go on, the value is rebuilt next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        log.info("not cached at %s (%s); it is rebuilt next time", path, exc)
