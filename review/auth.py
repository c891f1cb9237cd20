"""Local accounts (argon2 password hashes), roles, and which role may open which page."""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from exportdesk.extract.errors import ExportdeskError
from exportdesk.extract.settings import Settings
from exportdesk.review import audit, throttle
from exportdesk.review.store import CaseStore
from exportdesk.review.tables import ROLES, User

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


def authenticate(
    session: Session, username: str, password: str, hours: float, client: str = "unknown"
) -> Identity:
    """The identity for a correct password; one vague error for every kind of failure."""
    user = session.execute(
        select(User).where(User.username == username.strip())
    ).scalar_one_or_none()
    failure = AuthError("Unknown user name or wrong password.")
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
    audit.append(session, user.username, "signed_in", detail={"method": "local", "client": client})
    return Identity(user.username, user.role, datetime.now(UTC) + timedelta(hours=hours))


def sign_in(
    store: CaseStore, username: str, password: str, settings: Settings, client: str = "unknown"
) -> Identity:
    """Check a local password; a run of failures from ``client`` slows that client down.

    Nobody is locked out: a wrong password typed under someone's name only makes the typist
    wait (review/throttle.py). Every attempt, with its client, is on the audit log.
    """
    name = username.strip()[:200]
    client = client[:100] or "unknown"
    with store.session() as session:
        wait = throttle.wait_seconds(session, name, client, settings)
        if wait > 0:
            raise AuthError(
                f"Too many wrong passwords for {name!r} from here; try again in "
                f"{math.ceil(wait)} s, or ask an admin to run `exportdesk users unlock {name}`."
            )
        try:
            identity = authenticate(session, name, password, settings.session_hours, client)
        except AuthError as exc:
            failure = exc
        else:
            return identity
    # In a transaction of its own: the failed attempt must stay on record.
    with store.session() as session:
        audit.append(
            session,
            name or "(empty)",
            throttle.FAILED,
            detail={"method": "local", "client": client},
        )
    raise failure


def _user(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise AuthError(f"No user named {username!r}; `exportdesk users list` shows them.")
    return user


def unlock(session: Session, username: str, actor: str) -> None:
    """End every client's run of failures for ``username`` (they may try again at once)."""
    _user(session, username)
    audit.append(session, username, throttle.UNLOCKED, detail={"by": actor})


def set_active(session: Session, username: str, active: bool, actor: str) -> None:
    """Deactivate (or reactivate) an account; a signed-in user loses access on the next page."""
    user = _user(session, username)
    if (
        not active
        and user.role == "admin"
        and user.active
        and _other_active_admins(session, user) == 0
    ):
        raise AuthError(f"{username} is the last active admin; make someone else admin first.")
    user.active = active
    audit.append(
        session,
        actor,
        "user_activated" if active else "user_deactivated",
        detail={"username": username},
    )


def set_role(session: Session, username: str, role: str, actor: str) -> None:
    if role not in ROLES:
        raise AuthError(f"Unknown role {role!r}; choose one of: {', '.join(ROLES)}.")
    user = _user(session, username)
    if user.role == "admin" and role != "admin" and _other_active_admins(session, user) == 0:
        raise AuthError(f"{username} is the last active admin; make someone else admin first.")
    old, user.role = user.role, role
    audit.append(
        session, actor, "role_changed", detail={"username": username, "old": old, "new": role}
    )


def _other_active_admins(session: Session, user: User) -> int:
    others = session.execute(
        select(User).where(User.role == "admin", User.active.is_(True), User.id != user.id)
    ).scalars()
    return len(list(others))


def recheck(session: Session, identity: Identity) -> Identity | None:
    """The identity as the users table says now: None if deactivated, the current role.

    Pages call this on every run, so deactivating a user or changing a role takes effect at
    their next click, not at their next sign-in. OIDC users without a row keep their claim.
    """
    user = session.execute(
        select(User).where(User.username == identity.username)
    ).scalar_one_or_none()
    if user is None:
        return identity if identity.method == "oidc" else None
    if not user.active:
        return None
    if user.role != identity.role:
        return Identity(identity.username, user.role, identity.expires_at, identity.method)
    return identity


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
