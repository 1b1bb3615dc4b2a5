"""regress (svyglm) and wald_test (regTermTest) against R survey 4.1.1.

Golden script: tests/golden/part2/golden_part2_tests.R; each row names its R call.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leercultuur.errors import DesignError
from leercultuur.survey import Design, regress, wald_groups, wald_test

GOLD = Path(__file__).resolve().parents[1] / "golden" / "part2"
REF = pd.read_csv(GOLD / "values_regress.csv")
WALD = pd.read_csv(GOLD / "values_wald.csv").set_index("id")


def _data() -> dict[str, pd.DataFrame]:
    st = pd.read_csv(GOLD / "data" / "apistrat.csv")
    st["yes"] = (st["sch.wide"] == "Yes").astype(float)
    c1 = pd.read_csv(GOLD / "data" / "apiclus1.csv")
    c1["yes"] = (c1["sch.wide"] == "Yes").astype(float)
    return {
        "apistrat": st,
        "apiclus1": c1,
        "apiclus2": pd.read_csv(GOLD / "data" / "apiclus2.csv"),
        "synth": pd.read_csv(GOLD / "data" / "synth_years.csv"),
    }


@pytest.fixture(scope="module")
def fits() -> dict[str, object]:
    d = _data()
    dst = Design(d["apistrat"], weights="pw", strata="stype", fpc="fpc")
    dc1 = Design(d["apiclus1"], weights="pw", psu="dnum", fpc="fpc")
    dc2 = Design(d["apiclus2"], weights="pw", psu="dnum")
    des = Design(d["synth"], weights="w", strata="stratum", psu="psu")
    return {
        "apistrat_gauss": regress(dst, "api00", ["ell", "meals", "stype"]),
        "apiclus2_gauss": regress(dc2, "api00", ["ell", "mobility", "stype"], na_rm=True),
        "synth_gauss": regress(des, "y", ["x1", "grp", "year"], na_rm=True),
        "apistrat_logit": regress(dst, "yes", ["ell", "meals", "stype"], family="binomial"),
        "synth_logit": regress(des, "bin", ["x1", "grp"], family="binomial"),
        "apiclus1_logit": regress(dc1, "yes", ["api00", "stype"], family="binomial"),
        # subset designs: the other rows leave, the PSU counts stay (R subset())
        "apistrat_gauss_subset": regress(
            dst.subset(d["apistrat"]["stype"] != "E"), "api00", ["ell", "meals"]
        ),
        "synth_logit_subset": regress(
            des.subset(d["synth"]["year"] >= 2019), "bin", ["x1"], family="binomial"
        ),
    }


@pytest.mark.parametrize(
    "key",
    [
        "apistrat_gauss",
        "apiclus2_gauss",
        "synth_gauss",
        "apistrat_logit",
        "synth_logit",
        "apiclus1_logit",
        "apistrat_gauss_subset",
        "synth_logit_subset",
    ],
)
def test_regress_matches_svyglm(fits: dict, key: str) -> None:
    ref = REF[REF["id"] == key]
    res = fits[key]
    assert list(res.table["term"]) == list(ref["term"])
    for c in ("estimate", "se", "t", "p_value"):
        np.testing.assert_allclose(res.table[c], ref[c], rtol=1e-8, err_msg=c)
    assert res.df == ref["df"].iloc[0]


def test_regress_counts_dropped_rows(fits: dict) -> None:
    res = fits["synth_gauss"]
    assert (res.n, res.n_dropped) == (7103 - 429, 429)
    assert res.df == 145  # 180 PSUs - 30 strata + 1 - 6 coefficients
    assert res.to_dict()["coefficients"][0]["term"] == "(Intercept)"


@pytest.mark.parametrize(
    ("key", "model", "terms"),
    [
        ("apistrat_gauss_stype", "apistrat_gauss", "stype"),
        ("apistrat_gauss_ell_meals", "apistrat_gauss", ["ell", "meals"]),
        ("synth_gauss_grp", "synth_gauss", "grp"),
        ("apistrat_logit_stype", "apistrat_logit", "stype"),
    ],
)
def test_wald_test_matches_regtermtest(fits: dict, key: str, model: str, terms: object) -> None:
    ref = WALD.loc[key]
    res = wald_test(fits[model], terms)  # type: ignore[arg-type]
    np.testing.assert_allclose(res.statistic, ref["statistic"], rtol=1e-8)
    np.testing.assert_allclose(res.p_value, ref["p_value"], rtol=1e-8)
    assert (res.ndf, res.ddf) == (ref["ndf"], ref["ddf"])


def test_wald_test_unknown_term(fits: dict) -> None:
    with pytest.raises(ValueError, match="term 'sex' is not in the model; its terms: 'ell'"):
        wald_test(fits["apistrat_gauss"], "sex")


def test_regress_singular_design_matrix() -> None:
    data = _data()["apistrat"]
    data["ell2"] = 2 * data["ell"]
    d = Design(data, weights="pw", strata="stype", fpc="fpc")
    with pytest.raises(DesignError, match="singular; 'ell2' is a linear combination"):
        regress(d, "api00", ["ell", "ell2"])


def test_regress_perfect_separation() -> None:
    data = _data()["apistrat"]
    data["high"] = (data["api00"] > 700).astype(float)
    d = Design(data, weights="pw", strata="stype", fpc="fpc")
    with pytest.raises(DesignError, match="separation"):
        regress(d, "high", ["api00"], family="binomial")


def test_regress_bad_input() -> None:
    d = Design(_data()["apistrat"], weights="pw", strata="stype", fpc="fpc")
    with pytest.raises(DesignError, match="family='binomial' needs 'api00' between 0 and 1"):
        regress(d, "api00", ["ell"], family="binomial")
    with pytest.raises(ValueError, match="family='poisson' is not allowed"):
        regress(d, "api00", ["ell"], family="poisson")  # type: ignore[arg-type]
    with pytest.raises(
        DesignError, match=r"regress: 20 rows have a missing value in \['api00', 'target'\]"
    ):
        regress(d, "api00", ["target"])
    res = regress(d, "api00", ["target"], na_rm=True)
    assert (res.n, res.n_dropped) == (180, 20)


WG = pd.read_csv(GOLD / "values_wald_groups.csv")


@pytest.mark.parametrize(("var", "kind"), [("y", "mean"), ("cat", "proportion")])
def test_wald_groups_matches_regtermtest_per_year(var: str, kind: str) -> None:
    """regTermTest(svyglm(y ~ grp, subset(des, year == v & !is.na(y))), ~grp) for each year."""
    data = _data()["synth"]
    d = Design(data, weights="w", strata="stratum", psu="psu")
    ref = WG[WG["var"] == ("y" if var == "y" else "hi")].reset_index(drop=True)
    cat = None if kind == "mean" else "hi"
    out = wald_groups(d, var, by="grp", within="year", kind=kind, category=cat)  # type: ignore[arg-type]
    assert list(out["year"]) == list(ref["year"])
    np.testing.assert_allclose(out["statistic"], ref["statistic"], rtol=1e-8)
    np.testing.assert_allclose(out["p_value"], ref["p_value"], rtol=1e-8)
    assert (out["ndf"] == ref["ndf"]).all() and (out["ddf"] == ref["ddf"]).all()


def test_wald_groups_equals_regress_plus_wald_test() -> None:
    data = _data()["apistrat"]
    d = Design(data, weights="pw", strata="stype", fpc="fpc")
    one = wald_groups(d, "api00", by="stype")
    via = wald_test(regress(d, "api00", ["stype"]), "stype")
    np.testing.assert_allclose(one["statistic"].iloc[0], via.statistic, rtol=1e-10)
    assert (one["ndf"].iloc[0], one["ddf"].iloc[0]) == (via.ndf, via.ddf)
