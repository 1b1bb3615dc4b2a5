"""Written findings against a result with a known rise, a known lagging group and a suppressed
cell; every finding traceable to the table rows it rests on."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from leercultuur.monitor import MonitorResult
from leercultuur.report import Finding, findings


def _kinds(found: list[Finding], kind: str) -> list[Finding]:
    return [f for f in found if f.kind == kind]


def test_known_rise_is_written_with_its_size(result: MonitorResult) -> None:
    trend = [
        f for f in _kinds(findings(result, lang="nl"), "trend") if f.indicator == "support_any"
    ]
    assert [f.text for f in trend] == [
        "Leidinggevende stimuleert ontwikkeling steeg significant: +0,60 %-punt per jaar over "
        "2012\u20132022 (van 50,0% naar 56,0%, +6,0 %-punt; Cohen's d 0,12; p < 0,001)."
    ]
    en = [f for f in _kinds(findings(result, lang="en"), "trend") if f.indicator == "support_any"]
    assert en[0].text.startswith(
        "Supervisor stimulates development rose significantly: +0.60 pp per year over "
        "2012\u20132022"
    )


def test_fall_stable_and_two_year_indicators(result: MonitorResult) -> None:
    found = findings(result, lang="en")
    fall = next(f for f in _kinds(found, "trend") if f.indicator == "nonformal")
    assert "fell significantly: \u22120.24 pp per year" in fall.text
    assert "from 54.0% to 52.0%, \u22122.0 pp" in fall.text
    (stable,) = _kinds(found, "stable")
    assert stable.text == "No significant trend over the period: Autonomy (scale 1-3)."
    (two,) = _kinds(found, "two_years")
    assert two.text == (
        "Learns a lot from tasks: measured in 2020 and 2022 only, too few years for a trend; "
        "40.0% and 40.6% (+0.6 pp, not a significant change)."
    )
    (latest,) = _kinds(found, "latest_change")
    assert latest.text == (
        "In 2022, followed a course or training (past 2 years) rose from 49.0% (2021) to 52.0% "
        "(+3.0 pp; Cohen's d 0.06; p < 0.001)."
    )


def test_trend_break_supported_or_not(result: MonitorResult) -> None:
    breaks = {f.indicator: f.text for f in _kinds(findings(result, lang="en"), "trend_break")}
    assert breaks["nonformal"].startswith(
        "Followed a course or training (past 2 years): a trend break in 2020 is supported"
    )
    assert breaks["support_any"].startswith(
        "Supervisor stimulates development: no evidence of a trend break in 2020"
    )


def test_known_lagging_group_and_never_a_suppressed_one(result: MonitorResult) -> None:
    lag = _kinds(findings(result, lang="nl"), "lagging_group")
    assert [f.text for f in lag] == [
        "Opleidingsniveau: Laag blijft in 2022 achter bij de andere groepen op opleiding of "
        "cursus gevolgd (afgelopen 2 jaar) (\u221222,0 %-punt, d = \u22120,44)."
    ]
    assert lag[0].anchor == "sub-education-low"
    # 65-74 would lag by 25 points, but its cells are suppressed
    assert all("65-74" not in f.text for f in lag)


def test_suppressed_cells_are_counted(result: MonitorResult) -> None:
    (sup,) = _kinds(findings(result, lang="en"), "suppressed")
    assert sup.text == (
        "35 of 350 estimates rest on fewer than 200 respondents and are not published "
        "(shown as x): Age: 65-74 years."
    )
    assert len(sup.sources) == 35
    assert {s.group for s in sup.sources} == {"65-74"}


def test_every_source_points_at_its_table_row(result: MonitorResult) -> None:
    found = findings(result, lang="nl")
    assert len(found) == 9
    for f in found:
        for s in f.sources:
            row = result.table(s.table).loc[s.row]
            assert (row["indicator"], row["breakdown"], row["group"]) == (
                s.indicator,
                s.breakdown,
                s.group,
            )
            if f.indicator is not None:
                assert s.indicator == f.indicator
    d = found[0].to_dict()
    assert d["kind"] == "trend" and d["sources"][0]["table"] == "trends"


def test_findings_reject_unknown_language(result: MonitorResult) -> None:
    try:
        findings(result, lang="fr")  # type: ignore[arg-type]
    except ValueError as exc:
        assert str(exc) == "lang='fr' is not allowed; choose one of: 'nl', 'en'"
    else:  # pragma: no cover
        raise AssertionError("no error")


@settings(max_examples=10, deadline=None)
@given(st.sets(st.sampled_from(["low", "middle", "high", "15-24", "55-64"]), max_size=3))
def test_property_suppressed_groups_never_lag(result: MonitorResult, hidden: set[str]) -> None:
    """Whatever groups are suppressed, no lagging finding cites them or their tests."""
    est = result.estimates.assign(
        suppressed=result.estimates["suppressed"] | result.estimates["group"].isin(hidden)
    )
    comp = result.comparisons.assign(
        suppressed=result.comparisons["suppressed"] | result.comparisons["group"].isin(hidden)
    )
    res = dataclasses.replace(result, estimates=est, comparisons=comp)
    lag = _kinds(findings(res, lang="en"), "lagging_group")
    cited = {s.group for f in lag for s in f.sources}
    assert not cited & (hidden | {"65-74"})
    if "low" in hidden:
        assert lag[0].text.startswith("No group lags")
    (sup,) = _kinds(findings(res, lang="en"), "suppressed")
    assert len(sup.sources) == int(np.sum(est["suppressed"]))
    assert pd.Series([s.group for s in sup.sources]).isin(hidden | {"65-74"}).all()


def test_diverging_trend_names_unsuppressed_groups_only(result: MonitorResult) -> None:
    """The article: 'for 55+ supervisor support rose less'. A slope difference vs the rest."""
    tr = result.trends.copy()
    for group, diff in (("55-64", -0.4), ("65-74", -0.9)):
        sel = (tr["indicator"] == "support_any") & (tr["group"] == group)
        tr.loc[sel, ["diff_vs_rest", "diff_vs_rest_se", "diff_vs_rest_p"]] = [diff, 0.1, 0.0004]
    res = dataclasses.replace(result, trends=tr)
    (div,) = _kinds(findings(res, lang="en"), "diverging_trend")
    assert div.text == (
        "Supervisor stimulates development: the trend of these groups differs significantly from "
        "the rest of their breakdown (slope difference): Age: 55-64 years (\u22120.40 pp per "
        "year; p < 0.001)."
    )
    (src,) = div.sources
    assert (src.table, src.group) == ("trends", "55-64")
    assert tr.loc[src.row, "diff_vs_rest"] == -0.4
    assert _kinds(findings(result, lang="en"), "diverging_trend") == []
