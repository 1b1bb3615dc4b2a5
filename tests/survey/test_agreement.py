"""One test per quantity, listing every route of the engine that computes it: all equal.

As R ``survey``'s own tests compare ``svyby``, ``subset`` and ``svyglm`` for the same domain
means, each quantity here is computed along every route the engine has for it, on data with
offsets of 0, 1e6 and 1e9 added to the variable and on a variable with a constant domain (group
c: every answer 2.5), and compared with each other and with R 4.2.2 / survey 4.1.1
(tests/golden/agreement/golden.R). The design is an element sample with strata nested in years
and one lonely stratum ("adjust").

Routes (a new route of the engine belongs in this list):

* domain mean + SE: ``element`` (cell sums, one sparse product), ``one_pass`` (per-row scores,
  one pass), ``two_pass`` (per-row scores about the domain mean), ``psu`` (the same design with
  each row declared its own PSU: the clustered route), ``subset`` (R's ``subset()`` per domain),
  ``cells`` (the monitor's sufficient statistics with their exact fallback), R ``svyby``.
* domain total + SE: ``element``, ``two_pass``, ``psu``, ``subset``, R ``svyby(svytotal)``.
* group minus rest within a year (+ SE, df): ``pairs`` (``group_vs_rest``), ``pairs_psu``,
  ``cells`` (``domain_means`` + ``covariance_disjoint``), ``regress`` (``svyglm(v ~ D)`` on the
  year's subset), ``ttest``, R ``svyglm``.
* trend slope per group (+ SE, df): ``trend``, ``trend_psu``, ``cells`` (``domain_slopes``),
  ``regress`` (``svyglm(v ~ year)`` on the group's subset), R ``svyglm``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leercultuur.survey import (
    Design,
    cell_stats,
    covariance_disjoint,
    domain_df,
    domain_means,
    domain_slopes,
    group_vs_rest,
    regress,
    trend,
    ttest,
)
from leercultuur.survey import _estimate as estimate_module

HERE = Path(__file__).resolve().parents[1] / "golden" / "agreement"
OFFSETS = [0.0, 1e6, 1e9]
VARIABLES = ["y", "yk"]  # yk: group c answers 2.5 throughout (a constant domain)
YEARS = [2019, 2020, 2021, 2022]
GROUPS = ["a", "b", "c"]

Table = pd.DataFrame  # indexed by (year, group) or group: estimate, se (and df)


def _data(offset: float) -> pd.DataFrame:
    df = pd.read_csv(HERE / "data.csv")
    df["y"] = df["y"] + offset
    df["yk"] = df["yk"] + offset
    return df


def _golden(offset: float, variable: str, quantity: str) -> Table:
    g = pd.read_csv(HERE / "golden.csv")
    g = g[(g["offset"] == offset) & (g["variable"] == variable) & (g["quantity"] == quantity)]
    if quantity == "trend":
        return g.set_index("group")[["estimate", "se", "df"]]
    g = g.assign(year=g["year"].astype(int))
    cols = ["estimate", "se"] if quantity in ("mean", "total") else ["estimate", "se", "df"]
    return g.set_index(["year", "group"])[cols]


def _element(df: pd.DataFrame) -> Design:
    return Design(df, weights="w", strata="stratum", lonely_psu="adjust")


def _psu(df: pd.DataFrame) -> Design:
    return Design(df, weights="w", strata="stratum", psu="id", lonely_psu="adjust")


@contextmanager
def _route(name: str) -> Iterator[None]:
    """Force one of the estimators' internal routes for domain means and totals."""
    mp = pytest.MonkeyPatch()
    if name in ("one_pass", "two_pass"):
        mp.setattr(estimate_module.element, "element_means", lambda *a, **k: None)
    if name == "two_pass":
        mp.setattr(estimate_module, "element_variance", lambda *a, **k: None)
    try:
        yield
    finally:
        mp.undo()


def _by_table(out: pd.DataFrame) -> Table:
    return out.rename(columns={"g": "group"}).set_index(["year", "group"])[["estimate", "se"]]


def _scale(df: pd.DataFrame, v: str) -> float:
    """The spread of the variable (absolute tolerances are relative to it, not to its level)."""
    return float(np.nanstd(df[v] - df[v].mean())) or 1.0


def _assert_same(tables: dict[str, Table], *, spread: float, level: float) -> None:
    """Every route equals the first: relative 1e-8, with an absolute floor of 1e-12 of the
    spread for values that are 0 in exact arithmetic (a constant domain's SE, its slope); R
    rounds the level of data far from zero (1e9 has digits to 1e-7): its floor is 1e-15 of it."""
    names = list(tables)
    first = tables[names[0]]
    for name in names[1:]:
        other = tables[name].reindex(first.index)
        atol = 1e-12 * spread + (1e-15 * abs(level) if name == "R" else 0.0)
        for col in first.columns:
            if col not in other.columns:
                continue
            a = first[col].to_numpy(float)
            b = other[col].to_numpy(float)
            np.testing.assert_allclose(
                b, a, rtol=1e-8, atol=atol, err_msg=f"route {name!r} vs {names[0]!r}: {col}"
            )


CASES = [(o, v) for o in OFFSETS for v in VARIABLES]
IDS = [f"offset={o:g}-{v}" for o, v in CASES]


@pytest.mark.parametrize(("offset", "v"), CASES, ids=IDS)
def test_domain_mean_and_se_every_route(offset: float, v: str) -> None:
    df = _data(offset)
    d, dp = _element(df), _psu(df)
    by = ["year", "g"]
    tables: dict[str, Table] = {}
    for name in ("element", "one_pass", "two_pass"):
        with _route(name):
            tables[name] = _by_table(_element(df).mean(v, by=by))
    tables["psu"] = _by_table(dp.mean(v, by=by))
    tables["subset"] = pd.DataFrame(
        {
            (yr, grp): d.subset((df["year"] == yr) & (df["g"] == grp))
            .mean(v)
            .iloc[0][["estimate", "se"]]
            for yr in YEARS
            for grp in GROUPS
        }
    ).T.astype(float)
    cs = cell_stats(d, [v], by=by)
    dm = domain_means(cs, np.eye(cs.n_groups))
    idx = pd.MultiIndex.from_frame(cs.groups.rename(columns={"g": "group"}))
    tables["cells"] = pd.DataFrame(
        {"estimate": dm.estimate[:, 0], "se": np.sqrt(dm.var[:, 0])}, index=idx
    )
    tables["R"] = _golden(offset, v, "mean")
    _assert_same(tables, spread=_scale(df, v), level=offset)
    if v == "yk":  # the constant domain: SE exactly 0 on every route but R's
        for name, t in tables.items():
            if name != "R":
                assert (t.xs("c", level=1)["se"] == 0).all(), name


@pytest.mark.parametrize(("offset", "v"), CASES, ids=IDS)
def test_domain_total_and_se_every_route(offset: float, v: str) -> None:
    df = _data(offset)
    d, dp = _element(df), _psu(df)
    by = ["year", "g"]
    tables: dict[str, Table] = {}
    for name in ("element", "two_pass"):
        with _route(name):
            tables[name] = _by_table(_element(df).total(v, by=by))
    tables["psu"] = _by_table(dp.total(v, by=by))
    tables["subset"] = pd.DataFrame(
        {
            (yr, grp): d.subset((df["year"] == yr) & (df["g"] == grp))
            .total(v)
            .iloc[0][["estimate", "se"]]
            for yr in YEARS
            for grp in GROUPS
        }
    ).T.astype(float)
    tables["R"] = _golden(offset, v, "total")
    total_scale = float(df["w"].sum()) * (abs(offset) + _scale(df, v))
    _assert_same(tables, spread=total_scale, level=0.0)


def _gvr_table(d: Design, v: str) -> Table:
    out = group_vs_rest(d, v, by="g", within="year")
    return out.rename(columns={"g": "group", "difference": "estimate"}).set_index(
        ["year", "group"]
    )[["estimate", "se", "df"]]


@pytest.mark.parametrize(("offset", "v"), CASES, ids=IDS)
def test_group_minus_rest_every_route(offset: float, v: str) -> None:
    df = _data(offset)
    d, dp = _element(df), _psu(df)
    tables: dict[str, Table] = {"pairs": _gvr_table(d, v), "pairs_psu": _gvr_table(dp, v)}
    # the monitor's route: sufficient statistics per (year, group) cell
    cs = cell_stats(d, [v], by=["year", "g"])
    G = cs.n_groups
    years = cs.groups["year"].to_numpy()
    same_year = years[:, None] == years[None, :]
    rest = same_year & ~np.eye(G, dtype=bool)
    a, b = domain_means(cs, np.eye(G)), domain_means(cs, rest.astype(float))
    cov = covariance_disjoint(cs, np.eye(G), a, rest.astype(float), b)
    idx = pd.MultiIndex.from_frame(cs.groups.rename(columns={"g": "group"}))
    tables["cells"] = pd.DataFrame(
        {
            "estimate": a.minus(b)[:, 0],
            "se": np.sqrt(a.var + b.var - 2 * cov)[:, 0],
            "df": domain_df(cs, same_year.astype(float))[:, 0] - 1,
        },
        index=idx,
    )
    reg, tt = {}, {}
    for yr in YEARS:
        for grp in GROUPS:
            sub = _element(df.assign(D=(df["g"] == grp).astype(float))).subset(df["year"] == yr)
            fit = regress(sub, v, "D")
            row = fit.table.set_index("term").loc["D"]
            reg[(yr, grp)] = {"estimate": row["estimate"], "se": row["se"], "df": fit.df}
            res = ttest(sub, v, by="D")
            tt[(yr, grp)] = {"estimate": res.difference, "se": res.se, "df": res.df}
    tables["regress"] = pd.DataFrame(reg).T.astype(float)
    tables["ttest"] = pd.DataFrame(tt).T.astype(float)
    tables["R"] = _golden(offset, v, "group_vs_rest")
    _assert_same(tables, spread=_scale(df, v), level=offset)


def _trend_table(d: Design, v: str) -> Table:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = trend(d, v, year="year", by="g")
    return out.rename(columns={"g": "group", "slope": "estimate"}).set_index("group")[
        ["estimate", "se", "df"]
    ]


@pytest.mark.parametrize(("offset", "v"), CASES, ids=IDS)
def test_trend_slope_every_route(offset: float, v: str) -> None:
    df = _data(offset)
    d, dp = _element(df), _psu(df)
    tables: dict[str, Table] = {"trend": _trend_table(d, v), "trend_psu": _trend_table(dp, v)}
    cs = cell_stats(d, [v], by=["year", "g"])
    groups = cs.groups["g"].to_numpy()
    M = np.array([groups == grp for grp in GROUPS], dtype=float)
    years = cs.groups["year"].to_numpy(float)
    X = np.column_stack([np.ones(cs.n_groups), years - years.mean()])
    fit = domain_slopes(cs, M, X)
    tables["cells"] = pd.DataFrame(
        {
            "estimate": fit.coef[:, 0, 1],
            "se": np.sqrt(fit.vcov[:, 0, 1, 1]),
            "df": domain_df(cs, M)[:, 0] - 1,
        },
        index=pd.Index(GROUPS, name="group"),
    )
    reg = {}
    for grp in GROUPS:
        r = regress(d.subset(df["g"] == grp), v, "year")
        row = r.table.set_index("term").loc["year"]
        reg[grp] = {"estimate": row["estimate"], "se": row["se"], "df": r.df}
    tables["regress"] = pd.DataFrame(reg).T.astype(float)
    tables["R"] = _golden(offset, v, "trend")
    _assert_same(tables, spread=_scale(df, v), level=offset)


def test_routes_are_forced() -> None:
    """The route switch of these tests does reach the routes it names."""
    df = _data(0.0)
    calls: list[str] = []
    real: Callable[..., object] = estimate_module.element_variance

    def spy(*a: object, **k: object) -> object:
        calls.append("one_pass")
        return real(*a, **k)

    with _route("one_pass"), pytest.MonkeyPatch.context() as mp:
        mp.setattr(estimate_module, "element_variance", spy)
        _element(df).mean("y", by=["year", "g"])
    assert calls == ["one_pass"]
