"""Open-loop load on the real Quickscan server (issue 15; the full load proof is issue 17).

Starts ``leercultuur quickscan serve`` in a subprocess on a fresh database (a SQLite file, or a
new database in the PostgreSQL server of ``--pg``), makes an open-link scan, then lets
respondents arrive at a fixed rate (open loop: a new one every 1/rate s, whether or not the
earlier ones are answered). Each respondent GETs the questionnaire and POSTs a complete answer
(``--path html``: the form page and form post; ``--path json``: the API). Per rate it prints the
throughput of stored answers, p50/p95/p99 of the requests (GET and POST) and of the POST alone,
the counts of errors (no answer), 5xx and 503; then the time for 100 simultaneous submissions.

    .venv/bin/python benchmarks/bench_quickscan_load.py --rates 20,50,100 --duration 20
    .venv/bin/python benchmarks/bench_quickscan_load.py --find-max --path html
    .venv/bin/python benchmarks/bench_quickscan_load.py --find-max \\
        --pg postgresql+psycopg://postgres@127.0.0.1:54330/postgres

``--find-max`` raises the rate (``--rates`` as the ladder) until p95 of the requests reaches
``--p95-ms`` (300) or a request fails, and reports the highest rate that stayed under it.
The load generator runs on the same machine as the server (as on the 2-core test machine).
"""

from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import rawhttp

SECRET = "bench-secret-" + "x" * 40
ADMIN = ("admin@bench.test", "admin-password-123")
HR = ("hr@bench.test", "hr-password-12345")
ANSWERS = {
    "course_2y": 1,
    "learn_tasks": 1,
    "learn_people": 2,
    "var_varied": 3,
    "var_learn_new": 4,
    "var_creative": 2,
    "aut_how": 1,
    "aut_order": 2,
    "aut_pace": 3,
    "aut_solutions": 1,
    "aut_leave": 2,
    "sup_development": 3,
    "age_class": 5,
}
FIELD = re.compile(r'name="(submission_id|lang|csrf_token)" value="([^"]+)"')
COOKIE = re.compile(r"qs_csrf=([^;]+)")
TIMEOUT_S = 30.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fresh_database(pg: str | None) -> Iterator[str]:
    """A SQLite file in a temporary directory, or a new PostgreSQL database (dropped after)."""
    if not pg:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"qs_bench_{secrets.token_hex(4)}"
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            out += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its live descendants (the workers of
    ``serve --workers N``), from Linux /proc (0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(child) for child in _children(pid))


@contextmanager
def server(url: str, extra_env: dict[str, str], workers: int = 1) -> Iterator[tuple[str, int]]:
    """The real server (default settings) on a free loopback port; yields (base URL, pid)."""
    from pydantic import SecretStr

    from leercultuur.quickscan import Settings
    from leercultuur.quickscan.manage import create_admin

    data_dir = Path(tempfile.mkdtemp(prefix="qs-bench-"))
    env = {
        **os.environ,
        "QUICKSCAN_ENVIRONMENT": "test",
        "QUICKSCAN_SECRET_KEY": SECRET,
        "DATABASE_URL": url,
        "QUICKSCAN_DATA_DIR": str(data_dir),
        # Every simulated respondent comes from 127.0.0.1: lift the per-address limits (issue
        # 17) for this run only; the defaults stay as they are.
        "QUICKSCAN_OPEN_LINK_ADDRESS_MAX": "100000000",
        "QUICKSCAN_CODE_ADDRESS_MAX": "100000000",
        "QUICKSCAN_LOGIN_ADDRESS_MAX": "100000000",
        **extra_env,
    }
    settings = Settings(
        environment="test", secret_key=SecretStr(SECRET), database_url=url, data_dir=data_dir
    )
    create_admin(settings, username=ADMIN[0], password=ADMIN[1])
    port = _free_port()
    cli = Path(sys.executable).with_name("leercultuur")
    log = (data_dir / "server.log").open("wb")
    proc = subprocess.Popen(
        [str(cli), "quickscan", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise SystemExit(f"server did not start; log: {data_dir / 'server.log'}")
        yield base, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def make_scan(base: str) -> str:
    """An HR account and an open-link scan through the API; returns the scan's public id."""
    c = httpx.Client(base_url=base + "/api/v1", timeout=TIMEOUT_S)

    def post(path: str, body: Any, csrf: str) -> Any:
        r = c.post(path, json=body, headers={"X-CSRF-Token": csrf})
        r.raise_for_status()
        return r.json()

    csrf = c.get("/csrf").json()["csrf_token"]
    csrf = post("/auth/login", {"username": ADMIN[0], "password": ADMIN[1]}, csrf)["csrf_token"]
    org = post("/admin/organisations", {"name": "Benchmark"}, csrf)
    token = post(f"/admin/organisations/{org['id']}/invites", None, csrf)["token"]
    c.cookies.clear()
    csrf = c.get("/csrf").json()["csrf_token"]
    post("/auth/accept-invite", {"token": token, "username": HR[0], "password": HR[1]}, csrf)
    csrf = post("/auth/login", {"username": HR[0], "password": HR[1]}, csrf)["csrf_token"]
    scan = {
        "name": "Load",
        "sector": "Q",
        "size_class": "250+",
        "headcount": 1_000_000,
        "languages": ["nl", "en"],
        "closes_on": (date.today() + timedelta(days=30)).isoformat(),
        "open_link": True,
    }
    public_id: str = post("/scans", scan, csrf)["public_id"]
    c.close()
    return public_id


class Refused(httpx.HTTPError):
    """The questionnaire page was refused (503 when shedding load): no POST follows."""

    def __init__(self, response: Any) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)  # every request
    posts: list[float] = field(default_factory=list)
    stored: int = 0
    errors: int = 0  # no answer (timeout, connection refused/reset)
    status_5xx: int = 0
    status_503: int = 0
    other: int = 0  # any other unexpected status
    no_retry_after: int = 0  # 503/429 answers without a Retry-After header


CLIENT = {"kind": "raw"}  # "raw": rawhttp.Client (cheap); "httpx": the earlier client


def _client() -> Any:
    """The load generator's HTTP client: keep-alive connections, no cookie jar."""
    if CLIENT["kind"] == "raw":
        return rawhttp.Client(timeout=TIMEOUT_S, max_idle=500)
    no_cookies = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    limits = httpx.Limits(max_connections=2000, max_keepalive_connections=200)
    return httpx.AsyncClient(timeout=TIMEOUT_S, limits=limits, cookies=no_cookies)


async def _prepare(c: Any, base: str, pid: str, path: str, run: Run | None) -> Any:
    """GET the questionnaire; returns what the POST needs (form or headers/body).

    For the burst (run None) the connection is closed after the GET: the server drops idle
    keep-alive connections after 5 s, and a POST sent just then would fail in the client."""
    t = time.perf_counter()
    url = f"{base}/s/{pid}/questions" if path == "html" else f"{base}/api/v1/s/{pid}"
    r = await c.get(url, headers={"Connection": "close"} if run is None else None)
    if run is not None:
        run.latencies.append(time.perf_counter() - t)
    if r.status_code >= 400 and run is not None:
        raise Refused(r)  # a shed page (503) is an answer, counted as such, not an error
    r.raise_for_status()
    csrf = COOKIE.search(r.headers.get("set-cookie", ""))
    assert csrf is not None
    cookie = {"Cookie": f"qs_csrf={csrf.group(1)}"}
    if path == "html":
        form = {**dict(FIELD.findall(r.text)), **{k: str(v) for k, v in ANSWERS.items()}}
        return cookie, form
    body = {"submission_id": secrets.token_urlsafe(24), "answers": ANSWERS}
    return {**cookie, "X-CSRF-Token": csrf.group(1)}, body


async def _submit(c: Any, base: str, pid: str, path: str, prepared: Any) -> Any:
    headers, payload = prepared
    if path == "html":
        return await c.post(f"{base}/s/{pid}/questions", data=payload, headers=headers)
    return await c.post(f"{base}/api/v1/s/{pid}/responses", json=payload, headers=headers)


def _count(run: Run, r: Any) -> None:
    if r is None:
        run.errors += 1
    elif r.status_code in (200, 201):
        run.stored += 1
    elif r.status_code == 503:
        run.status_503 += 1
        run.status_5xx += 1
        run.no_retry_after += "retry-after" not in r.headers
    elif r.status_code >= 500:
        run.status_5xx += 1
    else:
        run.other += 1


async def respondent(c: Any, base: str, pid: str, path: str, run: Run) -> None:
    try:
        prepared = await _prepare(c, base, pid, path, run)
        t = time.perf_counter()
        r = await _submit(c, base, pid, path, prepared)
        run.posts.append(time.perf_counter() - t)
        run.latencies.append(run.posts[-1])
    except Refused as exc:
        _count(run, exc.response)
        return
    except (httpx.HTTPError, AssertionError):
        _count(run, None)
        return
    _count(run, r)


async def open_loop(
    base: str, pid: str, path: str, rate: float, duration: float
) -> tuple[Run, float]:
    """Respondents arrive every 1/rate s for ``duration`` s; waits for all to finish."""
    run = Run()
    async with _client() as c:
        tasks = []
        start = time.perf_counter()
        n = int(rate * duration)
        for i in range(n):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(respondent(c, base, pid, path, run)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    return run, elapsed


async def burst(base: str, pid: str, path: str, n: int) -> tuple[Run, float]:
    """n respondents fetch the form first, then all submit at one moment."""
    run = Run()
    async with _client() as c:
        sem = asyncio.Semaphore(20)

        async def prep() -> Any:
            async with sem:
                return await _prepare(c, base, pid, path, None)

        prepared = await asyncio.gather(*(prep() for _ in range(n)))

        async def one(p: Any) -> None:
            t = time.perf_counter()
            try:
                r = await _submit(c, base, pid, path, p)
            except httpx.HTTPError:
                _count(run, None)
                return
            run.posts.append(time.perf_counter() - t)
            _count(run, r)

        start = time.perf_counter()
        await asyncio.gather(*(one(p) for p in prepared))
        return run, time.perf_counter() - start


def _pct(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def report(rate: float, run: Run, elapsed: float, cpu: float, gen_cpu: float = 0.0) -> str:
    """One line per rate. ``cpu``: the server's CPU seconds (all its processes) in the run;
    ``gen_cpu``: the load generator's own CPU seconds in it."""
    lat, post = run.latencies, run.posts
    per = cpu / run.stored * 1000 if run.stored else float("nan")
    per_req = cpu / len(lat) * 1000 if lat else float("nan")  # GETs and POSTs answered
    return (
        f"rate {rate:6.1f}/s  stored {run.stored:5d} ({run.stored / elapsed:6.1f}/s)  "
        f"requests p50/p95/p99 {_pct(lat, 50):6.0f}/{_pct(lat, 95):6.0f}/{_pct(lat, 99):6.0f} ms  "
        f"POST p50/p95/p99 {_pct(post, 50):6.0f}/{_pct(post, 95):6.0f}/{_pct(post, 99):6.0f} ms  "
        f"errors {run.errors}  5xx {run.status_5xx}  503 {run.status_503}  other {run.other}  "
        f"server CPU {per:.1f} ms per answer ({per_req:.1f} per request, "
        f"{cpu / elapsed * 100:.0f}% of a core)  load generator CPU {gen_cpu / elapsed * 100:.0f}%"
        f" of a core  no Retry-After {run.no_retry_after}  load average {load_average()}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--pg", help="PostgreSQL server URL (a fresh database is made in it)")
    ap.add_argument("--path", choices=["html", "json"], default="html")
    ap.add_argument("--rates", default="10,20,30,50,75,100,125,150,200,250,300")
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of arrivals per rate")
    ap.add_argument("--find-max", action="store_true")
    ap.add_argument("--p95-ms", type=float, default=300.0)
    ap.add_argument("--burst", type=int, default=100, help="simultaneous submissions (0: skip)")
    ap.add_argument("--pause", type=float, default=3.0, help="seconds of rest between rates")
    ap.add_argument(
        "--workers", type=int, default=1, help="server processes (serve --workers; PostgreSQL)"
    )
    ap.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="load generator's HTTP client: raw asyncio keep-alive (default) or httpx",
    )
    args = ap.parse_args()
    CLIENT["kind"] = args.client
    rates = [float(r) for r in args.rates.split(",")]
    db = "PostgreSQL" if args.pg else "SQLite"
    with (
        fresh_database(args.pg) as url,
        server(url, {}, workers=args.workers) as (base, server_pid),
    ):
        scan = make_scan(base)
        print(
            f"{db}, path {args.path}, {args.duration:.0f} s per rate, server {base} "
            f"(--workers {args.workers}), client {args.client}, load average {load_average()}"
        )
        best = None
        for rate in rates:
            cpu0, gen0 = cpu_seconds(server_pid), time.process_time()
            run, elapsed = asyncio.run(open_loop(base, scan, args.path, rate, args.duration))
            cpu, gen = cpu_seconds(server_pid) - cpu0, time.process_time() - gen0
            print(report(rate, run, elapsed, cpu, gen), flush=True)
            ok = (
                _pct(run.latencies, 95) < args.p95_ms
                and run.errors + run.status_5xx + run.other == 0
            )
            if ok:
                best = rate
            elif args.find_max:
                break
            time.sleep(args.pause)
        if args.find_max:
            print(f"highest rate with p95 < {args.p95_ms:.0f} ms and no failure: {best}/s")
        if args.burst:
            run, took = asyncio.run(burst(base, scan, args.path, args.burst))
            print(
                f"{args.burst} simultaneous submissions: all answered in {took:.2f} s; "
                f"stored {run.stored}, POST p50/p95 {_pct(run.posts, 50):.0f}/"
                f"{_pct(run.posts, 95):.0f} ms, errors {run.errors}, 5xx {run.status_5xx}"
            )


if __name__ == "__main__":
    main()
