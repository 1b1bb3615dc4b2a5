"""The HTML report in a real browser (headless Debian Chromium via playwright).

No console errors, no network requests other than the file itself, tables and charts present and
rendered; screenshots are kept under tests/artifacts/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from leercultuur.report import ReportFiles

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Debian chromium not at {CHROMIUM}"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="python playwright not installed")


def _open(html: Path, shot: str) -> dict:
    url = html.resolve().as_uri()
    out: dict = {"console": [], "errors": [], "requests": []}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.on("console", lambda m: out["console"].append((m.type, m.text)))
            page.on("pageerror", lambda e: out["errors"].append(str(e)))
            page.on("request", lambda r: out["requests"].append(r.url))
            page.goto(url, wait_until="load")
            out["title"] = page.title()
            out["tables"] = page.locator("table").count()
            out["captions"] = page.locator("table caption").count()
            out["svgs"] = page.locator("svg[role=img]").count()
            box = page.locator("#ind-nonformal svg").bounding_box()
            out["chart_box"] = box
            out["cell"] = page.locator("#ind-nonformal-est-all-all td").nth(1).inner_text()
            out["findings"] = page.locator(".finding").count()
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{shot}-top.png"))
            page.locator("#ind-nonformal").screenshot(path=str(ARTIFACTS / f"{shot}-table1.png"))
            page.locator("#subgroups").screenshot(path=str(ARTIFACTS / f"{shot}-groups.png"))
            page.locator("#ind-nonformal details summary").click()
            out["group_rows_visible"] = page.locator(
                "#grp-nonformal-est-education-low"
            ).is_visible()
        finally:
            browser.close()
    return out


def test_report_in_chromium(rendered: ReportFiles) -> None:
    seen = _open(rendered.html, "report-nl")
    assert [c for c in seen["console"] if c[0] in ("error", "warning")] == []
    assert seen["errors"] == []
    assert seen["requests"] == [rendered.html.resolve().as_uri()]
    assert seen["title"] == "Monitor Leercultuur 2012\u20132022"
    assert seen["tables"] == seen["captions"] == 13
    assert seen["svgs"] == 9
    assert seen["chart_box"]["width"] > 400 and seen["chart_box"]["height"] > 150
    assert seen["cell"] == "52,0%*"
    assert seen["findings"] == 5
    assert seen["group_rows_visible"]
    assert (ARTIFACTS / "report-nl-top.png").stat().st_size > 10_000


def test_english_report_in_chromium(rendered_en: ReportFiles) -> None:
    seen = _open(rendered_en.html, "report-en")
    assert seen["errors"] == [] and [c for c in seen["console"] if c[0] == "error"] == []
    assert seen["requests"] == [rendered_en.html.resolve().as_uri()]
    assert seen["title"] == "Learning Culture Monitor 2012\u20132022"
    assert seen["cell"] == "52.0%*"
