"""trend and trend_difference against R survey 4.1.1 (tests/golden/part2/golden_part2.R).

R calls: ``svyglm(y ~ year, subset(des, !is.na(y) [& grp == g]))``; with a break,
``svyglm(y ~ year + pmax(year - k, 0), same subset)``; the trend difference is the ``year:D``
coefficient of ``svyglm(y ~ year * D, subset(des, !is.na(y) & !is.na(grp)))``. ``d`` is checked
against R's slope times the span over the pooled SD computed in R from the data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leercultuur.errors import DesignError
from leercultuur.survey import Design, trend, trend_difference

GOLD = Path(__file__).resolve().parents[1] / "golden" / "part2"
BREAK = ["slope_before", "slope_change", "change_se", "change_t", "change_df", "change_p_value"]
MAIN = ["slope", "se", "t", "df", "p_value", "d", "d_se", "n"]


def synth() -> pd.DataFrame:
    df = pd.read_csv(GOLD / "data" / "synth_years.csv")
    df["hi"] = np.where(df["cat"].isna(), np.nan, (df["cat"] == "hi").astype(float))
    return df


@pytest.fixture(scope="module")
def des() -> Design:
    return Design(synth(), weights="w", strata="stratum", psu="psu")


def assert_close(ours: pd.DataFrame, ref: pd.DataFrame, cols: list[str]) -> None:
    assert len(ours) == len(ref)
    for c in cols:
        np.testing.assert_allclose(
            ours[c].to_numpy(float), ref[c].to_numpy(float), rtol=1e-8, atol=1e-12, err_msg=c
        )


def test_trend_mean_with_break_matches_r(des: Design) -> None:
    ref = pd.read_csv(GOLD / "values_trend_synth_mean.csv")
    out = trend(des, "y", year="year", break_year=2018)
    assert_close(out, ref, MAIN + BREAK)
    assert out["df"].iloc[0] == 149  # 180 PSUs - 30 strata - 1
    assert out["change_df"].iloc[0] == 148
    assert (out["first_year"].iloc[0], out["last_year"].iloc[0]) == (2016, 2021)
    np.testing.assert_allclose(
        out["slope_after"], out["slope_before"] + out["slope_change"], rtol=1e-12
    )


def test_trend_proportion_by_group_in_points_matches_r(des: Design) -> None:
    ref = pd.read_csv(GOLD / "values_trend_synth_prop_by.csv")
    out = trend(
        des,
        "cat",
        year="year",
        by="grp",
        kind="proportion",
        category="hi",
        scale=100,
        break_year=2019,
    )
    assert list(out["grp"]) == list(ref["group"])
    assert_close(out, ref, MAIN + BREAK)


def test_trend_difference_matches_r(des: Design) -> None:
    ref = pd.read_csv(GOLD / "values_trenddiff_synth_mean.csv")
    out = trend_difference(des, "y", year="year", by="grp")
    cols = ["slope_group", "slope_rest", "difference", "se", "t", "df", "p_value"]
    assert_close(out, ref, cols)
    assert (out["df"] == 147).all()
    assert (out["n_group"] + out["n_rest"] == 6674).all()


def test_trend_slope_equals_per_group_trend(des: Design) -> None:
    by = trend(des, "y", year="year", by="grp")
    diff = trend_difference(des, "y", year="year", by="grp")
    np.testing.assert_allclose(diff["slope_group"], by["slope"], rtol=1e-10)


@settings(max_examples=15, deadline=None)
@given(st.floats(0.01, 1000), st.integers(-3000, 3000))
def test_trend_scales_and_shifts(c: float, shift: int) -> None:
    data = synth()
    base = trend(Design(data, weights="w", strata="stratum", psu="psu"), "y", year="year")
    data["y"] = data["y"] * c
    data["year"] = data["year"] + shift
    out = trend(Design(data, weights="w", strata="stratum", psu="psu"), "y", year="year")
    np.testing.assert_allclose(out["slope"], base["slope"] * c, rtol=1e-8)
    np.testing.assert_allclose(out["se"], base["se"] * c, rtol=1e-8)
    np.testing.assert_allclose(out["d"], base["d"], rtol=1e-8)
    np.testing.assert_allclose(out["p_value"], base["p_value"], rtol=1e-8)


def test_trend_group_with_one_year_is_nan_with_warning() -> None:
    data = synth()
    data.loc[(data["grp"] == "d") & (data["year"] != 2019), "y"] = np.nan
    d = Design(data, weights="w", strata="stratum", psu="psu")
    with pytest.warns(
        UserWarning, match=r"the slope cannot be estimated for 1 groups \[\{'grp': 'd'"
    ):
        out = trend(d, "y", year="year", by="grp")
    assert np.isnan(out["slope"].iloc[3]) and np.isnan(out["se"].iloc[3])
    assert np.isfinite(out["slope"].iloc[:3]).all()


def test_trend_bad_input(des: Design) -> None:
    with pytest.raises(
        DesignError, match="a slope change at 2025 cannot be estimated in any group"
    ):
        trend(des, "y", year="year", break_year=2025)
    with pytest.raises(DesignError, match="year column 'stratum' is not numeric"):
        trend(des, "y", year="stratum")
    with pytest.raises(ValueError, match="scale=0 must be a finite non-zero number"):
        trend(des, "y", year="year", scale=0)
    with pytest.raises(ValueError, match="'year' cannot be both year= and by="):
        trend(des, "y", year="year", by="year")
