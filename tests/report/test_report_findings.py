"""Written findings against a result with a known rise, a known lagging group and a suppressed
cell: sentences about people, hedged as the article hedges, at most three indicators each, every
finding traceable to the table rows it rests on."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from leercultuur.monitor import MonitorResult
from leercultuur.report import Finding, findings

# How a Dutch finding sentence may start: a subject (the people, the share, the trend, ...).
DUTCH_SUBJECTS = {
    "Het", "De", "Werknemers", "Laagopgeleide", "Middelbaar", "Hoogopgeleide", "Uitzendkrachten",
    "Oproep-", "Flexkrachten", "Mannen", "Vrouwen", "Geen", "Andere", "Schattingen",
}  # fmt: skip


def _kinds(found: list[Finding], kind: str) -> list[Finding]:
    return [f for f in found if f.kind == kind]


def sentences(text: str) -> list[str]:
    """Split at a full stop followed by a capital (not inside numbers such as 0,20)."""
    return [s for s in re.split(r"(?<=[.])\s+(?=[A-Z])", text) if s]


def test_every_dutch_sentence_starts_with_a_subject_and_names_at_most_three(
    result: MonitorResult,
) -> None:
    found = findings(result, lang="nl")
    labels = [i.label.nl.lower() for i in result.spec.indicators]
    for f in found:
        for s in sentences(f.text):
            assert s.split()[0] in DUTCH_SUBJECTS, s
        assert len(f.indicators) <= 3
        named = [lab for lab in labels if f"'{lab}'" in f.text.lower()]
        assert len(named) <= 3, f.text


def test_known_rise_is_hedged_as_slight(result: MonitorResult) -> None:
    (f,) = [f for f in _kinds(findings(result, lang="nl"), "trend") if f.indicator == "support_any"]
    # d of the change 2012-2022 is 0.12 < 0.20: "licht", never a bare "significant"
    assert f.text == (
        "Het aandeel werknemers van wie de leidinggevende hun ontwikkeling stimuleert, was in "
        "2022 56,0%, vrijwel gelijk aan 2021 (55,4%). De trend over 2012\u20132022 is licht "
        "stijgend (B = +0,60 %-punt per jaar; 50,0% in 2012)."
    )
    (en,) = [
        f for f in _kinds(findings(result, lang="en"), "trend") if f.indicator == "support_any"
    ]
    assert "The trend over 2012\u20132022 is slightly rising (B = +0.60 pp per year" in en.text


def test_latest_rise_and_too_early_for_a_trend_break(result: MonitorResult) -> None:
    (f,) = [f for f in _kinds(findings(result, lang="nl"), "trend") if f.indicator == "nonformal"]
    assert f.text == (
        "Het aandeel werknemers dat in de afgelopen twee jaar een opleiding of cursus voor het "
        "werk volgde, is in 2022 licht gestegen ten opzichte van 2021: van 49,0% naar 52,0%. De "
        "trend over 2012\u20132022 is licht dalend (B = \u22120,24 %-punt per jaar; 54,0% in "
        "2012). Het is nog te vroeg om van een trendbreuk te spreken."
    )
    # the slope change at 2020 is significant, but 2021 did not rise: not yet a break
    tr = result.trends.query("indicator == 'nonformal' and breakdown == 'all'").iloc[0]
    assert tr["slope_change_p"] < 0.05 and tr["slope_change"] > 0


def test_a_sustained_break_is_claimed(result: MonitorResult) -> None:
    """Slope change significant and each later year a significant rise: the trend has turned."""
    c = result.comparisons.copy()
    sel = (c["comparison"] == "year_on_year") & (c["indicator"] == "nonformal") & (
        c["breakdown"] == "all"
    ) & (c["year"] == 2021)  # fmt: skip
    c.loc[sel, ["difference", "p_value", "significant", "marker"]] = [1.0, 0.001, True, "*"]
    found = findings(dataclasses.replace(result, comparisons=c), lang="nl")
    (f,) = [f for f in _kinds(found, "trend") if f.indicator == "nonformal"]
    assert "De trend is sinds 2020 omgebogen" in f.text
    assert "te vroeg" not in f.text


def test_two_year_indicator(result: MonitorResult) -> None:
    (two,) = _kinds(findings(result, lang="en"), "two_years")
    assert two.text == (
        "The share of employees who learn a lot from their tasks was 40.6% in 2022, about the "
        "same as in 2020 (40.0%). The question was asked in 2020 and 2022 only: too few "
        "measurements for a trend."
    )


def test_risk_group_finding_names_its_largest_gaps_and_links_to_table_2(
    result: MonitorResult,
) -> None:
    (low,) = [f for f in _kinds(findings(result, lang="nl"), "risk_group")]
    assert low.text == (
        "Laagopgeleide werknemers blijven in 2022 achter bij de andere werknemers, het "
        "duidelijkst bij 'opleiding of cursus gevolgd (afgelopen 2 jaar)' (\u221222,0 %-punt) "
        "en 'leidinggevende stimuleert ontwikkeling' (\u22121,8 %-punt, licht). De achterstand "
        "geldt voor 2 van de 4 indicatoren; zie tabel 2."
    )
    assert low.anchor == "sub-education-low"
    assert low.indicators == ("nonformal", "support_any")
    # 65-74 would lag by 25 points, but its cells are suppressed
    assert all("65-74" not in f.text for f in _kinds(findings(result, lang="nl"), "lagging_group"))


def test_risk_group_without_a_gap_is_still_reported(result: MonitorResult) -> None:
    c = result.comparisons.query("comparison == 'group_vs_rest' and year == 2022")
    lagging = set(c.loc[c["significant"] & (c["difference"] < 0), "group"])
    ages = [g for g in ("25-34", "35-44", "45-54") if g not in lagging]
    assert ages, "the fixture should have an age class that does not lag"
    res = dataclasses.replace(
        result, spec=result.spec.model_copy(update={"risk_groups": (f"age_class:{ages[0]}",)})
    )
    (f,) = _kinds(findings(res, lang="nl"), "risk_group")
    assert f.text == (
        f"Werknemers van {ages[0]} jaar blijven in het laatste meetjaar op geen enkele indicator "
        "significant achter bij de andere werknemers."
    )
    assert f.sources and {s.group for s in f.sources} == {ages[0]}


def test_suppressed_cells_are_counted(result: MonitorResult) -> None:
    (sup,) = _kinds(findings(result, lang="en"), "suppressed")
    assert sup.text == (
        "Estimates resting on fewer than 200 respondents are not published (shown as x): 35 of "
        "350 cells, for employees aged 65-74 years."
    )
    assert len(sup.sources) == 35
    assert {s.group for s in sup.sources} == {"65-74"}


def test_every_source_points_at_its_table_row(result: MonitorResult) -> None:
    found = findings(result, lang="nl")
    assert len(found) == 5
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
        # the indicators a finding names are among the rows it rests on
        assert set(f.indicators) <= {s.indicator for s in f.sources}
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
    """Whatever groups are suppressed, no group finding cites them or their tests."""
    est = result.estimates.assign(
        suppressed=result.estimates["suppressed"] | result.estimates["group"].isin(hidden)
    )
    comp = result.comparisons.assign(
        suppressed=result.comparisons["suppressed"] | result.comparisons["group"].isin(hidden)
    )
    res = dataclasses.replace(result, estimates=est, comparisons=comp)
    found = findings(res, lang="en")
    groups = [f for f in found if f.kind in ("risk_group", "lagging_group", "more_groups")]
    cited = {s.group for f in groups for s in f.sources}
    assert not cited & (hidden | {"65-74"})
    if "low" in hidden:
        (low,) = _kinds(found, "risk_group")
        assert low.text.startswith("Low-educated employees are too few")
    (sup,) = _kinds(found, "suppressed")
    assert len(sup.sources) == int(np.sum(est["suppressed"]))
    assert pd.Series([s.group for s in sup.sources]).isin(hidden | {"65-74"}).all()


def test_diverging_trend_names_unsuppressed_groups_only(result: MonitorResult) -> None:
    """The article: 'for 55+ supervisor support rose less'. A slope difference vs the rest."""
    tr = result.trends.copy()
    for group, diff in (("55-64", -0.4), ("65-74", -0.9)):
        sel = (tr["indicator"] == "support_any") & (tr["group"] == group)
        tr.loc[sel, ["diff_vs_rest", "diff_vs_rest_se", "diff_vs_rest_p"]] = [diff, 0.1, 0.0004]
    res = dataclasses.replace(result, trends=tr)
    (div,) = _kinds(findings(res, lang="nl"), "diverging_trend")
    assert div.text == (
        "De ontwikkeling van 'leidinggevende stimuleert ontwikkeling' verloopt bij werknemers "
        "van 55-64 jaar (\u22120,40 %-punt per jaar) anders dan bij de andere werknemers "
        "(verschil in trend B)."
    )
    (src,) = div.sources
    assert (src.table, src.group) == ("trends", "55-64")
    assert tr.loc[src.row, "diff_vs_rest"] == -0.4
    assert _kinds(findings(result, lang="en"), "diverging_trend") == []
