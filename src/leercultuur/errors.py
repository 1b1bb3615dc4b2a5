"""Exceptions shared by every layer.

Every error that a user can cause (bad data, bad codebook, bad options) is a ``LeercultuurError``:
the CLI prints its message and exits non-zero without a traceback. Messages name the file,
variable, value and (first) rows involved. This module imports nothing from the package, so every
layer may import it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


class LeercultuurError(Exception):
    """Base class of all errors a user can cause and fix."""


class DesignError(LeercultuurError, ValueError):
    """A survey design or estimator call that cannot give a correct answer."""


class DataError(LeercultuurError, ValueError):
    """Input data that is missing, malformed or inconsistent."""


class SpecError(LeercultuurError, ValueError):
    """A codebook or monitor spec that is invalid."""


class OptionError(LeercultuurError, ValueError):
    """An option given a value outside its allowed set."""


def format_rows(rows: Sequence[int] | Iterable[int], *, limit: int = 5) -> str:
    """'rows 3, 17, 42 (and 12 more)' with 1-based row numbers as a spreadsheet shows them."""
    rows = list(rows)
    shown = ", ".join(str(int(r) + 1) for r in rows[:limit])
    more = f" (and {len(rows) - limit} more)" if len(rows) > limit else ""
    word = "row" if len(rows) == 1 else "rows"
    return f"{word} {shown}{more}"


def check_choice(name: str, value: Any, allowed: Sequence[Any]) -> None:
    """Raise a clear error listing the allowed values of a ``Literal`` option."""
    if value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise OptionError(f"{name}={value!r} is not allowed; choose one of: {options}")


def check_level(level: float) -> None:
    """Raise a clear error unless ``level`` (a confidence level) lies strictly between 0 and 1."""
    if not 0 < level < 1:
        raise DesignError(f"level={level!r} must be between 0 and 1 (e.g. 0.95)")
