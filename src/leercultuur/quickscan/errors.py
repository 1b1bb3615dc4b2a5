"""Errors of the Quickscan; each carries the HTTP status the web layer answers with."""

from __future__ import annotations

from leercultuur.errors import LeercultuurError


class QuickscanError(LeercultuurError):
    status_code = 400


class InvalidInput(QuickscanError, ValueError):
    status_code = 422


class NotAuthenticated(QuickscanError):
    status_code = 401


class Forbidden(QuickscanError):
    status_code = 403


class NotFound(QuickscanError):
    status_code = 404


class Conflict(QuickscanError):
    status_code = 409


class Gone(QuickscanError):
    status_code = 410


class PayloadTooLarge(QuickscanError):
    status_code = 413


class TooManyAttempts(QuickscanError):
    """429 with a Retry-After header of ``retry_after`` seconds."""

    status_code = 429

    def __init__(self, message: str, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class Busy(QuickscanError):
    """503 with Retry-After: the server sheds this request rather than queueing it."""

    status_code = 503

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


def has_control_chars(text: str) -> bool:
    """NUL and other control characters (PostgreSQL refuses NUL in text; none belong in names)."""
    return any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in text)


def check_text(name: str, text: str) -> str:
    """The text unchanged, or InvalidInput naming the field when it holds control characters."""
    if has_control_chars(text):
        raise InvalidInput(f"{name}: contains control characters (such as NUL); please remove them")
    return text
