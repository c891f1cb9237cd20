"""Local accounts (argon2 password hashes), roles, and which role may open which page."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from exportdesk.extract.errors import ExportdeskError
from exportdesk.extract.settings import Settings
from exportdesk.review import audit
from exportdesk.review.store import CaseStore
from exportdesk.review.tables import ROLES, AuditEvent, User

_hasher = PasswordHasher()

# Which roles may use which page. Admin may use every page.
PAGE_ROLES: dict[str, frozenset[str]] = {
    "intake": frozenset({"clerk", "admin"}),
    "queue": frozenset({"clerk", "reviewer", "trainer", "admin", "licensing_officer"}),
    "review": frozenset({"reviewer", "admin"}),
    "history": frozenset({"clerk", "reviewer", "trainer", "admin", "licensing_officer"}),
    "trainer": frozenset({"trainer", "admin"}),
    "licensing": frozenset({"licensing_officer", "admin"}),
    "admin": frozenset({"admin"}),
}

# Which roles may take which action. Signing the licence decision is the licensing officer's
# alone: an admin may see the page and keep the condition templates, but not sign.
ACTION_ROLES: dict[str, frozenset[str]] = {
    "issue_licence": frozenset({"licensing_officer"}),
    "edit_conditions": frozenset({"admin"}),
}

MIN_PASSWORD_LENGTH = 10


class AuthError(ExportdeskError):
    """Sign-in or account problem; the message is safe to show."""


@dataclass(frozen=True)
class Identity:
    """Who is signed in, with what role, until when."""

    username: str
    role: str
    expires_at: datetime
    method: str = "local"

    def expired(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) >= self.expires_at

    def may_open(self, page: str) -> bool:
        return self.role in PAGE_ROLES.get(page, frozenset({"admin"}))

    def may(self, action: str) -> bool:
        return self.role in ACTION_ROLES.get(action, frozenset())


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def add_user(session: Session, username: str, role: str, password: str | None, actor: str) -> User:
    username = username.strip()
    if role not in ROLES:
        raise AuthError(f"Unknown role {role!r}; choose one of: {', '.join(ROLES)}.")
    if not username or any(ch.isspace() for ch in username):
        raise AuthError("A user name must be non-empty and contain no spaces.")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(
            f"The password is too short; use at least {MIN_PASSWORD_LENGTH} characters."
        )
    if session.execute(select(User).where(User.username == username)).scalar_one_or_none():
        raise AuthError(f"A user named {username!r} already exists; choose another name.")
    user = User(
        username=username,
        role=role,
        password_hash=hash_password(password) if password else None,
        active=True,
    )
    session.add(user)
    session.flush()
    audit.append(session, actor, "user_added", detail={"username": username, "role": role})
    return user


def list_users(session: Session) -> list[User]:
    return list(session.execute(select(User).order_by(User.username)).scalars())


def set_password(session: Session, username: str, password: str, actor: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(
            f"The password is too short; use at least {MIN_PASSWORD_LENGTH} characters."
        )
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise AuthError(f"No user named {username!r}.")
    user.password_hash = hash_password(password)
    audit.append(session, actor, "password_set", detail={"username": username})


def authenticate(session: Session, username: str, password: str, hours: float) -> Identity:
    """The identity for a correct password; one vague error for every kind of failure."""
    user = session.execute(
        select(User).where(User.username == username.strip())
    ).scalar_one_or_none()
    failure = AuthError("Unknown user name or wrong password. Ask an admin if you are locked out.")
    if user is None or not user.active or not user.password_hash:
        # Spend the same time as a real check so timing does not reveal which names exist.
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        raise failure
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise failure from None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.append(session, user.username, "signed_in", detail={"method": "local"})
    return Identity(user.username, user.role, datetime.now(UTC) + timedelta(hours=hours))


def sign_in(store: CaseStore, username: str, password: str, settings: Settings) -> Identity:
    """Check a local password, recording every failure and locking a name after a run of them."""
    name = username.strip()[:200]
    with store.session() as session:
        if _locked_out(session, name, settings):
            raise AuthError(
                f"Too many wrong passwords for {name!r}; wait "
                f"{settings.signin_lockout_minutes:g} minutes or ask an admin."
            )
        try:
            return authenticate(session, name, password, settings.session_hours)
        except AuthError as exc:
            failure = exc
    # In a transaction of its own: the failed attempt must stay on record.
    with store.session() as session:
        audit.append(session, name or "(empty)", "sign_in_failed", detail={"method": "local"})
    raise failure


def _locked_out(session: Session, name: str, settings: Settings) -> bool:
    cutoff = datetime.now(UTC) - timedelta(minutes=settings.signin_lockout_minutes)
    recent = (
        session.execute(
            select(AuditEvent.action)
            .where(
                AuditEvent.actor == name,
                AuditEvent.action.in_(("signed_in", "sign_in_failed")),
                AuditEvent.at >= cutoff.isoformat(timespec="microseconds"),
            )
            .order_by(AuditEvent.seq.desc())
            .limit(settings.signin_max_failures)
        )
        .scalars()
        .all()
    )
    return len(recent) >= settings.signin_max_failures and all(
        action == "sign_in_failed" for action in recent
    )


def identity_from_oidc(session: Session, claims: dict, role_claim: str) -> Identity:
    """Map ID-token claims to an identity; the token's own ``exp`` bounds the session."""
    exp = claims.get("exp")
    if not isinstance(exp, int | float):
        raise AuthError("The identity provider's token carries no expiry; sign-in refused.")
    expires_at = datetime.fromtimestamp(exp, UTC)
    if expires_at <= datetime.now(UTC):
        raise AuthError("Your sign-in has expired; sign in again.")
    username = str(claims.get("email") or claims.get("preferred_username") or claims.get("sub"))
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    role = user.role if user is not None and user.active else None
    if role is None:
        claimed = claims.get(role_claim)
        candidates = claimed if isinstance(claimed, list) else [claimed]
        role = next((r for r in candidates if r in ROLES), None)
    if role is None:
        raise AuthError(
            f"{username} has no exportdesk role; ask an admin to run "
            f"`exportdesk users add {username} --role ROLE --no-password`."
        )
    return Identity(username, role, expires_at, method="oidc")


_DUMMY_HASH = _hasher.hash("not a real password, only for timing")
