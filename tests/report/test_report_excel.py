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


NONFORMAL = "A1 Opleiding of cursus gevolgd"  # sheet names: table number and label (31 chars)
YEARS = range(3, 25, 2)  # value columns; each marker is text in the column to its right


def test_table1_cells_hold_values_and_markers(rendered: ReportFiles, result: MonitorResult) -> None:
    wb = openpyxl.load_workbook(rendered.excel)
    ws = wb[NONFORMAL]
    assert ws["A1"].value == "Tabel A1. Opleiding of cursus gevolgd (afgelopen 2 jaar)"
    assert [ws.cell(4, c).value for c in YEARS] == list(range(2012, 2023))
    assert ws.cell(4, 25).value == "Trend B per jaar"
    assert (ws["A5"].value, ws["B5"].value) == ("", "Alle werknemers")
    assert [ws.cell(5, c).value for c in YEARS] == ARTICLE
    assert [ws.cell(5, c + 1).value or "" for c in YEARS] == MARKERS
    assert ws.cell(5, 3).number_format == '[$-413]0.0"%"'  # no marker hidden in the format
    trend = result.trends.query("indicator == 'nonformal' and breakdown == 'all'").iloc[0]
    assert ws.cell(5, 25).value == pytest.approx(trend["slope"], rel=1e-12)
    assert ws.cell(5, 26).value == "*"
    assert ws.cell(5, 27).value == pytest.approx(-2.0)
    assert ws.freeze_panes == "C5"
    # print set-up: landscape, header rows repeated
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$1:$4"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    notes = [ws.cell(r, 1).value for r in range(16, 20)]
    assert notes[0].startswith(
        "* p < 0,05 en Cohen's d < 0,20; ** p < 0,05 en Cohen's d \u2265 0,20"
    )
    assert notes[2] == "x: minder dan 200 respondenten, niet gepubliceerd."


def test_suppressed_cells_and_subgroup_sheet(rendered: ReportFiles) -> None:
    wb = openpyxl.load_workbook(rendered.excel)
    ws = wb[NONFORMAL]
    old = next(r for r in range(5, 20) if ws.cell(r, 2).value == "65-74 jaar")
    assert [ws.cell(old, c).value for c in [*YEARS, 25, 27]] == ["x"] * 13
    g = wb["Tabel 2 Groepen"]
    assert g.freeze_panes == "C5"
    assert g["C4"].value == "Opleiding of cursus gevolgd (afgelopen 2 jaar) (2022)"
    rows = {(g.cell(r, 1).value, g.cell(r, 2).value): r for r in range(5, g.max_row + 1)}
    low = rows[("Opleidingsniveau", "Laag")]
    assert g.cell(low, 3).value == pytest.approx(34.0)
    assert g.cell(low, 4).value == "**"
    assert g.cell(rows[("Leeftijd", "65-74 jaar")], 3).value == "x"


def test_other_sheets(rendered: ReportFiles) -> None:
    wb = openpyxl.load_workbook(rendered.excel)
    assert wb.sheetnames == [
        "Overzicht", "Tabel 1", NONFORMAL, "A2 Leert veel van taken",
        "A3 Autonomie (schaal 1-3)", "A4 Leidinggevende stimuleert on", "Tabel 2 Groepen",
        "Samenhang", "Schattingen", "Methode",
    ]  # fmt: skip
    over = wb["Overzicht"]
    assert over["A4"].value == "Belangrijkste bevindingen"
    assert over["A5"].value.startswith("\u2022 Het aandeel werknemers dat")
    data = wb["Schattingen"]
    head = [c.value for c in data[1]]
    assert head[:4] == ["Indicator", "Jaar", "Indeling", "Groep"]
    rows = list(data.iter_rows(min_row=2, values_only=True))
    supp = [r for r in rows if r[head.index("Niet gepubliceerd")] == "ja"]
    assert len(supp) == 35
    assert all(r[head.index("Schatting")] is None for r in supp)  # never published
    assert rows[0][:4] == ("Opleiding of cursus gevolgd (afgelopen 2 jaar)", 2012, None,
                           "Alle werknemers")  # fmt: skip
    meth = [c.value for c in wb["Methode"]["A"] if c.value]
    assert "Toetsen: volgens de steekproefopzet tegenover klassiek" in meth
    assert wb["A3 Autonomie (schaal 1-3)"].cell(5, 3).number_format == "[$-413]0.00"
    t1 = wb["Tabel 1"]
    assert t1["A4"].value == "Tabel 1a. Leergedrag: 10-jaartrend B, 2012\u20132022"
    assert t1["A6"].value == "Opleiding of cursus gevolgd (afgelopen 2 jaar)"
    assert t1["B6"].number_format == '[$-413]0"%"' and t1["E6"].value == "*"


def test_english_edition(tmp_path: Path, result: MonitorResult) -> None:
    path = write_excel(result, tmp_path / "m.xlsx", lang="en")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "Overview"
    ws = wb["A1 Followed a course or trainin"]
    assert ws["B5"].value == "All employees"
    assert ws.cell(5, 5).number_format == '0.0"%"' and ws.cell(5, 6).value == "*"
    assert ws.cell(5, 25).number_format == '+0.00"%";-0.00"%";0.00"%"'


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
