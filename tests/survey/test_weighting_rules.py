"""Weighting: impossible margins, diagnostics, weight scaling and split halves; invariants."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leercultuur.errors import DataError, DesignError, LeercultuurError
from leercultuur.survey import (
    CalibrationError,
    Design,
    calibrate,
    combine_halves,
    expansion_weights,
    proportional_weights,
    rake,
    trim_weights,
)


def small() -> Design:
    df = pd.DataFrame(
        {
            "sex": ["m", "f", "m", "f", "m", "f", "m", "f"],
            "edu": ["low", "low", "mid", "mid", "high", "high", "mid", "high"],
            "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
            "w": [10.0, 12.0, 9.0, 11.0, 10.0, 8.0, 12.0, 10.0],
        }
    )
    return Design(df, weights="w")


SEX = {"m": 60.0, "f": 40.0}
EDU = {"low": 20.0, "mid": 45.0, "high": 35.0}


def test_category_absent_from_sample_is_named() -> None:
    with pytest.raises(DataError, match=r"margin 'edu': category 'phd' \(population 5\) is absent"):
        calibrate(small(), {"sex": SEX, "edu": {**EDU, "phd": 5.0, "mid": 40.0}})


def test_sample_value_missing_from_margin_is_named_with_rows() -> None:
    with pytest.raises(DataError) as exc:
        rake(small(), {"sex": SEX, "edu": {"low": 20.0, "mid": 80.0}})
    assert str(exc.value).startswith(
        "margin 'edu': the sample has value 'high' (3 rows, rows 5, 6, 8) that the population "
        "margin does not list"
    )


def test_totals_that_disagree_between_margins() -> None:
    with pytest.raises(DataError) as exc:
        calibrate(small(), {"sex": SEX, "edu": {"low": 20.0, "mid": 45.0, "high": 40.0}})
    assert str(exc.value) == (
        "population margins disagree on the population size: 'sex' sums to 100, 'edu' sums to 105"
    )


def test_zero_population() -> None:
    with pytest.raises(DataError, match="margin 'sex': category 'm' has population total 0"):
        rake(small(), {"sex": {"m": 0.0, "f": 0.0}})
    with pytest.raises(DataError, match=r"zero population: '\(Intercept\)'"):
        calibrate(small(), {"(Intercept)": 0.0, "x": 10.0})


def test_negative_total_and_missing_values() -> None:
    with pytest.raises(
        DataError, match=re.escape("total of 'f' must be finite and >= 0, not -40.0")
    ):
        rake(small(), {"sex": {"m": 60.0, "f": -40.0}})
    df = small().data.copy()
    df.loc[2, "sex"] = None
    with pytest.raises(DataError, match=r"margin 'sex': 1 rows have no value of 'sex' \(row 3\)"):
        rake(Design(df, weights="w"), {"sex": SEX})


def test_inconsistent_cross_margins_do_not_converge_and_name_the_margin() -> None:
    # sex x edu says 50 men, the sex margin says 60 (same grand total): no solution
    cross = {
        ("m", "low"): 10.0, ("f", "low"): 10.0, ("m", "mid"): 25.0, ("f", "mid"): 20.0,
        ("m", "high"): 15.0, ("f", "high"): 20.0,
    }  # fmt: skip
    with pytest.raises(CalibrationError, match=r"rake: did not converge in 50 iterations"):
        rake(small(), {("sex", "edu"): cross, "sex": SEX}, maxit=50)
    with pytest.warns(UserWarning, match="force=True"):
        d = calibrate(small(), {("sex", "edu"): cross, "sex": SEX}, calfun="raking", force=True)
    assert not d.calibration.info.converged
    assert d.calibration.info.max_misfit > 1e-3


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="calfun='ipf' is not allowed; choose one of: 'linear', "):
        calibrate(small(), {"sex": SEX}, calfun="ipf")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="calfun='logit' needs finite bounds"):
        calibrate(small(), {"sex": SEX}, calfun="logit")
    with pytest.raises(DataError, match="rake takes categorical margins only"):
        rake(small(), {"sex": SEX, "x": 400.0})
    with pytest.raises(DesignError, match="weight the full design, then take subsets"):
        rake(small().subset(np.arange(8) < 4), {"sex": SEX})
    assert issubclass(CalibrationError, LeercultuurError)


def test_diagnostics_are_serialisable() -> None:
    d = rake(small(), {"sex": SEX, "edu": EDU})
    info = d.calibration.to_dict()
    assert info["method"] == "rake" and info["converged"] is True
    assert info["n_constraints"] == 5 and info["n_rows"] == 8
    assert info["terms"] == ["sex=m", "sex=f", "edu=low", "edu=mid", "edu=high"]
    assert info["weight_sum"] == pytest.approx(100.0, rel=1e-12)


def test_trim_weights_spreads_equally_and_checks_bounds() -> None:
    t = trim_weights(small(), upper=11.0)
    # 12 + 12 -> 11 + 11: 2 spread over the 6 others (11 itself is not outside, gets 1/3 too)
    np.testing.assert_allclose(
        t.w, [10 + 1 / 3, 11, 9 + 1 / 3, 11 + 1 / 3, 10 + 1 / 3, 8 + 1 / 3, 11, 10 + 1 / 3]
    )
    with pytest.raises(DesignError, match=re.escape("every weight is outside [1, 2]")):
        trim_weights(small(), lower=1.0, upper=2.0)


def test_proportional_expansion_and_halves() -> None:
    w = np.array([1.0, 3.0, 2.0, 2.0, 4.0])
    year = np.array([2020, 2020, 2022, 2022, 2022])
    np.testing.assert_allclose(proportional_weights(w, by=year), [0.5, 1.5, 0.75, 0.75, 1.5])
    np.testing.assert_allclose(
        expansion_weights(w, {2020: 100.0, 2022: 80.0}, by=year), [25, 75, 20, 20, 40]
    )
    half = np.array([1, 1, 2, 2, 2])
    hw = np.array([40.0, 60.0, 30.0, 30.0, 40.0])  # each half sums to 100
    np.testing.assert_allclose(combine_halves(hw, half), [16, 24, 18, 18, 24])
    with pytest.raises(DataError, match="half 1: 100, half 2: 120"):
        combine_halves([40.0, 60.0, 40.0, 40.0, 40.0], half)
    with pytest.raises(DataError, match="zero population"):
        expansion_weights(w, 0.0)


@settings(max_examples=30, deadline=None)
@given(
    w=st.lists(st.floats(0.5, 50.0), min_size=12, max_size=40),
    p_m=st.floats(0.2, 0.8),
    p_low=st.floats(0.1, 0.4),
    seed=st.integers(0, 10_000),
)
def test_rake_reaches_every_margin_and_equals_raking_calibration(
    w: list[float], p_m: float, p_low: float, seed: int
) -> None:
    n = len(w)
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            # every sex x edu cell occupied: raking has a solution (no structural zeros)
            "sex": np.r_[["m", "m", "f", "f"], rng.choice(["m", "f"], n - 4)],
            "edu": np.r_[["low", "high", "low", "high"], rng.choice(["low", "high"], n - 4)],
            "w": w,
        }
    )
    pop = {"sex": {"m": 1000 * p_m, "f": 1000 * (1 - p_m)}}
    pop["edu"] = {"low": 1000 * p_low, "high": 1000 * (1 - p_low)}
    d = rake(Design(df, weights="w"), pop, maxit=5000)
    for col, tot in pop.items():
        reached = pd.Series(d.w).groupby(df[col].to_numpy()).sum()
        for cat, t in tot.items():
            assert reached[cat] == pytest.approx(t, rel=1e-9)
    c = calibrate(Design(df, weights="w"), pop, calfun="raking")
    np.testing.assert_allclose(d.w, c.w, rtol=1e-8)
    # proportional weights have mean 1; halves combine to the population once
    assert proportional_weights(d.w).mean() == pytest.approx(1.0)
    half = np.arange(n) % 2
    each = expansion_weights(d.w, {0: 1000.0, 1: 1000.0}, by=half)
    assert combine_halves(each, half).sum() == pytest.approx(1000.0)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), calfun=st.sampled_from(["linear", "raking"]))
def test_calibrated_totals_of_margin_cells_have_zero_se(seed: int, calfun: str) -> None:
    """A calibration variable's total is fixed by the calibration: its residual is 0, so its SE
    is 0 (R gives 0 up to rounding); a variable outside the model keeps a positive SE."""
    rng = np.random.default_rng(seed)
    n = 60
    df = pd.DataFrame(
        {
            "sex": np.r_[["m", "f"] * 2, rng.choice(["m", "f"], n - 4)],
            "st": np.repeat([1, 2, 3], n // 3),
            "y": rng.normal(10, 2, n),
            "w": rng.uniform(5, 15, n),
        }
    )
    df["male"] = (df["sex"] == "m").astype(float)
    d = calibrate(Design(df, weights="w", strata="st"), {"sex": {"m": 300.0, "f": 320.0}},
                  calfun=calfun)  # type: ignore[arg-type]  # fmt: skip
    t = d.total(["male", "y"])
    assert t["estimate"].iloc[0] == pytest.approx(300.0, rel=1e-9)
    assert t["se"].iloc[0] < 1e-8 * 300
    assert t["se"].iloc[1] > 1.0


def test_redundant_consistent_margins_and_series_margins() -> None:
    """A cross margin plus one of its own margins (consistent) is collinear but solvable; a
    pandas Series with a MultiIndex works as a cross margin."""
    cross = pd.Series(
        [10.0, 10.0, 30.0, 15.0, 20.0, 15.0],
        index=pd.MultiIndex.from_tuples(
            [("m", "low"), ("f", "low"), ("m", "mid"), ("f", "mid"), ("m", "high"), ("f", "high")]
        ),
    )
    a = calibrate(small(), {("sex", "edu"): cross}, calfun="raking")
    b = calibrate(small(), {("sex", "edu"): cross, "sex": SEX}, calfun="raking")
    c = rake(small(), {("sex", "edu"): cross, "sex": SEX})
    np.testing.assert_allclose(b.w, a.w, rtol=1e-10)
    np.testing.assert_allclose(c.w, a.w, rtol=1e-10)
    assert b.calibration.info.converged and b.calibration.info.n_constraints == 8
    np.testing.assert_allclose(pd.Series(a.w).groupby(small().data["sex"]).sum()["m"], 60.0)
