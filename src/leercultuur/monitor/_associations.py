"""Associations: design-based regression of each learning indicator on the stimulating factors.

Per year, R ``svyglm(outcome ~ predictors + controls, subset(design, year == y))`` (gaussian: a
linear probability model for 0/1 outcomes; coefficients of percentage outcomes x 100 =
percentage points per unit of the predictor). Fitted with :func:`leercultuur.survey.regress`.

Speed: strata are nested in years, so the design of one year's rows gives exactly the variance
and degrees of freedom of the year's subset of the stacked design (no other stratum has a row in
the domain); each year's fit therefore only reads that year's rows. Rows missing the outcome,
a predictor or a control are left out (R's ``na.omit``) and counted in the ``n`` column.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from leercultuur.errors import LeercultuurError
from leercultuur.monitor._indicators import IndicatorFrame
from leercultuur.monitor._result import ASSOCIATION_COLUMNS
from leercultuur.monitor._spec import MonitorSpec
from leercultuur.survey import Design, regress


def _strata_nested_in_years(design: Design, year: str) -> bool:
    """Every stratum has rows of one year only (one count of the (stratum, year) pairs)."""
    ycodes, years = pd.factorize(design.data[year], use_na_sentinel=False)
    T = max(len(years), 1)
    pairs = np.bincount(design.stratum * T + ycodes, minlength=design.n_strata * T)
    return bool(((pairs.reshape(design.n_strata, T) > 0).sum(axis=1) <= 1).all())


def associations(
    designs: Sequence[tuple[Design, list[str]]],
    frame: IndicatorFrame,
    spec: MonitorSpec,
    data: pd.DataFrame,
) -> tuple[pd.DataFrame, list[str]]:
    """The associations table and the gaps (what could not be estimated, and why)."""
    a = spec.associations
    gaps: list[str] = []
    if not a.outcomes or not a.predictors:
        return pd.DataFrame(columns=ASSOCIATION_COLUMNS), gaps
    missing = [i for i in (*a.outcomes, *a.predictors) if i not in frame.values.columns]
    controls = [c for c in a.controls if c in data.columns]
    gaps += [f"associations: control {c!r} not in the data; left out" for c in a.controls
             if c not in controls]  # fmt: skip
    if missing:
        gaps.append(f"associations: indicator(s) {', '.join(missing)} not available; left out")
    predictors = [f"ind__{p}" for p in a.predictors if p not in missing]
    if not predictors:
        return pd.DataFrame(columns=ASSOCIATION_COLUMNS), gaps
    year = spec.design.year
    by_id = {i: d for d, ids in designs for i in ids}
    dummies = _dummies(data, controls)  # built once: R's treatment coding, first level = base
    rows = []
    for outcome in a.outcomes:
        if outcome in missing:
            continue
        design = by_id[outcome]
        nested = _strata_nested_in_years(design, year)
        scale = 100.0 if spec.indicator(outcome).is_percentage else 1.0
        cols = [f"ind__{outcome}", *predictors]
        base = pd.concat([design.data[cols], dummies], axis=1).assign(
            __w=design.w, __stratum=design.stratum, __year=design.data[year].to_numpy()
        )
        for y in frame.years[outcome]:
            sel = (base["__year"] == y).to_numpy()
            if nested:
                d = Design(base.loc[sel], weights="__w", strata="__stratum",
                           lonely_psu=design.lonely_psu)  # fmt: skip
            else:
                d = Design(base, weights="__w", strata="__stratum",
                           lonely_psu=design.lonely_psu).subset(sel)  # fmt: skip
            # Split design: a predictor asked of the other half only has no respondent in
            # common with the outcome; it is left out of that year's model (and said so).
            answered = d.data[f"ind__{outcome}"].notna()
            usable = [p for p in predictors if (answered & d.data[p].notna()).any()]
            for p in predictors:
                if p not in usable:
                    gaps.append(
                        f"associations: {p.removeprefix('ind__')} was not asked of the "
                        f"respondents of {outcome} in {y}; left out of that model"
                    )
            if not usable:
                continue
            x = [*usable, *_present(d, dummies)]
            try:
                fit = regress(d, f"ind__{outcome}", x, na_rm=True)
            except (LeercultuurError, np.linalg.LinAlgError) as exc:
                gaps.append(f"associations: {outcome} in {y} not estimated: {exc}")
                continue
            t = fit.table
            rows.append(
                pd.DataFrame(
                    {
                        "outcome": outcome,
                        "year": int(y),
                        "term": t["term"].str.removeprefix("ind__"),
                        "estimate": t["estimate"] * scale,
                        "se": t["se"] * scale,
                        "statistic": t["t"],
                        "df": float(fit.df),
                        "p_value": t["p_value"],
                        "n": fit.n,
                    }
                )
            )
    if not rows:
        return pd.DataFrame(columns=ASSOCIATION_COLUMNS), gaps
    return pd.concat(rows, ignore_index=True)[ASSOCIATION_COLUMNS], gaps


def _dummies(data: pd.DataFrame, controls: list[str]) -> pd.DataFrame:
    """0/1 columns for the categorical controls, named as R names them (``educationmiddle``);
    missing values stay missing, so those rows leave the model (na.omit)."""
    out = {}
    for c in controls:
        s = data[c]
        cats = (
            list(s.cat.categories)
            if isinstance(s.dtype, pd.CategoricalDtype)
            else sorted(s.dropna().unique().tolist())
        )
        codes = pd.Categorical(s, categories=cats).codes
        miss = codes < 0
        for k, lev in enumerate(cats[1:], start=1):
            out[f"{c}{lev}"] = np.where(miss, np.nan, (codes == k).astype(np.float64))
    return pd.DataFrame(out, index=data.index)


def _present(d: Design, dummies: pd.DataFrame) -> list[str]:
    """Dummies of levels present in the year's rows (an absent level would be all zeros)."""
    return [c for c in dummies.columns if d.data[c].to_numpy(dtype=float, na_value=0.0).any()]
