"""Designs of the monitor: one per weight plan, over the stacked years.

Items asked of one split half use that half's weight; the years are stacked with year-specific
strata, so they are independent samples. Estimates, comparisons and trends are computed from
these designs in :mod:`leercultuur.monitor._compare`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from leercultuur.errors import DataError, format_rows
from leercultuur.monitor._indicators import IndicatorFrame, plan_weights, weight_plans
from leercultuur.monitor._spec import MonitorSpec
from leercultuur.survey import Design

ALL = "all"  # breakdown id and group of the whole population

Progress = Callable[[str], None]


def plan_designs(
    data: pd.DataFrame, frame: IndicatorFrame, spec: MonitorSpec
) -> list[tuple[Design, list[str]]]:
    """One design per weight plan, over the columns the monitor uses plus the indicators.

    Only the design, breakdown and control columns are carried (not the whole harmonised
    table), so no design copies data it never reads."""
    d_ = spec.design
    used = [d_.year, d_.strata, d_.psu, *(b.column for b in spec.breakdowns),
            *spec.associations.controls]  # fmt: skip
    keep = list(dict.fromkeys(c for c in used if c is not None and c in data.columns))
    designs = []
    for k, (plan, ids) in enumerate(sorted(weight_plans(frame).items())):
        wcol = f"__w{k}"
        w = plan_weights(data, spec.design.year, plan)
        _check_plan_weights(data, spec.design.year, plan, w, ids)
        df = pd.concat([data[keep], frame.values.add_prefix("ind__")], axis=1)
        df[wcol] = w
        d = Design(
            df,
            weights=wcol,
            strata=spec.design.strata,
            psu=spec.design.psu,
            lonely_psu="adjust",
        )
        designs.append((d, ids))
    return designs


def group_order(col: pd.Series) -> dict[object, int]:
    """Report order of a breakdown's groups: category order, else sorted values; missing last."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = list(col.cat.categories)
    else:
        cats = sorted(pd.unique(col.dropna()).tolist())
    order: dict[object, int] = {c: k for k, c in enumerate(cats)}
    order[None] = len(cats)
    return order


def _check_plan_weights(
    data: pd.DataFrame, year: str, plan: tuple[tuple[int, str], ...], w: np.ndarray,
    ids: list[str],
) -> None:  # fmt: skip
    """A year whose weight is missing: name the weight column, the year and the rows."""
    bad = np.isnan(w)
    if not bad.any():
        return
    cols = dict(plan)
    years = data[year].to_numpy()
    parts = []
    for y in np.unique(years[bad]):
        rows = np.flatnonzero(bad & (years == y))
        col = cols.get(int(y), plan[0][1])
        parts.append(f"{col!r} in {int(y)}: {rows.size} rows ({format_rows(rows)})")
    raise DataError(
        "missing weights for " + "; ".join(parts) + f" (used by {', '.join(ids)}); every "
        "respondent needs a weight: check the codebook's weight variable for that year"
    )
