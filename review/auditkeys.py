"""The audit chain's secret keys and its anchors: both kept outside the database.

Keys: ``EXPORTDESK_AUDIT_KEY`` (a secret string, for a secret store or systemd credential)
or the key file ``EXPORTDESK_AUDIT_KEY_FILE``, one ``<key-id> <hex secret>`` per line. The
first line signs new events; later lines only verify events signed before a rotation. A
missing key file is created with a fresh key, readable by its owner only.

Anchors: after every clean verification the head (sequence number, hash, time) is appended
to an append-only text file the admin can copy off the machine. A chain that no longer
contains an anchored head was cut back or rewritten, whatever the database now says.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from exportdesk.extract.errors import ExportdeskError
from exportdesk.extract.settings import Settings


class AuditKeyError(ExportdeskError):
    """The audit key cannot be read or is malformed; the message says how to fix it."""


@dataclass(frozen=True)
class KeyRing:
    """Keys by id; ``current`` signs, all of them verify."""

    current: str
    keys: tuple[tuple[str, bytes], ...]

    def sign(self, payload: bytes) -> str:
        return hmac.new(dict(self.keys)[self.current], payload, "sha256").hexdigest()

    def signer_of(self, payload: bytes, digest: str) -> str | None:
        """The id of the key that produced ``digest``, or None if none of them did."""
        for key_id, secret in self.keys:
            if hmac.compare_digest(hmac.new(secret, payload, "sha256").hexdigest(), digest):
                return key_id
        return None


def key_file(settings: Settings) -> Path:
    return settings.audit_key_file or Path.home() / ".config" / "exportdesk" / "audit.key"


def keyring(settings: Settings) -> KeyRing:
    """The keys from the environment or the key file (created on first use)."""
    env = os.environ.get("EXPORTDESK_AUDIT_KEY")
    if env:
        return KeyRing("env", (("env", env.encode("utf-8")),))
    path = key_file(settings)
    if not path.exists():
        _create(path)
    stat = path.stat()
    return _read(path, stat.st_mtime_ns, stat.st_size)


def rotate(settings: Settings) -> str:
    """Put a new signing key first in the key file; older keys stay to verify old events."""
    if os.environ.get("EXPORTDESK_AUDIT_KEY"):
        raise AuditKeyError(
            "The key comes from EXPORTDESK_AUDIT_KEY; rotate it in your secret store "
            "(and keep the old value in the key file to verify older events)."
        )
    path = key_file(settings)
    old = path.read_text(encoding="ascii") if path.exists() else ""
    key_id = _new_id()
    line = f"{key_id} {secrets.token_hex(32)}\n"
    _write_private(path, line + old)
    return key_id


def _new_id() -> str:
    return "k" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + secrets.token_hex(2)


def _create(path: Path) -> None:
    with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
        _write_private(path, f"{_new_id()} {secrets.token_hex(32)}\n", exclusive=True)


def _write_private(path: Path, text: str, exclusive: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if exclusive:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(text)
        return
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)
    os.replace(temporary, path)


@lru_cache(maxsize=8)
def _read(path: Path, mtime_ns: int, size: int) -> KeyRing:
    keys = []
    for number, line in enumerate(path.read_text(encoding="ascii").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            key_id, secret = line.split()
            keys.append((key_id, bytes.fromhex(secret)))
        except ValueError:
            raise AuditKeyError(
                f"Line {number} of the audit key file {path} is not '<key-id> <hex secret>'. "
                "Restore the file from your key backup."
            ) from None
    if not keys:
        raise AuditKeyError(f"The audit key file {path} holds no key; restore it from backup.")
    return KeyRing(keys[0][0], tuple(keys))


# --- anchors -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str


def anchor_file(settings: Settings) -> Path:
    return settings.audit_anchor_file or settings.data_dir / "audit-anchors.log"


def read_anchors(path: Path) -> list[Anchor]:
    if not path.exists():
        return []
    anchors = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            item = json.loads(line)
            anchors.append(Anchor(int(item["seq"]), str(item["hash"]), str(item["at"])))
        except (ValueError, KeyError, TypeError):
            continue  # a damaged line anchors nothing; the others still do
    return anchors


def write_anchor(path: Path, seq: int, digest: str) -> Anchor:
    """Append the head to the anchor file (opened O_APPEND: earlier lines are never rewritten)."""
    anchor = Anchor(seq, digest, datetime.now(UTC).isoformat(timespec="seconds"))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"seq": seq, "hash": digest, "at": anchor.at}) + "\n")
    return anchor
