"""Session cookies: a new session (and CSRF token) on login; logout ends it on the server."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from leercultuur.quickscan import security
from leercultuur.quickscan.web.deps import get_accounts, get_database, get_settings
from leercultuur.quickscan.web.middleware import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    csrf_binding,
    is_https,
    set_csrf_cookie,
)


def session_csrf_token(request: Request, token: str) -> str:
    """A CSRF token bound to the (new) session token."""
    settings = get_settings(request)
    return security.new_csrf_token(settings.secret, csrf_binding(settings, token))


def start_session(request: Request, response: Response, token: str, csrf_token: str) -> None:
    """Set the session cookie and the CSRF cookie bound to it."""
    settings = get_settings(request)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=is_https(request, settings),
        path="/",
    )
    set_csrf_cookie(response, request, settings, csrf_token)
    request.state.csrf_cookie_set = True


def end_session(request: Request, response: Response) -> None:
    """End the server-side session (a short write) and clear the cookies. Call from a ``def``."""
    with get_database(request).write() as db:
        get_accounts(request).logout(db, request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    request.state.csrf_cookie_set = True
