"""The organisation's report: every figure against R survey golden values, the engine and
textbook formulas; verdicts, repeat scans, the employer self-scan and the CSV."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from leercultuur.monitor import indicator_values, load_spec
from leercultuur.quickscan.benchmark import demo_text, from_file, parse_benchmark
from leercultuur.quickscan.harmonise import TO_MONITOR, harmonised_row
from leercultuur.quickscan.results import (
    Figure,
    Interval,
    ScanData,
    build_scan_report,
    comparable_margin,
    difference,
    verdict_of,
)
from leercultuur.survey import Design

GOLDEN = Path(__file__).parents[1] / "golden" / "quickscan"
TOL = 1e-8


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOL * max(1.0, abs(b))


@pytest.fixture(scope="module")
def bench():  # type: ignore[no-untyped-def]
    return from_file(parse_benchmark(demo_text(), where="demo"), is_demo=True)


def scan_data(
    codes: pd.DataFrame, *, headcount: int, minimum: int = 5, kind: str = "employees",
    size_class: str = "10-49", scan_id: int = 1, closed: date = date(2026, 11, 30),
) -> ScanData:  # fmt: skip
    rows = []
    for rec in codes.to_dict("records"):
        row: dict[str, float] = {name: np.nan for name, _ in TO_MONITOR.values()}
        row.update(harmonised_row({k: int(v) for k, v in rec.items() if k in TO_MONITOR}))
        for var in ("team", "age_class", "education", "contract"):
            row[var] = float(rec[var]) if var in rec and pd.notna(rec[var]) else np.nan
        rows.append(row)
    return ScanData(
        scan_id=scan_id, name="Test", kind=kind,  # type: ignore[arg-type]
        sector="Q", size_class=size_class, headcount=headcount, minimum=minimum,
        closed_on=closed, teams=("Zorg", "Administratie"), responses=pd.DataFrame(rows),
    )  # fmt: skip


@pytest.fixture(scope="module")
def golden_case(bench):  # type: ignore[no-untyped-def]
    codes = pd.read_csv(GOLDEN / "responses.csv")
    golden = json.loads((GOLDEN / "golden.json").read_text())
    data = scan_data(codes, headcount=golden["N"])
    return data, build_scan_report(data, bench), golden


def test_every_figure_equals_r_survey(golden_case) -> None:  # type: ignore[no-untyped-def]
    """svydesign(id = ~1, fpc = ~N): estimate, se, interval, difference and its interval."""
    _, rep, golden = golden_case
    by_id = {r.id: r for r in rep.indicators}
    assert set(golden["indicators"]) == set(by_id)  # all 20 indicators of the monitor
    for ind_id, g in golden["indicators"].items():
        r = by_id[ind_id]
        assert r.organisation is not None and r.difference is not None
        for name in ("estimate", "se", "ci_low", "ci_high"):
            assert _close(getattr(r.organisation, name), g[name]), (ind_id, name)
        assert _close(r.difference.estimate, g["difference"]), ind_id
        assert _close(r.difference.se, g["difference_se"]), ind_id
        assert _close(r.difference.ci_low, g["difference_ci_low"]), ind_id
        assert _close(r.difference.ci_high, g["difference_ci_high"]), ind_id


def test_team_figures_equal_r_survey(golden_case) -> None:  # type: ignore[no-untyped-def]
    _, rep, golden = golden_case
    teams = {g.code: g for g in rep.groups if g.variable == "team"}
    assert teams[1].shown and teams[2].shown and (teams[1].n, teams[2].n) == (7, 5)
    for code in (1, 2):
        by_id = {r.id: r for r in teams[code].indicators}
        for ind_id, g in golden[f"team{code}"].items():
            org = by_id[ind_id].organisation
            assert org is not None
            for name in ("estimate", "se", "ci_low", "ci_high"):
                assert _close(getattr(org, name), g[name]), (code, ind_id, name)


def test_figures_equal_the_engine_and_the_textbook_fpc(golden_case, bench) -> None:  # type: ignore[no-untyped-def]
    """Recomputed here with the engine's public API, and the variance by hand:
    var(mean) = (1 - n/N) s^2 / n for sampling without replacement."""
    data, rep, _ = golden_case
    spec = load_spec()
    n, N = len(data.responses), data.headcount
    q = stats.norm.ppf(0.975)
    for r in rep.indicators:
        ind = spec.indicator(r.id)
        y = indicator_values(data.responses, ind)
        df = pd.DataFrame({"y": y, "w": N / n, "N": float(N)})
        d = Design(df, weights="w", fpc="N")
        scale = 100.0 if ind.is_percentage else 1.0
        if ind.is_percentage:
            t = d.proportion("y", ci="logit")
            hit = t[t["category"] == 1.0]
            # nobody scored 1: the share is 0 with the degenerate interval [0, 0] (as R)
            row = hit.iloc[0] if len(hit) else pd.Series({"estimate": 0.0, "ci_low": 0.0,
                                                          "ci_high": 0.0})  # fmt: skip
        else:
            row = d.mean("y").iloc[0]
        org = r.organisation
        assert org is not None
        assert _close(org.estimate, row["estimate"] * scale)
        if ind.is_percentage and np.all(y == y[0]):  # every answer the same: exact interval
            ci = stats.binomtest(int(y.sum()), n).proportion_ci(0.95, method="exact")
            assert org.exact and _close(org.ci_low, 100 * ci.low)
            assert _close(org.ci_high, 100 * ci.high)
        else:
            assert not org.exact
            assert _close(org.ci_low, row["ci_low"] * scale)
            assert _close(org.ci_high, row["ci_high"] * scale)
        by_hand = np.sqrt((1 - n / N) * np.var(y, ddof=1) / n) * scale
        assert _close(org.se, by_hand)
        assert org.n == n
        b = r.benchmark
        assert b is not None
        cell = bench.indicator(r.id).company_size["10-49"]  # the organisation's size class
        assert (b.estimate, b.se, b.group.kind) == (cell.estimate, cell.se, "size")
        diff = r.difference
        assert diff is not None
        se = np.sqrt(org.se**2 + b.se**2)
        assert _close(diff.estimate, org.estimate - b.estimate)
        if org.exact:
            assert _close(diff.ci_low, org.ci_low - b.ci_high)
            assert _close(diff.ci_high, org.ci_high - b.ci_low)
        else:
            assert _close(diff.ci_low, org.estimate - b.estimate - q * se)
            assert _close(diff.ci_high, org.estimate - b.estimate + q * se)
        assert r.verdict == verdict_of(diff, comparable_margin(ind), enough=True)


def test_verdict_follows_from_the_interval() -> None:
    assert verdict_of(Interval(5, 1, 1, 9), 10, enough=True) == "higher"
    assert verdict_of(Interval(-5, 1, -9, -1), 10, enough=True) == "lower"
    assert verdict_of(Interval(1, 1, -4, 6), 10, enough=True) == "comparable"
    assert verdict_of(Interval(1, 9, -17, 19), 10, enough=True) == "too_few"
    assert verdict_of(Interval(5, 1, 1, 9), 10, enough=False) == "too_few"
    assert verdict_of(None, 10, enough=True) == "no_benchmark"


def test_report_has_verdicts_per_dimension_and_response_rate(golden_case) -> None:  # type: ignore[no-untyped-def]
    _, rep, _ = golden_case
    assert [d.id for d in rep.dimensions] == [
        "nonformal", "informal", "variation", "autonomy", "supervisor",
    ]  # fmt: skip
    assert rep.response_rate == pytest.approx(12 / 15)
    nonformal = next(r for r in rep.indicators if r.id == "nonformal")
    assert nonformal.verdict == "higher"  # 75% vs 47%: interval +16 to +39 points
    assert rep.dimensions[0].verdict == "higher"
    assert "16,1" in nonformal.verdict_nl and "16.1" in nonformal.verdict_en
    assert rep.benchmark.label_nl == "synthetische demonstratiegegevens"
    assert rep.benchmark.label_en == "synthetic demo data"
    assert rep.comparison.kind == "size" and rep.comparison.reason_en


def test_fpc_makes_a_near_census_narrow(bench) -> None:  # type: ignore[no-untyped-def]
    codes = pd.read_csv(GOLDEN / "responses.csv")
    near_census = build_scan_report(scan_data(codes, headcount=12), bench)
    small_sample = build_scan_report(scan_data(codes, headcount=500), bench)
    for a, b in zip(near_census.indicators, small_sample.indicators, strict=True):
        assert a.organisation is not None and b.organisation is not None
        assert a.organisation.se == 0.0  # a census has no sampling error
        assert a.organisation.ci_low == pytest.approx(a.organisation.estimate, abs=1e-9)
        assert a.organisation.ci_high == pytest.approx(a.organisation.estimate, abs=1e-9)
        width = b.organisation.ci_high - b.organisation.ci_low
        assert width > 0.0  # a sample has a margin (exact interval where every answer agrees)


def test_refuses_fewer_responses_than_the_minimum(bench) -> None:  # type: ignore[no-untyped-def]
    codes = pd.read_csv(GOLDEN / "responses.csv").head(4)
    with pytest.raises(ValueError, match="below the scan's minimum"):
        build_scan_report(scan_data(codes, headcount=20), bench)


def test_repeat_scan_change_with_its_interval(bench) -> None:  # type: ignore[no-untyped-def]
    codes = pd.read_csv(GOLDEN / "responses.csv")
    before = scan_data(codes.iloc[::-1].assign(course_2y=2), headcount=15, scan_id=7,
                       closed=date(2025, 11, 30))  # fmt: skip
    now = scan_data(codes, headcount=15)
    rep = build_scan_report(now, bench, previous=before)
    prev = build_scan_report(before, bench)
    assert rep.previous_scan_id == 7
    for r, p in zip(rep.indicators, prev.indicators, strict=True):
        assert r.change is not None and r.organisation is not None and p.organisation is not None
        expect = difference(r.organisation, p.organisation, level=0.95)
        assert r.change.difference == expect
        assert r.change.previous == p.organisation
    course = next(r for r in rep.indicators if r.id == "nonformal")
    assert course.change is not None and course.change.verdict == "up"  # 0% -> 75%


def test_employer_self_scan_is_one_persons_view(bench) -> None:  # type: ignore[no-untyped-def]
    codes = pd.read_csv(GOLDEN / "responses.csv").head(1).drop(columns="team")
    rep = build_scan_report(
        scan_data(codes, headcount=6, kind="employer", size_class="1-9", minimum=5), bench
    )
    assert rep.kind == "employer" and rep.groups == ()
    assert rep.comparison.size_class == "1-9"
    assert all(r.verdict == "single_view" for r in rep.indicators)
    assert all(r.difference is None for r in rep.indicators)
    assert "één persoon" in rep.method_nl and "one person" in rep.method_en
    course = next(r for r in rep.indicators if r.id == "nonformal")
    assert course.organisation == Figure(100.0, 0.0, 100.0, 100.0, 1)
    cell = bench.indicator("nonformal").company_size["1-9"]
    assert course.benchmark is not None and course.benchmark.estimate == cell.estimate


def test_csv_holds_only_the_figures_shown(golden_case) -> None:  # type: ignore[no-untyped-def]
    _, rep, _ = golden_case
    rows = rep.csv_rows("en")
    shown = [g for g in rep.groups if g.shown]
    hidden = [g for g in rep.groups if not g.shown]
    assert len(rows) == len(rep.indicators) * (1 + len(shown)) + len(hidden)
    assert all(row["benchmark_data"] == "synthetic demo data" for row in rows)
    assert all(row["n"] is None or row["n"] >= rep.minimum for row in rows)
    org_rows = [row for row in rows if row["scope"] == "whole organisation"]
    for row, r in zip(org_rows, rep.indicators, strict=True):
        assert r.organisation is not None
        assert row["estimate"] == round(r.organisation.estimate, 6)
    json.dumps(rep.to_dict())  # serialisable


def test_a_group_that_would_reveal_one_person_is_suppressed(bench) -> None:  # type: ignore[no-untyped-def]
    """A team of 5 and an age group of the same 5 plus one: the age group is not shown."""
    codes = pd.concat([pd.read_csv(GOLDEN / "responses.csv")] * 2, ignore_index=True)
    codes["team"] = [1] * 5 + [2] * 19
    codes["age_class"] = [2] * 6 + [3] * 18
    rep = build_scan_report(scan_data(codes, headcount=30), bench)
    groups = {(g.variable, g.code): g for g in rep.groups}
    assert groups[("team", 1)].shown
    age = groups[("age_class", 2)]
    assert not age.shown and age.reason == "differencing" and age.n is None
    assert age.indicators == () and "fewer than 5" in (age.reason_en or "")


def test_report_is_frozen(golden_case) -> None:  # type: ignore[no-untyped-def]
    _, rep, _ = golden_case
    with pytest.raises(AttributeError):
        rep.responses = 3  # type: ignore[misc]
    assert replace(rep, responses=3).responses == 3
