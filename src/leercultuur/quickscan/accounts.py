"""Organisations, accounts, sessions, invitations and password resets (no web code here)."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leercultuur.quickscan import security
from leercultuur.quickscan.errors import (
    Busy,
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
from leercultuur.quickscan.throttle import Throttle


def utcnow() -> datetime:
    """Naive UTC (the database columns are timezone-less)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class ArgonGate:
    """At most ``size`` argon2 computations at once and at most ``queue`` waiting for one.

    argon2 takes about a core for 0.1-0.3 s and 64 MiB per check. Without a bound, a burst of
    logins takes every core and every worker thread, and respondents wait. Past the queue a
    login gets a 503 with Retry-After at once instead of holding a thread.
    """

    def __init__(self, size: int, queue: int) -> None:
        self._slots = threading.BoundedSemaphore(size)
        self._waiting = 0
        self._queue = queue
        self._lock = threading.Lock()

    @contextmanager
    def slot(self) -> Iterator[None]:
        if not self._slots.acquire(blocking=False):
            with self._lock:
                if self._waiting >= self._queue:
                    raise Busy("the server is busy checking passwords; try again in a moment", 2)
                self._waiting += 1
            try:
                acquired = self._slots.acquire(timeout=5)
            finally:
                with self._lock:
                    self._waiting -= 1
            if not acquired:
                raise Busy("the server is busy checking passwords; try again in a moment", 2)
        try:
            yield
        finally:
            self._slots.release()


def _wait_text(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"


@dataclass(frozen=True)
class Accounts:
    """Account operations bound to the app's settings (secret, password hashing, lifetimes)."""

    settings: Settings
    hasher: PasswordHasher
    throttle: Throttle
    gate: ArgonGate
    dummy_hash: str  # checked for unknown usernames: the same work and time as a real check

    @classmethod
    def from_settings(cls, settings: Settings) -> Accounts:
        hasher = security.password_hasher(
            time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib
        )
        return cls(
            settings,
            hasher,
            Throttle(settings),
            ArgonGate(settings.argon2_concurrency, settings.argon2_queue),
            hasher.hash("not-a-password-" + security.new_token()),
        )

    def hash_password(self, password: str) -> str:
        with self.gate.slot():
            return self.hasher.hash(password)

    def _verify(self, stored: str, password: str) -> bool:
        with self.gate.slot():
            return security.verify_password(self.hasher, stored, password)

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
            password_hash=self.hash_password(password),
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

    def login(
        self, db: Session, *, username: str, password: str, client: str = ""
    ) -> tuple[User, str]:
        """Check the password and open a new server-side session; returns (user, token).

        Throttled before any password check (docs/operations.md): per client address, per
        (account, address) and, past a soft limit, one attempt per few seconds per account. An
        outsider can slow an account down but not lock its owner out, and unknown usernames
        are counted, answered and timed exactly like known ones.
        """
        name = username.strip().lower()
        self._reserve_login(db, name, client)
        # A name with NUL cannot exist (PostgreSQL would refuse the query): an unknown name.
        valid_name = not has_control_chars(name) and 0 < len(name) <= 254
        user = db.scalar(select(User).where(User.username == name)) if valid_name else None
        stored = user.password_hash if user is not None else self.dummy_hash
        user_id = user.id if user is not None else None
        db.rollback()  # no transaction (or SQLite write lock) held during the hash check
        if not self._verify(stored, password) or user_id is None:
            raise NotAuthenticated("wrong username or password")
        t = self.throttle
        t.refund(db, t.login_address, client)
        t.refund(db, t.login_account, name)
        t.refund(db, t.login_account_address, name, client, clear=True)
        now = utcnow()
        db.execute(delete(UserSession).where(UserSession.expires_at <= now))
        user = db.get(User, user_id)
        if user is None:  # pragma: no cover - deleted during the check
            raise NotAuthenticated("wrong username or password")
        if self.hasher.check_needs_rehash(user.password_hash):
            user.password_hash = self.hasher.hash(password)
        token = security.new_token()
        expires = now + timedelta(hours=self.settings.session_hours)
        db.add(
            UserSession(
                token_hash=self._hash("session", token), user_id=user.id, expires_at=expires
            )
        )
        db.commit()
        return user, token

    def _reserve_login(self, db: Session, name: str, client: str) -> None:
        """Count this attempt on every key (atomically) and refuse it when a limit is used up."""
        t = self.throttle
        waits = [
            t.hit(db, t.login_address, client)[1],
            t.hit(db, t.login_account_address, name, client)[1],
        ]
        hits, _ = t.hit(db, t.login_account, name)
        if hits > t.login_account.max_hits:  # many failures from anywhere: slow down
            waits.append(t.hit(db, t.login_slow, name)[1])
        wait = max(waits)
        if wait:
            raise TooManyAttempts(
                f"too many login attempts; try again in {_wait_text(wait)}", retry_after=wait
            )

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

    def _find(self, db: Session, kind: str, token: str, client: str = "") -> OneTimeToken:
        """The valid, unused, unexpired link; otherwise a clear 403 (429 after many bad ones)."""
        t = self.throttle
        wait = t.peek(db, t.token_address, client)
        if wait:
            raise TooManyAttempts(
                f"too many invalid links; try again in {_wait_text(wait)}", retry_after=wait
            )
        row = db.scalar(
            select(OneTimeToken).where(OneTimeToken.token_hash == self._hash(kind, token))
        )
        what = "invitation" if kind == "invite" else "password reset link"
        if row is None or row.kind != kind:
            db.rollback()
            t.hit(db, t.token_address, client)
            raise Forbidden(f"this {what} is not valid")
        if row.used:
            raise Forbidden(f"this {what} has already been used")
        if row.expires_at <= utcnow():
            raise Forbidden(f"this {what} has expired; ask the platform admin for a new one")
        return row

    def _spend(self, db: Session, kind: str, token: str, client: str) -> OneTimeToken:
        """Claim the link with a conditional UPDATE: of two concurrent uses only one wins."""
        row = self._find(db, kind, token, client)
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

    def check_token(self, db: Session, kind: str, token: str, client: str = "") -> None:
        """Raise unless the link is valid (for showing its form); changes nothing."""
        self._find(db, kind, token, client)

    def accept_invite(
        self, db: Session, *, token: str, username: str, password: str, client: str = ""
    ) -> User:
        self._check_password(password)
        row = self._spend(db, "invite", token, client)
        user = self.create_user(
            db,
            username=username,
            password=password,
            role="hr",
            organisation_id=row.organisation_id,
        )
        db.commit()
        return user

    def reset_password(self, db: Session, *, token: str, password: str, client: str = "") -> User:
        self._check_password(password)
        row = self._spend(db, "reset", token, client)
        user = db.get(User, row.user_id)
        if user is None:  # pragma: no cover - cascade deletes the token with its user
            raise Forbidden("this password reset link is not valid")
        user.password_hash = self.hash_password(password)
        db.execute(delete(UserSession).where(UserSession.user_id == user.id))
        db.commit()
        return user
