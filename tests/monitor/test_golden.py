"""The monitor's numbers against R survey 4.1.1 (tests/golden/monitor/golden.R on data.csv).

Each comparison names the R call behind the value (see golden.R). Tolerance: 1e-8 relative,
with an absolute floor of 1e-10 for values near zero.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leercultuur.monitor import MonitorResult
from leercultuur.monitor._pipeline import run_monitor

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "monitor"
RTOL, ATOL = 1e-8, 1e-10


def weight_for(item: str, year: int) -> str:
    return "weight_half" if (year == 2022 and item == "learn_tasks") else "weight"


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads((GOLDEN / "golden.json").read_text())


@pytest.fixture(scope="module")
def result() -> MonitorResult:
    df = pd.read_csv(GOLDEN / "data.csv")
    df["education"] = pd.Categorical(df["education"], ["low", "middle", "high"], ordered=True)
    return run_monitor(df, weight_for=weight_for)


def close(actual, expected) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, float), np.asarray(expected, float), rtol=RTOL, atol=ATOL
    )


def test_gaps_name_what_the_data_lacks(result: MonitorResult) -> None:
    gaps = " | ".join(result.gaps)
    assert "breakdown 'age_class': 'age_class' is not in the data (not reported)" in gaps
    assert "'aut_how' is not in the data (not computed)" in gaps
    assert "indicator 'autonomy_scale', indicator 'autonomy_high': 'aut_how'" in gaps


def test_estimates_by_year_and_education(result: MonitorResult, golden: dict) -> None:
    # svyby(~nonformal, ~year+education, des, svymean / svyciprop(method="logit"), na.rm=TRUE)
    g = pd.DataFrame(golden["est_nonformal"])
    e = result.estimates.query("indicator == 'nonformal' and breakdown == 'education'")
    m = g.merge(e, left_on=["year", "education"], right_on=["year", "group"], suffixes=("_r", ""))
    assert len(m) == len(g) == 21
    close(m["estimate"], 100 * m["estimate_r"])
    close(m["se"], 100 * m["se_r"])
    close(m["ci_low"], 100 * m["ci_low_r"])
    close(m["ci_high"], 100 * m["ci_high_r"])


def test_scale_mean_estimates(result: MonitorResult, golden: dict) -> None:
    # svyby(~varscale, ~year, des, svymean, na.rm=TRUE); CI normal as confint(svymean)
    g = pd.DataFrame(golden["est_varscale"])
    e = result.estimates.query("indicator == 'variation_scale' and breakdown == 'all'")
    m = g.merge(e, on="year", suffixes=("_r", ""))
    assert len(m) == 7
    for c in ("estimate", "se", "ci_low", "ci_high"):
        close(m[c], m[f"{c}_r"])


def test_half_item_uses_its_weight(result: MonitorResult, golden: dict) -> None:
    # svyby(~tasks_much, ~year, subset(desh, year %in% c(2020, 2022)), svymean, na.rm=TRUE)
    g = pd.DataFrame(golden["est_tasks"])
    e = result.estimates.query("indicator == 'informal_tasks_much' and breakdown == 'all'")
    m = g.merge(e, on="year", suffixes=("_r", ""))
    assert list(m["year"]) == [2020, 2022]
    close(m["estimate"], 100 * m["estimate_r"])
    close(m["se"], 100 * m["se_r"])


@pytest.mark.parametrize(
    "variable,indicator,scale",
    [("nonformal", "nonformal", 100.0), ("varscale", "variation_scale", 1.0)],
)
def test_group_vs_rest(
    result: MonitorResult, golden: dict, variable: str, indicator: str, scale: float
) -> None:
    # svyglm(y ~ low, subset(des, year == y & !is.na(y))): coefficient, SE, t, df, p
    g = pd.DataFrame(golden["gvr_low"]).query("variable == @variable")
    c = result.comparisons.query(
        "indicator == @indicator and comparison == 'group_vs_rest' and group == 'low'"
    )
    m = g.merge(c, on="year", suffixes=("_r", ""))
    assert len(m) == 7
    close(m["difference"], scale * m["difference_r"])
    close(m["se"], scale * m["se_r"])
    close(m["statistic"], m["t"])
    close(m["df"], m["df_r"])
    close(m["p_value"], m["p"])


def test_year_on_year(result: MonitorResult, golden: dict) -> None:
    g = pd.DataFrame(golden["yoy_nonformal"])
    c = result.comparisons.query(
        "indicator == 'nonformal' and comparison == 'year_on_year' and breakdown == 'all'"
    )
    m = g.merge(c, on="year", suffixes=("_r", ""))
    assert len(m) == 6
    close(m["difference"], 100 * m["difference_r"])
    close(m["se"], 100 * m["se_r"])
    close(m["statistic"], m["z"])
    close(m["p_value"], m["p"])


@pytest.mark.parametrize(
    "variable,indicator,scale",
    [("nonformal", "nonformal", 100.0), ("varscale", "variation_scale", 1.0)],
)
def test_trends(
    result: MonitorResult, golden: dict, variable: str, indicator: str, scale: float
) -> None:
    # svyglm(y ~ year), svyglm(y ~ year + pmax(year - 2020, 0)), svyglm(y ~ year * low)
    g = pd.DataFrame(golden["trends"]).query("variable == @variable")
    t = result.trends.query("indicator == @indicator and group in ['all', 'low']")
    m = g.merge(t, on="group", suffixes=("_r", ""))
    assert len(m) == 2
    close(m["slope"], scale * m["slope_r"])
    close(m["se"], scale * m["se_r"])
    close(m["statistic"], m["t"])
    close(m["df"], m["df_r"])
    close(m["p_value"], m["p"])
    close(m["slope_change"], scale * m["hinge"])
    close(m["slope_change_se"], scale * m["hinge_se"])
    close(m["slope_change_p"], m["hinge_p"])
    low = m[m["group"] == "low"]
    close(low["diff_vs_rest"], scale * low["diff"])
    close(low["diff_vs_rest_se"], scale * low["diff_se"])
    close(low["diff_vs_rest_p"], low["diff_p"])


def test_associations(result: MonitorResult, golden: dict) -> None:
    # svyglm(nonformal ~ varscale + education, subset(des, year == y)): the varscale coefficient
    g = pd.DataFrame(golden["assoc_varscale"])
    a = result.associations.query("outcome == 'nonformal' and term == 'variation_scale'")
    m = g.merge(a, on="year", suffixes=("_r", ""))
    assert len(m) == 7
    close(m["estimate"], 100 * m["estimate_r"])
    close(m["se"], 100 * m["se_r"])
    close(m["statistic"], m["t"])
    close(m["df"], m["df_r"])
    close(m["p_value"], m["p"])
    assert (m["n"] == m["n_r"]).all()
