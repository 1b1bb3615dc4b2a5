"""A structured access log (JSON lines) that holds no personal data.

One line per request: time, method, the *route template* (``/s/{public_id}``, never the path
itself, so no questionnaire link, invitation token or code reaches the log), status, duration
and response size. No client address, no query string, no username, no user agent: the privacy
notice promises respondents that nothing about them is stored, and logs are stored.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOGGER = logging.getLogger("leercultuur.quickscan.access")


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    raw = scope.get("path", "")
    if raw.startswith("/static/"):
        return "/static/{file}"
    return "(unrouted)"  # a 404: the path could hold anything, so it is not logged


class AccessLog:
    """Pure ASGI middleware: logs after the response is sent (or failed)."""

    def __init__(self, app: ASGIApp, logger: logging.Logger = LOGGER) -> None:
        self.app = app
        self.logger = logger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.logger.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        size = 0

        async def sending(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            record = {
                "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "method": scope.get("method", ""),
                "route": _route_template(scope),
                "status": status,
                "ms": round((time.perf_counter() - start) * 1000, 1),
                "bytes": size,
            }
            self.logger.info(json.dumps(record, separators=(",", ":")))


def configure_access_log(level: int = logging.INFO) -> None:
    """Send the access log to standard error as bare JSON lines (for journald, Docker, ...)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    LOGGER.handlers[:] = [handler]
    LOGGER.setLevel(level)
    LOGGER.propagate = False
