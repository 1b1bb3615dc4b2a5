"""Shared parts of the load proofs in tests/load (issue 17, item 4); not a pytest module.

Reuses the helpers of benchmarks/bench_quickscan_load.py (fresh database, scan set-up, HTTP
client) and adds a server that can be killed with SIGKILL and restarted on the same database.
Everything runs on loopback; every wait is bounded.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_quickscan_load as bq  # noqa: E402

SECRET = bq.SECRET
ANSWERS = bq.ANSWERS
COOKIE = bq.COOKIE
fresh_database = bq.fresh_database
make_scan = bq.make_scan
client = bq._client
pct = bq._pct


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


@dataclass
class Server:
    """``leercultuur quickscan serve`` in a subprocess; start/kill/restart on one database."""

    url: str
    data_dir: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @classmethod
    def prepare(cls, url: str) -> Server:
        from pydantic import SecretStr

        from leercultuur.quickscan import Settings
        from leercultuur.quickscan.manage import create_admin

        data_dir = Path(tempfile.mkdtemp(prefix="qs-load-"))
        settings = Settings(
            environment="test", secret_key=SecretStr(SECRET), database_url=url, data_dir=data_dir
        )
        create_admin(settings, username=bq.ADMIN[0], password=bq.ADMIN[1])
        return cls(url=url, data_dir=data_dir, port=free_port())

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def secret(self) -> bytes:
        return SECRET.encode()

    def start(self, timeout_s: float = 60.0) -> None:
        env = {
            **os.environ,
            "QUICKSCAN_ENVIRONMENT": "test",
            "QUICKSCAN_SECRET_KEY": SECRET,
            "DATABASE_URL": self.url,
            "QUICKSCAN_DATA_DIR": str(self.data_dir),
            # every simulated respondent comes from 127.0.0.1: lift the per-address limits on
            # answers for these runs only (the login limits stay at their defaults: the login
            # burst measures them)
            "QUICKSCAN_OPEN_LINK_ADDRESS_MAX": "100000000",
            "QUICKSCAN_CODE_ADDRESS_MAX": "100000000",
        }
        cli = Path(sys.executable).with_name("leercultuur")
        with (self.data_dir / "server.log").open("ab") as log:
            self.proc = subprocess.Popen(
                [str(cli), "quickscan", "serve", "--port", str(self.port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if httpx.get(self.base + "/login", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"server did not start; log: {self.data_dir / 'server.log'}")

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


async def json_submit(
    c: httpx.AsyncClient, base: str, public_id: str, submission_id: str
) -> httpx.Response:
    """GET the questionnaire through the API (for the CSRF cookie), then POST a full answer."""
    r = await c.get(f"{base}/api/v1/s/{public_id}")
    r.raise_for_status()
    m = COOKIE.search(r.headers.get("set-cookie", ""))
    if m is None:
        raise httpx.HTTPError("no CSRF cookie")
    headers = {"Cookie": f"qs_csrf={m.group(1)}", "X-CSRF-Token": m.group(1)}
    body = {"submission_id": submission_id, "answers": ANSWERS}
    return await c.post(f"{base}/api/v1/s/{public_id}/responses", json=body, headers=headers)


def new_submission_id() -> str:
    return secrets.token_urlsafe(24)
