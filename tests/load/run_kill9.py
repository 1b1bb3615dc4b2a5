"""kill -9 proof (issue 17, item 4): no acknowledged answer lost, none doubled, none half-written.

Starts the real server on a fresh database (SQLite file, or a new database in the PostgreSQL
server of ``--pg``), lets respondents arrive at ``--rate`` per second (open loop, JSON API, each
with its own submission_id), sends SIGKILL to the server after ``--kill-after`` seconds while
requests are in flight, restarts it on the same database, and checks in the database:

- every acknowledged submission (201 stored, or 200 duplicate) has its idempotency record,
  exactly once;
- responses = idempotency records = the scan's open-link counter (nothing stored twice or
  without its claim);
- every response has all its answers, and no answer is without its response (none half-written);
- re-sending every submission after the restart stores each unacknowledged one at most once and
  answers "duplicate" for each acknowledged one (the client's retry is safe);
- ``PRAGMA integrity_check`` is ok (SQLite).

Prints a summary; exits 1 on any violation. Loopback only, bounded in time.

    .venv/bin/python tests/load/run_kill9.py --duration 10
    .venv/bin/python tests/load/run_kill9.py --pg postgresql+psycopg://postgres@127.0.0.1:54330/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadkit


@dataclass
class Outcomes:
    acked: set[str] = field(default_factory=set)  # 201 or 200 from the server
    unacked: set[str] = field(default_factory=set)  # no answer, or not 2xx
    statuses: dict[str, int] = field(default_factory=dict)


async def _one(c: httpx.AsyncClient, base: str, pid: str, sid: str, out: Outcomes) -> None:
    try:
        r = await loadkit.json_submit(c, base, pid, sid)
        key = str(r.status_code)
    except httpx.HTTPError as exc:
        key, r = type(exc).__name__, None
    out.statuses[key] = out.statuses.get(key, 0) + 1
    if r is not None and r.status_code in (200, 201):
        out.acked.add(sid)
    else:
        out.unacked.add(sid)


async def load_and_kill(
    server: loadkit.Server, pid: str, rate: float, duration: float, kill_after: float
) -> tuple[Outcomes, int]:
    out = Outcomes()
    in_flight_at_kill = 0
    async with loadkit.client() as c:
        tasks: list[asyncio.Future[None]] = []
        start = time.perf_counter()
        killed = False
        for i in range(int(rate * duration)):
            at = start + i / rate
            if not killed and at - start >= kill_after:
                in_flight_at_kill = sum(not t.done() for t in tasks)
                server.kill9()
                killed = True
            delay = at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            sid = loadkit.new_submission_id()
            tasks.append(asyncio.ensure_future(_one(c, server.base, pid, sid, out)))
        await asyncio.gather(*tasks)
    return out, in_flight_at_kill


async def resend(server: loadkit.Server, pid: str, sids: list[str]) -> dict[str, int]:
    """Send every submission again after the restart (20 at a time); status -> count."""
    statuses: dict[str, int] = {}
    sem = asyncio.Semaphore(20)
    async with loadkit.client() as c:

        async def one(sid: str) -> tuple[str, str]:
            async with sem:
                try:
                    r = await loadkit.json_submit(c, server.base, pid, sid)
                except httpx.HTTPError as exc:
                    return sid, type(exc).__name__
                return sid, str(r.status_code)

        for sid, status in await asyncio.gather(*(one(s) for s in sids)):
            key = f"{status} {'acked' if sid in ACKED else 'unacked'}"
            statuses[key] = statuses.get(key, 0) + 1
    return statuses


ACKED: set[str] = set()


def db_state(url: str, secret: bytes, pid: str) -> dict[str, object]:
    from sqlalchemy import create_engine, text

    from leercultuur.quickscan import security

    engine = create_engine(url)
    with engine.connect() as conn:
        scan_id, open_count = conn.execute(
            text("SELECT id, open_count FROM scan WHERE public_id = :p"), {"p": pid}
        ).one()
        hashes = [
            row[0]
            for row in conn.execute(
                text("SELECT submission_hash FROM open_submission WHERE scan_id = :s"),
                {"s": scan_id},
            )
        ]
        responses = conn.execute(
            text("SELECT count(*) FROM response WHERE scan_id = :s"), {"s": scan_id}
        ).scalar_one()
        half = conn.execute(
            text(
                "SELECT count(*) FROM response r WHERE r.scan_id = :s AND "
                "(SELECT count(*) FROM answer a WHERE a.response_id = r.id) <> :n"
            ),
            {"s": scan_id, "n": len(loadkit.ANSWERS)},
        ).scalar_one()
        orphans = conn.execute(
            text(
                "SELECT count(*) FROM answer a WHERE NOT EXISTS "
                "(SELECT 1 FROM response r WHERE r.id = a.response_id)"
            )
        ).scalar_one()
        integrity = "n/a (PostgreSQL)"
        if url.startswith("sqlite"):
            integrity = "; ".join(str(r[0]) for r in conn.execute(text("PRAGMA integrity_check")))
    engine.dispose()
    counts: dict[str, int] = {}
    for h in hashes:
        counts[h] = counts.get(h, 0) + 1
    acked_hashes = {security.keyed_hash(secret, "submission", s) for s in ACKED}
    return {
        "open_count": int(open_count),
        "records": len(hashes),
        "duplicate_records": sum(1 for v in counts.values() if v > 1),
        "responses": int(responses),
        "half_written": int(half),
        "orphan_answers": int(orphans),
        "acked_missing": len(acked_hashes - set(counts)),
        "integrity": integrity,
    }


def check(state: dict[str, object], label: str) -> list[str]:
    bad = []
    if state["acked_missing"]:
        bad.append(f"{label}: {state['acked_missing']} acknowledged submissions not stored")
    if state["duplicate_records"]:
        bad.append(f"{label}: {state['duplicate_records']} submissions stored twice")
    if not state["responses"] == state["records"] == state["open_count"]:
        bad.append(
            f"{label}: responses {state['responses']}, records {state['records']}, "
            f"open-link counter {state['open_count']} differ"
        )
    if state["half_written"] or state["orphan_answers"]:
        bad.append(
            f"{label}: {state['half_written']} responses without all answers, "
            f"{state['orphan_answers']} answers without a response"
        )
    if state["integrity"] not in ("ok", "n/a (PostgreSQL)"):
        bad.append(f"{label}: integrity_check says {state['integrity']}")
    return bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--pg", help="PostgreSQL server URL (a fresh database is made in it)")
    ap.add_argument("--rate", type=float, default=50.0, help="arrivals per second")
    ap.add_argument("--duration", type=float, default=10.0, help="seconds of arrivals")
    ap.add_argument("--kill-after", type=float, help="seconds before SIGKILL (default: half)")
    args = ap.parse_args()
    kill_after = args.kill_after if args.kill_after is not None else args.duration / 2
    db = "PostgreSQL" if args.pg else "SQLite"
    print(
        f"kill -9 proof, {db}, {args.rate:.0f} arrivals/s for {args.duration:.0f} s, "
        f"SIGKILL at {kill_after:.1f} s; load average {loadkit.load_average()}",
        flush=True,
    )
    with loadkit.fresh_database(args.pg) as url:
        server = loadkit.Server.prepare(url)
        server.start()
        try:
            pid = loadkit.make_scan(server.base)
            out, in_flight = asyncio.run(
                load_and_kill(server, pid, args.rate, args.duration, kill_after)
            )
            ACKED.update(out.acked)
            t = time.perf_counter()
            server.start()
            restart_s = time.perf_counter() - t
            after_restart = db_state(url, server.secret, pid)
            resent = asyncio.run(resend(server, pid, sorted(out.acked | out.unacked)))
            after_resend = db_state(url, server.secret, pid)
        finally:
            server.stop()
    sent = len(out.acked) + len(out.unacked)
    print(
        f"  sent {sent}, acknowledged {len(out.acked)}, not acknowledged {len(out.unacked)}; "
        f"in flight at SIGKILL {in_flight}; client outcomes {dict(sorted(out.statuses.items()))}"
    )
    print(f"  restart took {restart_s:.1f} s")
    print(f"  after restart: {after_restart}")
    print(f"  re-sent all {sent} after restart: {dict(sorted(resent.items()))}")
    print(f"  after re-send: {after_resend}")
    bad = check(after_restart, "after restart") + check(after_resend, "after re-send")
    if after_resend["responses"] != sent:
        bad.append(
            f"after re-send: {after_resend['responses']} responses for {sent} distinct submissions"
        )
    if any(k.startswith("201 acked") for k in resent):
        bad.append("an acknowledged submission was stored again on re-send")
    if bad:
        print("KILL9 FAIL\n  " + "\n  ".join(bad))
        return 1
    print(
        f"KILL9 OK ({db}): every acknowledged submission stored exactly once, none half-written"
        + (", integrity_check ok" if not args.pg else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
