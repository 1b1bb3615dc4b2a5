"""Organisations, accounts, sessions, invitations and password resets (no web code here).

Password hashing (argon2) never runs inside a database transaction: the operations that hash
(:meth:`Accounts.login`, :meth:`Accounts.accept_invite`, :meth:`Accounts.reset_password`) take
the :class:`~leercultuur.quickscan.db.Database` and open their own short units of work around
the hashing; at most ``hash_concurrency`` hashes run at once in the process. The other methods
take a session inside a unit of work the caller opened and only flush (the unit commits).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property

from argon2 import PasswordHasher
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leercultuur.quickscan import security
from leercultuur.quickscan.db import Database
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
from leercultuur.quickscan.throttle import Throttle


def utcnow() -> datetime:
    """Naive UTC (the database columns are timezone-less)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class CurrentUser:
    """The logged-in user as plain values (safe to use after the unit of work has ended)."""

    id: int
    username: str
    role: str
    organisation_id: int | None

    @classmethod
    def of(cls, user: User) -> CurrentUser:
        return cls(user.id, user.username, user.role, user.organisation_id)


def _wait_text(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"


class HashBudget:
    """A per-process CPU budget for password hashing (a token bucket in CPU seconds).

    It refills at ``share`` CPU seconds per second (0.25: a quarter of one core) up to
    ``burst`` seconds; every hash spends the CPU time it took (measured on its thread). While
    the budget is used up, :meth:`check` refuses with 429 and the seconds until it refills, so
    a flood of logins from any number of names and addresses can never take more than that
    share of the CPU from the respondents. Known and unknown usernames pass it alike.
    """

    def __init__(self, share: float, burst: float = 1.0) -> None:
        self.share = share
        self.burst = burst
        self._level = burst
        self._at = time.monotonic()
        self._lock = threading.Lock()

    def _refill(self, now: float) -> None:
        self._level = min(self.burst, self._level + (now - self._at) * self.share)
        self._at = now

    def check(self) -> None:
        with self._lock:
            self._refill(time.monotonic())
            level = self._level
        if level <= 0:
            wait = max(1, math.ceil(-level / self.share))
            raise TooManyAttempts(
                f"too many login attempts at this moment; please try again in {wait} seconds",
                retry_after=wait,
            )

    def spend(self, cpu_s: float) -> None:
        with self._lock:
            self._refill(time.monotonic())
            self._level -= cpu_s


@dataclass(frozen=True)
class Accounts:
    """Account operations bound to the app's settings (secret, password hashing, lifetimes)."""

    settings: Settings
    hasher: PasswordHasher
    throttle: Throttle
    hash_slots: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(1))
    budget: HashBudget = field(default_factory=lambda: HashBudget(0.25))

    @classmethod
    def from_settings(cls, settings: Settings) -> Accounts:
        hasher = security.password_hasher(
            time_cost=settings.argon2_time_cost,
            memory_kib=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )
        return cls(
            settings,
            hasher,
            Throttle(settings),
            threading.Semaphore(settings.hash_concurrency),
            HashBudget(settings.argon2_cpu_share),
        )

    # -- hashing: bounded in concurrency and CPU, and never inside a transaction -------------
    def hash_password(self, password: str) -> str:
        self.budget.check()
        with self.hash_slots:
            t = time.thread_time()
            try:
                return self.hasher.hash(password)
            finally:
                self.budget.spend(time.thread_time() - t)

    def password_matches(self, stored: str, password: str) -> bool:
        self.budget.check()
        with self.hash_slots:
            t = time.thread_time()
            try:
                return security.verify_password(self.hasher, stored, password)
            finally:
                self.budget.spend(time.thread_time() - t)

    @cached_property
    def _dummy_hash(self) -> str:
        """Checked for unknown usernames, so that timing does not reveal which names exist
        (made once, outside the budget)."""
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

    @staticmethod
    def _clean_username(username: str) -> str:
        username = check_text("username", username.strip().lower())
        if not username or len(username) > 254:
            raise InvalidInput("username: must have 1 to 254 characters")
        return username

    def create_user(
        self,
        db: Session,
        *,
        username: str,
        role: str,
        organisation_id: int | None,
        password: str | None = None,
        password_hash: str | None = None,
    ) -> User:
        """Add a user. Pass ``password_hash`` (made before the unit of work began) in the web
        app; ``password`` hashes here and is meant for the command line only."""
        username = self._clean_username(username)
        if password_hash is None:
            if password is None:
                raise InvalidInput("password: missing")
            self._check_password(password)
            password_hash = self.hash_password(password)
        user = User(
            username=username,
            password_hash=password_hash,
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
        self, database: Database, *, username: str, password: str, client: str = ""
    ) -> tuple[CurrentUser, str]:
        """Check the password and open a new server-side session; returns (user, token).

        First the attempt is counted (throttle, one short write), then the account is read, the
        password checked (argon2, outside any transaction), and the session written. Throttled
        per client address, per (account, address) and, past a soft limit, to one attempt per
        few seconds per account: an outsider can slow an account down but not lock its owner
        out. Unknown usernames are counted, answered and timed exactly like known ones.
        """
        name = username.strip().lower()
        self.budget.check()  # no CPU left for password checks: 429 before any database write
        self._reserve_login(database, name, client)
        user = None
        # A name with NUL cannot exist (PostgreSQL would refuse the query): an unknown name.
        if not has_control_chars(name) and 0 < len(name) <= 254:
            with database.read() as db:
                user = db.scalar(select(User).where(User.username == name))
        stored = user.password_hash if user is not None else self._dummy_hash
        if not self.password_matches(stored, password) or user is None:
            raise NotAuthenticated("wrong username or password")
        # A hash made with other argon2 parameters (an older default) is replaced now; the
        # login itself has passed, so this hash is not refused by the budget (only counted).
        rehashed = None
        if self.hasher.check_needs_rehash(user.password_hash):
            started = time.thread_time()
            with self.hash_slots:
                rehashed = self.hasher.hash(password)
            self.budget.spend(time.thread_time() - started)
        token = security.new_token()
        now = utcnow()
        expires = now + timedelta(hours=self.settings.session_hours)
        t = self.throttle
        t.login_address_memory.refund(client)
        with database.write() as db:
            t.refund(db, t.login_address, client)
            t.refund(db, t.login_account, name)
            t.refund(db, t.login_account_address, name, client, clear=True)
            if rehashed is not None:
                db.execute(update(User).where(User.id == user.id).values(password_hash=rehashed))
            db.execute(delete(UserSession).where(UserSession.expires_at <= now))
            db.add(
                UserSession(
                    token_hash=self._hash("session", token), user_id=user.id, expires_at=expires
                )
            )
        return CurrentUser.of(user), token

    def _reserve_login(self, database: Database, name: str, client: str) -> None:
        """Count this attempt on every key (atomically) and refuse it when a limit is used up.

        The counts are committed before the refusal is raised: refused attempts count too.
        """
        t = self.throttle
        wait = t.login_address_memory.hit(client)  # never admits more than the database would
        if wait:
            raise TooManyAttempts(
                f"too many login attempts; try again in {_wait_text(wait)}", retry_after=wait
            )
        with database.write() as db:
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

    def current_user(self, db: Session, token: str | None) -> CurrentUser | None:
        user = self.session_user(db, token)
        return None if user is None else CurrentUser.of(user)

    def logout(self, db: Session, token: str | None) -> None:
        if token:
            db.execute(
                delete(UserSession).where(UserSession.token_hash == self._hash("session", token))
            )

    # -- organisations ----------------------------------------------------------------------
    def create_organisation(self, db: Session, name: str) -> Organisation:
        name = check_text("name", " ".join(name.split()))
        if not name or len(name) > 200:
            raise InvalidInput("name: must have 1 to 200 characters")
        org = Organisation(name=name)
        db.add(org)
        try:
            db.flush()
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
        db.flush()
        return token, expires

    def invite(self, db: Session, organisation_id: int) -> tuple[str, datetime]:
        return self._issue(db, "invite", organisation_id=organisation_id, user_id=None)

    def issue_reset(self, db: Session, user_id: int) -> tuple[str, datetime]:
        return self._issue(db, "reset", organisation_id=None, user_id=user_id)

    def _find(self, db: Session, kind: str, token: str, client: str = "") -> OneTimeToken:
        """The valid, unused, unexpired link; otherwise a clear 403 (429 after many bad ones)."""
        wait = self.throttle.bad_links.peek(client)
        if wait:
            raise TooManyAttempts(
                f"too many invalid links; try again in {_wait_text(wait)}", retry_after=wait
            )
        row = db.scalar(
            select(OneTimeToken).where(OneTimeToken.token_hash == self._hash(kind, token))
        )
        what = "invitation" if kind == "invite" else "password reset link"
        if row is None or row.kind != kind:
            self.throttle.bad_links.hit(client)
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

    def check_token(self, db: Session, kind: str, token: str, client: str = "") -> None:
        """Raise unless the link is valid (for showing its form); changes nothing."""
        self._find(db, kind, token, client)

    def accept_invite(
        self, database: Database, *, token: str, username: str, password: str, client: str = ""
    ) -> CurrentUser:
        """Create the HR account of an invitation: check, hash (no transaction), then spend."""
        with database.read() as db:
            self._find(db, "invite", token, client)
        username = self._clean_username(username)
        self._check_password(password)
        password_hash = self.hash_password(password)
        with database.write() as db:
            row = self._spend(db, "invite", token)
            user = self.create_user(
                db,
                username=username,
                password_hash=password_hash,
                role="hr",
                organisation_id=row.organisation_id,
            )
            return CurrentUser.of(user)

    def reset_password(
        self, database: Database, *, token: str, password: str, client: str = ""
    ) -> CurrentUser:
        with database.read() as db:
            self._find(db, "reset", token, client)
        self._check_password(password)
        password_hash = self.hash_password(password)
        with database.write() as db:
            row = self._spend(db, "reset", token)
            user = db.get(User, row.user_id)
            if user is None:  # pragma: no cover - cascade deletes the token with its user
                raise Forbidden("this password reset link is not valid")
            user.password_hash = password_hash
            db.execute(delete(UserSession).where(UserSession.user_id == user.id))
            return CurrentUser.of(user)

    def change_password(
        self,
        database: Database,
        user_id: int,
        *,
        current: str,
        new: str,
        keep_session: str | None,
    ) -> None:
        """The user's own password change: the current one must be right; other sessions end.

        Hashing runs outside any transaction. ``keep_session`` is the token of the session
        making the change (it stays valid).
        """
        with database.read() as db:
            user = db.get(User, user_id)
            stored = user.password_hash if user is not None else self._dummy_hash
        if user is None or not self.password_matches(stored, current):
            raise NotAuthenticated("the current password is not right")
        self._check_password(new)
        if new == current:
            raise InvalidInput("password: the new password is the same as the current one")
        new_hash = self.hash_password(new)
        with database.write() as db:
            row = db.get(User, user_id)
            if row is None:  # pragma: no cover - deleted meanwhile
                raise NotAuthenticated("the account no longer exists")
            row.password_hash = new_hash
            others = delete(UserSession).where(UserSession.user_id == user_id)
            if keep_session:
                others = others.where(UserSession.token_hash != self._hash("session", keep_session))
            db.execute(others)
