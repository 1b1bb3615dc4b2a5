"""Login-burst proof (issue 17, item 4): wrong-password floods do not starve respondents.

Starts the real server on a fresh database, lets respondents arrive at ``--rate`` per second
(open loop, HTML form: GET the questionnaire, POST a complete answer), and after ``--warmup``
seconds sends ``--attempts`` wrong-password logins spread evenly over ``--burst`` seconds
(JSON API, ``--names`` different usernames, the real HR and admin names among them). Prints the
respondents' request p50/p95 before, during and after the burst, the statuses of the login
attempts (429 = rate limit), and how long after the burst's last attempt a questionnaire page
and the login page answer. Targets (issue 17): respondents' p95 < 1 s during the burst, normal
answers within 1 s after it. Exits 1 when a target is missed or a request fails with a 5xx.

    .venv/bin/python tests/load/run_login_burst.py
    .venv/bin/python tests/load/run_login_burst.py --pg postgresql+psycopg://postgres@127.0.0.1:54330/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadkit
from loadkit import bq


@dataclass
class Log:
    requests: list[tuple[float, float]] = field(default_factory=list)  # (start, seconds)
    respondent_status: dict[str, int] = field(default_factory=dict)
    login_status: dict[str, int] = field(default_factory=dict)
    login_latency: list[float] = field(default_factory=list)


def _tally(d: dict[str, int], key: str) -> None:
    d[key] = d.get(key, 0) + 1


async def respondent(c: httpx.AsyncClient, base: str, pid: str, t0: float, log: Log) -> None:
    try:
        run = bq.Run()
        s = time.perf_counter()
        prepared = await bq._prepare(c, base, pid, "html", run)
        log.requests.append((s - t0, run.latencies[-1]))
        s = time.perf_counter()
        r = await bq._submit(c, base, pid, "html", prepared)
        log.requests.append((s - t0, time.perf_counter() - s))
        _tally(log.respondent_status, str(r.status_code))
    except (httpx.HTTPError, AssertionError) as exc:
        _tally(log.respondent_status, type(exc).__name__)


async def wrong_login(
    c: httpx.AsyncClient, base: str, csrf: str, name: str, log: Log, address: str | None = None
) -> None:
    headers = {"Cookie": f"qs_csrf={csrf}", "X-CSRF-Token": csrf}
    if address:  # the server trusts X-Forwarded-For from 127.0.0.1 (its default proxy)
        headers["X-Forwarded-For"] = address
    body = {"username": name, "password": "wrong-password-123"}
    s = time.perf_counter()
    try:
        r = await c.post(f"{base}/api/v1/auth/login", json=body, headers=headers)
        _tally(log.login_status, str(r.status_code))
    except httpx.HTTPError as exc:
        _tally(log.login_status, type(exc).__name__)
    log.login_latency.append(time.perf_counter() - s)


async def first_normal(c: httpx.AsyncClient, url: str, since: float) -> float:
    """Seconds from ``since`` until a GET of url answers 200 (tries for at most 30 s)."""
    while time.perf_counter() - since < 30:
        try:
            if (await c.get(url)).status_code == 200:
                return time.perf_counter() - since
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.05)
    return float("inf")


async def scenario(base: str, pid: str, args: Any) -> tuple[Log, float, float, float]:
    log = Log()
    names = [f"person{i}@burst.test" for i in range(args.names - 2)]
    names += [bq.HR[0], bq.ADMIN[0]]
    total = args.warmup + args.burst + args.after
    async with loadkit.client() as c, loadkit.client() as probe:
        r = await c.get(f"{base}/api/v1/csrf")
        m = loadkit.COOKIE.search(r.headers.get("set-cookie", ""))
        assert m is not None, "no CSRF cookie from /api/v1/csrf"
        csrf = m.group(1)
        t0 = time.perf_counter()
        n_resp = int(args.rate * total)
        events: list[tuple[float, int]] = [(i / args.rate, 0) for i in range(n_resp)]
        step = args.burst / args.attempts
        events += [(args.warmup + i * step, 1) for i in range(args.attempts)]
        events.sort()
        tasks: list[asyncio.Future[None]] = []
        n_login = 0
        for at, kind in events:
            delay = t0 + at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if kind == 0:
                tasks.append(asyncio.ensure_future(respondent(c, base, pid, t0, log)))
            else:
                name = names[n_login % len(names)]
                n_login += 1
                address = f"10.{n_login // 250 % 250}.{n_login % 250}.1" if args.addresses else None
                tasks.append(asyncio.ensure_future(wrong_login(c, base, csrf, name, log, address)))
            if kind == 1 and n_login == args.attempts:
                end = time.perf_counter()
                page = asyncio.ensure_future(first_normal(probe, f"{base}/s/{pid}/questions", end))
                login_page = asyncio.ensure_future(first_normal(probe, f"{base}/login", end))
        await asyncio.gather(*tasks)
        burst_drained = time.perf_counter() - end
        return log, await page, await login_page, burst_drained


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--pg", help="PostgreSQL server URL (a fresh database is made in it)")
    ap.add_argument("--rate", type=float, default=20.0, help="respondents per second")
    ap.add_argument("--attempts", type=int, default=500)
    ap.add_argument("--burst", type=float, default=10.0, help="seconds over which they are sent")
    ap.add_argument("--names", type=int, default=250, help="different usernames")
    ap.add_argument(
        "--addresses",
        action="store_true",
        help="every attempt from its own client address (X-Forwarded-For): the per-address "
        "limit never applies, so the argon2 CPU budget is what protects the respondents",
    )
    ap.add_argument("--warmup", type=float, default=5.0)
    ap.add_argument("--after", type=float, default=5.0)
    args = ap.parse_args()
    db = "PostgreSQL" if args.pg else "SQLite"
    print(
        f"login burst, {db}: {args.attempts} wrong passwords in {args.burst:.0f} s from "
        f"{args.names} names{', each from its own address' if args.addresses else ''}, "
        f"respondents {args.rate:.0f}/s; "
        f"load average {loadkit.load_average()}",
        flush=True,
    )
    with loadkit.fresh_database(args.pg) as url:
        server = loadkit.Server.prepare(url)
        server.start()
        try:
            pid = loadkit.make_scan(server.base)
            log, page_s, login_s, drained = asyncio.run(scenario(server.base, pid, args))
        finally:
            server.stop()
    lo, hi = args.warmup, args.warmup + args.burst
    phases = {
        "before": [d for s, d in log.requests if s < lo],
        "during": [d for s, d in log.requests if lo <= s < hi],
        "after": [d for s, d in log.requests if s >= hi],
    }
    for name, values in phases.items():
        print(
            f"  respondents {name:6s} burst: {len(values):5d} requests, p50/p95 "
            f"{loadkit.pct(values, 50):6.0f}/{loadkit.pct(values, 95):6.0f} ms"
        )
    print(f"  respondents' POST outcomes {dict(sorted(log.respondent_status.items()))}")
    print(
        f"  login attempts: {dict(sorted(log.login_status.items()))} "
        f"(429 = rate limited), p50/p95 {loadkit.pct(log.login_latency, 50):.0f}/"
        f"{loadkit.pct(log.login_latency, 95):.0f} ms; "
        f"last one answered {drained:.2f} s after the burst"
    )
    print(
        f"  after the burst: questionnaire page answered in {page_s:.2f} s, "
        f"login page in {login_s:.2f} s"
    )
    bad = []
    p95 = loadkit.pct(phases["during"], 95)
    if not p95 < 1000:
        bad.append(f"respondents' p95 during the burst {p95:.0f} ms (target < 1000)")
    if not max(page_s, login_s) < 1.0:
        bad.append(f"normal answer after the burst took {max(page_s, login_s):.2f} s (target < 1)")
    failed = {k: v for k, v in log.respondent_status.items() if k not in ("200", "201", "303")}
    fivexx = {k: v for k, v in log.login_status.items() if not k.isdigit() or k.startswith("5")}
    if failed or fivexx:
        bad.append(f"failures: respondents {failed}, logins {fivexx}")
    if bad:
        print("BURST FAIL\n  " + "\n  ".join(bad))
        return 1
    print(f"BURST OK ({db})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
