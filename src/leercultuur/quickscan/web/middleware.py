"""Middleware: request size limit, CSRF cookie, security headers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from leercultuur.quickscan import security
from leercultuur.quickscan.settings import Settings

SESSION_COOKIE = "qs_session"
CSRF_COOKIE = "qs_csrf"

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # no-referrer would make browsers send Origin: null
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class BodyLimit:
    """Refuse a request body over ``limit`` bytes with 413 before routing (also when chunked)."""

    def __init__(self, app: ASGIApp, limit: int, header_limit: int = 16 * 1024) -> None:
        self.app = app
        self.limit = limit
        self.header_limit = header_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_headers = scope.get("headers") or []
        head = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
        head += sum(len(k) + len(v) + 4 for k, v in raw_headers)
        if head > self.header_limit:  # whatever the server in front lets through
            await self._refuse(scope, send, 431, "request headers too large")
            return
        headers = dict(raw_headers)
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await self._refuse(scope, send)
            return
        if length is not None:
            await self.app(scope, receive, send)
            return
        # No Content-Length (chunked): read the body up to the limit first, then replay it.
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            if seen > self.limit:
                await self._refuse(scope, send)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)

    @property
    def message(self) -> str:
        return f"request body larger than the limit of {self.limit} bytes"

    async def _refuse(
        self, scope: Scope, send: Send, status: int = 413, message: str | None = None
    ) -> None:
        body = json.dumps({"detail": message or self.message}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        headers += [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def is_https(request: Request, settings: Settings) -> bool:
    if settings.cookie_secure == "always":
        return True
    if settings.cookie_secure == "never":
        return False
    return request.url.scheme == "https"


def csrf_binding(settings: Settings, session_token: str | None) -> str:
    """CSRF tokens are bound to the session (or to 'anonymous'): a new session, a new token."""
    if not session_token:
        return "anonymous"
    return security.keyed_hash(settings.secret, "session-binding", session_token)


def set_csrf_cookie(response: Response, request: Request, settings: Settings, token: str) -> None:
    response.set_cookie(
        CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=is_https(request, settings),
        path="/",
    )


def make_http_middleware(
    settings: Settings,
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    async def middleware(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        binding = csrf_binding(settings, request.cookies.get(SESSION_COOKIE))
        cookie = request.cookies.get(CSRF_COOKIE)
        if security.csrf_token_valid(settings.secret, binding, cookie):
            token, fresh = cookie, False
        else:
            token, fresh = security.new_csrf_token(settings.secret, binding), True
        request.state.csrf_token = token
        request.state.csrf_cookie_set = False
        response = await call_next(request)
        if fresh and not request.state.csrf_cookie_set:
            assert token is not None
            set_csrf_cookie(response, request, settings, token)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        if request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "public, max-age=3600"
        if is_https(request, settings):
            response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        return response

    return middleware
