"""The whole Quickscan in a real browser (Debian chromium, headless), as its users meet it.

The real server (``leercultuur quickscan serve``, SQLite in tmp) on a free loopback port; the
platform admin made with ``leercultuur quickscan create-admin`` and the benchmark edition loaded
with ``leercultuur quickscan load-benchmark``, as docs/quickscan.md says. Then, all in Dutch:
the admin creates the organisation and an invitation link; HR accepts it, logs in, creates a
scan with two teams, makes ten code letters and prints them (a PDF of the letters page: one
letter per page); ten employees answer on a phone (390x844, touch), each with a code letter's
QR link, one in English and one by keyboard only (Tab, Space, arrow keys, Enter: every answer
reachable and operable, focus visible, no pointer event at all); HR closes the scan and reads
the report: the benchmark's figures and the verdicts are shown, the suppressed team breakdown
says why. Every page: no console error, no failed request, no 4xx/5xx, nothing wider than a
phone. Screenshots of every step at 1366 and 390 px wide are kept in
tests/artifacts/quickscan-walkthrough/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import SECRET

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "quickscan-walkthrough"
BENCHMARK = (
    Path(__file__).resolve().parents[2] / "src/leercultuur/quickscan/data/benchmark-demo.json"
)
ADMIN = ("beheer@platform.test", "beheer-wachtwoord-123")
HR = ("p.dekker@delinde.test", "hr-wachtwoord-2026!")
ORG = "Zorggroep De Linde"
SCAN = "Medewerkersscan najaar 2026"
EMPLOYEES = 10
KEYBOARD_ONLY = 9  # the tenth employee uses the keyboard only
ENGLISH = 3  # the fourth switches the questionnaire to English
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def _cli() -> str:
    return str(Path(sys.executable).with_name("leercultuur"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """The real server as an operator starts it; the admin and the benchmark made by the CLI."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian chromium is not installed ({CHROMIUM})")
    pytest.importorskip("playwright.sync_api")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUICKSCAN_")}
    env.update(
        QUICKSCAN_ENVIRONMENT="test",
        QUICKSCAN_SECRET_KEY=SECRET,
        QUICKSCAN_DATA_DIR=str(tmp_path),
        QUICKSCAN_ARGON2_TIME_COST="1",
        QUICKSCAN_ARGON2_MEMORY_KIB="1024",
        DATABASE_URL="",
    )
    made = subprocess.run(
        [_cli(), "quickscan", "create-admin", "--username", ADMIN[0], "--password-stdin"],
        input=ADMIN[1] + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "platform admin" in made.stdout, made.stdout + made.stderr
    loaded = subprocess.run(
        [_cli(), "quickscan", "load-benchmark", str(BENCHMARK)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "benchmark edition" in loaded.stdout, loaded.stdout + loaded.stderr
    port = _free_port()
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen(
        [_cli(), "quickscan", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "the server did not start within 60 s"
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()
    server_log = (tmp_path / "server.log").read_text(errors="replace")
    assert "Traceback" not in server_log, server_log[-3000:]


class Watch:
    """Everything that goes wrong on any page: console errors, script errors, failed requests,
    answers >= 400, and pages wider than the window."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.problems: list[str] = []
        self.step = 0

    def attach(self, page: Any) -> Any:
        page.on(
            "console",
            lambda m: self.problems.append(f"console: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))
        page.on(
            "requestfailed",
            lambda r: self.problems.append(f"request failed: {r.url} {r.failure}"),
        )
        page.on(
            "response",
            lambda r: (
                self.problems.append(f"{r.status} for {r.request.method} {r.url}")
                if r.status >= 400
                else None
            ),
        )
        page.on(
            "request",
            lambda r: (
                self.problems.append(f"request outside the app: {r.url}")
                if not r.url.startswith((self.base, "data:"))
                else None
            ),
        )
        return page

    def shots(self, page: Any, name: str) -> None:
        """Screenshots at 1366 and 390 px wide (full page); the page must fit both."""
        self.step += 1
        size = page.viewport_size
        for vp in (DESKTOP, PHONE):
            page.set_viewport_size(vp)
            if not page.evaluate(NO_OVERFLOW):
                self.problems.append(f"{name}: wider than the window at {vp['width']} px")
            path = ARTIFACTS / f"{self.step:02d}-{name}-{vp['width']}.png"
            page.screenshot(path=str(path), full_page=True)
        page.set_viewport_size(size)


def _answer_by_touch(page: Any, number: int) -> None:
    """Tap one answer per question (the answers differ between employees)."""
    for q, fieldset in enumerate(page.locator("fieldset.item").all()):
        options = fieldset.locator("label.option")
        n = options.count()
        if fieldset.get_attribute("id") == "q-team":
            options.nth(0 if number < 6 else 1).tap()  # 6 in "Zorg", 4 in "Kantoor"
        else:
            options.nth((number + q) % n).tap()


def _focus_state(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => {
            const e = document.activeElement, s = getComputedStyle(e);
            return {tag: e.tagName, type: e.type || "", name: e.name || "", value: e.value || "",
                    checked: !!e.checked, visible: e.matches(":focus-visible"),
                    outline: s.outlineStyle, width: parseFloat(s.outlineWidth) || 0,
                    text: (e.textContent || "").trim()};
        }"""
    )


def _answer_by_keyboard(page: Any, watch: Watch) -> int:
    """Answer every question with Tab, Space and the arrow keys, then send with Enter. Every
    option of every question is visited (arrow keys) and must show its focus."""
    visited = 0
    fieldsets = page.locator("fieldset.item")
    names = [f.get_attribute("id").removeprefix("q-") for f in fieldsets.all()]
    for name in names:
        page.keyboard.press("Tab")
        state = _focus_state(page)
        assert state["tag"] == "INPUT" and state["type"] == "radio", state
        assert state["name"] == name, f"Tab went to {state['name']!r}, expected {name!r}"
        page.keyboard.press("Space")
        n = page.locator(f"input[name='{name}']").count()
        for k in range(n):
            state = _focus_state(page)
            assert state["checked"] and state["value"] == str(k + 1), (name, k, state)
            assert state["visible"] and state["outline"] != "none" and state["width"] >= 2, (
                f"no visible focus on answer {k + 1} of {name}: {state}"
            )
            visited += 1
            if name == "var_varied" and k == 1:
                watch.shots(page, "employee-keyboard-focus")
            if k < n - 1:
                page.keyboard.press("ArrowDown")
        for _ in range(n - 1 - (len(name) % n)):  # settle on an answer that differs per item
            page.keyboard.press("ArrowUp")
    page.keyboard.press("Tab")
    state = _focus_state(page)
    assert state["tag"] == "BUTTON" and state["visible"] and state["outline"] != "none", state
    assert page.evaluate("window.__pointer") == 0, "a pointer event happened"
    page.keyboard.press("Enter")
    return visited


def test_the_whole_quickscan_in_a_browser(server: str) -> None:
    from playwright.sync_api import sync_playwright

    base = server
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    watch = Watch(base)
    t0 = time.monotonic()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        office = browser.new_context(viewport=DESKTOP, locale="nl-NL")
        page = watch.attach(office.new_page())

        # 1. The platform admin: organisation and invitation link.
        page.goto(f"{base}/login?lang=nl")
        page.get_by_label("Gebruikersnaam").fill(ADMIN[0])
        page.get_by_label("Wachtwoord").fill(ADMIN[1])
        watch.shots(page, "admin-login")
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_url(f"{base}/admin")
        page.get_by_label("Naam").fill(ORG)
        page.get_by_role("button", name="Aanmaken").click()
        page.wait_for_url(f"{base}/admin")
        watch.shots(page, "admin-organisations")
        page.get_by_role("row", name=ORG).get_by_role("button").click()
        invite = page.locator("input[readonly]").input_value()
        assert invite.startswith(f"{base}/invite/"), invite
        assert page.locator("h1").inner_text() == f"Uitnodiging voor {ORG}"
        watch.shots(page, "admin-invitation-link")
        page.get_by_role("button", name="Uitloggen").click()
        page.wait_for_url(f"{base}/login")

        # 2. HR accepts the invitation and logs in.
        page.goto(invite)
        page.get_by_label("Gebruikersnaam").fill(HR[0])
        page.get_by_label("Wachtwoord").fill(HR[1])
        watch.shots(page, "hr-accept-invitation")
        page.get_by_role("button", name="Opslaan").click()
        watch.shots(page, "hr-account-ready")
        page.get_by_role("link", name="Inloggen").click()
        page.get_by_label("Gebruikersnaam").fill(HR[0])
        page.get_by_label("Wachtwoord").fill(HR[1])
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_url(f"{base}/scans")

        # 3. A new scan: 12 employees, two teams, codes only (no open link).
        page.get_by_label("Naam", exact=True).fill(SCAN)
        sector = page.get_by_label("Sector")
        assert "Q – Gezondheids- en welzijnszorg" in sector.inner_text()  # names, not letters
        sector.select_option("Q")
        page.get_by_label("Grootteklasse").select_option("10-49")
        page.get_by_label("Aantal medewerkers (dat").fill("12")
        page.get_by_label("English").check()
        page.get_by_label("Teams").fill("Zorg\nKantoor")
        page.get_by_label("Open link").uncheck()
        watch.shots(page, "hr-new-scan")
        page.get_by_role("button", name="Scan aanmaken").click()
        page.wait_for_url(re.compile(rf"{base}/scans/\d+$"))
        scan_url = page.url
        assert "0 van 12" in page.locator("dd[role=status]").inner_text()
        watch.shots(page, "hr-scan-open")

        # 4. Ten code letters, printed.
        page.get_by_label("Aantal codes").fill(str(EMPLOYEES))
        page.get_by_role("button", name="Codebrieven maken").click()
        letters = page.locator("section.letter")
        assert letters.count() == EMPLOYEES
        codes = [c.strip() for c in page.locator("section.letter .code").all_inner_texts()]
        assert len(set(codes)) == EMPLOYEES
        assert all(re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){6}", c) for c in codes), codes
        questionnaire = page.locator("section.letter strong").first.inner_text()
        assert re.fullmatch(rf"{base}/s/[\w-]+", questionnaire), questionnaire
        watch.shots(page, "hr-code-letters")
        page.emulate_media(media="print")
        assert not page.locator(".top").is_visible()  # the header is not printed
        pdf = page.pdf(path=str(ARTIFACTS / "code-letters.pdf"), format="A4")
        pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
        assert pages == EMPLOYEES, f"{pages} printed pages for {EMPLOYEES} letters"
        page.emulate_media(media="screen")

        # 5. Ten employees on their phones, each with their letter's QR link.
        phone_args = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
        for number, code in enumerate(codes):
            phone = browser.new_context(locale="nl-NL", **phone_args)
            first = number == 0
            if number == KEYBOARD_ONLY:  # record every pointer event: there must be none
                phone.add_init_script(
                    "window.__pointer = 0; ['pointerdown', 'mousedown', 'touchstart']"
                    ".forEach(t => addEventListener(t, () => { window.__pointer++; }, true));"
                )
            emp = watch.attach(phone.new_page())
            emp.goto(f"{questionnaire}#code={code}")
            assert "anoniem" in emp.content()
            if first:
                watch.shots(emp, "employee-privacy")
            if number == ENGLISH:
                emp.get_by_role("link", name="English").tap()
                emp.wait_for_url(re.compile(r"lang=en"))
                assert "anonymous" in emp.locator("main").inner_text()
            if number == KEYBOARD_ONLY:
                for _ in range(40):
                    emp.keyboard.press("Tab")
                    state = _focus_state(emp)
                    if state["tag"] == "A" and "vragen" in state["text"]:
                        break
                else:
                    pytest.fail("the link to the questions cannot be reached by keyboard")
                assert state["visible"] and state["outline"] != "none", state
                assert emp.evaluate("window.__pointer") == 0, "a pointer event happened"
                emp.keyboard.press("Enter")
            else:
                start = emp.locator("a.button")
                box = start.bounding_box()
                assert box and box["height"] >= 44, f"the start button is {box} (tap target)"
                start.tap()
            emp.wait_for_url(re.compile(r"/questions"))
            assert emp.locator("#code").input_value() == code  # filled in from the QR link
            fits = "(e => e.scrollWidth <= e.clientWidth)(document.getElementById('code'))"
            assert emp.evaluate(fits), "the code does not fit its field"
            if first:
                watch.shots(emp, "employee-questions")
                small = emp.evaluate(
                    """() => [...document.querySelectorAll('label.option, button')]
                        .filter(e => e.getBoundingClientRect().height < 44)
                        .map(e => e.textContent.trim())"""
                )
                assert not small, f"tap targets lower than 44 px: {small}"
            if number == KEYBOARD_ONLY:
                emp.locator("#code").focus()  # where Tab from the code field starts
                visited = _answer_by_keyboard(emp, watch)
                assert visited >= 40, visited
            else:
                _answer_by_touch(emp, number)
                assert emp.locator("#progress-text").inner_text() == "16 / 16"
                if first:
                    watch.shots(emp, "employee-answered")
                emp.locator("button[type=submit]").tap()
            thanks = emp.locator("#done")
            thanks.wait_for()
            expected = "Thank you" if number == ENGLISH else "Dank u wel"
            assert expected in thanks.inner_text(), thanks.inner_text()
            if first or number == KEYBOARD_ONLY:
                who = "keyboard" if number == KEYBOARD_ONLY else "touch"
                watch.shots(emp, f"employee-thanks-{who}")
            phone.close()

        # 6. HR closes the scan.
        page.goto(scan_url)
        assert "10 van 12" in page.locator("dd[role=status]").inner_text()
        watch.shots(page, "hr-scan-ten-answers")
        page.get_by_role("link", name="Scan nu sluiten").click()
        watch.shots(page, "hr-close-confirm")
        page.get_by_label("Ja, sluit deze scan").check()
        page.get_by_role("button", name="Scan sluiten").click()
        page.wait_for_url(scan_url)
        assert "Gesloten" in page.locator(".facts").inner_text()
        watch.shots(page, "hr-scan-closed")

        # 7. The report with the benchmark.
        page.get_by_role("link", name="Rapport openen").click()
        page.wait_for_url(f"{scan_url}/report")
        assert page.locator(".demo").is_visible()  # the demo benchmark says so
        facts = page.locator("header .facts").inner_text()
        assert "10 van 12" in facts and "Vergelijkingscijfer" in facts, facts
        # the columns: indicator | organisation | benchmark | difference | what this means
        head = page.locator("table.figures").first.locator("thead th").all_inner_texts()
        assert head[2].startswith("Vergelijkingscijfer"), head
        bench = page.locator("table.figures tbody td:nth-of-type(2) strong")
        assert bench.count() >= 8
        assert all(re.search(r"\d", t) for t in bench.all_inner_texts()), bench.all_inner_texts()
        verdicts = page.locator(".verdicts .verdict")
        assert verdicts.count() >= 4 and all(v.is_visible() for v in verdicts.all())
        labels = set(verdicts.all_inner_texts())
        assert labels and all(re.search(r"[a-z]{4}", t) for t in labels), labels
        suppressed = page.locator("td.suppressed")
        assert suppressed.count() >= 2, "the team breakdown (6 and 4 answers) must be suppressed"
        reasons = suppressed.all_inner_texts()
        assert all(len(t) > 20 for t in reasons), reasons
        for cell in suppressed.all():  # on a phone a cell's data-label is shown before it
            label = cell.get_attribute("data-label")
            assert not label or not cell.inner_text().startswith(label), "said twice"
        assert "Zorg" in page.locator("table.groups").first.inner_text()
        watch.shots(page, "hr-report")
        browser.close()

    seconds = time.monotonic() - t0
    assert not watch.problems, "\n".join(watch.problems)
    shots = sorted(ARTIFACTS.glob("*.png"))
    assert len(shots) == 2 * watch.step and all(p.stat().st_size > 5_000 for p in shots)
    print(f"walk-through: {watch.step} steps, {len(shots)} screenshots, {seconds:.1f} s")
