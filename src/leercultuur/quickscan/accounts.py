"""Organisations, accounts, sessions, invitations and password resets (no web code here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leercultuur.quickscan import security
from leercultuur.quickscan.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    TooManyAttempts,
    check_text,
    has_control_chars,
)
from leercultuur.quickscan.models import OneTimeToken, Organisation, User, UserSession
from leercultuur.quickscan.settings import Settings


def utcnow() -> datetime:
    """Naive UTC (the database columns are timezone-less)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class Accounts:
    """Account operations bound to the app's settings (secret, password hashing, lifetimes)."""

    settings: Settings
    hasher: PasswordHasher

    @classmethod
    def from_settings(cls, settings: Settings) -> Accounts:
        hasher = security.password_hasher(
            time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib
        )
        return cls(settings, hasher)

    def _dummy_hash(self) -> str:
        return self.hasher.hash("not-a-password-" + security.new_token())

    def _hash(self, purpose: str, token: str) -> str:
        return security.keyed_hash(self.settings.secret, purpose, token)

    # -- users ------------------------------------------------------------------------------
    def _check_password(self, password: str) -> None:
        if len(password) < security.MIN_PASSWORD_LENGTH:
            raise InvalidInput(
                f"password: has {len(password)} characters; at least "
                f"{security.MIN_PASSWORD_LENGTH} are needed"
            )

    def create_user(
        self, db: Session, *, username: str, password: str, role: str, organisation_id: int | None
    ) -> User:
        username = check_text("username", username.strip().lower())
        if not username or len(username) > 254:
            raise InvalidInput("username: must have 1 to 254 characters")
        self._check_password(password)
        user = User(
            username=username,
            password_hash=self.hasher.hash(password),
            role=role,
            organisation_id=organisation_id,
        )
        db.add(user)
        try:
            db.flush()
        except IntegrityError:
            db.rollback()
            raise Conflict(f"username {username!r} is already taken") from None
        return user

    def login(self, db: Session, *, username: str, password: str) -> tuple[User, str]:
        """Check the password and open a new server-side session; returns (user, token)."""
        name = username.strip().lower()
        # A name with NUL cannot exist (PostgreSQL would refuse the query): an unknown name.
        user = (
            None
            if has_control_chars(name)
            else db.scalar(select(User).where(User.username == name))
        )
        now = utcnow()
        if user is not None and user.locked_until is not None and user.locked_until > now:
            raise TooManyAttempts(
                f"too many failed logins; try again after {user.locked_until:%H:%M} UTC"
            )
        # An unknown username costs one hash check as well, so timing does not reveal it.
        stored = user.password_hash if user is not None else self._dummy_hash()
        if not security.verify_password(self.hasher, stored, password) or user is None:
            if user is not None:
                self._count_failure(db, user, now)
            raise NotAuthenticated("wrong username or password")
        user.failed_logins = 0
        user.locked_until = None
        if self.hasher.check_needs_rehash(user.password_hash):
            user.password_hash = self.hasher.hash(password)
        db.execute(delete(UserSession).where(UserSession.expires_at <= now))
        token = security.new_token()
        expires = utcnow() + timedelta(hours=self.settings.session_hours)
        db.add(
            UserSession(
                token_hash=self._hash("session", token), user_id=user.id, expires_at=expires
            )
        )
        db.commit()
        return user, token

    def _count_failure(self, db: Session, user: User, now: datetime) -> None:
        """Count a failed login; after ``login_max_failures`` lock the account for a while."""
        user.failed_logins += 1
        if user.failed_logins >= self.settings.login_max_failures:
            user.failed_logins = 0
            user.locked_until = now + timedelta(minutes=self.settings.login_lock_minutes)
        db.commit()

    def session_user(self, db: Session, token: str | None) -> User | None:
        if not token:
            return None
        row = db.scalar(
            select(UserSession).where(
                UserSession.token_hash == self._hash("session", token),
                UserSession.expires_at > utcnow(),
            )
        )
        return row.user if row is not None else None

    def logout(self, db: Session, token: str | None) -> None:
        if token:
            db.execute(
                delete(UserSession).where(UserSession.token_hash == self._hash("session", token))
            )
            db.commit()

    # -- organisations ----------------------------------------------------------------------
    def create_organisation(self, db: Session, name: str) -> Organisation:
        name = check_text("name", " ".join(name.split()))
        if not name or len(name) > 200:
            raise InvalidInput("name: must have 1 to 200 characters")
        org = Organisation(name=name)
        db.add(org)
        try:
            db.commit()
        except IntegrityError:
            db.rollback()
            raise Conflict(f"an organisation named {name!r} already exists") from None
        return org

    # -- one-time links ---------------------------------------------------------------------
    def _issue(
        self, db: Session, kind: str, *, organisation_id: int | None, user_id: int | None
    ) -> tuple[str, datetime]:
        token = security.new_token()
        expires = utcnow() + timedelta(days=self.settings.token_days)
        db.add(
            OneTimeToken(
                kind=kind,
                token_hash=self._hash(kind, token),
                organisation_id=organisation_id,
                user_id=user_id,
                expires_at=expires,
                used=False,
            )
        )
        db.commit()
        return token, expires

    def invite(self, db: Session, organisation_id: int) -> tuple[str, datetime]:
        return self._issue(db, "invite", organisation_id=organisation_id, user_id=None)

    def issue_reset(self, db: Session, user_id: int) -> tuple[str, datetime]:
        return self._issue(db, "reset", organisation_id=None, user_id=user_id)

    def _find(self, db: Session, kind: str, token: str) -> OneTimeToken:
        """The valid, unused, unexpired link; otherwise a clear 403."""
        row = db.scalar(
            select(OneTimeToken).where(OneTimeToken.token_hash == self._hash(kind, token))
        )
        what = "invitation" if kind == "invite" else "password reset link"
        if row is None or row.kind != kind:
            raise Forbidden(f"this {what} is not valid")
        if row.used:
            raise Forbidden(f"this {what} has already been used")
        if row.expires_at <= utcnow():
            raise Forbidden(f"this {what} has expired; ask the platform admin for a new one")
        return row

    def _spend(self, db: Session, kind: str, token: str) -> OneTimeToken:
        """Claim the link with a conditional UPDATE: of two concurrent uses only one wins."""
        row = self._find(db, kind, token)
        claimed = db.execute(
            update(OneTimeToken)
            .where(OneTimeToken.id == row.id, OneTimeToken.used.is_(False))
            .values(used=True)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            db.rollback()
            what = "invitation" if kind == "invite" else "password reset link"
            raise Forbidden(f"this {what} has already been used")
        return row

    def check_token(self, db: Session, kind: str, token: str) -> None:
        """Raise unless the link is valid (for showing its form); changes nothing."""
        self._find(db, kind, token)

    def accept_invite(self, db: Session, *, token: str, username: str, password: str) -> User:
        row = self._spend(db, "invite", token)
        user = self.create_user(
            db,
            username=username,
            password=password,
            role="hr",
            organisation_id=row.organisation_id,
        )
        db.commit()
        return user

    def reset_password(self, db: Session, *, token: str, password: str) -> User:
        row = self._spend(db, "reset", token)
        self._check_password(password)
        user = db.get(User, row.user_id)
        if user is None:  # pragma: no cover - cascade deletes the token with its user
            raise Forbidden("this password reset link is not valid")
        user.password_hash = self.hasher.hash(password)
        db.execute(delete(UserSession).where(UserSession.user_id == user.id))
        db.commit()
        return user
