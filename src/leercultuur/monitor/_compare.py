"""Comparisons and trends of every indicator, for all employees and every group.

Definitions: docs/outputs.md and ``../shared/spec/monitor.md`` ("Our definitions"):

* year on year: each measured year against the previous measured year; independent samples
  (year-specific strata), SE = sqrt(SE1^2 + SE2^2), normal test.
* group vs rest: within a year, the group against all other groups of the breakdown together,
  the linearised difference with its covariance; equal to R ``svyglm(y ~ I(group),
  subset(design, year == y & !is.na(y)))``, t on that model's residual df.
* trend: R ``svyglm(y ~ year, subset(design, group & !is.na(y)))`` over the stacked years; the
  slope-change test adds ``pmax(year - k, 0)``; the difference in trend is the interaction of
  ``year * I(group)`` over the breakdown's rows.
* classic (``method="classic"``): the article's tests on weights normalised to mean 1 per year
  (SPSS practice): Pearson chi-square (2 x 2) for percentages, pooled-variance t (two-group
  ANOVA) for means, ordinary weighted least squares for trends.

Everything comes from :mod:`leercultuur.survey._cells` (one pass over the data per weight plan,
for every breakdown at once); no statistic is computed a second way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from leercultuur.monitor._estimates import ALL, CLASSIC_WEIGHT, group_order
from leercultuur.monitor._indicators import IndicatorFrame
from leercultuur.monitor._result import (
    COMPARISON_COLUMNS,
    ESTIMATE_COLUMNS,
    MISSING_GROUP,
    TREND_COLUMNS,
)
from leercultuur.monitor._spec import MonitorSpec
from leercultuur.monitor._stats import effect_sizes, markers
from leercultuur.monitor._stats import p_normal as _p_normal
from leercultuur.monitor._stats import p_t as _p_t
from leercultuur.monitor._trends import Columns, trend_table
from leercultuur.survey import (
    CellStats,
    Design,
    cell_layouts,
    cell_stats_many,
    covariance_disjoint,
    domain_df,
    domain_means,
    p_adjust_bh,
    prop_ci,
    row_stats,
    z_quantile,
)

Progress = Callable[[str], None]


class _Classic:
    """The classic two-group test with normalised weights, every column from that test.

    Percentages: Pearson chi-square of the 2 x 2 table, ``se = sqrt(pbar (1 - pbar) (1/n1 +
    1/n2))`` and ``statistic = (difference / se)^2`` on 1 df. Means: pooled-variance t,
    ``se = sqrt(s^2 (1/n1 + 1/n2))`` and ``statistic = difference / se`` on n1 + n2 - 2 df.
    n1, n2 are the sums of the normalised weights (the "weighted n" of SPSS)."""

    def __init__(self, cs: CellStats, Ma: np.ndarray, Mb: np.ndarray, pct: np.ndarray) -> None:
        n1, n2 = Ma @ cs.sum_w, Mb @ cs.sum_w  # (on the centred scale)
        b1, b2 = Ma @ cs.sum_wy, Mb @ cs.sum_wy
        f1, f2 = Ma @ cs.sum_wyy, Mb @ cs.sum_wyy
        with np.errstate(invalid="ignore", divide="ignore"):
            m1, m2 = b1 / n1, b2 / n2
            self.est_a, self.est_b = m1 + cs.shift, m2 + cs.shift  # on their own scale
            self.diff = m1 - m2
            pbar = (n1 * self.est_a + n2 * self.est_b) / (n1 + n2)
            se_pct = np.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2))
            ss1, ss2 = f1 - n1 * m1 * m1, f2 - n2 * m2 * m2
            dfm = n1 + n2 - 2
            se_mean = np.sqrt((ss1 + ss2) / dfm * (1 / n1 + 1 / n2))
            self.se = np.where(pct, se_pct, se_mean)
            z = self.diff / self.se
            self.var_a, self.var_b = ss1 / n1, ss2 / n2  # weighted population variances
        self.sw_a, self.sw_b = n1, n2
        self.stat = np.where(pct, z * z, z)
        self.p = np.where(pct, _p_normal(z), _p_t(z, dfm))
        self.df = np.where(pct, 1.0, dfm)


def compute_tables(
    designs: Sequence[tuple[Design, list[str]]],
    frame: IndicatorFrame,
    spec: MonitorSpec,
    *,
    method: str = "design",
    progress: Progress | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Estimates, comparisons and trends: one pass over the data per weight plan."""
    ests: list[Columns] = []
    comps: list[Columns] = []
    trends: list[Columns] = []
    breakdowns: list[tuple[str, str | None]] = [(ALL, None)]
    breakdowns += [(b.id, b.column) for b in spec.breakdowns]
    year = spec.design.year
    layouts: list[Any] | None = None
    for design, ids in designs:
        cols = [f"ind__{i}" for i in ids]
        pct = np.array([spec.indicator(i).is_percentage for i in ids])
        rows = row_stats(design, cols)  # shared by every breakdown of this design
        bys = [[year] if col is None else [year, col] for _bid, col in breakdowns]
        # the designs share their rows, strata and breakdown columns (``plan_designs``): the
        # groups and cells are found once
        layouts = layouts or cell_layouts(design, bys)
        cells = cell_stats_many(design, rows, bys, layouts=layouts)  # one pass over the data
        cells_c: list[CellStats | None] = [None] * len(bys)
        if method == "classic":
            w = design.data[CLASSIC_WEIGHT].to_numpy()
            rows_c = row_stats(design, cols, weights=w, values=rows.Y)  # (the same answers)
            cells_c = list(cell_stats_many(design, rows_c, bys, layouts=layouts))
        cells.reverse()  # (popped one at a time: each breakdown's cells are freed after use)
        cells_c.reverse()
        for bid, col in breakdowns:
            cs, csc = cells.pop(), cells_c.pop()
            order = None if col is None else group_order(design.data[col])
            ctx = _Ctx(cs, csc, ids, pct, frame, spec, bid, col, year, method)
            ests.append(ctx.estimates(order))
            comps.append(ctx.year_on_year())
            if col is not None:
                comps.append(ctx.group_vs_rest())
            trends.append(ctx.trends())
            if progress:
                progress(f"{bid}")
    est = stack(ests, [*ESTIMATE_COLUMNS, "_g"])
    comp = stack(comps, COMPARISON_COLUMNS)
    tr = stack(trends, TREND_COLUMNS)
    comp = _adjust(comp, spec, family=["indicator", "comparison", "breakdown"])
    return _sorted(est, spec)[ESTIMATE_COLUMNS], comp[COMPARISON_COLUMNS], tr[TREND_COLUMNS]


def stack(parts: list[Columns], columns: Sequence[str]) -> pd.DataFrame:
    """One DataFrame from the parts of a table (``Columns``): each column concatenated once,
    single values repeated for their part's rows."""
    parts = [p for p in parts if p]
    if not parts:
        return pd.DataFrame(columns=list(columns))
    sizes = [max(np.size(v) for v in p.values() if isinstance(v, np.ndarray)) for p in parts]

    def column(v: Any, n: int) -> np.ndarray:
        if isinstance(v, np.ndarray):
            return v.ravel()
        return np.full(n, v, dtype=object if v is None else None)

    return pd.DataFrame(
        {c: np.concatenate([column(p[c], n) for p, n in zip(parts, sizes, strict=True)])
         for c in parts[0]}
    )  # fmt: skip


def _sorted(est: pd.DataFrame, spec: MonitorSpec) -> pd.DataFrame:
    order = {i.id: k for k, i in enumerate(spec.indicators)}
    border = {ALL: -1, **{b.id: k for k, b in enumerate(spec.breakdowns)}}
    est = est.assign(_o=est["indicator"].map(order), _b=est["breakdown"].map(border))
    return est.sort_values(["_o", "_b", "_g", "year"], kind="stable").reset_index(drop=True)


def _adjust(comp: pd.DataFrame, spec: MonitorSpec, family: list[str]) -> pd.DataFrame:
    """Benjamini-Hochberg within each family when the spec asks for it; markers and flags."""
    comp = comp.copy()
    p = comp["p_value"].to_numpy(dtype=float)
    padj = p.copy()
    if spec.multiple_testing == "bh" and len(comp):
        for _, idx in comp.groupby(family, sort=False).indices.items():
            ok = idx[~np.isnan(p[idx])]
            if ok.size:
                padj[ok] = p_adjust_bh(p[ok])
    comp["p_adjusted"] = padj
    sig, marker = markers(padj, comp["d"].to_numpy(dtype=float), spec)
    comp["significant"] = sig
    comp["marker"] = marker
    return comp


class _Ctx:
    """One (plan, breakdown): cell statistics and the tables built from them."""

    def __init__(
        self, cs: CellStats, csc: CellStats | None, ids: list[str], pct: np.ndarray,
        frame: IndicatorFrame, spec: MonitorSpec, bid: str, col: str | None, year: str,
        method: str,
    ) -> None:  # fmt: skip
        self.cs, self.csc, self.ids, self.pct = cs, csc, ids, pct
        self.frame, self.spec, self.bid, self.col, self.method = frame, spec, bid, col, method
        g = cs.groups
        self.years = g[year].to_numpy().astype(int)
        if col is None:
            self.group = np.full(len(g), ALL, dtype=object)
            self.valid = np.ones(len(g), bool)
        else:
            self.group = g[col].to_numpy(dtype=object)
            self.valid = pd.notna(g[col]).to_numpy()
        G = len(g)
        self.eye = np.eye(G) * self.valid[None, :]
        self.dm = domain_means(cs, np.eye(G))
        self.scale = np.where(pct, 100.0, 1.0)
        # measured years per indicator (K) -> mask (G, K)
        self.measured = np.column_stack([np.isin(self.years, frame.years[i]) for i in ids]) & (
            self.dm.n > 0
        )

    def estimates(self, order: dict[object, int] | None) -> Columns:
        """Every (year, group) cell, missing-value group included (labelled "(missing)")."""
        dm, cs = self.dm, self.cs
        # svyciprop's df counts every row of the domain
        df = domain_df(cs, np.eye(cs.n_groups), answered=False)
        gi, ki = np.nonzero(self.measured)
        p, var = dm.estimate[gi, ki], dm.var[gi, ki]
        q = z_quantile(1 - self.spec.alpha)
        lo_n = p - q * np.sqrt(var)
        hi_n = p + q * np.sqrt(var)
        lo_p, hi_p = prop_ci(p, var, df[gi, ki].astype(float), dm.n[gi, ki],
                             method=self.spec.ci_method, level=1 - self.spec.alpha)  # fmt: skip
        pct = self.pct[ki]
        sc = self.scale[ki]
        group = np.where(self.valid, self.group.astype(str), MISSING_GROUP)[gi]
        g_order = (
            np.zeros(gi.size)
            if order is None
            else np.array([order.get(v, len(order)) if ok else len(order) + 1
                           for v, ok in zip(self.group[gi], self.valid[gi], strict=True)])
        )  # fmt: skip
        return {
                "indicator": np.array(self.ids)[ki],
                "year": self.years[gi],
                "breakdown": self.bid,
                "group": group,
                "unit": np.where(pct, "%", "mean"),
                "estimate": p * sc,
                "se": np.sqrt(var) * sc,
                "ci_low": np.where(pct, lo_p, lo_n) * sc,
                "ci_high": np.where(pct, hi_p, hi_n) * sc,
                "n": dm.n[gi, ki].astype(np.int64),
                "n_eff": dm.n_eff[gi, ki],
                "deff": dm.deff[gi, ki],
                "df": df[gi, ki].astype(np.int64),
                "suppressed": dm.n[gi, ki] < self.spec.publication_threshold,
                "_g": g_order,
            }  # fmt: skip

    def _frame(self, base: dict[str, object], **cols: np.ndarray) -> Columns:
        return {**{k: np.asarray(v).ravel() for k, v in cols.items()}, **base}

    def year_on_year(self) -> Columns:
        dm = self.dm
        G, K = dm.estimate.shape
        rows_a, rows_b = [], []
        for k in range(K):
            for grp in pd.unique(self.group[self.valid]):
                idx = np.flatnonzero((self.group == grp) & self.valid & self.measured[:, k])
                idx = idx[np.argsort(self.years[idx])]
                rows_a += [(i, k) for i in idx[1:]]
                rows_b += [(i, k) for i in idx[:-1]]
        if not rows_a:
            return {}
        ia, ka = np.array(rows_a).T
        ib, _ = np.array(rows_b).T
        m1, m2 = dm.estimate[ia, ka], dm.estimate[ib, ka]
        diff = dm.centred[ia, ka] - dm.centred[ib, ka]  # (the level cancels before rounding)
        se = np.sqrt(dm.var[ia, ka] + dm.var[ib, ka])
        pct = self.pct[ka]
        d, h = effect_sizes(m1, m2, dm.sum_w[ia, ka], dm.sum_w[ib, ka],
                            dm.pop_var[ia, ka], dm.pop_var[ib, ka], pct)  # fmt: skip
        if self.csc is not None:  # every column of the row from the classic test
            Ma = np.zeros((ia.size, G))
            Ma[np.arange(ia.size), ia] = 1
            Mb = np.zeros((ib.size, G))
            Mb[np.arange(ib.size), ib] = 1
            c = _Classic(self.csc, Ma, Mb, self.pct[None, :])
            r = np.arange(ia.size)
            m1, m2, se, diff = c.est_a[r, ka], c.est_b[r, ka], c.se[r, ka], c.diff[r, ka]
            st, df, p = c.stat[r, ka], c.df[r, ka], c.p[r, ka]
            d, h = effect_sizes(m1, m2, c.sw_a[r, ka], c.sw_b[r, ka],
                                c.var_a[r, ka], c.var_b[r, ka], pct)  # fmt: skip
        else:
            st = diff / se
            df = np.full(ia.size, np.inf)
            p = _p_normal(st)
        sc = self.scale[ka]
        sup = (dm.n[ia, ka] < self.spec.publication_threshold) | (
            dm.n[ib, ka] < self.spec.publication_threshold
        )
        return self._frame(
            {"comparison": "year_on_year", "breakdown": self.bid, "method": self.method},
            indicator=np.array(self.ids)[ka], group=self.group[ia].astype(str),
            year=self.years[ia], year_from=self.years[ib].astype(float),
            estimate_a=m1 * sc, estimate_b=m2 * sc, difference=diff * sc, se=se * sc,
            statistic=st, df=df, p_value=p, d=d, h=h, suppressed=sup,
        )  # fmt: skip

    def group_vs_rest(self) -> Columns:
        cs, dm = self.cs, self.dm
        G, K = dm.estimate.shape
        same_year = (self.years[:, None] == self.years[None, :]) & self.valid[None, :]
        Mrest = same_year & ~np.eye(G, dtype=bool)
        Mrest = Mrest.astype(float) * self.valid[:, None]
        rest = domain_means(cs, Mrest)
        cov = covariance_disjoint(cs, self.eye, dm, Mrest, rest)
        m1, m2 = dm.estimate, rest.estimate
        diff = dm.minus(rest)  # (the level cancels before rounding)
        with np.errstate(invalid="ignore"):
            se = np.sqrt(dm.var + rest.var - 2 * cov)
        pct = np.broadcast_to(self.pct, (G, K))
        d, h = effect_sizes(m1, m2, dm.sum_w, rest.sum_w, dm.pop_var, rest.pop_var, pct)
        if self.csc is not None:  # every column of the row from the classic test
            c = _Classic(self.csc, self.eye, Mrest, self.pct[None, :])
            m1, m2, se, st, df, p = c.est_a, c.est_b, c.se, c.stat, c.df, c.p
            diff = c.diff
            d, h = effect_sizes(m1, m2, c.sw_a, c.sw_b, c.var_a, c.var_b, pct)
        else:
            st = diff / se
            # svyglm(y ~ I(group), subset(design, year == y)): residual df = domain df - 1
            years, first = np.unique(self.years, return_index=True)
            ydf = domain_df(cs, same_year[first].astype(float)) - 1.0
            df = ydf[np.searchsorted(years, self.years)]
            p = _p_t(st, df)
        keep = self.valid[:, None] & self.measured & (rest.n > 0)
        gi, ki = np.nonzero(keep)
        sc = self.scale[ki]
        thr = self.spec.publication_threshold
        sup = (dm.n[gi, ki] < thr) | (rest.n[gi, ki] < thr)
        return self._frame(
            {"comparison": "group_vs_rest", "breakdown": self.bid, "method": self.method},
            indicator=np.array(self.ids)[ki], group=self.group[gi].astype(str),
            year=self.years[gi], year_from=np.full(gi.size, np.nan),
            estimate_a=m1[gi, ki] * sc, estimate_b=m2[gi, ki] * sc,
            difference=diff[gi, ki] * sc, se=se[gi, ki] * sc, statistic=st[gi, ki],
            df=np.broadcast_to(df, (G, K))[gi, ki], p_value=p[gi, ki], d=d[gi, ki], h=h[gi, ki],
            suppressed=sup,
        )  # fmt: skip

    def trends(self) -> Columns:
        return trend_table(self)
