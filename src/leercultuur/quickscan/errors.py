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
    status_code = 429
