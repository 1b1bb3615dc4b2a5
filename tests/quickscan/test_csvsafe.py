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


def test_the_report_csv_keeps_formula_team_names_as_text() -> None:
    import json
    from dataclasses import replace

    import pandas as pd

    from leercultuur.quickscan.benchmark import demo_text, from_file, parse_benchmark
    from leercultuur.quickscan.export import csv_text as report_csv
    from leercultuur.quickscan.results import build_scan_report

    from .test_results import GOLDEN, scan_data

    bench = from_file(parse_benchmark(demo_text(), where="demo"), is_demo=True)
    golden = json.loads((GOLDEN / "golden.json").read_text())
    data = scan_data(pd.read_csv(GOLDEN / "responses.csv"), headcount=golden["N"])
    data = replace(data, teams=('=HYPERLINK("http://evil.example","x")', "@SUM(A1)"))
    rows = list(csv.DictReader(io.StringIO(report_csv(build_scan_report(data, bench), "en"))))
    groups = {row["group"] for row in rows}
    assert '\'=HYPERLINK("http://evil.example","x")' in groups and "'@SUM(A1)" in groups
    assert not any(v.startswith(("=", "@", "+")) for row in rows for v in row.values() if v)
    assert any(row["estimate"] and float(row["estimate"]) > 0 for row in rows)  # numbers stay
