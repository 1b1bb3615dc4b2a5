"""Design-based comparisons: group vs the rest (same sample) and year on year (independent years).

Both are the linearised difference of two domain means (or shares) with its covariance, which is
exactly R's ``svyglm(y ~ D, subset)`` / ``svyttest(y ~ D, subset)`` with ``D`` the group (or later
year) dummy: the estimate is the coefficient of ``D``, the SE its sandwich SE, t on
``degf(subset) - 1`` df. The R calls behind the golden values are in
``tests/golden/part2/golden_part2.R``.

* ``group_vs_rest``: for every value of ``within`` (e.g. year) and every group of ``by``, the group
  against all other groups of ``by`` together, in the rows with ``var`` and ``by`` non-missing
  (R: ``subset(des, year == wv & !is.na(var) & !is.na(by))``).
* ``year_on_year``: every pair of consecutive years in which ``var`` was measured, later minus
  earlier (R: ``subset(des, year %in% c(t0, t1) & !is.na(var) [& by == g])``). With strata that
  nest years (stacked yearly files, strata = year x stratum) the covariance is zero and the SE is
  ``sqrt(se1^2 + se2^2)``, the independent-samples test; with other designs the covariance counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from leercultuur.errors import DesignError
from leercultuur.survey._effects import Kind, PairStats, group_codes, p_from_t, pair_core, response

if TYPE_CHECKING:  # pragma: no cover
    from leercultuur.survey._design import Design

_STAT_COLUMNS = ["difference", "se", "t", "df", "p_value", "ci_low", "ci_high"]
_EFFECT_COLUMNS = ["d", "d_se", "h", "h_se"]


def _as_list(x: str | Sequence[str] | None) -> list[str]:
    if x is None:
        return []
    return [x] if isinstance(x, str) else list(x)


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise ValueError(f"level={level!r} must be between 0 and 1 (e.g. 0.95)")


def _stat_block(ps: PairStats, level: float) -> dict[str, np.ndarray]:
    from scipy import stats

    with np.errstate(divide="ignore", invalid="ignore"):
        t = ps.diff / ps.se
        q = stats.t.ppf(1 - (1 - level) / 2, np.where(ps.df > 0, ps.df, np.nan))
    return {
        "difference": ps.diff,
        "se": ps.se,
        "t": t,
        "df": ps.df,
        "p_value": p_from_t(t, ps.df),
        "ci_low": ps.diff - q * ps.se,
        "ci_high": ps.diff + q * ps.se,
        "d": ps.d,
        "d_se": ps.d_se,
        "h": ps.h,
        "h_se": ps.h_se,
    }


def group_vs_rest(
    design: Design,
    var: str,
    *,
    by: str,
    within: str | Sequence[str] | None = None,
    kind: Kind = "mean",
    category: Any = None,
    na_rm: bool = True,
    level: float = 0.95,
) -> pd.DataFrame:
    """Each group of ``by`` against the rest of ``by``, per value of ``within``, in one pass.

    Columns: the ``within`` columns, ``by`` (the group), ``estimate_group``, ``estimate_rest``,
    ``difference`` (group minus rest), ``se``, ``t``, ``df``, ``p_value``, ``ci_low``/``ci_high``
    (t on ``df``; R's ``confint.svyglm`` would use normal quantiles), ``d``, ``d_se``, ``h``,
    ``h_se`` (h only for proportions), ``n_group``, ``n_rest`` (unweighted rows). One row per
    (within, group) present. ``kind="proportion"`` compares the share of ``category``.

    A group that makes up all rows of its ``within`` (no rest) gets NaN statistics; a share of 0
    or 1 on both sides gives NaN d (0/0), never a made-up number.
    """
    _check_level(level)
    if not isinstance(by, str):
        raise ValueError("group_vs_rest: by= takes one column name")
    wcols = _as_list(within)
    if by in wcols:
        raise ValueError(f"group_vs_rest: {by!r} cannot be both by= and within=")
    outer, wlab = group_codes(design, wcols, "group_vs_rest within")
    gcode, glab = group_codes(design, [by], "group_vs_rest by")
    scope = (outer >= 0) & (gcode >= 0)
    y = response(
        design, var, kind=kind, category=category, na_rm=na_rm, role="group_vs_rest", scope=scope
    )
    G = len(glab)
    outer = np.where(gcode >= 0, outer, -1)
    side_a = gcode[:, None] == np.arange(G)[None, :]
    side_b = (gcode >= 0)[:, None] & ~side_a
    ps = pair_core(design, y, outer, len(wlab), side_a, side_b, kind, same_union=True)
    n_out = len(wlab)
    oi = np.repeat(np.arange(n_out), G)
    gi = np.tile(np.arange(G), n_out)
    keep = ps.n_a.ravel() > 0
    out = wlab.iloc[oi[keep]].reset_index(drop=True) if wcols else pd.DataFrame(index=range(0))
    if not wcols:
        out = pd.DataFrame(index=range(int(keep.sum())))
    out[by] = glab[by].to_numpy()[gi[keep]]
    out["estimate_group"] = ps.est_a.ravel()[keep]
    out["estimate_rest"] = ps.est_b.ravel()[keep]
    for name, arr in _stat_block(ps, level).items():
        out[name] = arr.ravel()[keep]
    out["n_group"] = ps.n_a.ravel()[keep].astype(np.int64)
    out["n_rest"] = ps.n_b.ravel()[keep].astype(np.int64)
    _warn_no_rest(out, "n_rest", f"group_vs_rest on {var!r} by {by!r}")
    return out


def _warn_no_rest(out: pd.DataFrame, col: str, what: str) -> None:
    import warnings

    empty = out[col] == 0
    if empty.any():
        warnings.warn(
            f"{what}: {int(empty.sum())} comparisons have no rows on one side; their statistics "
            "are NaN",
            stacklevel=3,
        )


def year_on_year(
    design: Design,
    var: str,
    *,
    year: str,
    by: str | Sequence[str] | None = None,
    kind: Kind = "mean",
    category: Any = None,
    na_rm: bool = True,
    level: float = 0.95,
) -> pd.DataFrame:
    """Each measured year against the previous measured year (per group of ``by``), one pass.

    A year counts as measured when ``var`` has a non-missing value in it (anywhere in the
    design's domain), so 2020 -> 2022 is a pair when 2021 was not asked. Columns: the ``by``
    columns, ``year_from``, ``year_to``, ``estimate_from``, ``estimate_to``, ``difference`` (to
    minus from), ``se``, ``t``, ``df``, ``p_value``, ``ci_low``, ``ci_high``, ``d``, ``d_se``,
    ``h``, ``h_se``, ``n_from``, ``n_to``.
    """
    _check_level(level)
    bcols = _as_list(by)
    if year in bcols:
        raise ValueError(f"year_on_year: {year!r} cannot be both year= and by=")
    outer, blab = group_codes(design, bcols, "year_on_year by")
    ycode, ylab = group_codes(design, [year], "year_on_year year")
    scope = (outer >= 0) & (ycode >= 0)
    y = response(
        design, var, kind=kind, category=category, na_rm=na_rm, role="year_on_year", scope=scope
    )
    measured_mask = np.bincount(ycode[scope & ~np.isnan(y)], minlength=len(ylab)) > 0
    measured = np.flatnonzero(measured_mask)
    if measured.size < 2:
        raise DesignError(
            f"year_on_year: {var!r} is measured in {measured.size} year(s) of {year!r}; "
            "need at least two"
        )
    years = ylab[year].to_numpy()
    outer = np.where(ycode >= 0, outer, -1)
    side_b = ycode[:, None] == measured[None, :-1]
    side_a = ycode[:, None] == measured[None, 1:]
    ps = pair_core(design, y, outer, len(blab), side_a, side_b, kind, same_union=False)
    n_out, P = ps.diff.shape
    oi = np.repeat(np.arange(n_out), P)
    pi = np.tile(np.arange(P), n_out)
    out = blab.iloc[oi].reset_index(drop=True) if bcols else pd.DataFrame(index=range(n_out * P))
    out["year_from"] = years[measured[:-1]][pi]
    out["year_to"] = years[measured[1:]][pi]
    out["estimate_from"] = ps.est_b.ravel()
    out["estimate_to"] = ps.est_a.ravel()
    for name, arr in _stat_block(ps, level).items():
        out[name] = arr.ravel()
    out["n_from"] = ps.n_b.ravel().astype(np.int64)
    out["n_to"] = ps.n_a.ravel().astype(np.int64)
    empty = (out["n_from"] == 0) | (out["n_to"] == 0)
    _warn_no_rest(out.assign(_e=np.where(empty, 0, 1)), "_e", f"year_on_year on {var!r}")
    return out
