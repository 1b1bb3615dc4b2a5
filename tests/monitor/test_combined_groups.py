"""Combined groups of a breakdown (spec ``combine:``): "55+" = 55-64 + 65-74, "flex" = on-call +
agency, computed by the monitor like any other group.

The check: a combined group's rows equal the rows of an ordinary group in a breakdown whose
column already holds the union (the engine's group route is checked against R elsewhere)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leercultuur.errors import SpecError
from leercultuur.monitor import load_spec
from leercultuur.monitor._pipeline import run_monitor

from .harmonised_fixture import make_harmonised, weight_for

KEY = ["indicator", "year", "group"]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return make_harmonised(years=range(2018, 2023), n_per_year=900, strata=4, seed=11)


def spec_with(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    p = tmp_path / "spec.yaml"
    p.write_text("extends: default\n" + text)
    return load_spec(p)


def test_default_spec_declares_the_article_risk_groups() -> None:
    spec = load_spec()
    age = {c.id: c for c in spec.breakdown("age_class").combine}
    assert age["55+"].of == ("55-64", "65-74")
    assert age["55+"].label.nl == "55 jaar en ouder"
    flex = {c.id: c for c in spec.breakdown("contract").combine}
    assert set(flex["flex"].of) == {"on_call", "agency"}


@pytest.fixture(scope="module")
def both(data: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    res = run_monitor(data, weight_for=weight_for)
    # the same union as a plain two-group column
    old = data["age_class"].isin(["55-64", "65-74"])
    plain = data.assign(
        age_union=pd.Categorical(np.where(old, "55+", "under55"), ["55+", "under55"])
    )
    p = tmp_path_factory.mktemp("spec") / "spec.yaml"
    p.write_text(
        "extends: default\nbreakdowns:\n"
        "  - {id: age_union, column: age_union, label: {nl: L, en: A}}\n"
    )
    ref = run_monitor(plain, weight_for=weight_for, spec=load_spec(p))
    return res, ref


def _rows(t: pd.DataFrame, bd: str, group: str, key: tuple[str, ...] = tuple(KEY)) -> pd.DataFrame:
    sel = t[(t["breakdown"] == bd) & (t["group"] == group)]
    return sel.sort_values(list(key)).reset_index(drop=True)


def test_combined_group_equals_the_same_union_as_a_plain_group(both) -> None:  # type: ignore[no-untyped-def]
    res, ref = both
    got = _rows(res.estimates, "age_class", "55+")
    want = _rows(ref.estimates, "age_union", "55+")
    assert len(got) == len(want) > 0
    for col in ("estimate", "se", "ci_low", "ci_high", "n", "deff"):
        np.testing.assert_allclose(got[col], want[col], rtol=1e-10, err_msg=col)
    for comp in ("year_on_year", "group_vs_rest"):
        c = res.comparisons[res.comparisons["comparison"] == comp]
        r = ref.comparisons[ref.comparisons["comparison"] == comp]
        g, w = _rows(c, "age_class", "55+"), _rows(r, "age_union", "55+")
        assert len(g) == len(w) > 0
        for col in ("difference", "se", "p_value", "d"):
            np.testing.assert_allclose(g[col], w[col], rtol=1e-9, err_msg=f"{comp} {col}")
    g = _rows(res.trends, "age_class", "55+", ("indicator", "method"))
    w = _rows(ref.trends, "age_union", "55+", ("indicator", "method"))
    assert len(g) == len(w) > 0
    cols = ["slope", "se", "p_value", "change", "slope_change", "diff_vs_rest", "diff_vs_rest_p"]
    np.testing.assert_allclose(g[cols], w[cols], rtol=1e-9, equal_nan=True)


def test_combined_rows_sit_after_their_breakdown_and_no_helper_leaks(both) -> None:  # type: ignore[no-untyped-def]
    res, _ = both
    for t in (res.estimates, res.comparisons, res.trends):
        assert not t["breakdown"].str.contains("combined").any()
        assert not t["group"].astype(str).str.startswith("__").any()
    e = res.estimates[(res.estimates["indicator"] == "nonformal")]
    groups = list(dict.fromkeys(e.loc[e["breakdown"] == "age_class", "group"]))
    assert groups[-1] == "55+" and groups.index("65-74") < groups.index("55+")
    flex = res.estimates.query("breakdown == 'contract' and group == 'flex'")
    assert len(flex) > 0
    # the union has exactly the respondents of its two categories
    parts = (
        res.estimates.query("breakdown == 'contract' and group in ['on_call', 'agency']")
        .groupby(["indicator", "year"])["n"]
        .sum()
    )
    flex_n = flex.set_index(["indicator", "year"])["n"]
    np.testing.assert_array_equal(flex_n, parts[flex_n.index])


def test_a_category_the_data_lacks_is_a_gap(data: pd.DataFrame, tmp_path: Path) -> None:
    spec = spec_with(
        tmp_path,
        "breakdowns:\n  - id: age_class\n    combine:\n"
        "      - {id: '55+', of: ['55-64', '65-75'], label: {nl: a, en: b}}\n",
    )
    res = run_monitor(data, weight_for=weight_for, spec=spec)
    gap = [g for g in res.gaps if "combined group '55+'" in g]
    assert gap and "'65-75'" in gap[0] and "65-74" in gap[0]


@pytest.mark.parametrize(
    ("combine", "message"),
    [
        ("[{id: x, of: [a], label: {nl: a, en: b}}]", "combine.0.of"),
        ("[{id: x, of: [a, a], label: {nl: a, en: b}}]", "names a twice"),
        (
            "[{id: x, of: [a, b], label: {nl: a, en: b}}, "
            "{id: x, of: [c, d], label: {nl: a, en: b}}]",
            "combined group id(s) x used twice",
        ),
        ("[{id: a, of: [a, b], label: {nl: a, en: b}}]", "has the id of one of the categories"),
        ("[{id: x, of: [a, b]}]", "label"),
    ],
)
def test_bad_combined_groups_are_clear_spec_errors(
    tmp_path: Path, combine: str, message: str
) -> None:
    with pytest.raises(SpecError, match="breakdowns") as err:
        spec_with(tmp_path, f"breakdowns:\n  - id: contract\n    combine: {combine}\n")
    assert message in str(err.value)


GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def test_combined_group_equals_r(tmp_path: Path) -> None:
    """tests/golden/combined/golden.R: education low + middle as one group, R survey 4.1.1."""
    import json

    g = json.loads((GOLDEN / "combined" / "golden.json").read_text())
    df = pd.read_csv(GOLDEN / "monitor" / "data.csv")
    df["education"] = pd.Categorical(df["education"], ["low", "middle", "high"], ordered=True)
    spec = spec_with(
        tmp_path,
        "breakdowns:\n  - id: education\n    combine:\n"
        "      - {id: lowmid, of: [low, middle], label: {nl: laag/midden, en: low/middle}}\n",
    )
    res = run_monitor(df, weight_for=lambda item, year: "weight", spec=spec)
    e = res.estimates.query("indicator == 'nonformal' and group == 'lowmid'").sort_values("year")
    r = pd.DataFrame(g["est"])
    assert e["year"].tolist() == r["year"].tolist()
    for col in ("estimate", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(e[col], 100 * r[col], rtol=1e-8, err_msg=col)
    c = res.comparisons.query("indicator == 'nonformal' and group == 'lowmid'")
    y = c[c["comparison"] == "year_on_year"].sort_values("year")
    ry = pd.DataFrame(g["yoy"])
    np.testing.assert_allclose(y["difference"], 100 * ry["difference"], rtol=1e-8)
    np.testing.assert_allclose(y["statistic"], ry["z"], rtol=1e-8)
    v = c[c["comparison"] == "group_vs_rest"].sort_values("year")
    rv = pd.DataFrame(g["gvr"])
    np.testing.assert_allclose(v["difference"], 100 * rv["difference"], rtol=1e-8)
    np.testing.assert_allclose(v["se"], 100 * rv["se"], rtol=1e-8)
    np.testing.assert_allclose(v["statistic"], rv["t"], rtol=1e-8)
    np.testing.assert_allclose(v["p_value"], rv["p"], rtol=1e-6)
    t = res.trends.query("indicator == 'nonformal' and group == 'lowmid'").iloc[0]
    rt = g["trend"]
    np.testing.assert_allclose(
        [t["slope"], t["se"], t["diff_vs_rest"], t["diff_vs_rest_se"]],
        [100 * rt["slope"], 100 * rt["se"], 100 * rt["diff"], 100 * rt["diff_se"]],
        rtol=1e-8,
    )
