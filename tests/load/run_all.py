"""One command for the load proofs of issue 17 (item 4); prints a table of figures.

    .venv/bin/python tests/load/run_all.py                 # SQLite, 60 s per rate
    .venv/bin/python tests/load/run_all.py --duration 10   # quick run
    .venv/bin/python tests/load/run_all.py --duration 10 \\
        --pg postgresql+psycopg://postgres@127.0.0.1:54330/postgres   # SQLite, then PostgreSQL

For SQLite, and for PostgreSQL when ``--pg`` is given (a fresh database is made in that server
and dropped after), it runs in turn:

1. open-loop load (benchmarks/bench_quickscan_load.py) at 50, 100, 200 and 300 respondents
   arriving per second, ``--duration`` seconds each: GET the questionnaire, POST a full answer
   (PostgreSQL: ``serve --workers`` ``--pg-workers``, default 2; SQLite: one process);
2. the login burst (tests/load/run_login_burst.py): 500 wrong passwords in 10 s while
   respondents answer;
3. the kill -9 proof (tests/load/run_kill9.py);
4. schemathesis against /openapi.json, anonymous and as HR (tests/load/run_schemathesis.py,
   ``--fuzz-time`` seconds per run; 0 leaves it out).

The server, the database and the load generator share this machine; on a busy machine the
figures are lower bounds (the load average is printed). Loopback only; each step has a time
limit. Exit status 1 when a proof fails or the issue's target at 200/s (throughput >= 195/s,
p95 < 300 ms, no errors) is missed.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
LINE = re.compile(
    r"rate\s+(?P<rate>[\d.]+)/s\s+stored\s+(?P<stored>\d+)\s+\(\s*(?P<tput>[\d.]+)/s\).*?"
    r"requests p50/p95/p99\s+(?P<p50>\S+)/\s*(?P<p95>\S+)/\s*(?P<p99>\S+) ms.*?"
    r"errors (?P<errors>\d+)\s+5xx (?P<x5>\d+)\s+503 (?P<x503>\d+)\s+other (?P<other>\d+)"
)


def run(cmd: list[str], timeout: float) -> tuple[int, str]:
    """Run one step in its own process group; on timeout, SIGINT the group (the step's
    clean-up runs: server stopped, PostgreSQL database dropped), then SIGKILL what is left."""
    print("$ " + " ".join(cmd[1:]), flush=True)
    t = time.monotonic()
    p = subprocess.Popen(
        [cmd[0], "-u", *cmd[1:]],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGINT)
        try:
            out, err = p.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
        print(out + f"\n  TIMEOUT after {timeout:.0f} s", flush=True)
        return 124, out
    print(out + (err[-3000:] if p.returncode else ""), flush=True)
    print(f"  ({time.monotonic() - t:.0f} s, exit {p.returncode})", flush=True)
    return p.returncode, out


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--pg", help="PostgreSQL server URL; also run everything against it")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds per rate (default 60)")
    ap.add_argument("--rates", default="50,100,200,300")
    ap.add_argument("--path", choices=["html", "json"], default="html")
    ap.add_argument("--kill-rate", type=float, default=50.0, help="arrivals/s in the kill -9 run")
    ap.add_argument("--fuzz-time", type=int, default=60, help="s per schemathesis run (0: skip)")
    ap.add_argument(
        "--pg-workers", type=int, default=2, help="serve --workers for the PostgreSQL load step"
    )
    args = ap.parse_args()
    py = sys.executable
    targets = [("SQLite", [])] + ([("PostgreSQL", ["--pg", args.pg])] if args.pg else [])
    n_rates = len(args.rates.split(","))
    rows: list[list[str]] = []
    proofs: list[str] = []
    failed = False
    print(f"load average at start {load_average()}; {args.duration:.0f} s per rate", flush=True)
    for db, extra in targets:
        code, out = run(
            [
                py,
                "benchmarks/bench_quickscan_load.py",
                "--rates",
                args.rates,
                "--duration",
                str(args.duration),
                "--burst",
                "0",
                "--path",
                args.path,
                *extra,
                *(["--workers", str(args.pg_workers)] if extra else []),
            ],
            timeout=n_rates * (3 * args.duration + 150) + 120,
        )
        found = False
        for m in LINE.finditer(out):
            found = True
            g = m.groupdict()
            rows.append(
                [
                    db,
                    g["rate"],
                    g["tput"],
                    g["p50"],
                    g["p95"],
                    g["p99"],
                    g["errors"],
                    g["x5"],
                    g["x503"],
                    g["other"],
                ]
            )
            if float(g["rate"]) == 200:
                ok = (
                    float(g["tput"]) >= 195
                    and float(g["p95"]) < 300
                    and g["errors"] == g["x5"] == g["other"] == "0"
                )
                proofs.append(
                    f"{db}: target at 200/s (>= 195/s, p95 < 300 ms, 0 errors): "
                    + ("met" if ok else "MISSED")
                )
                failed |= not ok
        if code or not found:
            proofs.append(f"{db}: load run failed (exit {code})")
            failed = True
        code, out = run([py, "tests/load/run_login_burst.py", *extra], timeout=180)
        proofs += [f"{db}: {line.strip()}" for line in out.splitlines() if line.startswith("  ")]
        proofs.append(f"{db}: login burst " + ("ok" if code == 0 else f"FAILED (exit {code})"))
        failed |= code != 0
        code, out = run(
            [
                py,
                "tests/load/run_kill9.py",
                "--rate",
                str(args.kill_rate),
                "--duration",
                str(min(args.duration, 20.0)),
                *extra,
            ],
            timeout=300,
        )
        proofs += [f"{db}: {line.strip()}" for line in out.splitlines() if "KILL9" in line]
        failed |= code != 0
        if args.fuzz_time > 0:
            cmd = [py, "tests/load/run_schemathesis.py", "--max-time", str(args.fuzz_time)]
            code, out = run([*cmd, *extra], timeout=6 * args.fuzz_time + 600)
            proofs += [
                f"{db}: schemathesis {line.strip()}"
                for line in out.splitlines()
                if line.startswith("  ") and " cases in " in line
            ]
            proofs.append(f"{db}: schemathesis " + ("ok" if code == 0 else f"FAILED (exit {code})"))
            failed |= code != 0
    head = [
        "database",
        "rate/s",
        "stored/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "5xx",
        "503",
        "other",
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    print(
        f"\nOpen-loop load ({args.path}, {args.duration:.0f} s per rate; requests = GET + POST); "
        f"load average now {load_average()}"
    )
    for r in [head, *rows]:
        print("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)))
    print("\n" + "\n".join(proofs))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
