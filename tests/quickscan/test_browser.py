"""A real browser (Debian chromium, headless) through the questionnaire: CSP-clean, progress,
answers kept on reload, the code from the QR link's fragment, thanks page."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import Api, make_hr, make_settings, scan_body

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser


@pytest.fixture
def live_url(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian chromium (/usr/bin/chromium) is not installed")
    pytest.importorskip("playwright.sync_api")
    import uvicorn

    from leercultuur.quickscan import create_app
    from leercultuur.quickscan.manage import create_admin

    from .conftest import ADMIN

    settings = make_settings(f"sqlite:///{tmp_path / 'live.sqlite3'}", tmp_path)
    create_admin(settings, username=ADMIN[0], password=ADMIN[1])
    app = create_app(settings)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_questionnaire_in_a_real_browser(live_url: tuple[str, Any]) -> None:
    from playwright.sync_api import sync_playwright

    base, app = live_url
    admin = Api(app)
    from .conftest import ADMIN

    admin.login(*ADMIN)
    hr, _ = make_hr(admin, app, "Org", "hr@org.test")
    scan = hr.post("/scans", scan_body()).json()
    code = hr.post(f"/scans/{scan['id']}/codes", {"count": 1}).json()["codes"][0]["code"]
    path = f"/s/{scan['public_id']}"

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(f"{base}{path}?lang=en#code={code}")
        assert "This questionnaire is anonymous." in page.content()
        assert "#code" not in page.url  # the fragment is removed from the address bar
        page.get_by_role("link", name="Go to the questions").click()
        assert page.locator("#code").input_value() == code
        page.get_by_role("group", name="Is your work varied?").get_by_label("often").check()
        page.keyboard.press("Tab")
        assert page.locator("#progress-text").inner_text() == "1 / 16"
        page.reload()
        varied = page.get_by_role("group", name="Is your work varied?").get_by_label("often")
        assert varied.is_checked()  # kept on reload
        for fieldset in page.locator("fieldset.item").all():
            if not fieldset.locator("input:checked").count():
                fieldset.locator("input[type=radio]").first.check()
        assert page.locator("#progress-text").inner_text() == "16 / 16"
        page.get_by_role("button", name="Send").click()
        assert "Thank you! Your answers have been stored." in page.content()
        assert page.evaluate("Object.keys(localStorage).length") == 0
        browser.close()
    assert hr.get(f"/scans/{scan['id']}").json()["response_count"] == 1
    assert not [p for p in problems if re.search("Content Security Policy", p)], problems
