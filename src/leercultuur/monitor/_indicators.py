"""Indicator columns from the harmonised table, vectorised (one numpy expression each).

* ``share``: 1 when the item's code is one of ``success``, 0 for any other answer, missing when
  the item is missing.
* ``mean``: the mean of the items; missing unless every item is answered (a scale is only
  comparable across respondents when it has the same items).
* ``share_scale``: 1 when that scale mean is >= ``cutoff``.

Percentages are estimated as the mean of a 0/1 column (times 100 in the outputs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from leercultuur.errors import SpecError
from leercultuur.monitor._spec import Indicator, MonitorSpec

WeightFor = Callable[[str, int], str]


def indicator_values(data: pd.DataFrame, ind: Indicator) -> np.ndarray:
    """The indicator's value per row (float, NaN where not measured)."""
    items = np.column_stack(
        [data[c].to_numpy(dtype=np.float64, na_value=np.nan) for c in ind.items]
    )
    if ind.kind == "share":
        x = items[:, 0]
        hit = np.isin(x, np.asarray(ind.success, dtype=np.float64))
        return np.where(np.isnan(x), np.nan, hit.astype(np.float64))
    scale = items.mean(axis=1)  # NaN when any item is missing
    if ind.kind == "mean":
        return scale
    assert ind.cutoff is not None
    return np.where(np.isnan(scale), np.nan, (scale >= ind.cutoff - 1e-12).astype(np.float64))


@dataclass(frozen=True)
class IndicatorFrame:
    """Indicator columns, which years measure each indicator, and its weight per year."""

    values: pd.DataFrame  # one float column per indicator id
    years: Mapping[str, tuple[int, ...]]
    weights: Mapping[str, Mapping[int, str]]
    missing: tuple[str, ...]  # indicators whose items are absent from the data: (id, reason)
    gaps: tuple[str, ...]


def build_indicators(
    data: pd.DataFrame, spec: MonitorSpec, *, weight_for: WeightFor | None = None
) -> IndicatorFrame:
    """Derive all indicators; indicators whose items are missing are reported as gaps."""
    year_col = spec.design.year
    if year_col not in data.columns:
        raise SpecError(f"the data has no year column {year_col!r} (spec design.year)")
    # the years once (codes and values); per indicator only a count of its measured rows per
    # year (a hash unique of every row per indicator cost 40 ms each on the NEA)
    year_values, year_codes = np.unique(data[year_col].to_numpy(), return_inverse=True)
    values: dict[str, np.ndarray] = {}
    years: dict[str, tuple[int, ...]] = {}
    weights: dict[str, dict[int, str]] = {}
    gaps: list[str] = []
    missing: list[str] = []
    for ind in spec.indicators:
        absent = [c for c in ind.items if c not in data.columns]
        if absent:
            missing.append(ind.id)
            gaps.append(
                f"indicator {ind.id!r}: item(s) {', '.join(absent)} not in the data; not computed"
            )
            continue
        v = indicator_values(data, ind)
        measured = ~np.isnan(v)
        present = np.bincount(year_codes[measured], minlength=year_values.size) > 0
        yrs = tuple(int(y) for y in year_values[present])
        if not yrs:
            missing.append(ind.id)
            gaps.append(f"indicator {ind.id!r}: its items are measured in no year; not computed")
            continue
        values[ind.id] = v
        years[ind.id] = yrs
        weights[ind.id] = {y: _weight_of(ind, y, weight_for) for y in yrs}
    return IndicatorFrame(
        values=pd.DataFrame(values, index=data.index, copy=False),  # (no second copy)
        years=years,
        weights=weights,
        missing=tuple(missing),
        gaps=tuple(gaps),
    )


def _weight_of(ind: Indicator, year: int, weight_for: WeightFor | None) -> str:
    if weight_for is None:
        return "weight"
    cols = {weight_for(item, year) for item in ind.items}
    if len(cols) > 1:
        raise SpecError(
            f"indicator {ind.id!r}: its items use different weights in {year} "
            f"({', '.join(sorted(cols))}); a scale must come from one questionnaire block"
        )
    return cols.pop()


def weight_plans(frame: IndicatorFrame) -> dict[tuple[tuple[int, str], ...], list[str]]:
    """Group indicators that share the same weight column in every year (one design each)."""
    plans: dict[tuple[tuple[int, str], ...], list[str]] = {}
    for ind_id, per_year in frame.weights.items():
        key = tuple(sorted(per_year.items()))
        plans.setdefault(key, []).append(ind_id)
    return plans


def plan_weights(data: pd.DataFrame, year_col: str, plan: Sequence[tuple[int, str]]) -> np.ndarray:
    """The weight of each row under a plan: the plan's column in the row's year, else the
    year's first-listed column (rows of years where no indicator of the plan is measured keep a
    weight so the design stays complete; they are out of every domain)."""
    years = data[year_col].to_numpy()
    default = plan[0][1]
    w = data[default].to_numpy(dtype=np.float64, na_value=np.nan).copy()
    for year, col in plan:
        sel = years == year
        w[sel] = data[col].to_numpy(dtype=np.float64, na_value=np.nan)[sel]
    return w
