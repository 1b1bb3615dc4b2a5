"""Weighting against R survey 4.1.1 (tests/golden/weighting/make_golden.R wrote the values).

Weights and SEs of means, totals, proportions and domain means after calibrate (linear, raking,
bounded linear, logit), rake, a second calibration and trimWeights, at 1e-8 relative.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from leercultuur.survey import Design, calibrate, rake, trim_weights

HERE = Path(__file__).resolve().parents[1] / "golden" / "weighting"
GOLD: dict[str, Any] = json.loads((HERE / "weighting_golden.json").read_text())
RTOL = 1e-8

SCHWIDE = {"No": 1072, "Yes": 5122}
AWARDS = {"No": 2027, "Yes": 4167}
STYPE = {"E": 4421, "H": 755, "M": 1018}
SEXAGE = {
    ("f", "15-34"): 14000,
    ("m", "15-34"): 15500,
    ("f", "35-54"): 16000,
    ("m", "35-54"): 19000,
    ("f", "55-74"): 9000,
    ("m", "55-74"): 11500,
}
EDU = {"high": 30000, "low": 17000, "middle": 38000}


def close(actual: Any, expected: Any, rtol: float = RTOL, atol: float = 1e-10) -> None:
    a, e = np.asarray(actual, float).ravel(), np.asarray(expected, float).ravel()
    np.testing.assert_allclose(a, e, rtol, atol)


def strat() -> Design:
    df = pd.read_csv(HERE / "apistrat.csv")
    return Design(df, weights="pw", strata="stype", fpc="fpc")


def clus() -> Design:
    df = pd.read_csv(HERE / "apiclus1.csv")
    return Design(df, weights="pw", psu="dnum", fpc="fpc")


def syn() -> Design:
    df = pd.read_csv(HERE / "synth_sample.csv")
    return Design(df, weights="w0", strata="stratum", psu="psu")


def check_api(d: Design, gold: dict[str, Any]) -> None:
    close(d.w, gold["weights"])
    m = d.mean("api00")
    close(m["estimate"], gold["mean_api00"]["estimate"])
    close(m["se"], gold["mean_api00"]["se"])
    t = d.total("enroll")
    close(t["estimate"], gold["total_enroll"]["estimate"])
    close(t["se"], gold["total_enroll"]["se"])
    p = d.proportion("awards")
    assert list(p["category"]) == ["No", "Yes"]
    close(p["estimate"], gold["mean_awards"]["estimate"])
    close(p["se"], gold["mean_awards"]["se"])
    b = d.mean("api00", by="comp.imp")
    close(b["estimate"], gold["by_comp_imp_api00"]["estimate"])
    close(b["se"], gold["by_comp_imp_api00"]["se"])


def check_syn(d: Design, gold: dict[str, Any]) -> None:
    close(d.w, gold["weights"])
    for fn, var, key in [
        (d.mean, "y", "mean_y"),
        (d.total, "y", "total_y"),
        (d.mean, "b", "mean_b"),
        (d.total, "b", "total_b"),
    ]:
        r = fn(var)
        close(r["estimate"], gold[key]["estimate"])
        close(r["se"], gold[key]["se"])
    b = d.mean("y", by="region")
    close(b["estimate"], gold["by_region_y"]["estimate"])
    close(b["se"], gold["by_region_y"]["se"])
    bt = d.total("b", by="region")
    close(bt["estimate"], gold["by_region_b_total"]["estimate"])
    close(bt["se"], gold["by_region_b_total"]["se"])


def test_uncalibrated_base_matches_r() -> None:
    check_api(strat(), GOLD["strat_base"])


def test_linear_calibration_with_numeric_total() -> None:
    d = calibrate(strat(), {"sch.wide": SCHWIDE, "api99": 3914069}, calfun="linear")
    check_api(d, GOLD["strat_linear"])
    assert d.calibration.info.converged
    assert d.calibration.info.iterations == 1  # linear GREG: one Newton step is exact


def test_raking_calibration_stratified() -> None:
    d = calibrate(strat(), {"sch.wide": SCHWIDE, "awards": AWARDS}, calfun="raking")
    check_api(d, GOLD["strat_raking"])


def test_rake_ipf_equals_calibrate_raking() -> None:
    d = rake(strat(), {"sch.wide": SCHWIDE, "awards": AWARDS})
    check_api(d, GOLD["strat_raking"])
    info = d.calibration.info
    assert info.method == "rake" and info.converged and info.max_misfit < 1e-12


def test_bounded_linear_calibration() -> None:
    d = calibrate(
        strat(), {"sch.wide": SCHWIDE, "awards": AWARDS}, calfun="linear", bounds=(0.8, 1.2)
    )
    check_api(d, GOLD["strat_linear_bounded"])
    g = d.w / strat().w
    assert g.min() >= 0.8 - 1e-12 and g.max() <= 1.2 + 1e-12


def test_raking_cluster_sample() -> None:
    d = calibrate(clus(), {"stype": STYPE, "sch.wide": SCHWIDE}, calfun="raking")
    check_api(d, GOLD["clus_raking"])
    check_api(rake(clus(), {"stype": STYPE, "sch.wide": SCHWIDE}), GOLD["clus_raking"])


def test_logit_calibration() -> None:
    d = calibrate(clus(), {"stype": STYPE, "sch.wide": SCHWIDE}, calfun="logit", bounds=(0.5, 2))
    check_api(d, GOLD["clus_logit"])


def test_trim_weights_keeps_calibration_residuals() -> None:
    d = calibrate(clus(), {"stype": STYPE, "sch.wide": SCHWIDE}, calfun="raking")
    t = trim_weights(d, lower=30, upper=40)
    check_api(t, GOLD["clus_raking_trim"])
    assert t.w.sum() == pytest.approx(d.w.sum(), rel=1e-12)
    check_api(trim_weights(d, lower=30, upper=40, strict=True), GOLD["clus_raking_trim_strict"])


def test_calibrating_twice_applies_both_residuals_in_order() -> None:
    d = calibrate(clus(), {"stype": STYPE, "sch.wide": SCHWIDE}, calfun="raking")
    d2 = calibrate(d, {"(Intercept)": 6194, "api99": 3914069}, calfun="linear")
    check_api(d2, GOLD["clus_raking_then_linear"])
    assert d2.calibration.previous is d.calibration


@pytest.mark.parametrize("calfun", ["raking", "linear"])
def test_cross_classified_margin_synthetic(calfun: str) -> None:
    d = calibrate(syn(), {("sex", "age"): SEXAGE, "edu": EDU}, calfun=calfun)  # type: ignore[arg-type]
    check_syn(d, GOLD[f"syn_{calfun}"])
    if calfun == "raking":
        check_syn(rake(syn(), {("sex", "age"): SEXAGE, "edu": EDU}), GOLD["syn_raking"])


def test_domain_of_calibrated_design_keeps_calibration() -> None:
    d = calibrate(syn(), {("sex", "age"): SEXAGE, "edu": EDU}, calfun="raking")
    # the domain estimate through subset() equals the `by` row of R's svyby
    sub = d.subset(d.data["region"].eq("O").to_numpy()).mean("y")
    gold = GOLD["syn_raking"]["by_region_y"]
    i = gold["names"].index("O")
    close(sub["estimate"], [gold["estimate"][i]])
    close(sub["se"], [gold["se"][i]])


def test_calibrated_domain_ses_equal_r() -> None:
    d = calibrate(strat(), {"sch.wide": SCHWIDE, "api99": 3914069}, calfun="linear")
    se = d.mean("api00", by="comp.imp")["se"].to_numpy()
    gold = GOLD["strat_linear"]["by_comp_imp_api00"]["se"]
    close(se, gold)
