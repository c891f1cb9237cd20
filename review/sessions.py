"""Sign-ins that survive a page reload: a signed, expiring token the browser keeps in a cookie.

The token names the user and when it expires, signed (HMAC, itsdangerous) with a key kept
outside the database: ``EXPORTDESK_SESSION_KEY`` or ``session.key`` in the data folder,
made on first use and readable only by its owner. Restoring re-reads the account, so a
deactivated user or a changed role takes effect at the next reload.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from exportdesk.review.auth import Identity
from exportdesk.review.store import CaseStore
from exportdesk.review.tables import User

COOKIE = "exportdesk_session"
_SALT = "exportdesk.session.v1"


def session_key(data_dir: Path) -> bytes:
    """The signing key: from the environment, else a file beside the data (made once)."""
    env = os.environ.get("EXPORTDESK_SESSION_KEY")
    if env:
        return env.encode()
    path = data_dir / "session.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
    return path.read_bytes()


def _serializer(key: bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(key, salt=_SALT)


def issue(identity: Identity, key: bytes) -> str:
    """A token for ``identity``, valid until its sign-in expires."""
    return _serializer(key).dumps(
        {"u": identity.username, "exp": identity.expires_at.timestamp(), "m": identity.method}
    )


def restore(token: str | None, key: bytes, store: CaseStore) -> Identity | None:
    """The identity a token stands for, or None if it is forged, expired or the account is off."""
    if not token:
        return None
    try:
        data = _serializer(key).loads(token)
        expires = datetime.fromtimestamp(float(data["exp"]), UTC)
        username = str(data["u"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if expires <= datetime.now(UTC):
        return None
    with store.session() as s:
        user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None or not user.active:
            return None
        return Identity(username, user.role, expires, str(data.get("m", "local")))
