"""``leercultuur quickscan serve`` as a real process: workers, /healthz, the JSON access log
without personal data, a private SQLite file, links from the base URL, a clean stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from leercultuur.quickscan import Settings

from .conftest import SECRET, Api, make_settings

SRC = Path(__file__).resolve().parents[2] / "src"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(tmp_path: Path, *args: str, **env: str) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("QUICKSCAN_")}
    environ.update(
        QUICKSCAN_DATA_DIR=str(tmp_path),
        QUICKSCAN_ENVIRONMENT="production",
        QUICKSCAN_SECRET_KEY=SECRET,
        QUICKSCAN_BASE_URL="https://quickscan.example.nl",
        QUICKSCAN_ARGON2_TIME_COST="1",
        QUICKSCAN_ARGON2_MEMORY_KIB="1024",
        DATABASE_URL="",
        PYTHONPATH=str(SRC),
    )
    environ.update(env)
    code = "from leercultuur.cli import main; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "quickscan", "serve", "--port", str(port), *args],
        env=environ,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc, base
        except OSError:
            time.sleep(0.2)
        if proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError("server did not start: " + (proc.stderr.read() if proc.stderr else ""))


def _stop(proc: subprocess.Popen[str]) -> tuple[float, str]:
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return time.monotonic() - t0, err


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def _raw_status(base: str, header: bytes) -> int:
    """Send a GET with one extra header line over a raw socket; the status code (0: closed)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + header + b"\r\n\r\n")
        data = sock.recv(200)
    return int(data.split()[1]) if data.startswith(b"HTTP/1.1") else 0


def _raw_request(base: str, request_line: bytes) -> int:
    """Send a raw request line (any bytes); the status code (0: the server closed)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request_line + b"\r\nHost: x\r\n\r\n")
        data = sock.recv(200)
    return int(data.split()[1]) if data.startswith(b"HTTP/1.1") else 0


@pytest.mark.slow
def test_sqlite_serves_one_process_with_health_private_file_and_clean_log(tmp_path: Path) -> None:
    proc, base = _start(tmp_path, "--workers", "3")
    try:
        with urllib.request.urlopen(base + "/healthz") as r:
            assert json.loads(r.read()) == {"status": "ok"}
        secret_path = "/invite/SECRET-TOKEN-abc?code=ABCD-EFGH"
        assert _get(base + secret_path) == 403
        assert _get(base + "/s/PUBLICLINK123") == 404
        assert _raw_status(base, b"X-Big: " + b"a" * 100_000) == 431  # oversized header
        assert _raw_status(base, b"Cookie: " + b"qs_session=x; " * 2000) == 431
        # invalid UTF-8 through the real HTTP parser (httptools): a 4xx, never a 5xx
        assert _raw_status(base, b"X-Odd: \xff\xfe\xfd") == 200  # header bytes are opaque
        assert _raw_status(base, b"Cookie: qs_csrf=\xff\xfe; qs_session=\xc3\x28") == 200
        assert 400 <= _raw_request(base, b"GET /s/%ff%fe/questions?lang=%ff HTTP/1.1") < 500
        assert 400 <= _raw_request(base, b"GET /s/\xff\xfe/questions HTTP/1.1") < 500
        # a burst of requests, then SIGTERM: the server stops by itself, no SIGKILL needed
        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(lambda _: _get(base + "/healthz"), range(200)))
        assert set(statuses) == {200}
    finally:
        took, err = _stop(proc)
    # uvicorn re-raises SIGTERM after its graceful shutdown: -15 is the normal, clean end
    assert proc.returncode in (0, -signal.SIGTERM) and took < 15, (proc.returncode, took)
    assert "Finished server process" in err
    assert "event loop uvloop, HTTP parser httptools" in err  # both are in the web extra
    assert "--workers 3 ignored: with SQLite the Quickscan runs as one process" in err
    mode = stat.S_IMODE((tmp_path / "quickscan.sqlite3").stat().st_mode)
    assert mode == 0o600, oct(mode)
    lines = [json.loads(x) for x in err.splitlines() if x.startswith("{")]
    routes = {(x["method"], x["route"], x["status"]) for x in lines}
    assert ("GET", "/healthz", 200) in routes
    assert ("GET", "/invite/{token}", 403) in routes
    assert ("GET", "/s/{public_id}", 404) in routes
    assert all(set(x) == {"ts", "method", "route", "status", "ms", "bytes"} for x in lines)
    for needle in ["SECRET-TOKEN", "ABCD-EFGH", "PUBLICLINK", "127.0.0.1:"]:
        assert not any(needle in json.dumps(x) for x in lines), needle


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_serves_with_several_workers(pg_database: str, tmp_path: Path) -> None:
    proc, base = _start(tmp_path, "--workers", "2", DATABASE_URL=pg_database)
    try:
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda _: _get(base + "/healthz"), range(50)))
        assert set(statuses) == {200}
    finally:
        took, err = _stop(proc)
    assert "starting 2 worker processes" in err
    assert len({line for line in err.splitlines() if "Started server process" in line}) == 2
    assert took < 20


def test_links_come_from_the_base_url_not_the_host_header(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="QUICKSCAN_BASE_URL is needed in production"):
        Settings(environment="production", secret_key=SECRET, data_dir=tmp_path)
    from leercultuur.quickscan import create_app
    from leercultuur.quickscan.manage import create_admin

    from .conftest import ADMIN, make_hr, scan_body

    s = make_settings(
        f"sqlite:///{tmp_path / 'b.sqlite3'}", tmp_path, base_url="https://qs.example.nl"
    )
    create_admin(s, username=ADMIN[0], password=ADMIN[1])
    app = create_app(s)
    admin = Api(app)
    admin.login(*ADMIN)
    hr, org_id = make_hr(admin, app, "Org", "hr@org.test")
    scan = hr.post("/scans", scan_body(), headers={"Host": "evil.example"}).json()
    assert scan["questionnaire_url"].startswith("https://qs.example.nl/s/")
    inv = admin.post(f"/admin/organisations/{org_id}/invites", headers={"Host": "evil.example"})
    assert inv.json()["url"].startswith("https://qs.example.nl/invite/")


def test_healthz_says_503_when_the_database_is_gone(app: Any) -> None:
    anon = Api(app)
    assert anon.client.get("/healthz").json() == {"status": "ok"}
    app.state.engine.dispose()
    app.state.engine.url = app.state.engine.url.set(database="/nonexistent/dir/x.sqlite3")
    from sqlalchemy import create_engine

    app.state.engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    r = anon.client.get("/healthz")
    assert r.status_code == 503 and r.headers["retry-after"] == "5"
