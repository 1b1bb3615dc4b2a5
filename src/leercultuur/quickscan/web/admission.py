"""Admission control: how many requests run at once, and a quick 503 instead of a pile-up.

THE RULE of the Quickscan's web layer (checked by tests/quickscan/test_concurrency_rule.py):

* A route or dependency that uses the database or hashes a password is a plain ``def``: FastAPI
  runs it in the thread pool. ``async def`` is only for work that never blocks (reading the
  form, checking the CSRF token, waiting for admission).
* The database is used only inside ``database.read()`` / ``database.write()`` blocks within one
  such function (see :mod:`leercultuur.quickscan.db`); no transaction is held across an
  ``await`` or while hashing a password or rendering a page.
* A route that hashes passwords is marked with :func:`hashes_passwords` so it runs in the
  small "hash" lane.

Every route first passes :func:`admit`: at most ``db_concurrency`` requests (``hash_concurrency``
for the hash lane) run at once; the others wait on the event loop (holding no thread and no
connection). A request is refused at once with 503 (hash lane: 429, "too many login attempts")
and ``Retry-After`` when the queue in front of it could not be served within
``queue_max_wait_s`` (expected wait = requests waiting x the lane's average time per request /
its places, measured as it runs), or when more than ``max_queue`` (``hash_queue``) already
wait; a request that has waited ``queue_timeout_s`` after all gets the same answer. Past
saturation the server so sheds load early and cheaply instead of letting every request wait.
The thread pool and the connection pool have ``db_concurrency + hash_concurrency + 4`` places
each, so an admitted request never waits for a thread or a connection that another admitted
request holds.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from fastapi import Request
from fastapi.routing import APIRoute

from leercultuur.quickscan.errors import QuickscanError, ServiceBusy, TooManyAttempts
from leercultuur.quickscan.settings import Settings

LaneName = Literal["db", "hash"]
F = TypeVar("F", bound=Callable[..., object])
HASHING_ENDPOINTS: set[Callable[..., object]] = set()


def hashes_passwords(endpoint: F) -> F:
    """Mark a route whose endpoint hashes or checks a password (argon2): the 'hash' lane."""
    HASHING_ENDPOINTS.add(endpoint)
    return endpoint


def lane_of(route: object) -> LaneName:
    if isinstance(route, APIRoute) and route.endpoint in HASHING_ENDPOINTS:
        return "hash"
    return "db"


@dataclass
class Lane:
    """A bounded number of running requests with a bounded, time-limited queue."""

    limit: int
    queue_timeout_s: float
    max_queue: int
    retry_after_s: int
    refusal: Callable[[int], QuickscanError]
    max_wait_s: float = 1.0
    running: int = 0
    waiting: int = 0
    shed: int = 0  # requests refused so far (for tests and the curious)
    # moving average of how long an admitted request holds its place (seconds)
    hold_s: float = 0.02
    _sem: asyncio.Semaphore | None = field(default=None, repr=False)

    def _semaphore(self) -> asyncio.Semaphore:
        if self._sem is None:
            self._sem = asyncio.Semaphore(self.limit)
        return self._sem

    def expected_wait(self) -> float:
        """Seconds a newly arriving request would wait for a place (a queue estimate)."""
        return (self.waiting + 1) * self.hold_s / self.limit

    async def acquire(self) -> None:
        sem = self._semaphore()
        if sem.locked() and (
            self.waiting >= self.max_queue or self.expected_wait() > self.max_wait_s
        ):
            self.shed += 1
            raise self.refusal(self.retry_after_s)
        self.waiting += 1
        try:
            await asyncio.wait_for(sem.acquire(), self.queue_timeout_s)
        except TimeoutError:
            self.shed += 1
            raise self.refusal(self.retry_after_s) from None
        finally:
            self.waiting -= 1
        self.running += 1

    def release(self, held_s: float | None = None) -> None:
        self.running -= 1
        if held_s is not None:
            self.hold_s += 0.05 * (held_s - self.hold_s)
        self._semaphore().release()


@dataclass
class Admission:
    lanes: dict[LaneName, Lane]

    @classmethod
    def from_settings(cls, settings: Settings) -> Admission:
        db = Lane(
            settings.db_concurrency,
            settings.queue_timeout_s,
            settings.max_queue,
            settings.retry_after_s,
            _busy,
            max_wait_s=settings.queue_max_wait_s,
        )
        hashing = Lane(
            settings.hash_concurrency,
            settings.queue_timeout_s,
            settings.hash_queue,
            settings.retry_after_s,
            _too_many_logins,
            max_wait_s=settings.queue_max_wait_s,
        )
        return cls({"db": db, "hash": hashing})


def _busy(retry_after: int) -> QuickscanError:
    return ServiceBusy(retry_after=retry_after)


def _too_many_logins(retry_after: int) -> QuickscanError:
    """A burst of logins (password checks) beyond the hash lane: 429, a 4xx like a lock-out."""
    return TooManyAttempts(
        f"too many login attempts at this moment; please try again in {retry_after} seconds",
        retry_after=retry_after,
    )


async def admit(request: Request) -> AsyncIterator[None]:
    """App-wide dependency (after the CSRF check, before every other dependency)."""
    admission: Admission = request.app.state.admission
    lane = admission.lanes[lane_of(request.scope.get("route"))]
    await lane.acquire()
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        yield
    finally:
        lane.release(loop.time() - started)
