"""The kill -9 proof (issue 17): kill the server in the middle of the load, restart it, and check
that every acknowledged submission is stored exactly once and nothing is half-written.

    .venv/bin/python tests/load/kill9.py                      # SQLite, 40 arrivals/s, 16 s
    .venv/bin/python tests/load/kill9.py --rate 80 --seconds 20
    .venv/bin/python tests/load/kill9.py --pg postgresql+psycopg://postgres@127.0.0.1:54330/postgres

Loopback only, bounded in time. Respondents arrive at a fixed rate (open loop) and POST a
complete answer through the JSON API (open link, each with its own submission_id). Halfway, the
server's whole process group gets SIGKILL; it is started again on the same database and the load
goes on. Then:

1. every submission that was acknowledged (201 stored / 200 duplicate) is sent again: each must
   answer 200 ``duplicate`` (it is there, and only once);
2. in the database: one ``open_submission`` row per stored response, ``scan.open_count`` equal to
   the number of responses, every response with all its answers (none half-written), and the
   keyed hash of every acknowledged submission_id present exactly once;
3. SQLite: ``PRAGMA integrity_check`` is ``ok``.

Exit status 0 when all holds, 1 otherwise; the figures are printed either way.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_quickscan_load import (  # noqa: E402
    ADMIN,
    ANSWERS,
    SECRET,
    _free_port,
    fresh_database,
    make_scan,
)


def start(url: str, data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "QUICKSCAN_ENVIRONMENT": "test",
        "QUICKSCAN_SECRET_KEY": SECRET,
        "DATABASE_URL": url,
        "QUICKSCAN_DATA_DIR": str(data_dir),
        "QUICKSCAN_OPEN_LINK_ADDRESS_MAX": "100000000",  # every respondent is 127.0.0.1
    }
    cli = Path(sys.executable).with_name("leercultuur")
    log = (data_dir / "server.log").open("ab")
    proc = subprocess.Popen(
        [str(cli), "quickscan", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: SIGKILL reaches every worker
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"server did not start; log: {data_dir / 'server.log'}")


async def load(
    base: str, pid: str, rate: float, seconds: float, kill_at: float | None, kill: Any
) -> tuple[dict[str, int], Counter[str]]:
    """Open-loop arrivals; returns {submission_id: status} of acknowledged ones and outcomes."""
    acked: dict[str, int] = {}
    outcomes: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=500, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=base, timeout=20, limits=limits) as c:
        csrf = (await c.get("/api/v1/csrf")).json()["csrf_token"]

        async def respondent(i: int) -> None:
            sid = f"kill9-{os.getpid()}-{time.monotonic_ns()}-{i:06d}"
            try:
                r = await c.post(
                    f"/api/v1/s/{pid}/responses",
                    json={"submission_id": sid, "answers": ANSWERS},
                    headers={"X-CSRF-Token": csrf},
                )
            except httpx.HTTPError as exc:
                outcomes[type(exc).__name__] += 1
                return
            outcomes[str(r.status_code)] += 1
            if r.status_code in (200, 201):
                acked[sid] = r.status_code

        tasks = []
        start = time.perf_counter()
        i = 0
        killed = False
        while (now := time.perf_counter() - start) < seconds:
            if kill_at is not None and not killed and now >= kill_at:
                kill()
                killed = True
            tasks.append(asyncio.ensure_future(respondent(i)))
            i += 1
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        await asyncio.gather(*tasks)
    return acked, outcomes


async def resend(base: str, pid: str, sids: list[str]) -> Counter[str]:
    out: Counter[str] = Counter()
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        csrf = (await c.get("/api/v1/csrf")).json()["csrf_token"]
        sem = asyncio.Semaphore(20)

        async def one(sid: str) -> None:
            async with sem:
                r = await c.post(
                    f"/api/v1/s/{pid}/responses",
                    json={"submission_id": sid, "answers": ANSWERS},
                    headers={"X-CSRF-Token": csrf},
                )
                out[f"{r.status_code} {r.json().get('status', '')}"] += 1

        await asyncio.gather(*(one(s) for s in sids))
    return out


def check_database(url: str, acked: list[str]) -> list[str]:
    from sqlalchemy import create_engine, func, select

    from leercultuur.quickscan import security
    from leercultuur.quickscan.models import Answer, OpenSubmission, Response, Scan

    problems: list[str] = []
    engine = create_engine(url)
    with engine.connect() as conn:
        responses = conn.scalar(select(func.count()).select_from(Response)) or 0
        subs = conn.scalar(select(func.count()).select_from(OpenSubmission)) or 0
        open_count = conn.scalar(select(func.sum(Scan.open_count))) or 0
        per_response = Counter(
            n
            for (n,) in conn.execute(
                select(func.count()).select_from(Answer).group_by(Answer.response_id)
            )
        )
        hashes = Counter(conn.scalars(select(OpenSubmission.submission_hash)))
    engine.dispose()
    print(
        f"database: {responses} responses, {subs} open submissions, open_count {open_count}, "
        f"answers per response {dict(per_response)}"
    )
    if not responses == subs == open_count:
        problems.append("responses, open submissions and open_count differ")
    if set(per_response) != {len(ANSWERS)} or sum(per_response.values()) != responses:
        problems.append("a response without all its answers (half-written)")
    secret = SECRET.encode()
    missing = [s for s in acked if hashes[security.keyed_hash(secret, "submission", s)] != 1]
    if missing:
        problems.append(f"{len(missing)} acknowledged submissions not stored exactly once")
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as db:
            check = db.execute("PRAGMA integrity_check").fetchone()[0]
        print(f"PRAGMA integrity_check: {check}")
        if check != "ok":
            problems.append(f"integrity_check: {check}")
    return problems


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rate", type=float, default=40.0, help="arrivals per second")
    ap.add_argument("--seconds", type=float, default=16.0, help="load before and after the kill")
    ap.add_argument("--pg", default=None, help="PostgreSQL server URL (else SQLite)")
    args = ap.parse_args()
    with fresh_database(args.pg) as url:
        data_dir = Path(tempfile.mkdtemp(prefix="qs-kill9-"))
        from leercultuur.quickscan import Settings
        from leercultuur.quickscan.manage import create_admin

        settings = Settings(
            environment="test", secret_key=SECRET, database_url=url, data_dir=data_dir
        )
        create_admin(settings, username=ADMIN[0], password=ADMIN[1])
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start(url, data_dir, port)
        pid = make_scan(base)

        def kill() -> None:
            os.killpg(proc.pid, signal.SIGKILL)

        half = args.seconds / 2
        t0 = time.perf_counter()
        acked1, out1 = asyncio.run(load(base, pid, args.rate, half, half / 2, kill))
        proc.wait()
        print(
            f"phase 1 ({half:.0f} s at {args.rate:g}/s, SIGKILL at {half / 2:.1f} s): "
            f"{len(acked1)} acknowledged; outcomes {dict(out1)}"
        )
        restart = time.perf_counter()
        proc = start(url, data_dir, port)
        print(f"restart: healthy after {time.perf_counter() - restart:.1f} s")
        acked2, out2 = asyncio.run(load(base, pid, args.rate, half, None, lambda: None))
        print(
            f"phase 2 ({half:.0f} s after the restart): {len(acked2)} acknowledged; "
            f"outcomes {dict(out2)}"
        )
        acked = [*acked1, *acked2]
        again = asyncio.run(resend(base, pid, acked))
        print(f"re-sent {len(acked)} acknowledged submissions: {dict(again)}")
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        problems = check_database(url, acked)
        if again != Counter({"200 duplicate": len(acked)}):
            problems.append("a re-sent acknowledged submission was not a duplicate")
        print(f"total {time.perf_counter() - t0:.1f} s")
        if problems:
            print("FAILED: " + "; ".join(problems))
            raise SystemExit(1)
        print("OK: every acknowledged submission stored exactly once, none half-written")


if __name__ == "__main__":
    main()
