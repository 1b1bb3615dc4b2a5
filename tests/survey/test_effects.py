"""Effect-size helpers, Benjamini-Hochberg and compare_independent.

BH against R ``p.adjust(p, "BH")`` (tests/golden/part2/golden_part2_tests.R); d and h helpers
against R's ``svycontrast`` values in the group-vs-rest goldens (hand formulas of _effects.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leercultuur.survey import (
    Design,
    cohens_d,
    cohens_h,
    compare_independent,
    group_vs_rest,
    p_adjust_bh,
)

GOLD = Path(__file__).resolve().parents[1] / "golden" / "part2"


def test_p_adjust_bh_matches_r() -> None:
    ref = pd.read_csv(GOLD / "values_bh.csv")
    out = p_adjust_bh(ref["p"])
    assert isinstance(out, pd.Series)
    np.testing.assert_allclose(out.to_numpy(), ref["bh"].to_numpy(), rtol=1e-12)
    assert np.isnan(out.iloc[3])
    np.testing.assert_allclose(p_adjust_bh([0.01, 0.04, 0.03]), [0.03, 0.04, 0.04])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=30))
def test_p_adjust_bh_properties(p: list[float]) -> None:
    arr = np.array(p)
    adj = p_adjust_bh(arr)
    assert (adj >= arr - 1e-15).all() and (adj <= 1).all()
    order = np.argsort(arr, kind="stable")
    assert (np.diff(adj[order]) >= -1e-15).all()  # monotone in p


def test_p_adjust_bh_rejects_invalid() -> None:
    with pytest.raises(ValueError, match="p-values must lie between 0 and 1"):
        p_adjust_bh([0.2, 1.5])


def test_cohens_h_and_d_match_r_contrasts() -> None:
    ref = pd.read_csv(GOLD / "values_gvr_apistrat_prop.csv")
    np.testing.assert_allclose(
        cohens_h(ref["estimate_group"], ref["estimate_rest"]), ref["h"], rtol=1e-10
    )
    data = pd.read_csv(GOLD / "data" / "apistrat.csv")
    w = data.groupby("stype")["pw"].sum().to_numpy()
    d = cohens_d(ref["estimate_group"], ref["estimate_rest"], w1=w, w2=w.sum() - w)
    np.testing.assert_allclose(d, ref["d"], rtol=1e-10)


def test_cohens_d_means_pooled_weighted_sd() -> None:
    data = pd.read_csv(GOLD / "data" / "apistrat.csv")
    ref = pd.read_csv(GOLD / "values_gvr_apistrat_mean.csv")
    g = data["stype"] == "E"
    sd, wt = [], []
    for part in (data[g], data[~g]):
        m = np.average(part["api00"], weights=part["pw"])
        sd.append(np.sqrt(np.average((part["api00"] - m) ** 2, weights=part["pw"])))
        wt.append(part["pw"].sum())
    d = cohens_d(ref["estimate_group"][0], ref["estimate_rest"][0], sd1=sd[0], sd2=sd[1],
                 w1=wt[0], w2=wt[1])  # fmt: skip
    np.testing.assert_allclose(d, ref["d"][0], rtol=1e-10)
    with pytest.raises(ValueError, match="give both sd1 and sd2"):
        cohens_d(1.0, 2.0, sd1=1.0)


@settings(max_examples=30, deadline=None)
@given(st.floats(0.05, 0.95), st.floats(-0.01, 0.01))
def test_d_and_h_agree_to_first_order(p: float, delta: float) -> None:
    p2 = min(max(p + delta, 0.0), 1.0)
    h = cohens_h(p2, p)
    d = cohens_d(p2, p)
    assert abs(h - d) <= 0.05 * abs(h) + 1e-12
    assert cohens_h(p, p2) == pytest.approx(-h)


def test_compare_independent_t_and_series_index() -> None:
    e1 = pd.Series([0.54, 0.52], index=["2012", "2013"])
    out = compare_independent(e1, [0.004, 0.004], [0.52, 0.52], [0.005, 0.004], df=[100, 100])
    assert list(out.index) == ["2012", "2013"]
    np.testing.assert_allclose(out["difference"], [-0.02, 0.0], atol=1e-15)
    np.testing.assert_allclose(out["se"], [np.hypot(0.004, 0.005), np.hypot(0.004, 0.004)])
    from scipy import stats

    t = -0.02 / np.hypot(0.004, 0.005)
    np.testing.assert_allclose(out["p_value"].iloc[0], 2 * stats.t.sf(abs(t), 100), rtol=1e-12)
    z = compare_independent(0.54, 0.004, 0.52, 0.005)
    np.testing.assert_allclose(z["p_value"].iloc[0], 2 * stats.norm.sf(abs(t)), rtol=1e-12)


def test_group_vs_rest_effects_one_valued_share_is_nan() -> None:
    """A share of 0 on both sides: d is 0/0 and reported NaN, not a number."""
    data = pd.read_csv(GOLD / "data" / "apistrat.csv")
    data["never"] = 0.0
    d = Design(data, weights="pw", strata="stype", fpc="fpc")
    out = group_vs_rest(d, "never", by="stype", kind="proportion")
    assert out["d"].isna().all() and out["d_se"].isna().all()
    assert (out["difference"] == 0).all() and (out["h"] == 0).all()
