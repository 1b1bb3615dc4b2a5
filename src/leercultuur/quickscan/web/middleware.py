"""Middleware: request size limit, CSRF cookie, security headers."""

from __future__ import annotations

import json
from functools import lru_cache

from starlette.requests import Request, cookie_parser
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


class SecurityMiddleware:
    """Pure ASGI middleware: CSRF cookie, security headers, HSTS, static caching.

    Before the app: the request's CSRF token (the cookie's if it is valid for this session,
    else a new one) goes to ``request.state.csrf_token``. On the response start: a new token is
    set as cookie (unless a route set its own, ``request.state.csrf_cookie_set``), and the
    security headers are added where the route did not set them. (It replaced a
    ``BaseHTTPMiddleware``, which ran every request in an extra task with memory streams.)
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self._headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
        self._names = {k for k, _ in self._headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = self.settings
        cookies = _cookies(scope)
        binding = csrf_binding(settings, cookies.get(SESSION_COOKIE))
        cookie = cookies.get(CSRF_COOKIE)
        if security.csrf_token_valid(settings.secret, binding, cookie):
            token, fresh = cookie, False
        else:
            token, fresh = security.new_csrf_token(settings.secret, binding), True
        state = scope.setdefault("state", {})
        state["csrf_token"] = token
        state["csrf_cookie_set"] = False
        https = _scope_is_https(scope, settings)
        static = scope.get("path", "").startswith("/static/")

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                if fresh and not state.get("csrf_cookie_set"):
                    assert token is not None
                    headers.append((b"set-cookie", _csrf_cookie_header(token, https)))
                headers += [(k, v) for k, v in self._headers if k not in present]
                if static:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"public, max-age=3600"))
                if https:
                    headers.append(
                        (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
                    )
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


def _cookies(scope: Scope) -> dict[str, str]:
    """The request's cookies, as ``request.cookies`` reads them."""
    cookies: dict[str, str] = {}
    for key, value in scope.get("headers") or ():
        if key == b"cookie":
            cookies.update(cookie_parser(value.decode("latin-1")))
    return cookies


def _scope_is_https(scope: Scope, settings: Settings) -> bool:
    if settings.cookie_secure == "always":
        return True
    if settings.cookie_secure == "never":
        return False
    return scope.get("scheme") == "https"


_TOKEN_SLOT = "csrftokenslot"


@lru_cache(maxsize=2)
def _csrf_cookie_template(secure: bool) -> bytes:
    response = Response()
    response.set_cookie(
        CSRF_COOKIE, _TOKEN_SLOT, httponly=True, samesite="strict", secure=secure, path="/"
    )
    return next(v for k, v in response.raw_headers if k == b"set-cookie")


def _csrf_cookie_header(token: str, secure: bool) -> bytes:
    """The Set-Cookie value :func:`set_csrf_cookie` would give (same attributes and order)."""
    return _csrf_cookie_template(secure).replace(_TOKEN_SLOT.encode(), token.encode(), 1)
