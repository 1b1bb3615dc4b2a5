"""The web layer's concurrency rule (src/leercultuur/quickscan/web/admission.py), checked on
every route and dependency of the app, and the answers to a busy server (503 + Retry-After)."""

from __future__ import annotations

import asyncio
import inspect
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.utils import get_dependant
from fastapi.routing import APIRoute
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leercultuur.quickscan import create_app
from leercultuur.quickscan.db import Database, is_transient
from leercultuur.quickscan.manage import create_admin
from leercultuur.quickscan.models import Response as ResponseRow
from leercultuur.quickscan.web.admission import HASHING_ENDPOINTS, hashes_passwords, lane_of

from .conftest import ADMIN, VALID_ANSWERS, Api, make_hr, make_settings, new_client, scan_body

# What an async function must never do: use the database or hash a password.
BLOCKING = re.compile(
    r"get_database|\.read\(\)|\.write\(\)|state\.sessions|\bSession\b|\bDatabase\b|"
    r"hash_password|password_matches|verify_password|\.hasher|\.login\(|accept_invite\(|"
    r"reset_password\(|current_user\(|session_user\(|end_session\("
)
HASHING = re.compile(r"\.login\(|accept_invite\(|reset_password\(|hash_password|password_matches")


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every API route, also inside included routers (walked through the routers themselves)."""
    found: list[APIRoute] = []
    routers: list[Any] = [app.router]
    while routers:
        router = routers.pop()
        for route in router.routes:
            if isinstance(route, APIRoute):
                found.append(route)
            elif hasattr(route, "original_router"):  # FastAPI's included router
                routers.append(route.original_router)
    return found


def _calls(route: APIRoute, app: FastAPI) -> Iterator[Callable[..., Any]]:
    """The endpoint and every dependency (recursively) FastAPI calls for the route, the
    app-wide dependencies included."""
    stack = [route.dependant]
    stack += [
        get_dependant(path=route.path, call=d.dependency)
        for d in app.router.dependencies
        if d.dependency is not None
    ]
    while stack:
        dep = stack.pop()
        if dep.call is not None:
            yield dep.call
        stack.extend(dep.dependencies)


def _is_async(fn: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn)


def violations(app: FastAPI) -> list[str]:
    """Every async route/dependency that takes a session/database or whose code blocks."""
    found = []
    for route in api_routes(app):
        for fn in _calls(route, app):
            if not _is_async(fn):
                continue
            hints = [str(p.annotation) for p in inspect.signature(fn).parameters.values()]
            source = inspect.getsource(fn)
            if any(re.search(r"\b(Session|Database)\b", h) for h in hints) or BLOCKING.search(
                source
            ):
                found.append(f"{route.path}: async {fn.__qualname__} blocks the event loop")
        if HASHING.search(inspect.getsource(route.endpoint)) and lane_of(route) != "hash":
            found.append(
                f"{route.path}: {route.endpoint.__qualname__} hashes, not @hashes_passwords"
            )
    return found


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Any:
    settings = make_settings(f"sqlite:///{tmp_path / 'qs.sqlite3'}", tmp_path)
    create_admin(settings, username=ADMIN[0], password=ADMIN[1])
    return create_app(settings)


def test_no_async_route_or_dependency_touches_the_database_or_hashes(sqlite_app: Any) -> None:
    routes = api_routes(sqlite_app)
    assert len(routes) >= 30
    checked_async = {
        fn.__qualname__ for r in routes for fn in _calls(r, sqlite_app) if _is_async(fn)
    }
    # the walk reaches the async dependencies (so the check is not vacuous) ...
    assert {"require_csrf", "admit", "form_data", "require_user"} <= checked_async
    # ... and the hashing routes are the ones marked for the small lane
    hashing = sorted(f"{r.path} {r.endpoint.__name__}" for r in routes if lane_of(r) == "hash")
    assert hashing == [
        "/account/password password_submit",
        "/auth/accept-invite accept_invite",
        "/auth/login login",
        "/auth/reset-password reset_password",
        "/invite/{token} invite_submit",
        "/login login_submit",
        "/reset/{token} reset_submit",
    ]
    assert violations(sqlite_app) == []


def test_the_rule_check_finds_a_blocking_async_route() -> None:
    bad = FastAPI()

    def database(request: Request) -> Database:
        return request.app.state.database  # type: ignore[no-any-return]

    @bad.get("/a")
    async def takes_a_session(db: Database = Depends(database)) -> None:
        return None

    @bad.post("/b")
    async def hashes(request: Request) -> None:
        request.app.state.accounts.hash_password("x")

    @bad.post("/c")
    @hashes_passwords
    def fine(request: Request) -> None:
        request.app.state.accounts.hash_password("x")

    @bad.post("/d")
    def unmarked(request: Request) -> None:
        request.app.state.accounts.login(None, username="u", password="p")

    try:
        found = violations(bad)
    finally:
        HASHING_ENDPOINTS.discard(fine)
    assert found == [
        "/a: async test_the_rule_check_finds_a_blocking_async_route.<locals>.takes_a_session "
        "blocks the event loop",
        "/b: async test_the_rule_check_finds_a_blocking_async_route.<locals>.hashes "
        "blocks the event loop",
        "/b: test_the_rule_check_finds_a_blocking_async_route.<locals>.hashes hashes, not "
        "@hashes_passwords",
        "/d: test_the_rule_check_finds_a_blocking_async_route.<locals>.unmarked hashes, not "
        "@hashes_passwords",
    ]


def test_a_read_unit_of_work_cannot_write(sqlite_app: Any) -> None:
    database: Database = sqlite_app.state.database
    with pytest.raises(RuntimeError, match=r"use Database\.write"), database.read() as db:
        db.add(ResponseRow(id="x" * 32, scan_id=1))
        db.flush()


# -- a busy server ---------------------------------------------------------------------------
FIELD = re.compile(r'name="(submission_id|lang|csrf_token)" value="([^"]+)"')


def _open_scan(app: Any) -> str:
    admin = Api(app)
    admin.login(*ADMIN)
    hr, _ = make_hr(admin, app, "Org", "hr@org.test")
    return str(hr.post("/scans", scan_body(open_link=True)).json()["public_id"])


def _count(app: Any) -> int:
    with app.state.sessions() as db:
        assert isinstance(db, Session)
        return int(db.scalar(select(func.count()).select_from(ResponseRow)) or 0)


def test_a_locked_database_gives_503_that_keeps_the_answers_then_one_stored_retry(
    tmp_path: Path,
) -> None:
    settings = make_settings(
        f"sqlite:///{tmp_path / 'qs.sqlite3'}", tmp_path, db_busy_timeout_s=0.2
    )
    create_admin(settings, username=ADMIN[0], password=ADMIN[1])
    sqlite_app = create_app(settings)
    public_id = _open_scan(sqlite_app)
    employee = new_client(sqlite_app)
    page = employee.get(f"/s/{public_id}/questions", params={"lang": "en"})
    form = {**dict(FIELD.findall(page.text)), **{k: str(v) for k, v in VALID_ANSWERS.items()}}
    # another process holds SQLite's write lock longer than the (shortened) busy timeout
    holder = sqlite3.connect(tmp_path / "qs.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        busy = employee.post(f"/s/{public_id}/questions", data=form)
        api = Api(sqlite_app)
        sid = "retry-json-0001-abcdefgh"
        body = {"submission_id": sid, "answers": VALID_ANSWERS}
        busy_json = api.post(f"/s/{public_id}/responses", body)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert busy.status_code == 503 and busy.headers["retry-after"] == "2"
    assert "Your answers have not been stored yet, but they are still filled in" in busy.text
    assert 'name="var_varied" value="3" checked' in busy.text  # the answers are kept
    assert busy_json.status_code == 503 and busy_json.headers["retry-after"] == "2"
    assert busy_json.json()["detail"].startswith("the server is busy right now; nothing was")
    assert _count(sqlite_app) == 0
    # the employee presses Send again (same form, same submission_id): stored once
    for _ in range(2):
        again = employee.post(f"/s/{public_id}/questions", data=form)
        assert (
            again.status_code == 200 and "Thank you! Your answers have been stored." in again.text
        )
    assert api.post(f"/s/{public_id}/responses", body).status_code == 201
    assert api.post(f"/s/{public_id}/responses", body).json() == {"status": "duplicate"}
    assert _count(sqlite_app) == 2


def test_a_full_server_answers_at_once_with_503_and_the_form_to_send_again(
    sqlite_app: Any,
) -> None:
    public_id = _open_scan(sqlite_app)
    employee = new_client(sqlite_app)
    page = employee.get(f"/s/{public_id}/questions", params={"lang": "nl"})
    form = {**dict(FIELD.findall(page.text)), **{k: str(v) for k, v in VALID_ANSWERS.items()}}
    api, admin = Api(sqlite_app), Api(sqlite_app)
    lanes = sqlite_app.state.admission.lanes
    for lane in lanes.values():  # every place taken, nobody may queue
        lane._sem = asyncio.Semaphore(0)
        lane.max_queue = 0
    full = employee.post(f"/s/{public_id}/questions", data=form)
    full_json = api.post(f"/s/{public_id}/responses", {"submission_id": "x" * 20, "answers": {}})
    login = admin.post("/auth/login", {"username": ADMIN[0], "password": ADMIN[1]})
    for lane in lanes.values():
        lane._sem = None
    assert full.status_code == 503 and full.headers["retry-after"] == "2"
    assert "Het is nu erg druk. Uw antwoorden zijn nog niet opgeslagen" in full.text
    kept = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', full.text))
    assert {k: kept[k] for k in VALID_ANSWERS} == {k: str(v) for k, v in VALID_ANSWERS.items()}
    assert kept["submission_id"] == form["submission_id"]
    assert (full_json.status_code, full_json.headers["retry-after"]) == (503, "2")
    assert (login.status_code, login.headers["retry-after"]) == (429, "2")
    assert login.json() == {
        "detail": "too many login attempts at this moment; please try again in 2 seconds"
    }
    # sending the kept form again once there is room stores the answers (once)
    resent = employee.post(f"/s/{public_id}/questions", data=kept)
    assert resent.status_code == 200 and "Dank u wel!" in resent.text
    assert _count(sqlite_app) == 1


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__("error")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (sa_exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached"), True),
        (
            sa_exc.OperationalError("BEGIN", {}, sqlite3.OperationalError("database is locked")),
            True,
        ),
        (sa_exc.OperationalError("UPDATE", {}, _PgError("55P03")), True),  # lock timeout
        (sa_exc.OperationalError("UPDATE", {}, _PgError("40001")), True),  # serialization
        (sa_exc.OperationalError("SELECT", {}, _PgError("53300")), True),  # too many clients
        (sa_exc.IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE failed")), False),
        (sa_exc.OperationalError("SELECT", {}, sqlite3.OperationalError("no such table")), False),
        (ValueError("database is locked"), False),
    ],
)
def test_which_database_failures_are_answered_with_503(exc: Exception, transient: bool) -> None:
    assert is_transient(exc) is transient


def test_a_queue_that_would_take_too_long_is_refused_at_once_and_recovers() -> None:
    """Shedding by expected wait: with every place taken and a queue that would need more than
    max_wait_s to be served, a new request gets 503 at once (not after queue_timeout_s); once
    places free up, requests are admitted again."""
    from leercultuur.quickscan.errors import ServiceBusy
    from leercultuur.quickscan.web.admission import Lane, _busy

    async def scenario() -> tuple[float, float, int]:
        lane = Lane(2, queue_timeout_s=30, max_queue=1000, retry_after_s=2, refusal=_busy)
        lane.hold_s = 0.8  # each request holds its place 0.8 s: 2 places serve 2.5/s
        await lane.acquire()
        await lane.acquire()  # both places taken
        waiters = [asyncio.ensure_future(lane.acquire()) for _ in range(2)]
        await asyncio.sleep(0)  # two wait: expected wait of a third (3 x 0.8 / 2) = 1.2 s
        t0 = time.perf_counter()
        with pytest.raises(ServiceBusy) as refused:
            await lane.acquire()
        refused_after = time.perf_counter() - t0
        assert refused.value.retry_after == 2 and lane.shed == 1
        lane.release(0.01)
        lane.release(0.01)  # both waiters get their place
        await asyncio.gather(*waiters)
        lane.release(0.01)
        t1 = time.perf_counter()
        await lane.acquire()  # a free place again: admitted
        admitted_after = time.perf_counter() - t1
        return refused_after, admitted_after, lane.running

    refused_after, admitted_after, running = asyncio.run(scenario())
    assert refused_after < 0.1 and admitted_after < 0.1 and running == 2
