"""Sign-in throttling: growing delays per client and user name, never a lockout.

A lockout after N failures lets anyone lock a real user out by typing wrong passwords
under their name. Instead, each run of failures for one (client, name) pair makes the
next attempt wait longer (1 s, 2 s, 4 s ... up to `signin_max_delay_seconds`); the same
name from another client is not slowed at all. Failures are read from the audit log,
where every attempt is recorded anyway; an admin's unlock or a correct password ends a run.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from exportdesk.extract.settings import Settings
from exportdesk.review.tables import AuditEvent

FAILED, SUCCEEDED, UNLOCKED = "sign_in_failed", "signed_in", "sign_in_unlocked"
# Failures looked at: older ones no longer slow anybody down.
WINDOW = timedelta(hours=24)


def delay_for(failures: int, settings: Settings) -> float:
    """Seconds to wait after ``failures`` wrong passwords in a row (none for the first few)."""
    over = failures - settings.signin_free_failures
    if over < 0:
        return 0.0
    return float(min(settings.signin_max_delay_seconds, 2**over))


def wait_seconds(
    session: Session, name: str, client: str, settings: Settings, now: datetime | None = None
) -> float:
    """How long ``client`` must still wait before trying ``name`` again (0: go ahead)."""
    now = now or datetime.now(UTC)
    since = (now - WINDOW).isoformat(timespec="microseconds")
    rows = session.execute(
        select(AuditEvent.action, AuditEvent.at, AuditEvent.detail)
        .where(
            AuditEvent.actor == name,
            AuditEvent.action.in_((FAILED, SUCCEEDED, UNLOCKED)),
            AuditEvent.at >= since,
        )
        .order_by(AuditEvent.seq.desc())
        .limit(200)
    ).all()
    failures, last = 0, None
    for action, at, detail in rows:
        if action == UNLOCKED:
            break
        if _client_of(detail) != client:
            continue
        if action == SUCCEEDED:
            break
        failures += 1
        last = last or datetime.fromisoformat(at)
    if last is None:
        return 0.0
    return max(0.0, (last + timedelta(seconds=delay_for(failures, settings)) - now).total_seconds())


def _client_of(detail: str) -> str | None:
    try:
        value = json.loads(detail).get("client")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None
