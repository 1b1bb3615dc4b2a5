"""Trend table: slope on year (B), slope change at the break year, difference in trend vs rest.

Design-based: R ``svyglm`` on the domain's ``subset()`` of the stacked-years design, t on the
model's residual df (domain df - (p - 1)). Classic: ordinary weighted least squares with weights
normalised to mean 1 per year, sigma^2 from the residuals, t on N - p df.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import pandas as pd

from leercultuur.monitor._result import TREND_COLUMNS
from leercultuur.monitor._spec import MonitorSpec
from leercultuur.monitor._stats import effect_sizes, markers, p_t
from leercultuur.survey import (
    CellStats,
    DomainMeans,
    domain_df,
    domain_slopes,
    slope_covariance_disjoint,
)


class _Ctx(Protocol):
    """What the trend table reads of one (plan, breakdown) (``_compare._Ctx``)."""

    cs: CellStats
    csc: CellStats | None
    dm: DomainMeans
    spec: MonitorSpec
    ids: list[str]
    pct: np.ndarray
    scale: np.ndarray
    group: np.ndarray
    valid: np.ndarray
    years: np.ndarray
    measured: np.ndarray
    col: str | None
    bid: str
    method: str


Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
# A part of a table: its columns as arrays (or one value for every row); the parts of every
# (plan, breakdown) become one DataFrame at the end (``_compare.stack``), so pandas builds each
# text column once rather than once per part.
Columns = dict[str, Any]


def _classic_fit(cs: CellStats, M: np.ndarray, X: np.ndarray) -> Arrays:
    """OLS with frequency weights: coef (ND,K,p), vcov (ND,K,p,p), RSS (ND,K), N (ND,K)."""
    a = M[:, :, None] * cs.sum_w[None]
    b = M[:, :, None] * cs.sum_wy[None]
    f = M @ cs.sum_wyy
    xtwx = np.einsum("dgk,gi,gj->dkij", a, X, X)
    xtwy = np.einsum("dgk,gi->dki", b, X)
    p = X.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        bad = np.linalg.cond(xtwx) > 1e12
        safe = np.where(bad[..., None, None], np.eye(p), xtwx)
        coef = np.linalg.solve(safe, xtwy[..., None])[..., 0]
        inv = np.linalg.inv(safe)
        rss = (
            f
            - 2 * np.einsum("dki,dki->dk", coef, xtwy)
            + np.einsum("dki,dkij,dkj->dk", coef, xtwx, coef)
        )
    n = a.sum(axis=1)
    coef[bad] = np.nan
    inv[bad] = np.nan
    return coef, inv, rss, n


def _t_and_p(est: np.ndarray, se: np.ndarray, df: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        t = est / se
    return t, p_t(t, df)


def trend_table(ctx: _Ctx) -> Columns:
    spec, dm = ctx.spec, ctx.dm
    G, K = dm.estimate.shape
    values = [v for v in pd.unique(ctx.group[ctx.valid])]
    if not values:
        return {}
    M = np.array([(ctx.group == v) & ctx.valid for v in values], dtype=float)  # (E, G)
    yrs = ctx.years.astype(float)
    yrs = yrs - yrs.mean()  # centred: better conditioned; slopes unchanged
    kbreak_c = None if spec.trend.break_year is None else spec.trend.break_year - ctx.years.mean()
    kbreak = spec.trend.break_year
    X2 = np.column_stack([np.ones(G), yrs])
    X3 = np.column_stack([X2, np.maximum(yrs - kbreak_c, 0.0)]) if kbreak_c is not None else None

    # measured years per (value, indicator): the distinct years of its groups measured in k
    year_values, year_code = np.unique(ctx.years, return_inverse=True)
    onehot = np.zeros((G, year_values.size))
    onehot[np.arange(G), year_code] = 1.0
    member = (M > 0).astype(float)[:, None, :] * ctx.measured.T[None].astype(float)  # (E, K, G)
    n_years = ((member @ onehot) > 0).sum(axis=-1)
    enough = n_years >= spec.trend.min_years

    classic = ctx.csc is not None
    if classic:
        coef, inv, rss, n = _classic_fit(ctx.csc, M, X2)  # type: ignore[arg-type]
        df = n - 2
        slope = coef[..., 1]
        se = np.sqrt(rss / df * inv[..., 1, 1])
    else:
        fit = domain_slopes(ctx.cs, M, X2)
        dom_df = domain_df(ctx.cs, M)
        slope, se, df = fit.coef[..., 1], np.sqrt(fit.vcov[..., 1, 1]), dom_df - 1.0
    stat, p = _t_and_p(slope, se, df)

    # slope change at the break year
    sc = np.full((len(values), K, 3), np.nan)  # estimate, se, p
    if X3 is not None:
        if classic:
            c3, inv3, rss3, n3 = _classic_fit(ctx.csc, M, X3)  # type: ignore[arg-type]
            s3 = np.sqrt(rss3 / (n3 - 3) * inv3[..., 2, 2])
            df3 = n3 - 3
        else:
            f3 = domain_slopes(ctx.cs, M, X3)
            c3, s3, df3 = f3.coef, np.sqrt(f3.vcov[..., 2, 2]), dom_df - 2.0
        _, p3 = _t_and_p(c3[..., 2], s3, df3)
        sc = np.stack([c3[..., 2], s3, p3], axis=-1)

    # difference in trend: group vs rest (interaction year * group)
    dvr = np.full((len(values), K, 3), np.nan)
    if ctx.col is not None and len(values) > 1:
        Mr = ctx.valid[None, :] * (1 - M)
        if classic:
            cg, ig, rg, ng = coef, inv, rss, n  # (the group's own fit, above)
            cr, ir, rr, nr = _classic_fit(ctx.csc, Mr, X2)  # type: ignore[arg-type]
            dfi = ng + nr - 4
            s2 = (rg + rr) / dfi
            diff = cg[..., 1] - cr[..., 1]
            sed = np.sqrt(s2 * (ig[..., 1, 1] + ir[..., 1, 1]))
        else:
            fg = fit  # (the group's own trend, fitted above)
            fr = domain_slopes(ctx.cs, Mr, X2)
            cov = slope_covariance_disjoint(ctx.cs, fg, fr)[..., 1, 1]
            diff = fg.coef[..., 1] - fr.coef[..., 1]
            sed = np.sqrt(fg.vcov[..., 1, 1] + fr.vcov[..., 1, 1] - 2 * cov)
            # svyglm(y ~ year * I(group)) over the breakdown's rows: residual df = df - 3
            dfi = domain_df(ctx.cs, M + Mr) - 3.0
        _, pd_ = _t_and_p(diff, sed, dfi)
        dvr = np.stack([diff, sed, pd_], axis=-1)

    # change first -> last measured year and its effect size
    rows = []
    for e in range(len(values)):
        for k in range(K):
            idx = np.flatnonzero((M[e] > 0) & ctx.measured[:, k])
            if idx.size == 0:
                continue
            idx = idx[np.argsort(ctx.years[idx])]
            i0, i1 = idx[0], idx[-1]
            rows.append((e, k, i0, i1, idx.size))
    if not rows:
        return {}
    e_, k_, i0, i1, ny = (np.array(c) for c in zip(*rows, strict=True))
    pct = ctx.pct[k_]
    m1, m0 = dm.estimate[i1, k_], dm.estimate[i0, k_]
    d, _h = effect_sizes(m1, m0, dm.sum_w[i1, k_], dm.sum_w[i0, k_],
                         dm.pop_var[i1, k_], dm.pop_var[i0, k_], pct)  # fmt: skip
    ok = enough[e_, k_]
    scale = ctx.scale[k_]
    pv = np.where(ok, p[e_, k_], np.nan)
    sig, marker = markers(pv, d, spec)
    out: Columns = {
        **{
            "indicator": np.array(ctx.ids)[k_],
            "breakdown": ctx.bid,
            "group": np.array(values, dtype=object)[e_].astype(str),
            "first_year": ctx.years[i0],
            "last_year": ctx.years[i1],
            "n_years": ny,
            "slope": np.where(ok, slope[e_, k_] * scale, np.nan),
            "se": np.where(ok, se[e_, k_] * scale, np.nan),
            "statistic": np.where(ok, stat[e_, k_], np.nan),
            "df": np.where(ok, np.broadcast_to(df, slope.shape)[e_, k_], np.nan),
            "p_value": pv,
            "change": (m1 - m0) * scale,
            "d": d,
            "significant": sig,
            "marker": marker,
            "break_year": kbreak,
            "slope_change": np.where(ok, sc[e_, k_, 0] * scale, np.nan),
            "slope_change_se": np.where(ok, sc[e_, k_, 1] * scale, np.nan),
            "slope_change_p": np.where(ok, sc[e_, k_, 2], np.nan),
            "diff_vs_rest": np.where(ok, dvr[e_, k_, 0] * scale, np.nan),
            "diff_vs_rest_se": np.where(ok, dvr[e_, k_, 1] * scale, np.nan),
            "diff_vs_rest_p": np.where(ok, dvr[e_, k_, 2], np.nan),
            "method": ctx.method,
        }
    }
    return {c: out[c] for c in TREND_COLUMNS}
