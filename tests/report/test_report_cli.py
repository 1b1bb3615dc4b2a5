"""`leercultuur report RESULT_DIR --out DIR`: from a saved result directory, errors without
traceback; PDF printing through Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from leercultuur.cli import app
from leercultuur.monitor import MonitorResult
from leercultuur.report import render_report

SRC = Path(__file__).resolve().parents[2] / "src"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    code = "from leercultuur.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_report_from_saved_result(result: MonitorResult, tmp_path: Path) -> None:
    saved = result.save(tmp_path / "result")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["report", str(saved), "--out", str(out), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert f"report:   {out / 'report-en.html'}" in res.output
    # 4 trends, 2 group charts, associations, 2 groups-over-time; SVG and PNG each
    assert "charts:   18 files (SVG and PNG)" in res.output
    wb = openpyxl.load_workbook(out / "monitor-en.xlsx")
    ws = wb["A1 Followed a course or trainin"]
    assert [ws.cell(5, c).value for c in (3, 4, 5)] == [54.0, None, 52.0]
    assert ws.cell(5, 6).value == "*"  # the marker as text beside the number
    assert (out / "findings-en.json").read_text(encoding="utf-8").count('"kind"') == 5


def test_editorial_texts_are_rendered_safely(result: MonitorResult, tmp_path: Path) -> None:
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "intro.md").write_text(
        "# Waarom\n\nDe **monitor** volgt [TNO](https://www.tno.nl).\n<script>x()</script>\n\n"
        "- een\n- twee\n",
        encoding="utf-8",
    )
    (texts / "colophon.md").write_text("Instituut X, 2026. *Citeer als:* X (2026).\n", "utf-8")
    out = tmp_path / "out"
    saved = result.save(tmp_path / "result")
    res = CliRunner().invoke(app, ["report", str(saved), "--out", str(out), "--text", str(texts)])
    assert res.exit_code == 0, res.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<section id="intro" class="prose"' in html and "<h3>Waarom</h3>" in html
    assert "<strong>monitor</strong>" in html and '<a href="https://www.tno.nl">TNO</a>' in html
    assert "&lt;script&gt;x()&lt;/script&gt;" in html and "<script>" not in html
    assert "<ul><li>een</li><li>twee</li></ul>" in html
    assert '<h2 id="h-colophon">Colofon</h2>' in html and "<em>Citeer als:</em>" in html
    assert '<a href="#conclusions">' not in html  # no conclusions.md: no section
    bad = _cli("report", str(saved), "--out", str(out), "--text", str(texts / "none"))
    assert bad.returncode == 2 and "is not a folder" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_errors_are_one_line_without_traceback(result: MonitorResult, tmp_path: Path) -> None:
    res = _cli("report", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o"))
    assert res.returncode == 2
    assert "is not a monitor result directory (missing estimates.parquet" in res.stderr
    assert "Traceback" not in res.stderr
    saved = result.save(tmp_path / "result")
    res = _cli("report", str(saved), "--lang", "de", "--out", str(tmp_path / "o"))
    assert res.returncode == 2
    assert "lang='de' is not allowed; choose one of: 'nl', 'en'" in res.stderr
    res2 = CliRunner().invoke(app, ["report", str(saved), "--method", "classic"])
    assert res2.exit_code != 0
    assert "has no 'classic' tests (it has: design)" in str(res2.exception)


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="Debian chromium not found")
def test_pdf(result: MonitorResult, tmp_path: Path) -> None:
    files = render_report(result, tmp_path, lang="nl", pdf=True)
    assert files.pdf is not None and files.pdf.name == "report.pdf"
    data = files.pdf.read_bytes()
    assert data[:5] == b"%PDF-" and len(data) > 50_000
