"""The monitor's tables for designs the cell route cannot take: PSUs (clustered samples) or the
lonely-PSU rule ``average``. Same tables, same definitions (docs/outputs.md), computed with the
engine's generic estimators:

* estimates: ``Design.mean(by=[year, group])`` (R ``svyby(svymean)``), percentages with the
  spec's CI method on the domain's design df (R ``svyciprop``);
* year on year: independent years (strata and PSUs are nested in years), SE = sqrt(SE1^2 +
  SE2^2), normal test;
* group vs rest: ``group_vs_rest(within=year)`` (R ``svyglm(y ~ I(group), subset(year))``);
* trend, slope change and difference in trend: ``trend`` and ``trend_difference`` (R
  ``svyglm`` on the stacked years).

Cohen's d and h use the same weighted cell sums as the cell route. Slower than the cell route
(one pass per indicator and breakdown), which only matters for very large clustered files.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import special

from leercultuur.errors import DataError, DesignError
from leercultuur.monitor._compare import _adjust, _p_normal, _sorted, effect_sizes, markers
from leercultuur.monitor._estimates import ALL, group_order
from leercultuur.monitor._indicators import IndicatorFrame
from leercultuur.monitor._result import (
    COMPARISON_COLUMNS,
    ESTIMATE_COLUMNS,
    MISSING_GROUP,
    TREND_COLUMNS,
)
from leercultuur.monitor._spec import MonitorSpec
from leercultuur.survey import Design, group_vs_rest, prop_ci, trend, trend_difference

Progress = Callable[[str], None]


def needs_generic(spec: MonitorSpec) -> bool:
    """Whether the design is one the cell route cannot take."""
    return spec.design.psu is not None or spec.design.lonely_psu == "average"


def generic_tables(
    designs: Sequence[tuple[Design, list[str]]],
    frame: IndicatorFrame,
    spec: MonitorSpec,
    *,
    method: str = "design",
    progress: Progress | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Estimates, comparisons and trends from the generic estimators."""
    if method == "classic":
        raise DataError(
            "--classic is not available with design.psu or lonely_psu 'average' in the spec: "
            "the article's classic tests assume a simple random sample; use the design-based "
            "tests (leave out --classic)"
        )
    ests, comps, trends = [], [], []
    breakdowns: list[tuple[str, str | None]] = [(ALL, None)]
    breakdowns += [(b.id, b.column) for b in spec.breakdowns]
    for design, ids in designs:
        for bid, col in breakdowns:
            for ind in ids:
                g = _Generic(design, ind, frame, spec, bid, col)
                est = g.estimates()
                ests.append(est)
                comps.append(g.year_on_year(est))
                if col is not None:
                    comps.append(g.group_vs_rest())
                trends.append(g.trends(est))
            if progress:
                progress(bid)
    est = pd.concat(ests, ignore_index=True)
    comp = pd.concat([c for c in comps if len(c)], ignore_index=True)
    if comp.empty:
        comp = pd.DataFrame(columns=COMPARISON_COLUMNS)
    tr = pd.concat([t for t in trends if len(t)], ignore_index=True) if trends else None
    tr = tr if tr is not None else pd.DataFrame(columns=TREND_COLUMNS)
    comp = _adjust(comp, spec, family=["indicator", "comparison", "breakdown"])
    return _sorted(est, spec)[ESTIMATE_COLUMNS], comp[COMPARISON_COLUMNS], tr[TREND_COLUMNS]


class _Generic:
    """One indicator in one breakdown of one design."""

    def __init__(
        self, design: Design, ind: str, frame: IndicatorFrame, spec: MonitorSpec, bid: str,
        col: str | None,
    ) -> None:  # fmt: skip
        self.design, self.ind, self.spec, self.bid, self.col = design, ind, spec, bid, col
        self.var = f"ind__{ind}"
        self.year = spec.design.year
        self.pct = spec.indicator(ind).is_percentage
        self.scale = 100.0 if self.pct else 1.0
        self.measured = frame.years[ind]
        data = design.data
        y = data[self.var].to_numpy()
        years = data[self.year].to_numpy()
        if col is None:
            labels = np.zeros(len(data), np.int64)
            self.names = np.array([ALL], dtype=object)
        else:
            labels, uniq = pd.factorize(data[col], sort=False)  # missing -> -1
            self.names = np.asarray(uniq.astype(str), dtype=object)
        ycodes, self.year_values = pd.factorize(years, sort=True)
        ok = (labels >= 0) & ~np.isnan(y)
        G, T = len(self.names), len(self.year_values)
        key = labels[ok] * T + ycodes[ok]
        w, yy = design.w[ok], y[ok]
        # weighted sums per (group, year): sum w, sum w y, sum w y^2 (for d and h)
        self.sums = np.stack([np.bincount(key, weights=v, minlength=G * T).reshape(G, T)
                              for v in (w, w * yy, w * yy * yy)])  # fmt: skip
        self.group_index = {str(n): k for k, n in enumerate(self.names)}
        self.year_index = {int(v): k for k, v in enumerate(self.year_values)}

    def _cell(self, group: str, year: int, *, rest: bool = False) -> tuple[float, float, float]:
        """Weighted sum, mean and population variance of the indicator in a (group, year) cell,
        or (``rest``) in the other groups of that year."""
        t = self.year_index[year]
        s = self.sums[:, self.group_index[group], t]
        if rest:
            s = self.sums[:, :, t].sum(axis=1) - s
        sw = float(s[0])
        if sw <= 0:
            return sw, np.nan, np.nan
        m = s[1] / sw
        return sw, float(m), float(max(s[2] / sw - m * m, 0.0))

    def estimates(self) -> pd.DataFrame:
        by = [self.year] if self.col is None else [self.year, self.col]
        res = self.design.mean(self.var, by=by, na_rm=True, missing_by="group")
        res = res[res[self.year].isin(self.measured) & (res["n"] > 0)].reset_index(drop=True)
        p, se = res["estimate"].to_numpy(), res["se"].to_numpy()
        df = res["df"].to_numpy(dtype=float)
        level = 1 - self.spec.alpha
        if self.pct:
            lo, hi = prop_ci(p, se**2, df, res["n"].to_numpy(), method=self.spec.ci_method,
                             level=level)  # fmt: skip
        else:
            z = special.ndtri(1 - self.spec.alpha / 2)  # norm.ppf
            lo, hi = p - z * se, p + z * se
        if self.col is None:
            group = np.full(len(res), ALL, dtype=object)
            g_order = np.zeros(len(res))
        else:
            raw = res[self.col].to_numpy(dtype=object)
            missing = pd.isna(raw)
            group = np.where(missing, MISSING_GROUP, raw.astype(str))
            order = group_order(self.design.data[self.col])
            g_order = np.array([len(order) + 1 if m else order.get(v, len(order))
                                for v, m in zip(raw, missing, strict=True)])  # fmt: skip
        n = res["n"].to_numpy(dtype=np.int64)
        return pd.DataFrame(
            {
                "indicator": self.ind,
                "year": res[self.year].to_numpy(dtype=np.int64),
                "breakdown": self.bid,
                "group": group,
                "unit": "%" if self.pct else "mean",
                "estimate": p * self.scale,
                "se": se * self.scale,
                "ci_low": np.asarray(lo) * self.scale,
                "ci_high": np.asarray(hi) * self.scale,
                "n": n,
                "n_eff": res["n_eff"].to_numpy(),
                "deff": res["deff"].to_numpy(),
                "df": res["df"].to_numpy(dtype=np.int64),
                "suppressed": n < self.spec.publication_threshold,
                "_g": g_order,
            }
        )

    def year_on_year(self, est: pd.DataFrame) -> pd.DataFrame:
        out = []
        for grp, sub in est[est["group"] != MISSING_GROUP].groupby("group", sort=False):
            sub = sub.sort_values("year")
            if len(sub) < 2:
                continue
            a, b = sub.iloc[1:], sub.iloc[:-1]
            m1, m2 = a["estimate"].to_numpy(), b["estimate"].to_numpy()
            se = np.sqrt(a["se"].to_numpy() ** 2 + b["se"].to_numpy() ** 2)
            cells_a = [self._cell(str(grp), int(y)) for y in a["year"]]
            cells_b = [self._cell(str(grp), int(y)) for y in b["year"]]
            d, h = _effects(cells_a, cells_b, self.pct)
            with np.errstate(invalid="ignore", divide="ignore"):
                z = (m1 - m2) / se
            thr = self.spec.publication_threshold
            out.append(pd.DataFrame({
                "indicator": self.ind, "comparison": "year_on_year", "breakdown": self.bid,
                "group": str(grp), "year": a["year"].to_numpy(),
                "year_from": b["year"].to_numpy().astype(float), "estimate_a": m1,
                "estimate_b": m2, "difference": m1 - m2, "se": se, "statistic": z,
                "df": np.inf, "p_value": _p_normal(z), "d": d, "h": h,
                "method": "design",
                "suppressed": (a["n"].to_numpy() < thr) | (b["n"].to_numpy() < thr),
            }))  # fmt: skip
        return pd.concat(out, ignore_index=True) if out else pd.DataFrame()

    def group_vs_rest(self) -> pd.DataFrame:
        assert self.col is not None
        sub = self.design.subset(np.isin(self.design.data[self.year].to_numpy(), self.measured))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a group without a rest: NaN statistics, kept
            res = group_vs_rest(
                sub, self.var, by=self.col, within=self.year, kind="mean", missing_by="omit"
            )
        res = res[res["n_rest"] > 0].reset_index(drop=True)
        if res.empty:
            return pd.DataFrame()
        groups = res[self.col].astype(str).to_numpy()
        yrs = res[self.year].to_numpy(dtype=np.int64)
        cells_a = [self._cell(g, int(y)) for g, y in zip(groups, yrs, strict=True)]
        cells_b = [self._cell(g, int(y), rest=True) for g, y in zip(groups, yrs, strict=True)]
        d, h = _effects(cells_a, cells_b, self.pct)
        thr = self.spec.publication_threshold
        return pd.DataFrame({
            "indicator": self.ind, "comparison": "group_vs_rest", "breakdown": self.bid,
            "group": groups, "year": yrs, "year_from": np.nan,
            "estimate_a": res["estimate_group"].to_numpy() * self.scale,
            "estimate_b": res["estimate_rest"].to_numpy() * self.scale,
            "difference": res["difference"].to_numpy() * self.scale,
            "se": res["se"].to_numpy() * self.scale, "statistic": res["t"].to_numpy(),
            "df": res["df"].to_numpy(dtype=float), "p_value": res["p_value"].to_numpy(),
            "d": d, "h": h, "method": "design",
            "suppressed": (res["n_group"].to_numpy() < thr) | (res["n_rest"].to_numpy() < thr),
        })  # fmt: skip

    def _trend(self, **kw: object) -> pd.DataFrame | None:
        by = None if self.col is None else self.col
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return trend(self.design, self.var, year=self.year, by=by, kind="mean",
                             scale=self.scale, missing_by="omit", **kw)  # type: ignore[arg-type]  # fmt: skip
            except DesignError:
                return None

    def trends(self, est: pd.DataFrame) -> pd.DataFrame:
        kbreak = self.spec.trend.break_year
        base = self._trend()
        if base is None:
            return pd.DataFrame()
        hinge = self._trend(break_year=kbreak) if kbreak is not None else None
        diff = None
        if self.col is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    diff = trend_difference(self.design, self.var, year=self.year, by=self.col,
                                            kind="mean", scale=self.scale,
                                            missing_by="omit")  # fmt: skip
                except DesignError:
                    diff = None
        rows = []
        hinges, diffs = _by_group(hinge, self.col), _by_group(diff, self.col)
        by_group = dict(tuple(est.groupby("group", sort=False)))
        for r in base.to_dict("records"):
            grp = ALL if self.col is None else r[self.col]
            if grp is None or (not isinstance(grp, str) and pd.isna(grp)):
                continue
            e = by_group.get(str(grp))
            if e is None:
                continue
            e = e.sort_values("year")
            first, last = e.iloc[0], e.iloc[-1]
            ok = len(e) >= self.spec.trend.min_years
            ca = self._cell(str(grp), int(last["year"]))
            cb = self._cell(str(grp), int(first["year"]))
            d, _ = _effects([ca], [cb], self.pct)
            hr, dr = hinges.get(str(grp)), diffs.get(str(grp))

            def keep(x: float, ok: bool = ok) -> float:
                return float(x) if ok else np.nan

            rows.append({
                "indicator": self.ind, "breakdown": self.bid, "group": str(grp),
                "first_year": int(first["year"]), "last_year": int(last["year"]),
                "n_years": len(e), "slope": keep(r["slope"]), "se": keep(r["se"]),
                "statistic": keep(r["t"]), "df": keep(r["df"]), "p_value": keep(r["p_value"]),
                "change": float(last["estimate"] - first["estimate"]), "d": float(d[0]),
                "break_year": kbreak,
                "slope_change": keep(hr["slope_change"]) if hr is not None else np.nan,
                "slope_change_se": keep(hr["change_se"]) if hr is not None else np.nan,
                "slope_change_p": keep(hr["change_p_value"]) if hr is not None else np.nan,
                "diff_vs_rest": keep(dr["difference"]) if dr is not None else np.nan,
                "diff_vs_rest_se": keep(dr["se"]) if dr is not None else np.nan,
                "diff_vs_rest_p": keep(dr["p_value"]) if dr is not None else np.nan,
                "method": "design",
            })  # fmt: skip
        if not rows:
            return pd.DataFrame()
        out = pd.DataFrame(rows)
        sig, marker = markers(out["p_value"].to_numpy(dtype=float), out["d"].to_numpy(), self.spec)
        out["significant"], out["marker"] = sig, marker
        return out


def _by_group(table: pd.DataFrame | None, col: str | None) -> dict[str, dict[str, float]]:
    """Rows of an engine table by their group's text (ALL for a table without groups)."""
    if table is None or table.empty:
        return {}
    if col is None:
        return {ALL: table.iloc[0].to_dict()}
    return {str(r[col]): r for r in table.to_dict("records") if pd.notna(r[col])}


def _effects(
    a: list[tuple[float, float, float]], b: list[tuple[float, float, float]], pct: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Cohen's d and h of cells a against cells b (same definitions as the cell route)."""
    sa, ma, va = (np.array(x) for x in zip(*a, strict=True))
    sb, mb, vb = (np.array(x) for x in zip(*b, strict=True))
    return effect_sizes(ma, mb, sa, sb, va, vb, np.full(ma.shape, pct))
