"""The tidy result table of the estimators, built cheaply: for a table of a few dozen domains
the pandas DataFrame is most of the cost, so its pieces (labels, the variable column, the column
index) are cached and the frame is assembled without pandas' validation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from leercultuur.survey._domains import _Plan


@dataclass(frozen=True)
class _Stats:
    """Per (domain, variable) counts of the result table (G rows)."""

    n: np.ndarray  # unweighted rows
    n_eff: np.ndarray  # Kish
    bad: np.ndarray  # a missing value in the domain with na_rm=False


def _frame(
    plan: _Plan,
    names: Sequence[str],
    est: np.ndarray,
    var: np.ndarray,
    stats: _Stats,
    deff: np.ndarray,
    ci_low: np.ndarray,
    ci_high: np.ndarray,
    category: Sequence[object] | None = None,
) -> pd.DataFrame:
    """The tidy table; ``est``, ``var``, ``deff``, CIs and ``stats`` are G x K.

    Every column is a fresh array (changing a result never reaches the plan's cached labels).
    """
    G, K = est.shape
    bad = stats.bad.ravel()
    any_bad = bool(bad.any())
    cols: dict[str, Any] = {c: arr.copy() for c, arr in _label_columns(plan, K).items()}
    if category is None:
        cols["variable"] = _variable_column(plan, names, K).copy()
    else:
        cols["variable"] = _variable_column(plan, names[:1], K).copy()
        cols["category"] = np.asarray(category, dtype=object)[np.tile(np.arange(K), G)]
    se = np.sqrt(np.maximum(var, 0.0)).ravel()
    for name, arr in (
        ("estimate", est.ravel()),
        ("se", se),
        ("ci_low", ci_low.ravel()),
        ("ci_high", ci_high.ravel()),
    ):
        cols[name] = np.where(bad, np.nan, arr) if any_bad else arr
    cols["n"] = stats.n.ravel().astype(np.int64)
    cols["n_eff"] = stats.n_eff.ravel()
    cols["deff"] = np.where(bad, np.nan, deff.ravel()) if any_bad else deff.ravel()
    cols["df"] = np.repeat(plan.degf, K)
    return _data_frame(cols)


def _label_columns(plan: _Plan, K: int) -> dict[str, Any]:
    """The ``by`` columns of a table with K rows per domain (cached on the plan; copy them):
    numpy arrays where pandas would store numpy, else pandas' own array (strings, ...)."""
    key = f"labels:{K}"
    hit: dict[str, Any] | None = plan._agg.get(key)
    if hit is None:
        gi = np.repeat(np.arange(plan.n), K)
        hit = {}
        for c in plan.labels.columns:
            s = plan.labels[c]
            arr = s.to_numpy() if isinstance(s.dtype, np.dtype) else s.array
            hit[c] = arr.take(gi)
        plan._agg[key] = hit
    return hit


def _variable_column(plan: _Plan, names: Sequence[str], K: int) -> Any:
    """The ``variable`` column (names repeated for each domain; cached on the plan: copy it)."""
    key = ("variable", K, *names)
    hit = plan._agg.get(key)
    if hit is None:
        hit = _strings(names).take(
            np.tile(np.arange(len(names)), plan.n)
            if len(names) == K
            else np.zeros(plan.n * K, np.int64)
        )
        plan._agg[key] = hit
    return hit


def _data_frame(cols: dict[str, Any]) -> pd.DataFrame:
    """``pd.DataFrame(cols)`` for columns of equal length that are fresh arrays.

    Building the column index and validating the arrays is most of the cost of a small
    DataFrame (about 0.2 ms of a table's 1 ms); ``DataFrame._from_arrays`` with a cached index
    skips both. It is internal to pandas, so any failure falls back to the public constructor
    (tests/survey/test_element.py checks that both give the same frame)."""
    names = tuple(cols)
    index = _memo(_COLUMNS, names, lambda: pd.Index(list(names), dtype="str"))
    size = len(next(iter(cols.values()))) if cols else 0
    try:
        return pd.DataFrame._from_arrays(  # type: ignore[attr-defined,no-any-return]
            list(cols.values()), columns=index, index=pd.RangeIndex(size), verify_integrity=False
        )
    except (AttributeError, TypeError, ValueError):  # pragma: no cover - pandas changed
        return pd.DataFrame(cols, copy=False)


_COLUMNS: dict[tuple[str, ...], pd.Index] = {}


def _strings(names: Sequence[str]) -> pd.api.extensions.ExtensionArray:
    """Variable names as pandas' string array (built once per name list: pyarrow is slow to
    start on small inputs)."""
    key = tuple(names)
    return _memo(_STRINGS, key, lambda: pd.array(list(key), dtype="str"))


_STRINGS: dict[tuple[str, ...], pd.api.extensions.ExtensionArray] = {}


def _memo(store: dict[tuple[str, ...], Any], key: tuple[str, ...], build: Callable[[], Any]) -> Any:
    """``store[key]``, built on first use (the store is emptied when it grows past 4096)."""
    hit = store.get(key)
    if hit is None:
        if len(store) > 4096:
            store.clear()
        hit = store[key] = build()
    return hit
