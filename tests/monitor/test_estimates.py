"""Monitor estimates on a small harmonised table: values checked against direct computation."""

import numpy as np
import pandas as pd
import pytest

from leercultuur.monitor import ESTIMATE_COLUMNS, load_spec
from leercultuur.monitor._indicators import indicator_values
from leercultuur.monitor._pipeline import run_monitor
from leercultuur.survey import Design

from .harmonised_fixture import make_harmonised, weight_for


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return make_harmonised(years=range(2019, 2023), n_per_year=1500, strata=5)


@pytest.fixture(scope="module")
def estimates(data: pd.DataFrame) -> pd.DataFrame:
    return run_monitor(data, weight_for=weight_for).estimates


def test_indicator_values_follow_the_spec() -> None:
    spec = load_spec()
    df = pd.DataFrame(
        {
            "learn_tasks": [1, 2, 3, np.nan],
            "aut_how": [3, 3, 2, 1],
            "aut_order": [3, 2, 2, 1],
            "aut_pace": [3, 2, 3, 1],
            "aut_solutions": [2, 2, 3, np.nan],
            "aut_leave": [2, 3, 2, 1],
        }
    )
    np.testing.assert_array_equal(
        indicator_values(df, spec.indicator("informal_tasks_much")), [0, 0, 1, np.nan]
    )
    np.testing.assert_array_equal(
        indicator_values(df, spec.indicator("informal_tasks_some")), [0, 1, 1, np.nan]
    )
    # autonomy scale means 2.6, 2.4, 2.4, NaN (an unanswered item leaves the scale missing)
    np.testing.assert_allclose(
        indicator_values(df, spec.indicator("autonomy_scale")), [2.6, 2.4, 2.4, np.nan]
    )
    np.testing.assert_array_equal(
        indicator_values(df, spec.indicator("autonomy_high")), [1, 0, 0, np.nan]
    )


def test_schema_and_units(estimates: pd.DataFrame) -> None:
    assert list(estimates.columns) == ESTIMATE_COLUMNS
    units = estimates.groupby("indicator")["unit"].first()
    assert units["nonformal"] == "%"
    assert units["variation_scale"] == "mean"


def test_point_estimates_equal_weighted_shares(data: pd.DataFrame, estimates: pd.DataFrame) -> None:
    # nonformal, 2021, education=low: weighted share of course == 1 among answered
    sel = (data["year"] == 2021) & (data["education"] == "low") & data["course"].notna()
    w = data.loc[sel, "weight"]
    expected = 100 * (w * data.loc[sel, "course"]).sum() / w.sum()
    row = estimates.query("indicator == 'nonformal' and year == 2021 and group == 'low'")
    assert row["estimate"].item() == pytest.approx(expected, rel=1e-12)
    assert row["n"].item() == int(sel.sum())


def test_half_items_use_the_half_weight_in_2022(
    data: pd.DataFrame, estimates: pd.DataFrame
) -> None:
    sel = (data["year"] == 2022) & data["learn_tasks"].notna()
    w = data.loc[sel, "weight_half"]
    expected = 100 * (w * (data.loc[sel, "learn_tasks"] == 3)).sum() / w.sum()
    row = estimates.query(
        "indicator == 'informal_tasks_much' and year == 2022 and breakdown == 'all'"
    )
    assert row["estimate"].item() == pytest.approx(expected, rel=1e-12)


def test_informal_learning_only_in_measured_years(estimates: pd.DataFrame) -> None:
    years = sorted(estimates.query("indicator == 'informal_people_much'")["year"].unique())
    assert years == [2020, 2022]


def test_small_cells_are_flagged_not_dropped(estimates: pd.DataFrame) -> None:
    small = estimates[estimates["n"] < 200]
    assert len(small) > 0
    assert small["suppressed"].all()
    assert not estimates.loc[estimates["n"] >= 200, "suppressed"].any()


def test_percentage_ci_is_inside_0_100_and_contains_estimate(estimates: pd.DataFrame) -> None:
    pct = estimates[estimates["unit"] == "%"]
    assert (pct["ci_low"] >= 0).all() and (pct["ci_high"] <= 100).all()
    assert (pct["ci_low"] <= pct["estimate"]).all() and (pct["estimate"] <= pct["ci_high"]).all()


def test_estimates_equal_the_generic_engine(data: pd.DataFrame, estimates: pd.DataFrame) -> None:
    """The monitor's cell-statistics path equals Design.mean (itself checked against R)."""
    d = Design(data.assign(nonformal=data["course"]), weights="weight", strata="stratum")
    ref = d.mean("nonformal", by=["year", "age_class"], na_rm=True)
    got = estimates.query("indicator == 'nonformal' and breakdown == 'age_class'")
    m = ref.assign(group=ref["age_class"].astype(str)).merge(got, on=["year", "group"])
    assert len(m) == len(ref)
    np.testing.assert_allclose(m["estimate_y"], 100 * m["estimate_x"], rtol=1e-10)
    np.testing.assert_allclose(m["se_y"], 100 * m["se_x"], rtol=1e-10)
    np.testing.assert_allclose(m["n_eff_y"], m["n_eff_x"], rtol=1e-10)
    np.testing.assert_allclose(m["deff_y"], m["deff_x"], rtol=1e-8)
    np.testing.assert_array_equal(m["df_y"], m["df_x"])
