"""Request dependencies: database session, current user, roles, CSRF check, page rendering."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi import Path as PathParam
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session
from starlette.responses import Response

from leercultuur.quickscan.accounts import Accounts
from leercultuur.quickscan.errors import Forbidden, NotAuthenticated
from leercultuur.quickscan.models import User
from leercultuur.quickscan.scans import MAX_DB_ID
from leercultuur.quickscan.settings import Settings
from leercultuur.quickscan.web.middleware import CSRF_COOKIE, SESSION_COOKIE

# A database id in a path: out-of-range numbers (>= 2**31, the INTEGER columns) are a 422, not a
# failed query (the outside tester's 500s with ids >= 2**63).
DbId = Annotated[int, PathParam(ge=1, le=MAX_DB_ID)]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parents[1] / "templates"))
TEMPLATES.env.autoescape = True


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


def get_db(request: Request) -> Iterator[Session]:
    db: Session = request.app.state.sessions()
    try:
        yield db
    finally:
        db.rollback()
        db.close()


@dataclass(frozen=True)
class UserView:
    """What pages show of the logged-in user (safe to use after the database session ends)."""

    id: int
    username: str
    role: str


def optional_user(request: Request, db: Session = Depends(get_db)) -> User | None:
    accounts = get_accounts(request)
    user = accounts.session_user(db, request.cookies.get(SESSION_COOKIE))
    request.state.user = None if user is None else UserView(user.id, user.username, user.role)
    return user


def require_user(user: User | None = Depends(optional_user)) -> User:
    if user is None:
        raise NotAuthenticated("please log in first")
    return user


def require_admin(user: User = Depends(require_user)) -> User:
    if user.role != "admin":
        raise Forbidden("this needs a platform admin account")
    return user


def require_hr(user: User = Depends(require_user)) -> User:
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
        "lang": "en",
    }
    ctx.update(context or {})
    return TEMPLATES.TemplateResponse(request, name, ctx, status_code=status_code)
