"""SHA-256 of bytes and of files: the project's one pair of hashing helpers.

Originals are stored by this digest, manifests list it per file, editions are named by it.
Hash once where the bytes arrive and hand the digest on, rather than hashing again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_bytes(data: bytes) -> str:
    """The hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """The hex SHA-256 of a file, read in chunks (model artefacts can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
