"""chisq and ttest against R survey 4.1.1 (tests/golden/part2/golden_part2_tests.R).

Every golden row carries its exact R call (``call`` column). ``des`` is the full stacked design
(rows with a missing ``cat`` stay in R's N), ``d16`` is ``subset(des, year == 2016)``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leercultuur.errors import DesignError
from leercultuur.survey import CHISQ_METHODS, Design, chisq, chisq_within, ttest

GOLD = Path(__file__).resolve().parents[1] / "golden" / "part2"


def _designs() -> dict[str, Design]:
    syn = pd.read_csv(GOLD / "data" / "synth_years.csv")
    syn["ab"] = np.where(syn["grp"].isin(["a", "b"]), "ab", "cd")
    st = pd.read_csv(GOLD / "data" / "apistrat.csv")
    c1 = pd.read_csv(GOLD / "data" / "apiclus1.csv")
    c2 = pd.read_csv(GOLD / "data" / "apiclus2.csv")
    des = Design(syn, weights="w", strata="stratum", psu="psu")
    return {
        "apistrat": Design(st, weights="pw", strata="stype", fpc="fpc"),
        "apiclus1": Design(c1, weights="pw", psu="dnum", fpc="fpc"),
        "apiclus2": Design(c2, weights="pw", psu="dnum"),
        "des": des,
        "d16": des.subset(syn["year"] == 2016),
    }


@pytest.fixture(scope="module")
def designs() -> dict[str, Design]:
    return _designs()


CHISQ_REF = pd.read_csv(GOLD / "values_chisq.csv").set_index("id")
CASES = [
    ("apistrat_schwide_stype", "apistrat", "sch.wide", "stype"),
    ("apiclus1_schwide_stype", "apiclus1", "sch.wide", "stype"),
    ("apiclus2_awards_stype", "apiclus2", "awards", "stype"),
    ("synth_cat_grp_full", "des", "cat", "grp"),
    ("synth_cat_grp_2016", "d16", "cat", "grp"),
]
SUFFIX = {"F": "F", "chisq": "Chisq", "wald": "Wald", "classic": "classic"}
PARAMS = [
    (f"{cid}_{SUFFIX[m]}", d, r, c, m)
    for cid, d, r, c in CASES
    for m in CHISQ_METHODS
    if f"{cid}_{SUFFIX[m]}" in CHISQ_REF.index
]


@pytest.mark.parametrize(("key", "dname", "row", "col", "method"), PARAMS)
def test_chisq_matches_r(
    designs: dict[str, Design], key: str, dname: str, row: str, col: str, method: str
) -> None:
    ref = CHISQ_REF.loc[key]
    res = chisq(designs[dname], row, col, method=method)  # type: ignore[arg-type]
    np.testing.assert_allclose(res.statistic, ref["statistic"], rtol=1e-8)
    np.testing.assert_allclose(res.p_value, ref["p_value"], rtol=1e-8)
    for name in ("ndf", "ddf", "df"):
        mine = getattr(res, name)
        if np.isnan(ref[name]):
            assert mine is None, name
        else:
            np.testing.assert_allclose(mine, ref[name], rtol=1e-8, err_msg=name)


def test_chisq_counts_and_serialises(designs: dict[str, Design]) -> None:
    res = chisq(designs["des"], "cat", "grp")
    assert (res.n, res.n_complete) == (7103, 7103 - 368)
    assert res.row_levels == ("hi", "lo", "mid")
    assert res.to_dict()["col_levels"] == ("a", "b", "c", "d")
    sub = chisq(designs["d16"], "cat", "grp", method="wald")
    assert sub.ddf == 25  # subset(des, year == 2016): 30 PSUs - 5 strata


def test_chisq_bad_input(designs: dict[str, Design]) -> None:
    data = pd.read_csv(GOLD / "data" / "apistrat.csv")
    data["one"] = "x"
    d = Design(data, weights="pw", strata="stype", fpc="fpc")
    with pytest.raises(DesignError, match=r"chisq: 'one' has 1 category \('x'\)"):
        chisq(d, "one", "stype")
    with pytest.raises(ValueError, match="method='rao' is not allowed; choose one of: 'F'"):
        chisq(d, "sch.wide", "stype", method="rao")  # type: ignore[arg-type]


TT_REF = pd.read_csv(GOLD / "values_ttest.csv").set_index("id")


@pytest.mark.parametrize(
    ("key", "dname", "var", "by"),
    [
        ("apistrat_api00_schwide", "apistrat", "api00", "sch.wide"),
        ("apiclus1_api00_schwide", "apiclus1", "api00", "sch.wide"),
        ("synth_y_ab", "des", "y", "ab"),
        ("synth_y_ab_2016", "d16", "y", "ab"),
    ],
)
def test_ttest_matches_r(
    designs: dict[str, Design], key: str, dname: str, var: str, by: str
) -> None:
    ref = TT_REF.loc[key]
    res = ttest(designs[dname], var, by=by, na_rm=True)
    np.testing.assert_allclose(res.difference, ref["difference"], rtol=1e-8)
    np.testing.assert_allclose(res.t, ref["t"], rtol=1e-8)
    np.testing.assert_allclose(res.p_value, ref["p_value"], rtol=1e-8)
    assert res.df == ref["df"]
    np.testing.assert_allclose(res.difference, res.estimates[1] - res.estimates[0], rtol=1e-12)


def test_ttest_bad_input(designs: dict[str, Design]) -> None:
    with pytest.raises(DesignError, match=r"must have exactly two groups .* it has 3: 'E', 'H'"):
        ttest(designs["apistrat"], "api00", by="stype")
    with pytest.raises(DesignError, match="'y' has 429 missing values"):
        ttest(designs["des"], "y", by="ab")


CW_REF = pd.read_csv(GOLD / "values_chisq_within.csv")


@pytest.mark.parametrize("method", CHISQ_METHODS)
def test_chisq_within_matches_r_per_year(designs: dict[str, Design], method: str) -> None:
    """svychisq(~cat + grp, subset(des, year == v)) for every year, in one pass."""
    ref = CW_REF[CW_REF["method"] == SUFFIX[method]].reset_index(drop=True)
    out = chisq_within(designs["des"], "cat", "grp", within="year", method=method)  # type: ignore[arg-type]
    assert list(out["year"]) == list(ref["year"])
    for c in ("statistic", "p_value", "ndf", "ddf", "df"):
        np.testing.assert_allclose(out[c], ref[c], rtol=1e-8, err_msg=c)
    single = chisq(designs["d16"], "cat", "grp", method=method)  # type: ignore[arg-type]
    np.testing.assert_allclose(out["statistic"].iloc[0], single.statistic, rtol=1e-12)


def test_chisq_within_degenerate_subset_is_nan_with_warning() -> None:
    data = pd.read_csv(GOLD / "data" / "synth_years.csv")
    data.loc[data["year"] == 2018, "cat"] = "lo"  # one category in 2018
    d = Design(data, weights="w", strata="stratum", psu="psu")
    with pytest.warns(UserWarning, match="1 subsets of \\['year'\\] have a degenerate table"):
        out = chisq_within(d, "cat", "grp", within="year")
    assert np.isnan(out.loc[out["year"] == 2018, "statistic"]).all()
    assert np.isfinite(out.loc[out["year"] != 2018, "statistic"]).all()


@pytest.mark.parametrize("method", CHISQ_METHODS)
def test_chisq_symmetric_in_row_and_col(designs: dict[str, Design], method: str) -> None:
    a = chisq(designs["des"], "cat", "grp", method=method)  # type: ignore[arg-type]
    b = chisq(designs["des"], "grp", "cat", method=method)  # type: ignore[arg-type]
    np.testing.assert_allclose([a.statistic, a.p_value], [b.statistic, b.p_value], rtol=1e-10)


@settings(max_examples=10, deadline=None)
@given(st.floats(1e-3, 1e4))
def test_tests_invariant_to_weight_scale(c: float) -> None:
    data = pd.read_csv(GOLD / "data" / "apistrat.csv")
    base = Design(data, weights="pw", strata="stype", fpc="fpc")
    scaled = Design(data.assign(pw=data["pw"] * c), weights="pw", strata="stype", fpc="fpc")
    for m in CHISQ_METHODS:
        a, b = (
            chisq(base, "sch.wide", "awards", method=m),
            chisq(scaled, "sch.wide", "awards", method=m),
        )
        np.testing.assert_allclose(a.statistic, b.statistic, rtol=1e-9)
    ta, tb = ttest(base, "api00", by="sch.wide"), ttest(scaled, "api00", by="sch.wide")
    np.testing.assert_allclose([ta.t, ta.p_value], [tb.t, tb.p_value], rtol=1e-9)
