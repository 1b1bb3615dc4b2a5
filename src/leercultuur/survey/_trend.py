"""Trends over stacked yearly samples: slope on year, trend break, difference in trend.

The design is one ``Design`` over the stacked years with strata = year x stratum. The slope is
R's ``svyglm(y ~ year, subset(des, !is.na(y) [& by == g]))`` (gaussian, design weights). Because
year is the only regressor, the normal equations need only per-(group, year) sums: the weighted
size ``W_gt`` and total ``S_gt``. So every group is fitted at once from those sums (weighted least
squares of the yearly means on year, weights ``W_gt``), and the sandwich SE comes from the row
scores ``w_i e_i (A_g^-1 x_t)`` through one ``domain_variance`` call, as ``svy.varcoef`` does.

* ``break_year=k`` adds the hinge ``pmax(year - k, 0)``: ``svyglm(y ~ year + pmax(year - k, 0))``;
  its coefficient is the change of slope after ``k`` (t on ``degf - 2`` df).
* ``trend_difference``: ``svyglm(y ~ year * D, subset(des, !is.na(y) & !is.na(by)))`` with ``D``
  the group dummy; the interaction is slope(group) - slope(rest), t on ``degf - 3`` df. The model
  is saturated in ``D``, so the group and the rest are fitted separately from the same sums.
* ``d`` of a trend (spec: the effect size of the change between the first and last year):
  ``slope * (last - first) / s``, with ``s`` the pooled weighted population SD of the first and
  last year (means) or ``scale * sqrt(pbar (1 - pbar))`` with ``pbar`` the weighted share over
  those two years (proportions). ``d_se`` by the delta method on the joint scores of the slope
  and the pooled variance (their covariance counts).

The R calls behind the golden values are in ``tests/golden/part2/golden_part2.R``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from leercultuur.errors import check_level
from leercultuur.survey import _effects as fx
from leercultuur.survey._domains import MissingBy, group_codes
from leercultuur.survey._effects import Kind
from leercultuur.survey._errors import EngineError, OptionValueError
from leercultuur.survey._pairs import centred, response
from leercultuur.survey._rules import p_from_t, row_degf, t_quantile
from leercultuur.survey._variance import domain_variance

if TYPE_CHECKING:  # pragma: no cover
    from leercultuur.survey._design import Design


def _as_list(x: str | Sequence[str] | None) -> list[str]:
    if x is None:
        return []
    return [x] if isinstance(x, str) else list(x)


class _Stacked:
    """The analysis variable, group and year codes, and per-(group, year) sums."""

    def __init__(
        self,
        design: Design,
        var: str,
        *,
        year: str,
        by_cols: list[str],
        kind: Kind,
        category: Any,
        na_rm: bool,
        scale: float,
        role: str,
        missing_by: MissingBy,
    ) -> None:
        if year in by_cols:
            raise OptionValueError(f"{role}: {year!r} cannot be both year= and by=")
        if not np.isfinite(scale) or scale == 0:
            raise OptionValueError(f"{role}: scale={scale!r} must be a finite non-zero number")
        self.outer, self.labels = group_codes(design, by_cols, f"{role} by", missing_by)
        ycode, ylab = group_codes(design, [year], f"{role} year", missing_by)
        years = ylab[year].to_numpy()
        if not pd.api.types.is_numeric_dtype(ylab[year]):
            raise EngineError(
                f"{role}: year column {year!r} is not numeric (e.g. {years[0]!r}); "
                "the slope needs numeric years"
            )
        scope = (self.outer >= 0) & (ycode >= 0)
        y = response(design, var, kind=kind, category=category, na_rm=na_rm, role=role, scope=scope)
        self.valid = scope & ~np.isnan(y)
        self.w = np.where(self.valid, design.w, 0.0)
        # slopes, their SEs and d do not depend on the level: means are centred (exact
        # residuals for data far from zero), shares are not (d of a share needs its level)
        yc, _c = centred(y, self.w, self.valid, kind)
        self.y = yc * scale
        self.G = len(self.labels)
        self.T = years.size
        self.g = np.where(self.valid, self.outer, 0)
        self.t = np.where(self.valid, ycode, 0)
        self.origin = float(years.min())
        self.tv = years.astype(float) - self.origin  # centred for a well-conditioned A
        key = self.g * self.T + self.t
        size = self.G * self.T
        self.W = np.bincount(key, weights=self.w, minlength=size).reshape(self.G, self.T)
        self.S = np.bincount(key, weights=self.w * self.y, minlength=size).reshape(self.G, self.T)
        self.n = np.bincount(self.g[self.valid], minlength=self.G)
        self.years = years
        self.scale = scale
        self.kind = kind

    def X(self, break_year: float | None) -> np.ndarray:
        cols = [np.ones(self.T), self.tv]
        if break_year is not None:
            cols.append(np.maximum(self.tv - (break_year - self.origin), 0.0))
        return np.column_stack(cols)


def _wls(W: np.ndarray, S: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, ...]:
    """Coefficients, A^-1 x_t and fitted values of every group's regression of yearly means on X.

    Groups whose measured years do not identify X (too few years, no year after the break) get
    NaN and ``ok`` False.
    """
    G, p = W.shape[0], X.shape[1]
    present = (W > 0)[:, :, None] * X[None, :, :]
    ok = np.linalg.matrix_rank(present) == p if G else np.zeros(0, bool)
    A = np.einsum("gt,tp,tq->gpq", W, X, X)
    rhs = np.einsum("gt,tp->gp", S, X)
    b = np.full((G, p), np.nan)
    Ainv = np.full((G, p, p), np.nan)
    if ok.any():
        Ainv[ok] = np.linalg.inv(A[ok])
        b[ok] = np.einsum("gpq,gq->gp", Ainv[ok], rhs[ok])
    C = np.einsum("gpq,tq->gtp", Ainv, X)  # A_g^-1 x_t
    F = np.einsum("tp,gp->gt", X, b)  # fitted value per (group, year)
    return b, C, F, ok


def _scores(st: _Stacked, C: np.ndarray, F: np.ndarray, cols: Sequence[int]) -> np.ndarray:
    """Row scores w_i e_i (A^-1 x_t)_j of the coefficients ``cols`` (zero outside the fit)."""
    e = st.y - F[st.g, st.t]
    z = (st.w * e)[:, None] * C[st.g, st.t][:, cols]
    return np.where(st.valid[:, None], np.nan_to_num(z), 0.0)


def _test(est: np.ndarray, var: np.ndarray, df: np.ndarray, level: float) -> dict[str, Any]:
    se = np.sqrt(np.maximum(var, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = est / se
        q = t_quantile(level, df)
    return {
        "se": se,
        "t": t,
        "df": df,
        "p_value": p_from_t(t, df),
        "ci_low": est - q * se,
        "ci_high": est + q * se,
    }


def _warn_unfit(st: _Stacked, ok: np.ndarray, what: str, role: str) -> None:
    if ok.all():
        return
    if not ok.any():
        raise EngineError(f"{role}: {what} cannot be estimated in any group (too few years)")
    bad = st.labels.iloc[np.flatnonzero(~ok)[:5]].to_dict("records")
    warnings.warn(
        f"{role}: {what} cannot be estimated for {int((~ok).sum())} groups {bad} "
        "(too few measured years); their values are NaN",
        stacklevel=3,
    )


def _member(design: Design, st: _Stacked, k: int) -> np.ndarray | None:
    """Rows of each fit, for the lonely-PSU rules that need them (as ``_estimate`` does)."""
    if design.lonely_psu == "average" or design.adjust_domain_lonely:
        return np.repeat(st.valid[:, None], k, axis=1)
    return None


def trend(
    design: Design,
    var: str,
    *,
    year: str,
    by: str | Sequence[str] | None = None,
    kind: Kind = "mean",
    category: Any = None,
    na_rm: bool = True,
    missing_by: MissingBy = "error",
    break_year: float | None = None,
    scale: float = 1.0,
    level: float = 0.95,
) -> pd.DataFrame:
    """Linear trend of ``var`` on ``year`` (per group of ``by``), design-based, in one pass.

    ``kind="proportion"`` regresses the 0/1 indicator of ``category`` (times ``scale``: 100 gives
    percentage points per year). Columns: the ``by`` columns, ``slope``, ``se``, ``t``, ``df``,
    ``p_value``, ``ci_low``, ``ci_high`` (t on df), ``d``, ``d_se``, ``first_year``, ``last_year``,
    ``n_years``, ``n``; with ``break_year``: ``slope_before``, ``slope_after``,
    ``slope_change``, ``change_se``, ``change_t``, ``change_df``, ``change_p_value``.
    """
    check_level(level)
    bcols = _as_list(by)
    st = _Stacked(
        design,
        var,
        year=year,
        by_cols=bcols,
        kind=kind,
        category=category,
        na_rm=na_rm,
        scale=scale,
        role="trend",
        missing_by=missing_by,
    )
    b, C, F, ok = _wls(st.W, st.S, st.X(None))
    _warn_unfit(st, ok, "the slope", "trend")
    Z = [_scores(st, C, F, [1])]
    d, first, last, z_d = _trend_d(st, b[:, 1], Z[0][:, 0])
    if break_year is not None:
        if not np.isfinite(break_year):
            raise OptionValueError(f"trend: break_year={break_year!r} must be a finite year")
        bb, Cb, Fb, okb = _wls(st.W, st.S, st.X(break_year))
        _warn_unfit(st, okb, f"a slope change at {break_year}", "trend")
        zb = _scores(st, Cb, Fb, [1, 2])
        Z.append(np.column_stack([zb, zb[:, 0] + zb[:, 1]]))
    dom = np.where(st.valid, st.outer, -1)
    Zs = np.hstack([*Z, z_d[:, None]])
    V = domain_variance(design, Zs, dom, st.G, _member(design, st, Zs.shape[1]))
    degf = row_degf(design, dom, st.G)
    out = st.labels.reset_index(drop=True) if bcols else pd.DataFrame(index=range(1))
    slope = b[:, 1]
    out["slope"] = slope
    for name, arr in _test(slope, np.where(ok, V[:, 0], np.nan), degf - 1, level).items():
        out[name] = arr
    out["d"] = d
    out["d_se"] = np.where(np.isfinite(d), np.sqrt(np.maximum(V[:, -1], 0.0)), np.nan)
    out["first_year"] = first
    out["last_year"] = last
    out["n_years"] = (st.W > 0).sum(axis=1)
    out["n"] = st.n
    if break_year is not None:
        out["slope_before"] = bb[:, 1]
        out["slope_after"] = bb[:, 1] + bb[:, 2]
        out["slope_change"] = bb[:, 2]
        res = _test(bb[:, 2], np.where(okb, V[:, 2], np.nan), degf - 2, level)
        for name in ("se", "t", "df", "p_value"):
            out[f"change_{name}"] = res[name]
    return out


def _trend_d(
    st: _Stacked, slope: np.ndarray, z_slope: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """d = slope * (last - first) / pooled SD of the first and last measured year per group.

    Also returns the scores of d (delta method with the covariance of slope and SD):
    ``z_d = span / s * z_slope - d / (2 s^2) * z_{s^2}``.
    """
    has = st.W > 0
    idx = np.arange(st.T)
    fi = np.where(has, idx, st.T).min(axis=1)
    li = np.where(has, idx, -1).max(axis=1)
    fi_c, li_c = np.minimum(fi, st.T - 1), np.maximum(li, 0)
    gi = np.arange(st.G)
    W2 = st.W[gi, fi_c] + st.W[gi, li_c]
    ends = st.valid & ((st.t == fi_c[st.g]) | (st.t == li_c[st.g]))
    with np.errstate(divide="ignore", invalid="ignore"):
        if st.kind == "mean":
            m = st.S / st.W
            r = np.where(st.valid, st.y - np.nan_to_num(m)[st.g, st.t], 0.0)
            key = st.g * st.T + st.t
            ss = np.bincount(key, weights=st.w * r * r, minlength=st.G * st.T)
            ss = ss.reshape(st.G, st.T)
            s2 = (ss[gi, fi_c] + ss[gi, li_c]) / W2
            z_s2 = st.w * (r * r - s2[st.g]) / W2[st.g]
        else:
            pbar = (st.S[gi, fi_c] + st.S[gi, li_c]) / W2 / st.scale
            s2 = st.scale**2 * pbar * (1 - pbar)
            z_s2 = st.scale**2 * (1 - 2 * pbar[st.g]) * st.w * (st.y / st.scale - pbar[st.g])
            z_s2 = z_s2 / W2[st.g]
        span = st.years[li_c].astype(float) - st.years[fi_c].astype(float)
        d = fx.d_value(slope * span, s2)
        c1, c2 = fx.d_score_coefficients(slope * span, s2)
        z_d = (span * c1)[st.g] * z_slope - c2[st.g] * np.where(ends, z_s2, 0.0)
    valid = (fi < st.T) & (li > fi)
    first = np.where(fi < st.T, st.years[fi_c], np.nan)
    last = np.where(li >= 0, st.years[li_c], np.nan)
    z_d = np.where(st.valid & np.isfinite(z_d), z_d, 0.0)
    return np.where(valid, d, np.nan), first, last, z_d


def trend_difference(
    design: Design,
    var: str,
    *,
    year: str,
    by: str,
    kind: Kind = "mean",
    category: Any = None,
    na_rm: bool = True,
    missing_by: MissingBy = "error",
    scale: float = 1.0,
    level: float = 0.95,
) -> pd.DataFrame:
    """Does each group's trend differ from the rest's? Wald t of the group x year interaction.

    Columns: ``by``, ``slope_group``, ``slope_rest``, ``difference`` (group minus rest), ``se``,
    ``t``, ``df``, ``p_value``, ``ci_low``, ``ci_high``, ``n_group``, ``n_rest``.
    """
    check_level(level)
    if not isinstance(by, str):
        raise OptionValueError("trend_difference: by= takes one column name")
    st = _Stacked(
        design,
        var,
        year=year,
        by_cols=[by],
        kind=kind,
        category=category,
        na_rm=na_rm,
        scale=scale,
        role="trend_difference",
        missing_by=missing_by,
    )
    X = st.X(None)
    bg, Cg, Fg, okg = _wls(st.W, st.S, X)
    Wr = st.W.sum(axis=0)[None, :] - st.W
    Sr = st.S.sum(axis=0)[None, :] - st.S
    br, Cr, Fr, okr = _wls(Wr, Sr, X)
    ok = okg & okr
    _warn_unfit(st, ok, "the trend difference", "trend_difference")
    # score of slope(group k) - slope(rest of k) for every row and every k at once
    mine = st.g[:, None] == np.arange(st.G)[None, :]
    wt = st.w[:, None]
    zg = wt * (st.y[:, None] - Fg[:, st.t].T) * Cg[:, st.t, 1].T
    zr = wt * (st.y[:, None] - Fr[:, st.t].T) * Cr[:, st.t, 1].T
    Z = np.where(st.valid[:, None], np.nan_to_num(np.where(mine, zg, -zr)), 0.0)
    dom = np.where(st.valid, 0, -1)
    V = domain_variance(design, Z, dom, 1, _member(design, st, st.G))[0]
    degf = float(row_degf(design, dom, 1)[0])
    diff = bg[:, 1] - br[:, 1]
    out = st.labels.reset_index(drop=True)
    out["slope_group"] = bg[:, 1]
    out["slope_rest"] = br[:, 1]
    out["difference"] = diff
    V = np.where(ok, V, np.nan)
    for name, arr in _test(diff, V, np.full(st.G, degf - 3), level).items():
        out[name] = arr
    out["n_group"] = st.n
    out["n_rest"] = int(st.n.sum()) - st.n
    return out
