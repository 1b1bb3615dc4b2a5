"""PDF of a self-contained HTML page, printed by headless Chromium.

Called from plain ``def`` routes (FastAPI's thread pool), never on the event loop. One print at a
time (the server has few cores); the browser gets no network (every host resolves to nothing)
and a throw-away profile directory.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from leercultuur.quickscan.errors import QuickscanError

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
_ONE_AT_A_TIME = threading.Semaphore(1)


class PdfUnavailable(QuickscanError):
    status_code = 503


def chromium_path() -> str | None:
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name) if "/" not in name else (name if Path(name).exists() else None)
        if found:
            return found
    return None


def html_to_pdf(html: str, *, timeout: float = 90.0) -> bytes:
    """Print ``html`` (which must not need the network) to PDF bytes (A4, no header/footer)."""
    browser = chromium_path()
    if browser is None:
        raise PdfUnavailable("PDF is not available on this server: Chromium is not installed")
    with _ONE_AT_A_TIME, tempfile.TemporaryDirectory(prefix="qs-pdf-") as tmp:
        page = Path(tmp) / "report.html"
        out = Path(tmp) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        cmd = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            "--print-to-pdf-no-header",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PdfUnavailable("making the PDF took too long; please try again") from None
        if not out.exists() or out.stat().st_size == 0:
            raise PdfUnavailable("the PDF could not be made; please try again later")
        return out.read_bytes()
