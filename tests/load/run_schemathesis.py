"""Schemathesis against the Quickscan's /openapi.json (issue 17, item 4): anonymous and as HR.

Starts the real server (``leercultuur quickscan serve``) on a free loopback port on a fresh
database (SQLite in a temporary directory; with ``--pg`` a new PostgreSQL database in that
server, dropped after), sets up two organisations with distinctive names (an HR user and a scan
each; organisation B's scan has a team and a few answers), then runs ``schemathesis run`` twice:

1. anonymous (with an anonymous CSRF cookie and token, so POSTs get past the CSRF check);
2. logged in as HR of organisation A (session cookie + CSRF cookie + ``X-CSRF-Token``; logout is
   left out of this run, it would end the session, and is fuzzed in the anonymous run).

Checks: ``not_a_server_error`` (no 5xx), the response conformance checks (status code, content
type, headers, body against the schema) and ``no_other_organisation`` (tests/load/
schemathesis_hooks.py: no response carries a marker of organisation B). ``--checks all`` adds
schemathesis' other checks (reported, but only the ones above decide the exit status).

    .venv/bin/python tests/load/run_schemathesis.py                  # SQLite, 60 s per run
    .venv/bin/python tests/load/run_schemathesis.py --max-time 20    # quick
    .venv/bin/python tests/load/run_schemathesis.py --pg postgresql+psycopg://postgres@127.0.0.1:54330/postgres

Prints the number of test cases and failures per check and run, and exits 1 on any failure of a
deciding check, on a traceback in the server log, or when schemathesis itself fails. Loopback
only; every step is bounded in time (``--max-time`` per run, plus a hard limit).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import loadkit
from loadkit import free_port, load_average

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CLI = str(Path(sys.executable).with_name("leercultuur"))
SECRET = "fuzz-secret-" + "x" * 40
ADMIN = ("admin@fuzz.test", "admin-password-123")
PASSWORD = "hr-password-12345"
DECIDING = {
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "no_other_organisation",
}
# Organisation B: every one of these strings is unique to B; none may reach A's HR user.
B_NAME = "Bouwbedrijf Zuidmarker"
B_USER = "hr@zuidmarker-b.test"
B_SCAN = "Zuidmarker geheime scan"
B_TEAM = "Zuidmarker-ploeg"
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
}


@contextlib.contextmanager
def fresh_database(pg: str | None, tmp: Path) -> Iterator[str]:
    """A SQLite file in ``tmp`` (kept with --keep), or loadkit's new PostgreSQL database."""
    if not pg:
        yield f"sqlite:///{tmp / 'fuzz.sqlite3'}"
        return
    with loadkit.fresh_database(pg) as url:
        yield url


def server_env(url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUICKSCAN_")}
    env.update(
        QUICKSCAN_ENVIRONMENT="test",
        QUICKSCAN_SECRET_KEY=SECRET,
        DATABASE_URL=url,
        QUICKSCAN_DATA_DIR=str(data_dir),
        QUICKSCAN_ARGON2_TIME_COST="1",
        QUICKSCAN_ARGON2_MEMORY_KIB="1024",
        # Every request of the fuzzer comes from 127.0.0.1: lift the per-address limits, or
        # after a few dozen cases every login, link and code answer would be a 429 and nothing
        # behind them would be fuzzed. The per-account lockout keeps its default.
        QUICKSCAN_LOGIN_ADDRESS_MAX="100000000",
        QUICKSCAN_TOKEN_ADDRESS_MAX="100000000",
        QUICKSCAN_CODE_ADDRESS_MAX="100000000",
        QUICKSCAN_OPEN_LINK_ADDRESS_MAX="100000000",
    )
    return env


@contextlib.contextmanager
def running_server(url: str, data_dir: Path) -> Iterator[tuple[str, Path]]:
    """``leercultuur quickscan serve`` on a free loopback port; yields (base URL, log file)."""
    env = server_env(url, data_dir)
    subprocess.run(
        [CLI, "quickscan", "create-admin", "--username", ADMIN[0], "--password-stdin"],
        input=ADMIN[1] + "\n",
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    port = free_port()
    log = data_dir / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [CLI, "quickscan", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start; log:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@dataclass
class Client:
    """An httpx client that speaks the JSON API with its CSRF token (cookies kept)."""

    base: str
    http: httpx.Client = field(init=False)
    csrf: str = ""

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.base + "/api/v1", timeout=30)
        self.csrf = self.http.get("/csrf").json()["csrf_token"]

    def post(self, path: str, body: Any = None, expect: int = 201) -> Any:
        r = self.http.post(path, json=body, headers={"X-CSRF-Token": self.csrf})
        if r.status_code != expect:
            raise SystemExit(f"set-up: POST {path} answered {r.status_code}: {r.text[:300]}")
        return r.json()

    def login(self, username: str, password: str) -> None:
        self.csrf = self.post("/auth/login", {"username": username, "password": password}, 200)[
            "csrf_token"
        ]

    def headers(self) -> list[str]:
        """The -H options that make schemathesis this client (cookies and the CSRF token)."""
        cookies = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        return ["-H", f"Cookie: {cookies}", "-H", f"X-CSRF-Token: {self.csrf}"]


def scan_body(name: str, teams: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "sector": "F",
        "size_class": "50-99",
        "headcount": 60,
        "languages": ["nl", "en"],
        "closes_on": (date.today() + timedelta(days=14)).isoformat(),
        "teams": teams,
        "open_link": True,
        "min_group_size": 5,
    }


@dataclass
class World:
    anonymous: Client
    hr_a: Client
    markers: list[str]  # strings only organisation B has
    own_scan: dict[str, Any]
    other_scan: dict[str, Any]


def set_up(base: str) -> World:
    """Organisations A and B with an HR user and a scan each (B's with answers)."""
    admin = Client(base)
    admin.login(*ADMIN)
    hr: dict[str, Client] = {}
    for org, user in [("Zorggroep Noordlicht A", "hr@noordlicht-a.test"), (B_NAME, B_USER)]:
        org_id = admin.post("/admin/organisations", {"name": org})["id"]
        token = admin.post(f"/admin/organisations/{org_id}/invites")["token"]
        new = Client(base)
        new.post("/auth/accept-invite", {"token": token, "username": user, "password": PASSWORD})
        new.login(user, PASSWORD)
        hr[org] = new
    hr_a = hr["Zorggroep Noordlicht A"]
    scan_a = hr_a.post("/scans", scan_body("Scan van Noordlicht", ["Zorg", "Kantoor"]))
    scan_b = hr[B_NAME].post("/scans", scan_body(B_SCAN, [B_TEAM, "Werkplaats"]))
    hr[B_NAME].post(f"/scans/{scan_b['id']}/codes", {"count": 3})
    respondent = Client(base)
    for _ in range(6):
        body = {"submission_id": secrets.token_urlsafe(24), "answers": {**ANSWERS, "team": 1}}
        respondent.post(f"/s/{scan_b['public_id']}/responses", body)
    markers = [B_NAME, B_USER, B_SCAN, B_TEAM, scan_b["public_id"]]
    return World(Client(base), hr_a, markers, scan_a, scan_b)


def config_file(who: str, world: World, out_dir: Path) -> Path:
    """Schemathesis configuration: as HR, half of the scan ids are A's or B's real ones (B's must
    answer 404) and half of the public ids A's real one, so the fuzzer gets past the 404s into
    the questionnaire and the scan operations; anonymous runs keep fully random ids."""
    path = out_dir / f"{who}.toml"
    if who != "hr":
        path.write_text("")
        return path
    scan_ids = [world.own_scan["id"], world.other_scan["id"]]
    path.write_text(
        f"""[dictionaries.scan_ids]
values = {json.dumps(scan_ids)}

[dictionaries.public_ids]
values = {json.dumps([world.own_scan["public_id"]])}

[parameters]
"path.scan_id" = {{ dictionary = "scan_ids", probability = 0.5 }}
"path.public_id" = {{ dictionary = "public_ids", probability = 0.5 }}
"""
    )
    return path


def run_schemathesis(
    who: str,
    base: str,
    world: World,
    args: argparse.Namespace,
    out_dir: Path,
) -> dict[str, Any]:
    """One schemathesis run; returns its counts (cases, failures per check, errors)."""
    report = out_dir / f"{who}.ndjson"
    client = world.hr_a if who == "hr" else world.anonymous
    cmd = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(config_file(who, world, out_dir)),
        "run",
        f"{base}/openapi.json",
        "--checks",
        args.checks,
        "--max-time",
        str(args.max_time),
        "--workers",
        "1",
        "--seed",
        str(args.seed),
        "--generation-database",
        "none",
        "--request-timeout",
        "30",
        "--continue-on-failure",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        "--no-color",
        *client.headers(),
    ]
    if args.max_examples:
        cmd += ["--max-examples", str(args.max_examples)]
    if args.phases:
        cmd += ["--phases", args.phases]
    if who == "hr":
        cmd += ["--exclude-path", "/api/v1/auth/logout"]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
        "QS_FOREIGN_MARKERS": json.dumps(world.markers if who == "hr" else []),
    }
    t0 = time.monotonic()
    try:
        proc = subprocess.run(
            cmd,
            env=env,
            capture_output=True,
            text=True,
            timeout=args.max_time * 3 + 300,
            cwd=out_dir,
        )
        output, code = proc.stdout + proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as exc:
        output, code = f"TIMEOUT: {exc}", 124
    seconds = time.monotonic() - t0
    (out_dir / f"{who}.txt").write_text(output)
    counts = summarise(report)
    generated = re.search(r"(\d+) generated", output)  # schemathesis' own count of test cases
    if generated:
        counts["cases"] = max(counts["cases"], int(generated.group(1)))
    counts.update(seconds=seconds, exit=code, output=output)
    return counts


def summarise(report: Path) -> dict[str, Any]:
    """Cases and distinct failures per check from schemathesis' NDJSON event stream."""
    cases = 0
    failures: Counter[str] = Counter()
    examples: dict[str, str] = {}
    errors: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    if not report.exists():
        return {"cases": 0, "failures": failures, "examples": examples, "errors": ["no report"]}
    for line in report.read_text().splitlines():
        event = json.loads(line)
        for kind, payload in event.items():
            if kind == "ScenarioFinished":
                recorder = payload.get("recorder", {})
                cases += len(recorder.get("cases", {}))
                for check_list in recorder.get("checks", {}).values():
                    for check in check_list:
                        if check.get("status") != "failure":
                            continue
                        name = check.get("name", "?")
                        failure = check.get("failure_info") or {}
                        title = str(failure.get("failure", {}).get("title", ""))
                        op = str(failure.get("failure", {}).get("operation", ""))
                        key = (name, op, title)
                        if key in seen:
                            continue
                        seen.add(key)
                        failures[name] += 1
                        examples.setdefault(name, f"{op}: {title}")
            elif kind == "NonFatalError":
                errors.append(str(payload.get("info", payload))[:300])
    return {"cases": cases, "failures": failures, "examples": examples, "errors": errors}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--pg", help="PostgreSQL server URL: fuzz against a new database in it")
    ap.add_argument("--max-time", type=int, default=60, help="seconds per run (default 60)")
    ap.add_argument(
        "--max-examples", type=int, default=0, help="cases per operation (default: as schemathesis)"
    )
    ap.add_argument("--phases", default="", help="schemathesis phases (default: all)")
    ap.add_argument("--checks", default="all", help="schemathesis checks (default: all)")
    ap.add_argument("--seed", type=int, default=20261202)
    ap.add_argument("--keep", type=Path, help="directory for the reports (default: temporary)")
    args = ap.parse_args(argv)
    db = "PostgreSQL" if args.pg else "SQLite"
    print(f"schemathesis on {db}; load average at start {load_average()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="qs-fuzz-") as tmp_name:
        tmp = Path(tmp_name)
        out_dir = args.keep or tmp
        out_dir.mkdir(parents=True, exist_ok=True)
        with fresh_database(args.pg, tmp) as url, running_server(url, tmp) as (base, log):
            world = set_up(base)
            results = {
                who: run_schemathesis(who, base, world, args, out_dir)
                for who in ["anonymous", "hr"]
            }
            server_log = log.read_text(errors="replace")
    failed = False
    print(
        f"\nschemathesis {db}, --max-time {args.max_time} s per run; load average now "
        f"{load_average()}"
    )
    for who, res in results.items():
        deciding = {k: v for k, v in res["failures"].items() if k in DECIDING}
        other = {k: v for k, v in res["failures"].items() if k not in DECIDING}
        print(
            f"  {who:9} {res['cases']:6d} cases in {res['seconds']:5.0f} s; failures (distinct): "
            + (", ".join(f"{k} {v}" for k, v in sorted(deciding.items())) or "none")
            + (
                f"; not deciding: {', '.join(f'{k} {v}' for k, v in sorted(other.items()))}"
                if other
                else ""
            )
        )
        for name, example in sorted(res["examples"].items()):
            print(f"      {name}: {example}")
        for err in res["errors"][:5]:
            print(f"      error: {err}")
        if res["exit"] not in (0, 1) or not res["cases"]:
            print(f"      schemathesis exit {res['exit']}:\n{res['output'][-2000:]}")
            failed = True
        failed |= bool(deciding)
    tracebacks = len(re.findall(r"^Traceback", server_log, flags=re.M))
    print(f"  server log: {tracebacks} traceback(s)")
    failed |= tracebacks > 0
    if tracebacks:
        first = server_log[server_log.index("Traceback") :][:3000]
        print(first)
    print(
        "FAILED"
        if failed
        else "ok: no 5xx, responses match the schema, no other organisation's data"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
