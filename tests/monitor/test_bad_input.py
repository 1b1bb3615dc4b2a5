"""Bad input to the monitor: clear messages, and the rest of the monitor still produced."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from leercultuur.errors import DataError
from leercultuur.monitor import load_spec
from leercultuur.monitor._pipeline import run_monitor

from .harmonised_fixture import make_harmonised, weight_for


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return make_harmonised(years=range(2019, 2023), n_per_year=600, strata=4, seed=3)


def test_indicator_without_items_in_any_year_is_a_gap(data: pd.DataFrame) -> None:
    r = run_monitor(data.assign(learn_tasks=np.nan), weight_for=weight_for)
    assert any("'informal_tasks_much': its items are measured in no year" in g for g in r.gaps)
    assert "informal_tasks_much" not in set(r.estimates["indicator"])
    assert "nonformal" in set(r.estimates["indicator"])  # the rest is still there
    assert "informal_tasks_much" in r.manifest["indicators_missing"]


def test_breakdown_with_one_group_is_a_gap(data: pd.DataFrame) -> None:
    one = data.assign(sex=pd.Categorical(["female"] * len(data)))
    r = run_monitor(one, weight_for=weight_for)
    assert any("breakdown 'sex': only one group (female)" in g for g in r.gaps)
    assert r.comparisons.query("breakdown == 'sex' and comparison == 'group_vs_rest'").empty
    assert not r.estimates.query("breakdown == 'education'").empty


def test_spec_naming_an_unknown_variable(tmp_path: Path, data: pd.DataFrame) -> None:
    p = tmp_path / "spec.yaml"
    p.write_text("""
indicators:
  - {id: x, domain: d, kind: share, items: [no_such_item], success: [1], label: {nl: x, en: x}}
  - {id: course, domain: d, kind: share, items: [course], success: [1], label: {nl: c, en: c}}
breakdowns:
  - {id: region, column: region, label: {nl: Regio, en: Region}}
""")
    r = run_monitor(data, spec=load_spec(p), weight_for=weight_for)
    gaps = " | ".join(r.gaps)
    assert (
        "indicator 'x': 'no_such_item' is not in the data (not computed); add `no_such_item: "
        in gaps
    )
    assert "breakdown 'region': 'region' is not in the data (not reported); add `region: " in gaps
    assert set(r.estimates["indicator"]) == {"course"}


def test_year_without_a_weight_names_the_rows(data: pd.DataFrame) -> None:
    bad = data.copy()
    bad.loc[bad["year"] == 2021, "weight"] = np.nan
    with pytest.raises(
        DataError, match=r"missing weights for 'weight' in 2021: 600 rows \(rows 1201, "
    ):
        run_monitor(bad, weight_for=weight_for)


def test_no_indicator_at_all(data: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="no indicator of the spec can be computed"):
        run_monitor(
            data[["year", "stratum", "weight", "weight_half", "sex"]], weight_for=weight_for
        )


def test_missing_design_column(data: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="lacks the design column"):
        run_monitor(data.drop(columns=["stratum"]), weight_for=weight_for)


def test_classic_group_vs_rest_equals_pearson_chi_square(data: pd.DataFrame) -> None:
    """--classic: Pearson X2 of the 2 x 2 table (low vs rest x course) on weights normalised to
    mean 1 per year, as SPSS computes it; checked against scipy's chi2_contingency."""
    r = run_monitor(data, weight_for=weight_for, method="classic")
    row = r.comparisons.query(
        "indicator == 'nonformal' and comparison == 'group_vs_rest' and group == 'low' "
        "and year == 2021"
    ).iloc[0]
    y = data[data["year"] == 2021]
    wn = y["weight"] * len(y) / y["weight"].sum()
    ok = y["course"].notna()
    low = (y["education"] == "low")[ok]
    table = pd.crosstab(low, y.loc[ok, "course"], values=wn[ok], aggfunc="sum").to_numpy()
    chi2, p, _, _ = stats.chi2_contingency(table, correction=False)
    assert row["statistic"] == pytest.approx(chi2, rel=1e-9)
    assert row["p_value"] == pytest.approx(p, rel=1e-9)
    assert row["method"] == "classic"
