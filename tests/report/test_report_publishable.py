"""The report as a publisher gets it: the Dutch edition (HTML, PDF text, workbook) free of English
and code strings, no data source the manifest does not record, synthetic data labelled on every
page, sheet and chart, every group table in the PDF, and a phone-sized page that does not scroll
sideways with chart text of at least 11 px.

Screenshots (1366 and 390 px) and a PNG of every PDF page are kept under tests/artifacts/report/
(gitignored) for a person to look at.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

from leercultuur.monitor import MonitorResult
from leercultuur.report import ReportFiles, render_report

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "report"
CHROMIUM = "/usr/bin/chromium"

# English or code strings that must not reach a reader of the Dutch edition. Grow this list
# whenever one is found. Plain substrings, and \b-delimited words for short ones.
FORBIDDEN = [
    "educationmiddle", "educationhigh", "sexfemale", "sexmale", "age_class", "company_size",
    "on_call", "nonformal", "informal_tasks", "informal_people", "support_any", "support_large",
    "autonomy_scale", "autonomy_high", "variation_scale", "variation_high", "group_vs_rest",
    "year_on_year", "(missing)", "design-based", "Design-based", "not in the data",
    "breakdown '", "indicator '", "combined group", "NEA (TNO/CBS)", "Traceback", "sha256=",
    "__rest__", "__combined", "Lagging group", "Key findings", "Estimate", "All employees",
    "Breakdown", "Change ", "Source:", "significantly", "per year", "Unknown",
]  # fmt: skip
FORBIDDEN_WORDS = [r"\bNone\b", r"\bnan\b", r"\bNaN\b", r"\bTrue\b", r"\bFalse\b"]


def offending(text: str) -> list[str]:
    found = [s for s in FORBIDDEN if s in text]
    found += [w for w in FORBIDDEN_WORDS if re.search(w, text)]
    return found


class _Visible(HTMLParser):
    """The text a reader sees or hears: text outside <style>, plus title and aria-label."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._style = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._style += tag == "style"
        self.parts += [v for k, v in attrs if k in ("title", "aria-label", "alt") and v]

    def handle_endtag(self, tag: str) -> None:
        self._style -= tag == "style"

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.parts.append(data)


def visible_text(html: str) -> str:
    p = _Visible()
    p.feed(html)
    return "\n".join(p.parts)


def workbook_text(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    out = list(wb.sheetnames)
    for ws in wb.worksheets:
        out += [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    return "\n".join(out)


def synthetic(result: MonitorResult) -> MonitorResult:
    """The small result as the demo records it: synthetic data, with the codebook's labels."""
    labels = {
        "categories": {
            "education": {
                "low": {"nl": "laag", "en": "low"},
                "middle": {"nl": "middelbaar", "en": "middle"},
                "high": {"nl": "hoog", "en": "high"},
            }
        }
    }
    manifest = {
        **result.manifest,
        "provenance": {"data": "synthetic", "source": "leercultuur synth 1.0.0"},
        "labels": labels,
    }
    return dataclasses.replace(result, manifest=manifest)


@pytest.fixture(scope="module")
def synth_nl(result: MonitorResult, tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    pdf = os.path.exists(CHROMIUM)
    return render_report(synthetic(result), tmp_path_factory.mktemp("synth-nl"), pdf=pdf)


def test_dutch_html_and_workbook_have_no_english_or_code_strings(rendered: ReportFiles) -> None:
    html = visible_text(rendered.html.read_text(encoding="utf-8"))
    assert offending(html) == []
    assert offending(workbook_text(rendered.excel)) == []
    # no source claimed that the manifest does not record
    assert "Bron:" not in html and "NEA (TNO/CBS)" not in html


def test_labels_come_from_the_codebook(synth_nl: ReportFiles) -> None:
    html = synth_nl.html.read_text(encoding="utf-8")
    assert '<th scope="row">Middelbaar</th>' in html  # manifest label "middelbaar", capitalised


def test_synthetic_data_is_labelled_everywhere(synth_nl: ReportFiles) -> None:
    note = "Synthetische gegevens: deze cijfers zijn verzonnen"
    html = synth_nl.html.read_text(encoding="utf-8")
    assert f'<div class="synthetic" role="note">{note}' in html
    assert "Bron: synthetische gegevens (leercultuur synth 1.0.0)" in html
    assert "@top-center" in html  # and in every printed page's header
    assert "Nationale Enquête Arbeidsomstandigheden (NEA)\n" not in html
    for chart in synth_nl.charts:
        if chart.suffix == ".svg":
            assert note in chart.read_text(encoding="utf-8"), chart.name
    wb = openpyxl.load_workbook(synth_nl.excel)
    for ws in wb.worksheets:
        cells = [str(c.value) for row in ws.iter_rows(max_row=3) for c in row if c.value]
        assert any(note in c for c in cells) or note in ws.oddHeader.center.text, ws.title
        assert note in (ws.oddHeader.center.text or ""), ws.title


pdf_only = pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) and shutil.which("pdftotext") and shutil.which("pdftoppm")),
    reason="needs Debian chromium and poppler-utils (pdftotext, pdftoppm)",
)


@pytest.mark.browser
@pdf_only
def test_pdf_has_every_group_table_page_numbers_and_no_code_strings(
    synth_nl: ReportFiles, result: MonitorResult
) -> None:
    assert synth_nl.pdf is not None
    text = subprocess.run(
        ["pdftotext", "-layout", str(synth_nl.pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) >= 5
    # every group table (expanded in print) and Table 1a/1b and 2
    captions = re.findall(r"Tabel A\d+\. .*? \u2014 uitsplitsing naar groepen", text)
    assert len(captions) == result.estimates["indicator"].nunique() == 4, captions
    for want in ("Tabel 1a. Leergedrag", "Tabel 1b. Stimulerende factoren", "Tabel 2. Groepen"):
        assert want in text
    assert "Opleidingsniveau" in text and "65-74 jaar" in text
    # page numbers and the synthetic warning on every page
    for n, page in enumerate(pages, start=1):
        assert f"{n} / {len(pages)}" in page, n
        assert "Synthetische gegevens" in page, n
    assert offending(text) == []
    # a PNG of every page for a person to look at
    out = ARTIFACTS / "pdf"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(synth_nl.pdf), str(out / "page")],
                   check=True)  # fmt: skip
    assert len(list(out.glob("page-*.png"))) == len(pages)


sync_api = pytest.importorskip("playwright.sync_api", reason="python playwright not installed")

_MEASURE = """() => {
  let min = 1e9;
  for (const t of document.querySelectorAll('svg.chart text')) {
    const r = t.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const m = t.getScreenCTM();
    const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
    min = Math.min(min, px);
  }
  const sticky = getComputedStyle(document.querySelector('.table-scroll tbody th[scope=row]'));
  return {scroll: document.documentElement.scrollWidth, width: window.innerWidth,
          minFont: min, sticky: sticky.position};
}"""


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Debian chromium not at {CHROMIUM}")
def test_phone_and_desktop_widths(synth_nl: ReportFiles) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
    seen = {}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            for width in (1366, 390):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(synth_nl.html.resolve().as_uri(), wait_until="load")
                seen[width] = page.evaluate(_MEASURE)
                page.screenshot(path=str(ARTIFACTS / f"report-{width}.png"))
                page.screenshot(path=str(ARTIFACTS / f"report-{width}-full.png"), full_page=True)
                page.close()
        finally:
            browser.close()
    for width, m in seen.items():
        assert m["scroll"] == m["width"] == width, m  # no sideways page scroll
        assert m["minFont"] >= 11, m  # chart text never below 11 px
        assert m["sticky"] == "sticky"  # row labels stay while a table scrolls
