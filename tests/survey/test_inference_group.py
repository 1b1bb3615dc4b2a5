"""group_vs_rest and year_on_year against R survey 4.1.1 (tests/golden/part2/golden_part2.R).

R calls per golden file (see the script): ``svyglm(y ~ D, subset(des, ...))`` for the difference,
its SE, t, df and p; ``svycontrast(svytotal(...))`` for d, h and their delta-method SEs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leercultuur.errors import DesignError
from leercultuur.survey import Design, compare_independent, group_vs_rest, year_on_year

GOLD = Path(__file__).resolve().parents[1] / "golden" / "part2"
STATS = ["difference", "se", "t", "df", "p_value", "d", "d_se", "h", "h_se"]
STATS += ["statistic_classic", "p_value_classic"]


def assert_close(ours: pd.DataFrame, ref: pd.DataFrame, pairs: dict[str, str]) -> None:
    assert len(ours) == len(ref)
    for mine, theirs in pairs.items():
        a = ours[mine].to_numpy(float)
        b = ref[theirs].to_numpy(float)
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-12, err_msg=mine)


def synth() -> pd.DataFrame:
    df = pd.read_csv(GOLD / "data" / "synth_years.csv")
    df["hi"] = np.where(df["cat"].isna(), np.nan, (df["cat"] == "hi").astype(float))
    return df


@pytest.fixture(scope="module")
def des() -> Design:
    return Design(synth(), weights="w", strata="stratum", psu="psu")


def gvr_pairs() -> dict[str, str]:
    cols = ["estimate_group", "estimate_rest", *STATS, "n_group", "n_rest"]
    return {c: c for c in cols}


def test_group_vs_rest_mean_by_year_matches_r(des: Design) -> None:
    ref = pd.read_csv(GOLD / "values_gvr_synth_mean.csv")
    out = group_vs_rest(des, "y", by="grp", within="year")
    assert list(out["year"]) == list(ref["within"])
    assert list(out["grp"]) == list(ref["group"])
    assert_close(out, ref, gvr_pairs())
    assert out["h"].isna().all()
    # 6 years x 4 groups, rows with missing y left out: 6674 of 7103
    assert len(out) == 24
    assert int(out.groupby("year")[["n_group"]].sum()["n_group"].sum()) == 6674


def test_group_vs_rest_proportion_matches_r(des: Design) -> None:
    ref = pd.read_csv(GOLD / "values_gvr_synth_prop.csv")
    out = group_vs_rest(des, "cat", by="grp", within="year", kind="proportion", category="hi")
    assert_close(out, ref, gvr_pairs())
    # the same through a 0/1 column without category=
    out01 = group_vs_rest(des, "hi", by="grp", within="year", kind="proportion")
    assert_close(out01, ref, gvr_pairs())


@pytest.mark.parametrize(
    ("name", "design_kw", "var", "kind", "category"),
    [
        ("apistrat", dict(weights="pw", strata="stype", fpc="fpc"), "api00", "mean", None),
        ("apistrat", dict(weights="pw", strata="stype", fpc="fpc"), "awards", "proportion", "Yes"),
        ("apiclus1", dict(weights="pw", psu="dnum", fpc="fpc"), "api00", "mean", None),
        ("apiclus2", dict(weights="pw", psu="dnum"), "api00", "mean", None),
        ("apiclus2", dict(weights="pw", psu="dnum"), "awards", "proportion", "Yes"),
    ],
)
def test_group_vs_rest_api_matches_r(
    name: str, design_kw: dict, var: str, kind: str, category: str | None
) -> None:
    data = pd.read_csv(GOLD / "data" / f"{name}.csv")
    d = Design(data, **design_kw)
    short = "mean" if kind == "mean" else "prop"
    ref = pd.read_csv(GOLD / f"values_gvr_{name}_{short}.csv")
    out = group_vs_rest(d, var, by="stype", kind=kind, category=category)  # type: ignore[arg-type]
    assert list(out["stype"]) == ["E", "H", "M"]
    assert_close(out, ref, gvr_pairs())


def yoy_pairs() -> dict[str, str]:
    p = {c: c for c in STATS}
    p.update(estimate_to="estimate_group", estimate_from="estimate_rest")
    p.update(n_to="n_group", n_from="n_rest")
    return p


def test_year_on_year_mean_matches_r(des: Design) -> None:
    ref = pd.read_csv(GOLD / "values_yoy_synth_mean.csv")
    out = year_on_year(des, "y", year="year")
    assert list(zip(out["year_from"], out["year_to"], strict=True)) == [
        (2016, 2017),
        (2017, 2018),
        (2018, 2019),
        (2019, 2020),
        (2020, 2021),
    ]
    assert_close(out, ref, yoy_pairs())


def test_year_on_year_proportion_by_group_matches_r(des: Design) -> None:
    ref = pd.read_csv(GOLD / "values_yoy_synth_prop_by.csv")
    out = year_on_year(des, "hi", year="year", by="grp", kind="proportion")
    assert list(out["grp"]) == list(ref["group"])
    assert_close(out, ref, yoy_pairs())


def test_year_on_year_equals_independent_samples_test(des: Design) -> None:
    """Strata nest years, so the linearised difference is the independent-samples test."""
    means = des.mean("y", by="year", na_rm=True)
    cmp = compare_independent(
        means["estimate"].iloc[:-1].to_numpy(),
        means["se"].iloc[:-1].to_numpy(),
        means["estimate"].iloc[1:].to_numpy(),
        means["se"].iloc[1:].to_numpy(),
    )
    out = year_on_year(des, "y", year="year")
    np.testing.assert_allclose(out["difference"], cmp["difference"], rtol=1e-10)
    np.testing.assert_allclose(out["se"], cmp["se"], rtol=1e-10)


def test_year_on_year_skips_unmeasured_years(des: Design) -> None:
    data = synth()
    data.loc[data["year"] == 2018, "y"] = np.nan
    d = Design(data, weights="w", strata="stratum", psu="psu")
    out = year_on_year(d, "y", year="year")
    assert list(out["year_from"]) == [2016, 2017, 2019, 2020]
    assert list(out["year_to"]) == [2017, 2019, 2020, 2021]


def test_group_vs_rest_two_groups_mirror() -> None:
    data = synth()
    data["ab"] = np.where(data["grp"] == "a", "a", "other")
    d = Design(data, weights="w", strata="stratum", psu="psu")
    out = group_vs_rest(d, "y", by="ab", within="year")
    a, o = out[out["ab"] == "a"], out[out["ab"] == "other"]
    np.testing.assert_allclose(a["difference"].to_numpy(), -o["difference"].to_numpy())
    np.testing.assert_allclose(a["se"].to_numpy(), o["se"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(a["d"].to_numpy(), -o["d"].to_numpy())


def test_bad_input_errors(des: Design) -> None:
    with pytest.raises(
        DesignError, match=r"'y' has 429 missing values \(rows 3, 15, 24, 49, 66 \(and 424 more\)\)"
    ):
        group_vs_rest(des, "y", by="grp", within="year", na_rm=False)
    with pytest.raises(DesignError, match="needs category=, one of: 'hi', 'lo', 'mid'"):
        group_vs_rest(des, "cat", by="grp", kind="proportion")
    with pytest.raises(DesignError, match="category 'top' does not occur in 'cat'"):
        group_vs_rest(des, "cat", by="grp", kind="proportion", category="top")
    with pytest.raises(ValueError, match="kind='median' is not allowed; choose one of: 'mean'"):
        group_vs_rest(des, "y", by="grp", kind="median")  # type: ignore[arg-type]
    with pytest.raises(DesignError, match="unknown column 'yy'"):
        group_vs_rest(des, "yy", by="grp")
    one = synth()
    one.loc[one["year"] != 2016, "y"] = np.nan
    d1 = Design(one, weights="w", strata="stratum", psu="psu")
    with pytest.raises(DesignError, match=r"'y' is measured in 1 year\(s\) of 'year'"):
        year_on_year(d1, "y", year="year")


def test_missing_group_rows_are_reported_and_left_out() -> None:
    data = synth()
    data.loc[[5, 9, 40], "grp"] = None
    d = Design(data, weights="w", strata="stratum", psu="psu")
    with pytest.raises(DesignError, match="group_vs_rest by column 'grp' has 3 missing values"):
        group_vs_rest(d, "y", by="grp")  # the default policy: missing_by="error"
    with pytest.warns(UserWarning, match="3 rows have a missing value in 'grp'"):
        out = group_vs_rest(d, "y", by="grp", missing_by="omit")
    assert int(out["n_group"].sum()) == int(
        data["y"].notna().sum() - data.loc[[5, 9, 40], "y"].notna().sum()
    )


def test_no_rest_gives_nan_with_warning() -> None:
    data = synth()
    data["one"] = "x"
    d = Design(data, weights="w", strata="stratum", psu="psu")
    with pytest.warns(UserWarning, match="1 comparisons have no rows on one side"):
        out = group_vs_rest(d, "y", by="one")
    assert np.isnan(out["se"].iloc[0]) and np.isnan(out["difference"].iloc[0])


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(-5, 5), min_size=2, max_size=6),
    st.lists(st.floats(0, 3), min_size=2, max_size=6),
)
def test_compare_independent_properties(est: list[float], se: list[float]) -> None:
    k = min(len(est), len(se))
    e, s = np.array(est[:k]), np.array(se[:k])
    fwd = compare_independent(e, s, e[::-1], s[::-1])
    back = compare_independent(e[::-1], s[::-1], e, s)
    np.testing.assert_allclose(fwd["difference"], -back["difference"])
    np.testing.assert_allclose(fwd["se"], np.hypot(s, s[::-1]))
    ok = fwd["se"] > 0
    assert ((fwd["p_value"][ok] >= 0) & (fwd["p_value"][ok] <= 1)).all()


def test_year_on_year_fast_path_equals_dense_path() -> None:
    """Strata nested in years use the two-slot pass; lonely_psu='average' (no lonely strata
    here, so the same numbers) forces the general dense pass: both must agree."""
    data = synth()
    fast = year_on_year(
        Design(data, weights="w", strata="stratum", psu="psu"), "hi", year="year", by="grp",
        kind="proportion",
    )  # fmt: skip
    dense = year_on_year(
        Design(data, weights="w", strata="stratum", psu="psu", lonely_psu="average"), "hi",
        year="year", by="grp", kind="proportion",
    )  # fmt: skip
    cols = ["difference", "se", "df", "p_value", "d", "d_se", "h", "h_se", "n_from", "n_to"]
    for c in cols:
        np.testing.assert_allclose(fast[c], dense[c], rtol=1e-10, err_msg=c)


def test_group_estimates_equal_part1_domain_means(des: Design) -> None:
    """estimate_group is the domain mean of part 1's estimator (same rows, same weights)."""
    out = group_vs_rest(des, "y", by="grp", within="year")
    means = des.mean("y", by=["year", "grp"], na_rm=True)
    np.testing.assert_allclose(out["estimate_group"], means["estimate"], rtol=1e-12)


@settings(max_examples=20, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(12, 60),
    st.sampled_from(["mean", "proportion"]),
)
def test_two_groups_match_ttest_and_mirror(seed: int, n: int, kind: str) -> None:
    from leercultuur.survey import ttest

    rng = np.random.default_rng(seed)
    data = pd.DataFrame(
        {
            "s": np.repeat([1, 2], n),
            "w": rng.uniform(0.5, 3, 2 * n),
            "g": rng.choice(["p", "q"], 2 * n),
            "y": rng.integers(0, 2, 2 * n).astype(float),
        }
    )
    data.loc[:3, "g"] = ["p", "q", "p", "q"]  # both groups in the data
    d = Design(data, weights="w", strata="s")
    out = group_vs_rest(d, "y", by="g", kind=kind)  # type: ignore[arg-type]
    tt = ttest(d, "y", by="g")
    p, q = out.iloc[0], out.iloc[1]
    np.testing.assert_allclose(q["difference"], tt.difference, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(p["difference"], -q["difference"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose([p["se"], q["se"]], tt.se, rtol=1e-9, atol=1e-15)
    assert p["df"] == q["df"] == tt.df == 2 * n - 2 - 1


def test_group_vs_rest_in_column_chunks_equals_one_pass(
    des: Design, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leercultuur.survey import _inference

    whole = group_vs_rest(des, "y", by="grp", within="year")
    monkeypatch.setattr(_inference, "_MAX_CELLS", 3 * des.n_rows)  # one group per pass
    chunked = group_vs_rest(des, "y", by="grp", within="year")
    pd.testing.assert_frame_equal(whole, chunked, check_exact=False, rtol=1e-13)


def test_year_on_year_group_missing_a_year_is_nan_with_warning() -> None:
    data = synth()
    data.loc[(data["grp"] == "d") & (data["year"] == 2018), "y"] = np.nan
    d = Design(data, weights="w", strata="stratum", psu="psu")
    with pytest.warns(UserWarning, match="2 comparisons have no rows on one side"):
        out = year_on_year(d, "y", year="year", by="grp")
    gd = out[out["grp"] == "d"]
    assert gd["difference"].isna().tolist() == [False, True, True, False, False]
    assert gd["n_to"].tolist()[1] == 0 and gd["n_from"].tolist()[2] == 0
