"""The organisation's report in a real browser (Debian chromium, headless).

No console errors and no request outside the app (the downloaded file: none at all); usable by
keyboard; the PDF is printed by the app and rendered by pdftoppm. Screenshots at 1366 and 390 px
and the PDF pages are kept under tests/artifacts/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import ADMIN, PASSWORD, Api, make_hr, scan_body
from .report_setup import closed_scan_with_answers
from .test_browser import CHROMIUM, live_url  # noqa: F401  (the live server fixture)

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def _watch(page: Any, base: str, problems: list[str], outside: list[str]) -> None:
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not (r.url.startswith(base) or r.url.startswith("data:"))
            else None
        ),
    )


def test_report_in_a_real_browser(live_url: tuple[str, Any], tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import sync_playwright

    base, app = live_url
    admin = Api(app)
    admin.login(*ADMIN)
    hr, _ = make_hr(admin, app, "Werkplaats De Vijl", "hr@vijl.test")
    body = scan_body(headcount=14, min_group_size=5, teams=["Werkplaats", "Kantoor"])
    scan = closed_scan_with_answers(app, hr, body, 12)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        problems: list[str] = []
        outside: list[str] = []
        _watch(page, base, problems, outside)
        # log in by keyboard only
        page.goto(f"{base}/login?lang=en")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        page.locator("#username").focus()
        page.keyboard.type("hr@vijl.test")
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/scans")
        page.get_by_role("link", name="Open the report").first.click()
        page.wait_for_url(f"{base}/scans/{scan['id']}/report")
        assert page.locator("svg.profile-wide").is_visible()
        assert page.locator(".demo").is_visible()
        page.screenshot(path=str(ARTIFACTS / "qs-report-1366.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.locator("svg.profile-narrow").is_visible()
        assert not page.locator("svg.profile-wide").is_visible()
        no_overflow = "document.documentElement.scrollWidth <= window.innerWidth + 1"
        assert page.evaluate(no_overflow), "the report is wider than a phone"
        page.screenshot(path=str(ARTIFACTS / "qs-report-390.png"), full_page=True)
        page.goto(f"{base}/scans/{scan['id']}/report?lang=nl")
        assert "Leercultuur" in page.locator("h1").inner_text()
        page.screenshot(path=str(ARTIFACTS / "qs-report-390-nl.png"), full_page=True)
        page.goto(f"{base}/scans")
        assert page.evaluate(no_overflow), "the scan list is wider than a phone"
        page.screenshot(path=str(ARTIFACTS / "qs-scans-390.png"), full_page=True)

        # the downloads
        pdf = page.request.get(f"{base}/scans/{scan['id']}/report.pdf?lang=en")
        assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
        (ARTIFACTS / "qs-report.pdf").write_bytes(pdf.body())
        html = page.request.get(f"{base}/scans/{scan['id']}/report.html?lang=en")
        assert html.status == 200
        saved = tmp_path / "report.html"
        saved.write_bytes(html.body())
        assert not problems, problems
        assert not outside, outside

        offline = browser.new_page(viewport={"width": 1366, "height": 900})
        file_problems: list[str] = []
        file_requests: list[str] = []
        offline.on("console", lambda m: file_problems.append(m.text) if m.type == "error" else None)
        offline.on("request", lambda r: file_requests.append(r.url))
        offline.goto(saved.as_uri())
        assert offline.locator("svg.profile-wide").is_visible()
        assert file_requests == [saved.as_uri()], file_requests
        assert not file_problems, file_problems
        browser.close()

    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed: the PDF was not rendered")
    out = ARTIFACTS / "qs-report-pdf"
    for old in ARTIFACTS.glob("qs-report-pdf-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", str(ARTIFACTS / "qs-report.pdf"), str(out)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    pages = sorted(ARTIFACTS.glob("qs-report-pdf-*.png"))
    assert 1 <= len(pages) <= 30
    assert all(p.stat().st_size > 3_000 for p in pages)
    if len(pages) > 1 and shutil.which("pdftotext"):
        # the demo benchmark is named on every page, not only under the title
        text = subprocess.run(
            ["pdftotext", "-layout", str(ARTIFACTS / "qs-report.pdf"), "-"],
            check=True, capture_output=True, text=True, timeout=60,
        ).stdout  # fmt: skip
        per_page = text.split("\f")[: len(pages)]
        assert all("the benchmark in this report is made up" in p for p in per_page), [
            i + 1 for i, p in enumerate(per_page) if "made up" not in p
        ]


def test_hr_pages_on_a_phone_by_keyboard(live_url: tuple[str, Any]) -> None:  # noqa: F811
    from playwright.sync_api import sync_playwright

    base, app = live_url
    admin = Api(app)
    admin.login(*ADMIN)
    hr, _ = make_hr(admin, app, "Kapsalon Els", "hr@els.test")
    scan = closed_scan_with_answers(app, hr, scan_body(headcount=9), 3, close=False)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 390, "height": 844})
        problems: list[str] = []
        outside: list[str] = []
        _watch(page, base, problems, outside)
        page.goto(f"{base}/login?lang=nl")
        page.get_by_label("Gebruikersnaam").fill("hr@els.test")
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/scans")
        no_overflow = "document.documentElement.scrollWidth <= window.innerWidth + 1"
        assert page.evaluate(no_overflow)
        assert "3 van 9" in page.content()
        page.screenshot(path=str(ARTIFACTS / "qs-hr-scans-390-nl.png"), full_page=True)
        page.get_by_role("link", name="Voorjaar 2026").click()
        assert page.evaluate(no_overflow)
        page.screenshot(path=str(ARTIFACTS / "qs-hr-scan-390-nl.png"), full_page=True)
        # keyboard only: tab to "close now", confirm with space and enter
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == "Scan nu sluiten":
                break
        else:
            pytest.fail("the close link cannot be reached by keyboard")
        focus = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert focus != "none", "no visible focus"
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/scans/{scan['id']}/close")
        page.locator("input[name=confirm]").focus()
        page.keyboard.press("Space")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/scans/{scan['id']}")
        text = page.content()
        assert "Gesloten" in text and "Codebrieven maken" not in text
        assert page.evaluate(no_overflow), "the closed scan's page is wider than a phone"
        page.screenshot(path=str(ARTIFACTS / "qs-hr-closed-390-nl.png"), full_page=True)
        assert not problems, problems
        assert not outside, outside
        browser.close()
