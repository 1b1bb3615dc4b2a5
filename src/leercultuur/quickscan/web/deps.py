"""Request dependencies: database, current user, roles, form, CSRF check, page rendering.

The rule (see :mod:`leercultuur.quickscan.web.admission`): a dependency that reads the database
is a plain ``def`` and does its reading in one ``database.read()`` block; ``async def`` ones
never touch the database or a password hash.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi import Path as PathParam
from fastapi.templating import Jinja2Templates
from markupsafe import escape
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, Response

from leercultuur.quickscan.accounts import Accounts, CurrentUser
from leercultuur.quickscan.db import Database
from leercultuur.quickscan.errors import Forbidden, NotAuthenticated
from leercultuur.quickscan.scans import MAX_DB_ID
from leercultuur.quickscan.settings import Settings
from leercultuur.quickscan.web import i18n
from leercultuur.quickscan.web.middleware import CSRF_COOKIE, SESSION_COOKIE

# A database id in a path: out-of-range numbers (>= 2**31, the INTEGER columns) are a 422, not a
# failed query (the outside tester's 500s with ids >= 2**63).
DbId = Annotated[int, PathParam(ge=1, le=MAX_DB_ID)]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parents[1] / "templates"))
TEMPLATES.env.autoescape = True
TEMPLATES.env.globals["pick"] = i18n.pick
TEMPLATES.env.auto_reload = False  # no file check per page (templates change with a deploy)


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_accounts(request: Request) -> Accounts:
    return request.app.state.accounts  # type: ignore[no-any-return]


def absolute_url(request: Request, path: str) -> str:
    """A full link for invitations, resets and questionnaires (QUICKSCAN_BASE_URL if set)."""
    # Production requires QUICKSCAN_BASE_URL (settings); the request's own address (Host
    # header) is used only in development and tests.
    base = get_settings(request).base_url or str(request.base_url)
    return base.rstrip("/") + path


def client_address(request: Request) -> str:
    """The client's address for rate limits: the peer, or X-Forwarded-For when the peer is a
    trusted proxy (uvicorn's proxy_headers with QUICKSCAN_TRUSTED_PROXIES; see operations.md)."""
    return request.client.host if request.client else "unknown"


def get_database(request: Request) -> Database:
    """The app's database; open ``read()`` / ``write()`` units of work on it (not a dependency)."""
    return request.app.state.database  # type: ignore[no-any-return]


async def form_data(request: Request) -> FormData:
    """The posted form, read on the event loop (no database here), for plain-``def`` routes."""
    return await request.form()


def optional_user(request: Request) -> CurrentUser | None:
    with get_database(request).read() as db:
        user = get_accounts(request).current_user(db, request.cookies.get(SESSION_COOKIE))
    request.state.user = user
    return user


async def require_user(user: CurrentUser | None = Depends(optional_user)) -> CurrentUser:
    if user is None:
        raise NotAuthenticated("please log in first")
    return user


async def require_admin(user: CurrentUser = Depends(require_user)) -> CurrentUser:
    if user.role != "admin":
        raise Forbidden("this needs a platform admin account")
    return user


async def require_hr(user: CurrentUser = Depends(require_user)) -> CurrentUser:
    if user.role != "hr" or user.organisation_id is None:
        raise Forbidden("this needs an HR account of an organisation")
    return user


async def require_csrf(request: Request) -> None:
    """Every state change (any method but GET/HEAD/OPTIONS) needs the CSRF token and same origin.

    The token comes in the ``X-CSRF-Token`` header (API) or the ``csrf_token`` form field
    (pages); it must equal the session-bound token of the CSRF cookie.
    """
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.url.netloc}"
    if origin is not None and origin != own:
        raise Forbidden(f"cross-origin request from {origin} refused")
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    expected: str = request.state.csrf_token
    cookie = request.cookies.get(CSRF_COOKIE)
    if not sent or cookie != expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise Forbidden(
            "CSRF token missing or invalid: reload the page and try again "
            "(API clients: send the token of GET /api/v1/csrf in the X-CSRF-Token header)"
        )


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    ctx: dict[str, Any] = {
        "csrf_token": request.state.csrf_token,
        "user": getattr(request.state, "user", None),
        "lang": i18n.page_lang(request),
        "path": request.url.path,
    }
    ctx.update(context or {})
    ctx["_"] = i18n.translator(ctx["lang"])
    response = TEMPLATES.TemplateResponse(request, name, ctx, status_code=status_code)
    i18n.remember_lang(request, response)
    return response


# Pages that are the same for every visitor except a few per-request values (the CSRF token, a
# fresh submission id) are rendered once per key and then filled in by string replacement: the
# questionnaire page took most of a request's CPU to render. The slot marker is random per
# process, so no text an HR user types can contain it.
_SLOT = "qs" + secrets.token_hex(12)
_PAGES: dict[Hashable, str] = {}
MAX_CACHED_PAGES = 512


def render_cached(
    request: Request,
    name: str,
    key: Hashable,
    make_context: Callable[[], dict[str, Any]],
    fills: Mapping[str, str] | None = None,
) -> Response:
    """``render`` for an anonymous page that depends only on ``key`` (which must hold
    everything of the context that can change, such as the scan's name, teams and language)
    and on the per-request ``fills`` (escaped like any template value)."""
    fills = dict(fills or {})
    cache_key = (name, request.url.path, key, tuple(sorted(fills)))
    html = _PAGES.get(cache_key)
    if html is None:
        context = make_context()
        context.update({field: f"{_SLOT}{field}" for field in fills})
        slot = f"{_SLOT}csrf_token"
        context.setdefault("csrf_token", slot)
        request_token = request.state.csrf_token
        request.state.csrf_token = slot
        try:
            html = bytes(render(request, name, context).body).decode("utf-8")
        finally:
            request.state.csrf_token = request_token
        if len(_PAGES) >= MAX_CACHED_PAGES:
            _PAGES.clear()
        _PAGES[cache_key] = html
    fills.setdefault("csrf_token", request.state.csrf_token)
    for field, value in fills.items():
        html = html.replace(f"{_SLOT}{field}", str(escape(value)))
    response = HTMLResponse(html)
    i18n.remember_lang(request, response)
    return response
