"""Weighted estimates of every indicator, per year, for all employees and every group.

One design per weight plan (items asked of one split half use that half's weight) over the
stacked years (strata = year x stratum, so the years are independent samples); one
``Design.mean`` call per breakdown estimates every indicator of the plan for every (year, group)
at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from leercultuur.monitor._indicators import IndicatorFrame, plan_weights, weight_plans
from leercultuur.monitor._result import ESTIMATE_COLUMNS
from leercultuur.monitor._spec import MonitorSpec
from leercultuur.survey import Design, prop_ci

ALL = "all"  # breakdown id and group of the whole population

Progress = Callable[[str], None]


def plan_designs(
    data: pd.DataFrame, frame: IndicatorFrame, spec: MonitorSpec
) -> list[tuple[Design, list[str]]]:
    """One design per weight plan, over the data plus its indicator columns."""
    base = pd.concat([data, frame.values.add_prefix("ind__")], axis=1)
    designs = []
    for k, (plan, ids) in enumerate(sorted(weight_plans(frame).items())):
        wcol = f"__w{k}"
        df = base.assign(**{wcol: plan_weights(data, spec.design.year, plan)})
        d = Design(
            df,
            weights=wcol,
            strata=spec.design.strata,
            psu=spec.design.psu,
            lonely_psu="adjust",
        )
        designs.append((d, ids))
    return designs


def estimate_all(
    designs: Sequence[tuple[Design, list[str]]],
    frame: IndicatorFrame,
    spec: MonitorSpec,
    *,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """The tidy estimates table (columns ``ESTIMATE_COLUMNS``)."""
    year = spec.design.year
    parts = []
    breakdowns: list[tuple[str, str | None]] = [(ALL, None)]
    breakdowns += [(b.id, b.column) for b in spec.breakdowns]
    for design, ids in designs:
        cols = [f"ind__{i}" for i in ids]
        for bid, col in breakdowns:
            if col is not None and col not in design.data.columns:
                continue
            by = [year] if col is None else [year, col]
            t = design.mean(cols, by=by, na_rm=True, missing_by="group")
            t["breakdown"] = bid
            t["group"] = ALL if col is None else t[col].astype(object)
            t["_g"] = 0 if col is None else t[col].map(group_order(design.data[col]))
            parts.append(t.drop(columns=[c for c in [col] if c is not None]))
            if progress:
                progress(f"estimates {bid}")
    est = pd.concat(parts, ignore_index=True)
    est["indicator"] = est["variable"].str.removeprefix("ind__")
    est = est[est["n"] > 0].copy()
    # keep only years in which the indicator is measured
    measured = pd.Series([(i, y) for i, ys in frame.years.items() for y in ys], dtype=object)
    key = pd.Series(
        list(zip(est["indicator"], est[year].astype(int), strict=True)), index=est.index
    )
    est = est[key.isin(set(measured))].copy()
    return finish_estimates(est, spec)


def group_order(col: pd.Series) -> dict[object, int]:
    """Report order of a breakdown's groups: category order, else sorted values; missing last."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = list(col.cat.categories)
    else:
        cats = sorted(pd.unique(col.dropna()).tolist())
    order: dict[object, int] = {c: k for k, c in enumerate(cats)}
    order[None] = len(cats)
    return order


def finish_estimates(est: pd.DataFrame, spec: MonitorSpec) -> pd.DataFrame:
    """Units, percentage scaling, CIs of percentages (svyciprop) and suppression flags."""
    year = spec.design.year
    pct = est["indicator"].map({i.id: i.is_percentage for i in spec.indicators}).astype(bool)
    p = est["estimate"].to_numpy()
    var = est["se"].to_numpy() ** 2
    lo, hi = prop_ci(
        p,
        var,
        est["df"].to_numpy(dtype=float),
        est["n"].to_numpy(dtype=float),
        method=spec.ci_method,
        level=1 - spec.alpha,
    )
    pm = pct.to_numpy()
    est["ci_low"] = np.where(pm, lo, est["ci_low"])
    est["ci_high"] = np.where(pm, hi, est["ci_high"])
    for c in ("estimate", "se", "ci_low", "ci_high"):
        est[c] = np.where(pm, est[c] * 100.0, est[c])
    est["unit"] = np.where(pm, "%", "mean")
    est["year"] = est[year].astype(int)
    est["suppressed"] = est["n"] < spec.publication_threshold
    est["group"] = est["group"].astype(str)
    order = {i.id: k for k, i in enumerate(spec.indicators)}
    border = {ALL: -1, **{b.id: k for k, b in enumerate(spec.breakdowns)}}
    est = est.assign(_o=est["indicator"].map(order), _b=est["breakdown"].map(border))
    est = est.sort_values(["_o", "_b", "_g", "year"], kind="stable", na_position="last")
    return est[ESTIMATE_COLUMNS].reset_index(drop=True)
