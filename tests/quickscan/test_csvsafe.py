"""CSV exports: cells that a spreadsheet would run as formulas come out as plain text."""

from __future__ import annotations

import csv
import io

import pytest

pytest.importorskip("starlette")

from leercultuur.quickscan.csvsafe import csv_response, csv_text, safe_cell


@pytest.mark.parametrize(
    "raw",
    ["=1+1", "+31 6", "-2", "@SUM(A1)", "\t=cmd", "\r=x", '=HYPERLINK("http://x")', "＝1"],
)
def test_formula_starts_get_an_apostrophe(raw: str) -> None:
    assert safe_cell(raw) == "'" + raw


def test_ordinary_text_and_numbers_are_unchanged() -> None:
    assert safe_cell("Zorg & Welzijn") == "Zorg & Welzijn"
    assert safe_cell(-2) == -2 and safe_cell(1.5) == 1.5
    assert safe_cell(None) == "" and safe_cell(True) == "true"
    assert safe_cell("a\x00b") == "ab"


def test_a_whole_export_reads_back_as_text() -> None:
    rows = [["=cmd|' /C calc'!A0", 3], ['<script>"x"</script>', -1], ["Team, met komma", 0]]
    text = csv_text(["team", "n"], rows)
    back = list(csv.reader(io.StringIO(text)))
    assert back == [
        ["team", "n"],
        ["'=cmd|' /C calc'!A0", "3"],
        ['<script>"x"</script>', "-1"],
        ["Team, met komma", "0"],
    ]


def test_csv_response_is_a_download_with_a_safe_name() -> None:
    r = csv_response('codes "Zorg"/../x.csv', ["code"], [["=1"]])
    assert r.headers["content-disposition"] == 'attachment; filename="codes__Zorg__.._x.csv"'
    assert r.body.decode("utf-8").startswith("\ufeffcode\r\n'=1")
