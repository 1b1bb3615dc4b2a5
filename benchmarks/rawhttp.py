"""A small asyncio HTTP/1.1 client with keep-alive connections, for the load generators.

The load generator shares the 2-core machine with the server, so it must be cheap: httpx spent
about as much CPU per request as the server did. This client writes the request bytes itself
and reads ``Content-Length`` (or chunked) bodies straight from the stream: no URL objects, no
header models, no cookie jar. It keeps the small part of httpx's interface the load scripts use
(``get``/``post``, ``status_code``, ``headers.get``, ``text``, ``json()``,
``raise_for_status()``), and its errors are ``httpx.HTTPError`` subclasses so their ``except``
clauses stay as they are. Loopback and plain HTTP only.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
from collections import deque
from types import TracebackType
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx


class ClientError(httpx.HTTPError):
    """No (complete) answer: connection refused, reset, timeout, or a malformed response."""


class StatusError(httpx.HTTPError):
    """raise_for_status() on a 4xx/5xx answer."""


class Headers:
    """Response headers, lower-case names; repeated names (Set-Cookie) joined with ', '."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._d: dict[str, str] = {}
        for k, v in pairs:
            self._d[k] = f"{self._d[k]}, {v}" if k in self._d else v

    def get(self, name: str, default: Any = None) -> Any:
        return self._d.get(name.lower(), default)

    def __getitem__(self, name: str) -> str:
        return self._d[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._d


class Response:
    def __init__(self, status: int, headers: Headers, content: bytes) -> None:
        self.status_code = status
        self.headers = headers
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return jsonlib.loads(self.content)

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise StatusError(f"HTTP {self.status_code}")


class _Conn:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def close(self) -> None:
        self.writer.close()


class Client:
    """Keep-alive connections to one or more loopback servers (``async with`` closes them)."""

    def __init__(self, timeout: float = 30.0, max_idle: int = 500) -> None:
        self.timeout = timeout
        self.max_idle = max_idle
        self._idle: dict[tuple[str, int], deque[_Conn]] = {}

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(
        self,
        _t: type[BaseException] | None,
        _e: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for pool in self._idle.values():
            while pool:
                pool.pop().close()

    async def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        return await self.request("GET", url, headers=headers)

    async def post(
        self,
        url: str,
        *,
        data: dict[str, str] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        if json is not None:
            body = jsonlib.dumps(json).encode()
            ctype = "application/json"
        else:
            body = urlencode(data or {}).encode()
            ctype = "application/x-www-form-urlencoded"
        return await self.request("POST", url, headers=headers, body=body, content_type=ctype)

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        content_type: str | None = None,
    ) -> Response:
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        lines = [f"{method} {target} HTTP/1.1", f"Host: {host}:{port}"]
        for k, v in (headers or {}).items():
            lines.append(f"{k}: {v}")
        if method != "GET" or body:
            lines.append(f"Content-Length: {len(body)}")
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        close = (headers or {}).get("Connection", "").lower() == "close"
        try:
            return await asyncio.wait_for(self._exchange((host, port), raw, close), self.timeout)
        except TimeoutError:
            raise ClientError(f"no answer within {self.timeout} s") from None

    async def _exchange(self, key: tuple[str, int], raw: bytes, close: bool) -> Response:
        pool = self._idle.setdefault(key, deque())
        reused = bool(pool)
        conn = pool.pop() if pool else await self._open(key)
        try:
            response, keep = await self._send(conn, raw)
        except (OSError, asyncio.IncompleteReadError, ClientError) as exc:
            conn.close()
            if not reused or isinstance(exc, ClientError):
                raise ClientError(repr(exc)) from None
            # A kept-alive connection the server had just closed: send once on a fresh one
            # (nothing of an answer arrived, so the request was not processed on it).
            conn = await self._open(key)
            try:
                response, keep = await self._send(conn, raw)
            except (OSError, asyncio.IncompleteReadError) as exc2:
                conn.close()
                raise ClientError(repr(exc2)) from None
        except BaseException:
            conn.close()
            raise
        if keep and not close and len(pool) < self.max_idle:
            pool.append(conn)
        else:
            conn.close()
        return response

    async def _open(self, key: tuple[str, int]) -> _Conn:
        try:
            reader, writer = await asyncio.open_connection(*key, limit=1 << 20)
        except OSError as exc:
            raise ClientError(repr(exc)) from None
        return _Conn(reader, writer)

    @staticmethod
    async def _send(conn: _Conn, raw: bytes) -> tuple[Response, bool]:
        conn.writer.write(raw)
        head = await conn.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
        try:
            status = int(status_line.split(" ", 2)[1])
        except (IndexError, ValueError):
            raise ClientError(f"bad status line {status_line!r}") from None
        pairs = []
        for line in header_lines:
            k, _, v = line.partition(":")
            pairs.append((k.strip().lower(), v.strip()))
        hdrs = Headers(pairs)
        length = hdrs.get("content-length")
        if length is not None:
            content = await conn.reader.readexactly(int(length))
        elif "chunked" in hdrs.get("transfer-encoding", "").lower():
            chunks = []
            while True:
                size = int((await conn.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await conn.reader.readuntil(b"\r\n")
                    break
                chunks.append(await conn.reader.readexactly(size))
                await conn.reader.readexactly(2)
            content = b"".join(chunks)
        else:  # no length: the body ends with the connection
            content = await conn.reader.read()
            return Response(status, hdrs, content), False
        keep = hdrs.get("connection", "").lower() != "close"
        return Response(status, hdrs, content), keep
