"""Original files kept immutably under the data folder, named only by their SHA-256."""

from __future__ import annotations

import os
import re
import stat
import tempfile
from pathlib import Path

from exportdesk.extract.hashing import sha256_bytes

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class OriginalStore:
    """Content-addressed folder: ``<root>/ab/abcdef….pdf``, written once, then read-only."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError(f"not a SHA-256 digest: {sha256!r}")
        return self.root / sha256[:2] / f"{sha256}.pdf"

    def put(self, data: bytes, digest: str | None = None) -> str:
        """Store ``data`` if it is new; return its digest. Existing files are never rewritten.

        ``digest`` is the SHA-256 the caller already computed (intake hashes an upload once).
        """
        digest = digest or sha256_bytes(data)
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
        if sha256_bytes(data) != sha256:
            raise RuntimeError(
                f"The stored original {sha256[:12]}… no longer matches its digest; the file "
                "was altered on disk. Restore it from backup."
            )
        return data
