"""The article's tables from a result with known content, and snapshots of their printed form."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pandas as pd
import pytest

from leercultuur.errors import DataError
from leercultuur.monitor import MonitorResult
from leercultuur.report import (
    association_tables,
    findings,
    indicator_tables,
    render_report,
    subgroup_table,
)

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"


def _snapshot(name: str, frame: pd.DataFrame) -> None:
    """Compare with the committed CSV (regenerate with UPDATE_SNAPSHOTS=1)."""
    path = SNAPSHOTS / f"{name}.csv"
    text = frame.to_csv(index=False, lineterminator="\n")
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}; run with UPDATE_SNAPSHOTS=1 and review it"
    assert text == path.read_text(encoding="utf-8"), f"table differs from snapshot {path.name}"


def test_table1_all_employees_row_is_the_articles_row(result: MonitorResult) -> None:
    t = indicator_tables(result, lang="nl")[0]
    assert t.indicator == "nonformal"
    assert t.years == tuple(range(2012, 2023))
    row = t.to_frame("nl").iloc[0].tolist()
    # the article's Table 1: 54% 52%* 52% 51%* 51% 51% 51% 51% 49%* 49% 52%*, trend B -0.3%*
    assert row == [
        "Alle werknemers",
        "54,0%", "52,0%*", "52,0%", "51,0%*", "51,0%", "51,0%", "51,0%", "51,0%", "49,0%*",
        "49,0%", "52,0%*", "\u22120,24%*", "\u22122,0",
    ]  # fmt: skip
    en = indicator_tables(result, lang="en")[0].to_frame("en")
    assert en.columns[-2:].tolist() == ["Trend B per year", "Change 2012\u20132022"]
    assert en.iloc[0, 2] == "52.0%*"


def test_suppressed_group_shows_x_everywhere(result: MonitorResult) -> None:
    for t in indicator_tables(result, lang="nl"):
        rows = [r for r in t.rows if r.group == "65-74"]
        assert len(rows) == 1
        frame = t.to_frame("nl")
        printed = frame[frame["Groep"] == "Leeftijd: 65-74 jaar"].iloc[0, 1:].tolist()
        assert printed == ["x"] * (len(t.years) + 2)
        assert all(c.value is None for c in rows[0].cells)  # no value leaks into the model


def test_two_year_indicator_has_change_but_no_trend(result: MonitorResult) -> None:
    t = next(t for t in indicator_tables(result, lang="en") if t.indicator == "informal_tasks_much")
    assert t.years == (2020, 2022)
    assert not t.has_trend
    assert t.to_frame("en").iloc[0].tolist() == ["All employees", "40.0%", "40.6%", "", "+0.6"]
    assert "too few measurements for a trend" in t.footnotes[-1]


def test_table2_markers_are_group_vs_rest(result: MonitorResult) -> None:
    t = subgroup_table(result, lang="nl")
    frame = t.to_frame("nl")
    col = "Opleiding of cursus gevolgd (afgelopen 2 jaar) (2022)"
    low = frame[(frame["Indeling"] == "Opleidingsniveau") & (frame["Groep"] == "Laag")]
    assert low[col].item() == "34,0%**"  # 18 points below the total, d = -0.44
    old = frame[frame["Groep"] == "65-74 jaar"]
    assert old[col].item() == "x"
    assert frame.iloc[0]["Groep"] == "Alle werknemers"


def test_association_table(result: MonitorResult) -> None:
    (a,) = association_tables(result, lang="en")
    assert a.outcome == "nonformal"
    assert a.terms == ("(Intercept)", "autonomy_scale", "support_any")
    frame = a.to_frame("en")
    assert frame.iloc[1, 0] == "Autonomy (scale 1-3)"
    assert frame.iloc[1, -1] == "+7.00*"
    assert frame.iloc[-1].tolist()[:2] == ["n", "25,000"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_snapshots(result: MonitorResult, lang: str) -> None:
    for t in indicator_tables(result, lang=lang):  # type: ignore[arg-type]
        _snapshot(f"table1-{t.indicator}-{lang}", t.to_frame(lang))  # type: ignore[arg-type]
    _snapshot(f"table2-{lang}", subgroup_table(result, lang=lang).to_frame(lang))  # type: ignore[arg-type]
    for a in association_tables(result, lang=lang):  # type: ignore[arg-type]
        _snapshot(f"associations-{a.outcome}-{lang}", a.to_frame(lang))  # type: ignore[arg-type]


def test_classic_result_takes_classic_markers(result: MonitorResult) -> None:
    """A result computed with --classic: markers and footnotes come from the classic tests."""
    comp = result.comparisons.assign(method="classic")
    comp.loc[(comp["comparison"] == "year_on_year") & (comp["year"] == 2014), "marker"] = "**"
    classic = dataclasses.replace(
        result,
        comparisons=comp,
        trends=result.trends.assign(method="classic"),
        manifest={**result.manifest, "method": "classic"},
    )
    t = indicator_tables(classic, lang="en", method="classic")[0]
    assert t.to_frame("en").iloc[0, 3] == "52.0%**"
    assert "classic test on proportional weights, as in the article" in t.footnotes[0]
    assert indicator_tables(classic, lang="en")[0].to_frame("en").iloc[0, 3] == "52.0%**"
    assert findings(classic, lang="en")[0].sources[0].table == "trends"
    with pytest.raises(DataError, match=r"has no 'design' tests \(it has: classic\)"):
        indicator_tables(classic, method="design")


def test_missing_flags_count_as_false(result: MonitorResult, tmp_path: Path) -> None:
    """Flags read back with gaps (object dtype, NA) neither crash nor invent markers."""
    comp = result.comparisons.astype({"significant": object, "marker": object})
    comp.loc[comp.index[:5], ["significant", "marker"]] = [pd.NA, None]
    res = dataclasses.replace(result, comparisons=comp)
    t = indicator_tables(res, lang="en")[0]
    assert t.to_frame("en").iloc[0, 1:4].tolist() == ["54.0%", "52.0%*", "52.0%"]
    assert render_report(res, tmp_path).html.exists()


def _parse_nl(text: str) -> float:
    return float(text.rstrip("*%").replace("\u2212", "-").replace(",", "."))


def test_changes_equal_the_difference_of_the_displayed_values(result: MonitorResult) -> None:
    """A table never prints 66,0 -> 70,0 as +3,9: the change is last minus first as shown."""
    checked = 0
    for t in indicator_tables(result, lang="nl"):
        frame = t.to_frame("nl")
        for _, row in frame.iterrows():
            first, last, change = row.iloc[1], row.iloc[len(t.years)], row.iloc[-1]
            if "x" in (first, last, change) or "" in (first, last, change):
                continue
            assert _parse_nl(change) == pytest.approx(_parse_nl(last) - _parse_nl(first)), row
            checked += 1
    assert checked > 20


def test_article_table_1a_and_1b(result: MonitorResult) -> None:
    from leercultuur.report._article import article_tables

    t1a, t1b = article_tables(result, lang="nl")
    assert (t1a.number, t1b.number) == ("1a", "1b")
    assert t1a.title == "Leergedrag: 10-jaartrend B, 2012\u20132022"
    frame = t1a.to_frame("nl")
    assert frame.columns[-1] == "10-jaartrend B"
    assert frame.iloc[0].tolist() == [
        "Opleiding of cursus gevolgd (afgelopen 2 jaar)",
        "54%", "52%*", "52%", "51%*", "51%", "51%", "51%", "51%", "49%*", "49%", "52%*",
        "\u22120,2%*",
    ]  # fmt: skip
    assert [r.indicator for r in t1b.rows] == ["autonomy_scale", "support_any"]
    assert any("Alleen in twee jaren gemeten" in n for n in t1a.footnotes)


def test_article_table_without_respondent_counts_leaves_the_n_row_out(
    result: MonitorResult, tmp_path: Path
) -> None:
    """A result that records no respondents per year (built by hand; every monitor run records
    them) gets no empty "Respondenten (n)" row in the frame, the HTML or the workbook, and no
    footnote explaining it."""
    from openpyxl import load_workbook

    from leercultuur.report._article import article_tables

    manifest = {k: v for k, v in result.manifest.items() if k != "rows_per_year"}
    bare = dataclasses.replace(result, manifest=manifest)
    t1a = article_tables(bare, lang="nl")[0]
    assert not t1a.has_n
    frame = t1a.to_frame("nl")
    assert "Respondenten (n)" not in frame.iloc[:, 0].tolist()
    assert frame.iloc[-1, 0] == t1a.rows[-1].label
    assert not any(n.startswith("Respondenten (n)") for n in t1a.footnotes)
    files = render_report(bare, tmp_path, lang="nl")
    html = files.html.read_text(encoding="utf-8")
    assert "Respondenten (n)" not in html
    wb = load_workbook(files.excel)
    table1 = wb.worksheets[1]  # after the overview: the article's Table 1
    assert table1.title.startswith("Tabel 1")
    assert "Respondenten (n)" not in {c.value for row in table1.iter_rows() for c in row}
    # with counts for every year (as a monitor run records them), every output shows the row
    counted = dataclasses.replace(
        result, manifest={**manifest, "rows_per_year": {str(y): 30_000 + y for y in t1a.years}}
    )
    c1a = article_tables(counted, lang="nl")[0]
    frame = c1a.to_frame("nl")
    assert frame.iloc[-1].tolist() == ["Respondenten (n)", "32\u2009012", *frame.iloc[-1, 2:-1], ""]
    assert frame.iloc[-1, -2] == "32\u2009022"
    assert any(n.startswith("Respondenten (n)") for n in c1a.footnotes)
    files = render_report(counted, tmp_path / "counted", lang="nl")
    assert "Respondenten (n)" in files.html.read_text(encoding="utf-8")
