"""The Excel workbook, opened with openpyxl: Table 1 cells hold the monitor's values and markers."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from leercultuur.errors import DataError
from leercultuur.monitor import MonitorResult
from leercultuur.report import ReportFiles, write_excel

ARTICLE = [54.0, 52.0, 52.0, 51.0, 51.0, 51.0, 51.0, 51.0, 49.0, 49.0, 52.0]
MARKERS = ["", "*", "", "*", "", "", "", "", "*", "", "*"]


def _marker(number_format: str) -> str:
    """The marker written into a number format such as [$-413]0.0"%*"."""
    inside = number_format.split('"')[1] if '"' in number_format else ""
    return inside.lstrip("%")


def test_table1_cells_hold_values_and_markers(rendered: ReportFiles, result: MonitorResult) -> None:
    wb = openpyxl.load_workbook(rendered.excel)
    ws = wb["nonformal"]
    assert ws["A1"].value == "Opleiding of cursus gevolgd (afgelopen 2 jaar)"
    assert [ws.cell(4, c).value for c in range(3, 14)] == list(range(2012, 2023))
    assert ws["N4"].value == "Trend B per jaar"
    assert (ws["A5"].value, ws["B5"].value) == ("", "Alle werknemers")
    values = [ws.cell(5, c).value for c in range(3, 14)]
    assert values == ARTICLE
    assert [_marker(ws.cell(5, c).number_format) for c in range(3, 14)] == MARKERS
    assert ws.cell(5, 3).number_format == '[$-413]0.0"%"'
    trend = result.trends.query("indicator == 'nonformal' and breakdown == 'all'").iloc[0]
    assert ws["N5"].value == pytest.approx(trend["slope"], rel=1e-12)
    assert _marker(ws["N5"].number_format) == "*"
    assert ws["O5"].value == pytest.approx(-2.0)
    assert ws.freeze_panes == "C5"
    notes = [ws.cell(r, 1).value for r in range(16, 20)]
    assert notes[0].startswith(
        "* p < 0,05 en Cohen's d < 0,20; ** p < 0,05 en Cohen's d \u2265 0,20"
    )
    assert notes[2] == "x: minder dan 200 respondenten, niet gepubliceerd."


def test_suppressed_cells_and_subgroup_sheet(rendered: ReportFiles) -> None:
    wb = openpyxl.load_workbook(rendered.excel)
    ws = wb["nonformal"]
    old = next(r for r in range(5, 20) if ws.cell(r, 2).value == "65-74 jaar")
    assert [ws.cell(old, c).value for c in range(3, 16)] == ["x"] * 13
    g = wb["Groepen"]
    assert g.freeze_panes == "C5"
    assert g["C4"].value == "Opleiding of cursus gevolgd (afgelopen 2 jaar) (2022)"
    rows = {(g.cell(r, 1).value, g.cell(r, 2).value): r for r in range(5, g.max_row + 1)}
    low = rows[("Opleidingsniveau", "Laag")]
    assert g.cell(low, 3).value == pytest.approx(34.0)
    assert _marker(g.cell(low, 3).number_format) == "**"
    assert g.cell(rows[("Leeftijd", "65-74 jaar")], 3).value == "x"


def test_other_sheets(rendered: ReportFiles) -> None:
    wb = openpyxl.load_workbook(rendered.excel)
    assert wb.sheetnames == [
        "Overzicht", "nonformal", "informal_tasks_much", "autonomy_scale", "support_any",
        "Groepen", "Samenhang", "Schattingen", "Methode",
    ]  # fmt: skip
    over = wb["Overzicht"]
    assert over["A4"].value == "Belangrijkste bevindingen"
    assert over["A5"].value.startswith("\u2022 Opleiding of cursus gevolgd")
    data = wb["Schattingen"]
    head = [c.value for c in data[1]]
    supp = [r for r in data.iter_rows(min_row=2, values_only=True) if r[head.index("suppressed")]]
    assert len(supp) == 35
    assert all(r[head.index("estimate")] is None for r in supp)  # never published
    meth = [c.value for c in wb["Methode"]["A"] if c.value]
    assert "Toetsen: design-based tegenover klassiek" in meth
    assert wb["autonomy_scale"].cell(5, 3).number_format == "[$-413]0.00"


def test_english_edition(tmp_path: Path, result: MonitorResult) -> None:
    path = write_excel(result, tmp_path / "m.xlsx", lang="en")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "Overview"
    ws = wb["nonformal"]
    assert ws["B5"].value == "All employees"
    assert ws.cell(5, 4).number_format == '0.0"%*"'
    assert ws["N5"].number_format == '+0.00"%*";-0.00"%*";0.00"%*"'


def test_bad_options_and_empty_result(tmp_path: Path, result: MonitorResult) -> None:
    with pytest.raises(
        ValueError, match=r"method='bayes' is not allowed; choose one of: 'design', 'classic'"
    ):
        write_excel(result, tmp_path / "m.xlsx", method="bayes")
    with pytest.raises(DataError, match=r"has no 'classic' tests \(it has: design\)"):
        write_excel(result, tmp_path / "m.xlsx", method="classic")
    empty = MonitorResult(
        spec=result.spec,
        estimates=result.estimates.iloc[:0],
        comparisons=result.comparisons,
        trends=result.trends,
        associations=result.associations,
    )
    with pytest.raises(DataError, match="no estimates: nothing to report"):
        write_excel(empty, tmp_path / "m.xlsx")
