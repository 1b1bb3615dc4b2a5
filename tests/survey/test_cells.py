"""The cell-statistics path (survey/_cells.py) equals the generic engine on random designs.

The generic estimators are checked against R in test_estimates_golden.py; here hypothesis draws
designs (strata of varied sizes including lonely ones under 'adjust'/'remove', fpc, missing
values, empty groups) and compares domain means, SEs, n_eff, deff and df, the group-vs-rest
difference with its covariance, and slopes against their direct computation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leercultuur.survey import Design
from leercultuur.survey._cells import (
    cell_stats,
    covariance_disjoint,
    domain_df,
    domain_means,
    domain_slopes,
)


def _data(seed: int, n: int, n_strata: int, miss: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "h": rng.integers(0, n_strata, n),
            "g": rng.integers(0, 3, n),
            "year": rng.integers(0, 4, n),
            "w": rng.uniform(0.5, 4.0, n),
            "y": rng.normal(3.0, 1.0, n),
            "b": (rng.random(n) < 0.4).astype(float),
        }
    )
    df.loc[rng.random(n) < miss, "y"] = np.nan
    df["N"] = df.groupby("h")["h"].transform("size") * 3  # fpc: population sizes
    return df


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(30, 300),
    n_strata=st.integers(1, 12),
    miss=st.sampled_from([0.0, 0.1, 0.4]),
    lonely=st.sampled_from(["adjust", "remove", "certainty"]),
    fpc=st.booleans(),
)
def test_domain_means_equal_the_generic_engine(
    seed: int, n: int, n_strata: int, miss: float, lonely: str, fpc: bool
) -> None:
    df = _data(seed, n, n_strata, miss)
    d = Design(df, weights="w", strata="h", fpc="N" if fpc else None, lonely_psu=lonely)  # type: ignore[arg-type]
    ref = d.mean(["y", "b"], by=["year", "g"], na_rm=True)
    cs = cell_stats(d, ["y", "b"], by=["year", "g"])
    G = cs.n_groups
    dm = domain_means(cs, np.eye(G))
    est = ref["estimate"].to_numpy().reshape(G, 2)
    se = ref["se"].to_numpy().reshape(G, 2)
    ok = ~np.isnan(est)
    np.testing.assert_allclose(dm.estimate[ok], est[ok], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.sqrt(dm.var[ok]), se[ok], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(dm.n, ref["n"].to_numpy().reshape(G, 2))
    df_ref = ref["df"].to_numpy().reshape(G, 2)
    np.testing.assert_array_equal(domain_df(cs, np.eye(G), answered=False), df_ref)


def test_group_vs_rest_equals_the_linearised_difference() -> None:
    """Difference of two disjoint domains: the SE from cells equals the SE of the mean of a
    single score column z_group - z_rest computed by the generic engine."""
    df = _data(7, 400, 6, 0.1)
    d = Design(df, weights="w", strata="h")
    cs = cell_stats(d, ["y"], by=["g"])
    Ma, Mb = np.array([[1.0, 0, 0]]), np.array([[0.0, 1, 1]])
    a, b = domain_means(cs, Ma), domain_means(cs, Mb)
    se = np.sqrt(a.var + b.var - 2 * covariance_disjoint(cs, Ma, a, Mb, b))[0, 0]
    # generic: scores of each domain mean, subtracted, through the engine's variance
    from leercultuur.survey._variance import domain_variance

    ok = df["y"].notna().to_numpy()
    w = df["w"].to_numpy()
    y = df["y"].to_numpy()
    in_a = ok & (df["g"] == 0).to_numpy()
    in_b = ok & (df["g"] != 0).to_numpy()
    za = np.where(in_a, w * (y - a.estimate[0, 0]) / w[in_a].sum(), 0.0)
    zb = np.where(in_b, w * (y - b.estimate[0, 0]) / w[in_b].sum(), 0.0)
    v = domain_variance(d, (za - zb)[:, None], np.zeros(len(df), np.int64), 1)[0, 0]
    assert se == pytest.approx(np.sqrt(v), rel=1e-10)


def test_slope_equals_weighted_least_squares() -> None:
    df = _data(11, 500, 5, 0.0)
    d = Design(df, weights="w", strata="h")
    cs = cell_stats(d, ["y"], by=["year"])
    X = np.column_stack([np.ones(4), np.arange(4.0)])
    fit = domain_slopes(cs, np.ones((1, 4)), X)
    Xr = np.column_stack([np.ones(len(df)), df["year"].to_numpy(float)])
    w = df["w"].to_numpy()
    beta = np.linalg.solve(Xr.T @ (Xr * w[:, None]), Xr.T @ (w * df["y"].to_numpy()))
    np.testing.assert_allclose(fit.coef[0, 0], beta, rtol=1e-10)


def test_one_pass_over_several_groupings_equals_one_grouping_at_a_time() -> None:
    """``cell_stats_many`` (every grouping in one block-wise pass, blocks smaller than the data
    here) gives the cells, groups, Q matrices and df of ``cell_stats`` for each grouping; layouts
    of a design with other strata are refused."""
    import leercultuur.survey._cells as cells_mod
    from leercultuur.errors import LeercultuurError
    from leercultuur.survey import cell_layouts, cell_stats_many, row_stats

    df = _data(11, 3000, 9, 0.2)
    df["w"] = np.where(np.arange(len(df)) % 50 == 0, 0.0, df["w"])  # zero weights too
    d = Design(df, weights="w", strata="h", lonely_psu="adjust")
    bys = [["year"], ["year", "g"], ["g"]]
    rows = row_stats(d, ["y", "b"])
    old = cells_mod._BLOCK_VALUES
    cells_mod._BLOCK_VALUES = 4096  # several blocks
    try:
        many = cell_stats_many(d, rows, bys, layouts=cell_layouts(d, bys))
    finally:
        cells_mod._BLOCK_VALUES = old
    for by, cs in zip(bys, many, strict=True):
        one = cell_stats(d, ["y", "b"], by=by)
        np.testing.assert_allclose(cs.H_cells, one.H_cells, rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(cs.G_cells, one.G_cells, rtol=1e-12, atol=1e-9)
        for q in ("AA", "AB", "BB"):
            np.testing.assert_allclose(cs.Q[q], one.Q[q], rtol=1e-12, atol=1e-9)
        M = np.eye(cs.n_groups)
        np.testing.assert_array_equal(domain_df(cs, M), domain_df(one, M))
        assert cs.G_cells[:, 1].sum() > 0  # the answers were counted
    other = Design(df.assign(h=df["h"] % 4), weights="w", strata="h", lonely_psu="adjust")
    with pytest.raises(LeercultuurError, match="another design"):
        cell_stats_many(other, row_stats(other, ["y"]), bys, layouts=cell_layouts(d, bys))
