"""Original files kept immutably under the data folder, named only by their SHA-256."""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
from pathlib import Path

from exportdesk.extract.names import escape_control

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def display_name(name: str, limit: int = 200) -> str:
    """The name as the sender gave it, control characters escaped, for showing as plain text.

    It is never used to build a path (originals are stored by hash), so ``../`` stays visible
    rather than being silently rewritten.
    """
    return escape_control((name or "").strip())[:limit] or "unnamed.pdf"


class OriginalStore:
    """Content-addressed folder: ``<root>/ab/abcdef….pdf``, written once, then read-only."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError(f"not a SHA-256 digest: {sha256!r}")
        return self.root / sha256[:2] / f"{sha256}.pdf"

    def put(self, data: bytes) -> str:
        """Store ``data`` if it is new; return its digest. Existing files are never rewritten."""
        digest = sha256_of(data)
        target = self.path_for(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, sha256: str) -> bytes:
        data = self.path_for(sha256).read_bytes()
        if sha256_of(data) != sha256:
            raise RuntimeError(
                f"The stored original {sha256[:12]}… no longer matches its digest; the file "
                "was altered on disk. Restore it from backup."
            )
        return data
