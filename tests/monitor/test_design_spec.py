"""The spec's design block is honoured, never silently defaulted (issue: own survey files).

Strata are nested in years whatever the stratum column's type; the classic tests use the spec's
``classic_weight`` and every column of a classic row belongs to the classic test; the lonely-PSU
rule and PSUs come from the spec; what the monitor cannot honour is an error naming the setting.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from leercultuur.errors import DataError, SpecError
from leercultuur.monitor import load_spec
from leercultuur.monitor._pipeline import run_monitor
from leercultuur.survey import Design

from .harmonised_fixture import make_harmonised, weight_for


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return make_harmonised(years=range(2019, 2023), n_per_year=600, strata=4, seed=5)


def spec_with(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    p = tmp_path / "spec.yaml"
    p.write_text("extends: default\n" + text)
    return load_spec(p)


def test_integer_strata_are_nested_in_years(data: pd.DataFrame) -> None:
    as_id = run_monitor(data, weight_for=weight_for)
    # the same strata as plain integers 0..3, repeated every year
    ints = data.assign(stratum=data["stratum"].str.split("-").str[1].astype(int))
    as_int = run_monitor(ints, weight_for=weight_for)
    cols = ["estimate", "se", "ci_low", "ci_high", "df"]
    pd.testing.assert_frame_equal(as_int.estimates[cols], as_id.estimates[cols])
    pd.testing.assert_frame_equal(as_int.trends, as_id.trends)
    # pooling the integer strata across years would have given other standard errors
    y = (ints["course"] == 1).astype(float).where(ints["course"].notna())
    pooled = Design(ints.assign(y=y), weights="weight", strata="stratum").mean(
        "y", by="year", na_rm=True
    )
    mine = as_int.estimates.query("indicator == 'nonformal' and breakdown == 'all'")
    assert not np.allclose(mine["se"].to_numpy(), 100 * pooled["se"].to_numpy(), rtol=1e-6)
    assert as_int.manifest["design"]["strata_nested_in_years"] is True
    assert as_int.manifest["design"]["per_year"]["2019"]["strata"] == 4


def classic(data: pd.DataFrame, spec=None):  # type: ignore[no-untyped-def]
    return run_monitor(data, spec=spec, weight_for=weight_for, method="classic")


def test_classic_uses_the_spec_weight(tmp_path: Path, data: pd.DataFrame) -> None:
    default = classic(data)  # classic_weight: weight_prop
    ones = classic(data.assign(ones=1.0), spec_with(tmp_path, "design: {classic_weight: ones}"))
    a = default.comparisons.query("comparison == 'group_vs_rest'")["statistic"].to_numpy()
    b = ones.comparisons.query("comparison == 'group_vs_rest'")["statistic"].to_numpy()
    assert a.shape == b.shape and not np.allclose(a, b)
    # normalised per year: a column proportional to weight_prop within each year is the same
    scaled = data.assign(wp=data["weight_prop"] * data["year"].map({2019: 3, 2020: 0.5,
                                                                    2021: 7, 2022: 2}))  # fmt: skip
    same = classic(scaled, spec_with(tmp_path, "design: {classic_weight: wp}"))
    pd.testing.assert_frame_equal(same.comparisons, default.comparisons)
    assert same.manifest["design"]["classic_weight"] == "wp"


def test_classic_weight_missing_or_not_positive_is_an_error(
    tmp_path: Path, data: pd.DataFrame
) -> None:
    with pytest.raises(DataError, match=r"design.classic_weight \(--classic\): 'nope' is not in"):
        classic(data, spec_with(tmp_path, "design: {classic_weight: nope}"))
    bad = data.copy()
    bad.loc[5, "weight_prop"] = 0.0
    with pytest.raises(DataError, match=r"design.classic_weight: weight column 'weight_prop' "
                       r"is not positive in 1 rows \(row 6\)"):  # fmt: skip
        classic(bad)
    # design-based runs do not need the classic weight
    assert not run_monitor(data.drop(columns="weight_prop"), weight_for=weight_for).estimates.empty


def test_classic_rows_recompute_from_their_own_columns(data: pd.DataFrame) -> None:
    r = classic(data)
    comp = r.comparisons.dropna(subset=["statistic"])
    pct = comp["indicator"].map(lambda i: r.spec.indicator(i).is_percentage).to_numpy()
    diff, se = comp["difference"].to_numpy(), comp["se"].to_numpy()
    stat, p, df = (comp[c].to_numpy(dtype=float) for c in ("statistic", "p_value", "df"))
    np.testing.assert_allclose(diff, comp["estimate_a"] - comp["estimate_b"], rtol=1e-10)
    np.testing.assert_allclose(stat[pct], (diff[pct] / se[pct]) ** 2, rtol=1e-10)  # chi-square
    np.testing.assert_allclose(p[pct], stats.chi2.sf(stat[pct], 1), rtol=1e-8)
    np.testing.assert_allclose(stat[~pct], diff[~pct] / se[~pct], rtol=1e-10)  # pooled t
    np.testing.assert_allclose(p[~pct], 2 * stats.t.sf(np.abs(stat[~pct]), df[~pct]), rtol=1e-8)
    assert pct.any() and (~pct).any()
    tr = r.trends.dropna(subset=["statistic"])
    np.testing.assert_allclose(tr["statistic"], tr["slope"] / tr["se"], rtol=1e-10)


def test_classic_chi_square_by_hand(data: pd.DataFrame) -> None:
    """Group 'low' vs the rest in 2021, course: Pearson X2 of the 2 x 2 table of normalised
    weights (SPSS with WEIGHT BY weight_prop)."""
    row = classic(data).comparisons.query(
        "indicator == 'nonformal' and comparison == 'group_vs_rest' and group == 'low' "
        "and year == 2021"
    ).iloc[0]  # fmt: skip
    d = data[(data["year"] == 2021) & data["course"].notna() & data["education"].notna()]
    w = d["weight_prop"] * len(data[data["year"] == 2021]) / data.loc[
        data["year"] == 2021, "weight_prop"].sum()  # fmt: skip
    table = pd.crosstab(d["education"] == "low", d["course"] == 1, values=w, aggfunc="sum")
    x2 = stats.chi2_contingency(table.to_numpy(), correction=False)[0]
    assert row["statistic"] == pytest.approx(x2, rel=1e-10)
    low = d["education"] == "low"
    share = [np.average(d["course"][m] == 1, weights=w[m]) for m in (low, ~low)]
    assert row["difference"] == pytest.approx(100 * (share[0] - share[1]), rel=1e-10)


def test_weight_problems_name_the_setting(data: pd.DataFrame) -> None:
    with pytest.raises(
        SpecError, match=r"weight column\(s\) 'wrong' \(the codebook's design.weight"
    ):
        run_monitor(data, weight_for=lambda item, year: "wrong")
    bad = data.copy()
    bad.loc[[3, 4], "weight"] = -1.0
    with pytest.raises(DataError, match=r"not positive weights for 'weight' in 2019: 2 rows "
                       r"\(rows 4, 5\)"):  # fmt: skip
        run_monitor(bad, weight_for=weight_for)


def test_psu_problems_name_the_setting(tmp_path: Path, data: pd.DataFrame) -> None:
    spec = spec_with(tmp_path, "design: {psu: firm}")
    with pytest.raises(DataError, match=r"design.psu: 'firm'"):
        run_monitor(data, spec=spec, weight_for=weight_for)
    firms = data.assign(firm=np.arange(len(data)) % 7)
    firms.loc[10, "firm"] = np.nan
    with pytest.raises(DataError, match=r"design.psu: column 'firm' has no value in 1 rows"):
        run_monitor(firms, spec=spec, weight_for=weight_for)
    with pytest.raises(DataError, match=r"--classic is not available with design\.psu"):
        run_monitor(firms.fillna({"firm": 0}), spec=spec, weight_for=weight_for, method="classic")


def test_lonely_psu_rule_comes_from_the_spec(tmp_path: Path, data: pd.DataFrame) -> None:
    lonely = data.copy()
    lonely.loc[0, "stratum"] = "2019-solo"  # a stratum with one respondent
    others = [i.id for i in load_spec().indicators if i.id != "nonformal"]
    small = (f"drop_indicators: [{', '.join(others)}]\n"
             "associations: {outcomes: [], predictors: [], controls: []}\n")  # fmt: skip
    runs = {rule: run_monitor(lonely, weight_for=weight_for,
                              spec=spec_with(tmp_path, f"design: {{lonely_psu: {rule}}}\n" + small))
            for rule in ("adjust", "remove", "average")}  # fmt: skip
    se = {k: v.estimates.query("indicator == 'nonformal' and breakdown == 'all' and year == 2019")
          ["se"].iloc[0] for k, v in runs.items()}  # fmt: skip
    assert se["adjust"] != se["remove"]
    assert runs["average"].manifest["design"]["lonely_psu"] == "average"
    with pytest.raises(Exception, match="stratum"):
        run_monitor(lonely, weight_for=weight_for,
                    spec=spec_with(tmp_path, "design: {lonely_psu: fail}"))  # fmt: skip


def test_spec_design_block_validates_its_values(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="lonely_psu"):
        spec_with(tmp_path, "design: {lonely_psu: sometimes}")


def test_generic_route_equals_cell_route(
    tmp_path: Path, data: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The route of clustered designs gives the cell route's tables on an element design."""
    from leercultuur.monitor import _pipeline

    keep = {"nonformal", "informal_tasks_much", "variation_scale"}
    others = [i.id for i in load_spec().indicators if i.id not in keep]
    spec = spec_with(tmp_path, f"drop_indicators: [{', '.join(others)}]\n"
                     "drop_breakdowns: [age_class, company_size, contract, sector]\n"
                     "associations: {outcomes: [], predictors: [], controls: []}\n")  # fmt: skip
    cells = run_monitor(data, spec=spec, weight_for=weight_for)
    monkeypatch.setattr(_pipeline, "needs_generic", lambda spec: True)
    generic = run_monitor(data, spec=spec, weight_for=weight_for)
    for name in ("estimates", "comparisons", "trends"):
        a, b = cells.table(name), generic.table(name)
        keys = [c for c in ("indicator", "comparison", "breakdown", "group", "year") if c in a]
        a, b = (t.sort_values(keys).reset_index(drop=True) for t in (a, b))
        assert len(a) == len(b) > 0, name
        pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-8, atol=1e-10, obj=name)


@given(
    st.lists(st.tuples(st.sampled_from([2015, 2017, 2019]), st.integers(0, 5)), min_size=1,
             max_size=60)
)  # fmt: skip
@settings(max_examples=50, deadline=None)
def test_nested_strata_are_the_year_stratum_pairs(pairs: list[tuple[int, int]]) -> None:
    """Whatever the stratum codes, two rows share a design stratum iff same year and stratum."""
    from leercultuur.monitor._estimates import _codes

    df = pd.DataFrame(pairs, columns=["year", "stratum"])
    codes = _codes(df, ["year", "stratum"])
    text = (df["year"].astype(str) + "-" + df["stratum"].astype(str)).to_numpy()
    same_code = codes[:, None] == codes[None, :]
    assert (same_code == (text[:, None] == text[None, :])).all()


@given(st.dictionaries(st.sampled_from(["alpha", "publication_threshold"]),
                       st.sampled_from([0.01, 0.1]), max_size=2))  # fmt: skip
@settings(max_examples=20, deadline=None)
def test_partial_spec_is_the_default_plus_its_changes(changes: dict[str, float]) -> None:
    import yaml

    from leercultuur.monitor._spec import _merge, default_spec_text

    default = yaml.safe_load(default_spec_text())
    merged = _merge(default, changes, "test")
    assert {k: v for k, v in merged.items() if k not in changes} == {
        k: v for k, v in default.items() if k not in changes
    }
    assert all(merged[k] == v for k, v in changes.items())
    assert _merge(default, default, "test") == default
