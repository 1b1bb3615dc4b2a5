"""Rate limits and lockouts: fixed-window counters in the database and in memory.

Database counters (table ``throttle``) guard logins and one-time links: they hold across worker
processes and count right under parallel guesses, because every attempt is *reserved* with one
atomic ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` before the password is checked (63
parallel guesses see the counts 1..63; only the first ``max_hits`` go on). A successful login
hands its own reservation back.

Keys are keyed hashes (HMAC) of a purpose and the client address and/or username: the table
holds no address or username in clear, and an unknown username is counted exactly like a known
one (the same 429s for both, so a 429 reveals nothing).

Memory counters (``MemoryLimiter``, per process) guard the respondents' hot path (wrong codes,
open-link submissions per address) without an extra database write per answer; with N worker
processes the effective limit is at most N times the setting.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from leercultuur.quickscan import responses, security
from leercultuur.quickscan.db import Database
from leercultuur.quickscan.errors import Forbidden, TooManyAttempts
from leercultuur.quickscan.models import Scan, ThrottleCounter
from leercultuur.quickscan.responses import Outcome
from leercultuur.quickscan.settings import Settings

PRUNE_EVERY = 500  # delete expired counters every this many hits (per process)
KEEP_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Limit:
    """At most ``max_hits`` per ``window_seconds`` (fixed window) for one purpose."""

    purpose: str
    max_hits: int
    window_seconds: int


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _retry_after(window_start: datetime, limit: Limit, now: datetime) -> int:
    left = (window_start + timedelta(seconds=limit.window_seconds) - now).total_seconds()
    return max(1, math.ceil(left))


class Throttle:
    """The database counters and the limits read from the settings."""

    def __init__(self, settings: Settings) -> None:
        self.secret = settings.secret
        window = settings.login_lock_minutes * 60
        self.login_address = Limit("login-address", settings.login_address_max, window)
        # The same limit counted in memory first: an address over it is refused without a
        # database write (a login burst from one address costs the respondents nothing).
        self.login_address_memory = MemoryLimiter(settings.login_address_max, window)
        self.login_account_address = Limit(
            "login-account-address", settings.login_max_failures, window
        )
        self.login_account = Limit("login-account", settings.login_account_max, window)
        self.login_slow = Limit("login-slow", 1, settings.login_slowdown_seconds)
        # Invitation/reset tokens have 256 bits: the limit is about noise, not guessing, so a
        # per-process memory counter does (and a GET of a bad link writes nothing).
        self.bad_links = MemoryLimiter(settings.token_address_max, window)
        self._hits = 0
        self._lock = threading.Lock()

    def key(self, limit: Limit, *parts: str) -> str:
        return security.keyed_hash(self.secret, "throttle:" + limit.purpose, "\n".join(parts))

    def hit(self, db: Session, limit: Limit, *parts: str) -> tuple[int, int]:
        """Count one attempt atomically; returns (hits in this window, retry_after).

        Call it inside a ``Database.write()`` unit (which commits). ``retry_after`` is 0 while
        the count is within the limit, else the seconds until the window ends.
        """
        key = self.key(limit, *parts)
        now = _now()
        cutoff = now - timedelta(seconds=limit.window_seconds)
        insert = sqlite_insert if db.get_bind().dialect.name == "sqlite" else pg_insert
        expired = ThrottleCounter.window_start <= cutoff
        stmt = (
            insert(ThrottleCounter)
            .values(key=key, window_start=now, hits=1)
            .on_conflict_do_update(
                index_elements=[ThrottleCounter.key],
                set_={
                    "hits": case((expired, 1), else_=ThrottleCounter.hits + 1),
                    "window_start": case((expired, now), else_=ThrottleCounter.window_start),
                },
            )
            .returning(ThrottleCounter.hits, ThrottleCounter.window_start)
        )
        hits, start = db.execute(stmt).one()
        self._maybe_prune(db)
        return hits, (0 if hits <= limit.max_hits else _retry_after(start, limit, now))

    def peek(self, db: Session, limit: Limit, *parts: str) -> int:
        """Seconds to wait if the limit is already used up, else 0 (counts nothing; any unit)."""
        now = _now()
        row = db.execute(
            select(ThrottleCounter.hits, ThrottleCounter.window_start).where(
                ThrottleCounter.key == self.key(limit, *parts)
            )
        ).one_or_none()
        if row is None or row.window_start <= now - timedelta(seconds=limit.window_seconds):
            return 0
        return _retry_after(row.window_start, limit, now) if row.hits >= limit.max_hits else 0

    def refund(self, db: Session, limit: Limit, *parts: str, clear: bool = False) -> None:
        """Hand one reserved attempt back (or all of them with ``clear``), in a write unit."""
        key = self.key(limit, *parts)
        if clear:
            db.execute(delete(ThrottleCounter).where(ThrottleCounter.key == key))
            return
        db.execute(
            update(ThrottleCounter)
            .where(ThrottleCounter.key == key, ThrottleCounter.hits > 0)
            .values(hits=ThrottleCounter.hits - 1)
            .execution_options(synchronize_session=False)
        )

    def _maybe_prune(self, db: Session) -> None:
        with self._lock:
            self._hits += 1
            due = self._hits % PRUNE_EVERY == 0
        if due:
            old = _now() - timedelta(seconds=KEEP_SECONDS)
            db.execute(delete(ThrottleCounter).where(ThrottleCounter.window_start < old))


class MemoryLimiter:
    """Fixed-window counters in this process's memory (thread-safe, bounded in size)."""

    MAX_KEYS = 200_000

    def __init__(self, max_hits: int, window_seconds: float) -> None:
        self.max_hits = max_hits
        self.window = window_seconds
        self._counts: dict[tuple[str, ...], tuple[float, int]] = {}
        self._lock = threading.Lock()

    def _now(self) -> float:
        import time

        return time.monotonic()

    def hit(self, *key: str) -> int:
        """Count one; 0 if within the limit, else the seconds until the window ends."""
        now = self._now()
        with self._lock:
            start, hits = self._counts.get(key, (now, 0))
            if now - start >= self.window:
                start, hits = now, 0
            hits += 1
            if len(self._counts) >= self.MAX_KEYS:
                self._prune(now)
            self._counts[key] = (start, hits)
        return 0 if hits <= self.max_hits else max(1, math.ceil(start + self.window - now))

    def peek(self, *key: str) -> int:
        now = self._now()
        with self._lock:
            start, hits = self._counts.get(key, (now, 0))
        if now - start >= self.window or hits < self.max_hits:
            return 0
        return max(1, math.ceil(start + self.window - now))

    def refund(self, *key: str) -> None:
        with self._lock:
            if key in self._counts:
                start, hits = self._counts[key]
                self._counts[key] = (start, max(0, hits - 1))

    def _prune(self, now: float) -> None:
        self._counts = {k: v for k, v in self._counts.items() if now - v[0] < self.window}
        if len(self._counts) >= self.MAX_KEYS:  # all live: forget the oldest half
            keep = sorted(self._counts.items(), key=lambda kv: kv[1][0])[self.MAX_KEYS // 2 :]
            self._counts = dict(keep)


class RespondentLimits:
    """Per-process limits on the respondents' path: wrong codes and open-link answers per
    client address (an office behind one address shares them: see operations.md)."""

    def __init__(self, settings: Settings) -> None:
        window = settings.login_lock_minutes * 60
        self.wrong_codes = MemoryLimiter(settings.code_address_max, window)
        self.open_link = MemoryLimiter(settings.open_link_address_max, window)


def guarded_submit(
    limits: RespondentLimits,
    client: str,
    database: Database,
    scan: Scan,
    *,
    code: str | None,
    submission_id: str,
    answers: Mapping[str, object],
    secret: bytes,
) -> Outcome:
    """``responses.submit_in`` behind the per-address limits (429 with Retry-After past them)."""
    if code:
        wait = limits.wrong_codes.peek(client)
        if wait:
            raise TooManyAttempts(
                f"too many wrong codes from your network; try again in {wait} seconds",
                retry_after=wait,
            )
        try:
            return responses.submit_in(
                database,
                scan,
                code=code,
                submission_id=submission_id,
                answers=answers,
                secret=secret,
            )
        except Forbidden:  # not a code of this scan
            limits.wrong_codes.hit(client)
            raise
    key = (str(scan.id), client)
    wait = limits.open_link.hit(*key)
    if wait:
        limits.open_link.refund(*key)
        raise TooManyAttempts(
            f"too many answers from your network address; try again in {wait} seconds",
            retry_after=wait,
        )
    try:
        outcome = responses.submit_in(
            database,
            scan,
            code=None,
            submission_id=submission_id,
            answers=answers,
            secret=secret,
        )
    except BaseException:
        limits.open_link.refund(*key)
        raise
    if outcome == "duplicate":
        limits.open_link.refund(*key)
    return outcome
