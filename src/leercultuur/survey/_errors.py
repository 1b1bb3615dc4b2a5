"""The engine's errors: every one a :class:`~leercultuur.errors.DesignError` subclass that
carries what it is about (``column``, ``value``, ``rows``, 0-based) besides its message, so a
caller (the CLI, the web app, a test) can point at the cell without parsing text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from leercultuur.errors import DataError, DesignError, OptionError
from leercultuur.errors import check_choice as _check_choice


class EngineError(DesignError):
    """An engine error; ``column``, ``value`` and ``rows`` (0-based, at most 100) when known."""

    def __init__(
        self,
        message: str,
        *,
        column: str | None = None,
        value: Any = None,
        rows: Sequence[int] | np.ndarray | None = None,
    ) -> None:
        super().__init__(message)
        self.column = column
        self.value = value
        self.rows: tuple[int, ...] = (
            () if rows is None else tuple(int(r) for r in np.asarray(rows).ravel()[:100])
        )


class ColumnError(EngineError):
    """A column that is unknown, of the wrong type, or holds values the role cannot take
    (infinite, negative weights, text where numbers are needed)."""


class MissingValueError(EngineError):
    """Missing values where the call cannot use them (design columns, ``na_rm=False``)."""


class MissingByError(MissingValueError):
    """Missing values in a ``by`` column under ``missing_by="error"``."""


class DesignStructureError(EngineError):
    """A design that cannot give a variance: lonely PSUs, PSUs not nested in strata, an fpc
    that varies within a stratum or implies more than 100% sampling."""


class MarginError(EngineError, DataError):
    """Population margins or totals for weighting that are unknown, empty or inconsistent."""


class OptionValueError(EngineError, OptionError):
    """An option outside its allowed values, or options that contradict each other."""


def check_choice(name: str, value: Any, allowed: Sequence[Any]) -> None:
    """:func:`leercultuur.errors.check_choice`, raising :class:`OptionValueError` (``value``)."""
    try:
        _check_choice(name, value, allowed)
    except OptionError as exc:
        raise OptionValueError(str(exc), value=value) from None
