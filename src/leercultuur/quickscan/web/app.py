"""The FastAPI application factory of the Quickscan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from leercultuur import __version__
from leercultuur.quickscan import db as dbmod
from leercultuur.quickscan.accounts import Accounts
from leercultuur.quickscan.errors import NotAuthenticated, QuickscanError, ServiceBusy
from leercultuur.quickscan.settings import Settings
from leercultuur.quickscan.throttle import RespondentLimits
from leercultuur.quickscan.web import (
    api_accounts,
    api_scans,
    api_survey,
    ops,
    pages_accounts,
    pages_manage,
    pages_report,
    pages_scans,
    pages_survey,
)
from leercultuur.quickscan.web.accesslog import AccessLog, configure_access_log
from leercultuur.quickscan.web.admission import Admission, admit
from leercultuur.quickscan.web.deps import render, require_csrf
from leercultuur.quickscan.web.housekeeping import purge_periodically
from leercultuur.quickscan.web.middleware import (
    SECURITY_HEADERS,
    BodyLimit,
    SecurityMiddleware,
)

STATIC = Path(__file__).resolve().parents[1] / "static"
# Routes are matched in this order, one by one: the respondents' routes (by far the most
# requests) come first. No two routers share a path.
ROUTERS: list[tuple[str, APIRouter, bool]] = [
    ("", pages_survey.router, False),
    ("/api/v1", api_survey.router, True),
    ("/api/v1", api_accounts.router, True),
    ("/api/v1", api_scans.router, True),
    ("", ops.router, True),
    ("", pages_accounts.router, False),
    ("", pages_scans.router, False),
    ("", pages_manage.router, False),
    ("", pages_report.router, False),
]


class ErrorOut(BaseModel):
    """Every error answer of the API: one readable message."""

    detail: str


_ERRORS = {
    400: "Malformed request (for example JSON that does not parse)",
    401: "Not logged in, or wrong username or password",
    403: "CSRF token missing or invalid, cross-origin, or not allowed for this account",
    404: "Not found (or not of your organisation)",
    409: "Conflict (code already used, name taken, questionnaire full)",
    410: "The scan has closed",
    413: "Request body too large",
    422: "Invalid input; the message names the field and the value",
    429: "Too many attempts; see the Retry-After header (seconds)",
    431: "Request headers too large",
    503: "Busy; nothing was stored, try again after Retry-After seconds",
}
# Declared on every route, so the OpenAPI schema matches what the app answers (schemathesis);
# 422 is our {"detail": "..."} too, not FastAPI's default validation-error list.
API_ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorOut, "description": text} for code, text in _ERRORS.items()
}


def route_table() -> list[tuple[str, str]]:
    """Every (method, path) the app routes, pages and API (for docs and the security tests)."""
    out = [("GET", "/openapi.json")]
    for prefix, router, _ in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute):
                out.extend((m, prefix + route.path) for m in sorted(route.methods or ()))
    return sorted(out)


def allowed_methods(request: Request) -> list[str]:
    """Every method the app routes for this path. Starlette's 405 names only the first route
    whose path matched (``GET /api/v1/scans`` said ``Allow: GET``, hiding POST); RFC 9110 asks
    for all of the resource's methods."""
    path = request.url.path
    methods: set[str] = {"GET", "HEAD"} if path == "/openapi.json" else set()
    for prefix, router, _ in ROUTERS:
        if not path.startswith(prefix):
            continue
        for route in router.routes:
            if isinstance(route, APIRoute) and route.path_regex.match(path[len(prefix) :]):
                methods.update(route.methods or ())
    return sorted(methods)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app: database (migrated on start unless disabled), routes, security layers."""
    settings = settings or Settings()
    engine = dbmod.make_engine(settings.resolved_database_url(), pool_size=settings.worker_threads)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Threads for plain-def routes: as many as admitted requests (+4), and as many as pool
        # connections, so an admitted request never waits for a thread or a connection.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        purge = None
        if settings.purge_interval_hours > 0:  # retention: expired scans deleted automatically
            purge = asyncio.create_task(
                purge_periodically(
                    _app.state.database,
                    retention_days=settings.retention_days,
                    interval_s=settings.purge_interval_hours * 3600,
                )
            )
        yield
        if purge is not None:
            purge.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await purge
        engine.dispose()

    if settings.run_migrations:
        dbmod.upgrade(engine)

    app = FastAPI(
        title="Leercultuur Quickscan",
        version=__version__,
        description="Employees answer the learning-culture monitor's questions; organisations "
        "compare themselves with the national figures. Every state-changing call needs the "
        "X-CSRF-Token header (token from GET /api/v1/csrf).",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        # CSRF first (reads the form, no database), then admission (see web/admission.py).
        dependencies=[Depends(require_csrf), Depends(admit, scope="function")],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.database = dbmod.Database(
        engine, retry_after=settings.retry_after_s, busy_timeout_s=settings.db_busy_timeout_s
    )
    app.state.sessions = app.state.database.sessions  # write sessions, for scripts and tests
    app.state.admission = Admission.from_settings(settings)
    app.state.accounts = Accounts.from_settings(settings)
    app.state.respondent_limits = RespondentLimits(settings)

    for prefix, router, in_schema in ROUTERS:
        app.include_router(router, prefix=prefix, include_in_schema=in_schema, responses=API_ERRORS)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    app.add_middleware(SecurityMiddleware, settings=settings)
    app.add_middleware(
        BodyLimit, limit=settings.max_body_bytes, header_limit=settings.max_header_bytes
    )
    if settings.access_log:
        configure_access_log()
    app.add_middleware(AccessLog)  # outermost of ours: sees every answer, 413s included
    _exception_handlers(app)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def _error(request: Request, status: int, message: str, retry_after: int | None = None) -> Response:
    if _wants_json(request):
        response: Response = JSONResponse({"detail": message}, status_code=status)
    else:
        response = render(request, "error.html", {"status": status, "message": message}, status)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def internal_error_response() -> Response:
    """The 500 answer: no details, and the security headers too (it bypasses the middleware)."""
    response = JSONResponse(
        {"detail": "internal server error; the problem has been logged"}, status_code=500
    )
    response.headers.update(SECURITY_HEADERS)
    return response


def _exception_handlers(app: FastAPI) -> None:
    settings: Settings = app.state.settings

    @app.exception_handler(ServiceBusy)
    async def _service_busy(request: Request, exc: ServiceBusy) -> Response:
        page = await pages_survey.busy_page(request, exc)
        return page or _error(request, exc.status_code, str(exc), exc.retry_after)

    @app.exception_handler(SQLAlchemyError)
    async def _database_error(request: Request, exc: SQLAlchemyError) -> Response:
        """A lock wait or an exhausted pool outside a unit of work: 503 as well, never 500."""
        if not dbmod.is_transient(exc):
            raise exc
        return await _service_busy(request, ServiceBusy(retry_after=settings.retry_after_s))

    @app.exception_handler(QuickscanError)
    async def _quickscan_error(request: Request, exc: QuickscanError) -> Response:
        if (
            isinstance(exc, NotAuthenticated)
            and not _wants_json(request)
            and request.method == "GET"
        ):
            return RedirectResponse("/login", status_code=303)
        return _error(request, exc.status_code, str(exc), exc.retry_after)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            msg = err.get("msg", "invalid")
            if err.get("type") == "extra_forbidden":
                msg = "unknown field"
            parts.append(f"{loc}: {msg}" if loc else msg)
        return _error(request, 422, "invalid input: " + "; ".join(parts))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        response = _error(request, exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:
            response.headers["Allow"] = ", ".join(allowed_methods(request))
        return response

    @app.exception_handler(Exception)
    async def _internal_error(_request: Request, _exc: Exception) -> Response:
        # Runs in Starlette's outermost ServerErrorMiddleware, which re-raises for the server log.
        return internal_error_response()
