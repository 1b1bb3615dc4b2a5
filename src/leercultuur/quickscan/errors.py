"""Errors of the Quickscan; each carries the HTTP status the web layer answers with."""

from __future__ import annotations

from leercultuur.errors import LeercultuurError


class QuickscanError(LeercultuurError):
    status_code = 400
    retry_after: int | None = None  # seconds; sent as the Retry-After header when set


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

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServiceBusy(QuickscanError):
    """A transient refusal (database lock wait, pool exhausted, too many requests at once).

    Answered with 503 and ``Retry-After``; nothing was stored, sending the same request again
    later is safe (submissions are idempotent by their submission_id).
    """

    status_code = 503

    def __init__(self, message: str | None = None, *, retry_after: int = 2) -> None:
        super().__init__(
            message
            or "the server is busy right now; nothing was stored, please try again "
            f"in {retry_after} seconds"
        )
        self.retry_after = retry_after


def has_control_chars(text: str) -> bool:
    """NUL and other control characters (PostgreSQL refuses NUL in text; none belong in names)."""
    return any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in text)


def check_text(name: str, text: str) -> str:
    """The text unchanged, or InvalidInput naming the field when it holds control characters."""
    if has_control_chars(text):
        raise InvalidInput(f"{name}: contains control characters (such as NUL); please remove them")
    return text
