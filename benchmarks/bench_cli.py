"""Benchmark: ``leercultuur monitor`` end to end on the 11 synthetic .sav files (issue 14, item 5).

Runs the CLI as a child process (read, validate, compute, write), ``--repeat`` times, and prints
for each run the child's wall time, CPU time (user + system) and maximum resident set size (from
``os.wait4``, so each run's own figures), and the CLI's phases (start-up, imports, read, monitor,
write: wall, CPU, RSS after the phase and the peak so far), printed by the CLI when
``LEERCULTUUR_PHASES`` is set. Targets: at most 5 s wall and 700 MB peak RSS.

    .venv/bin/python benchmarks/bench_cli.py [--data DIR] [--repeat N] [--check-against DIR]

``--data`` defaults to ``leercultuur-demo/data/synthetic-nea-1.0.0-seed20250101`` (made by
``leercultuur demo``). ``--check-against DIR`` compares the written result with another result
directory (for example main's): the same files, the same rows, every number equal; the manifest
without its clock times; it says which files are byte-for-byte identical.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "leercultuur-demo" / "data" / "synthetic-nea-1.0.0-seed20250101"
TARGET_WALL, TARGET_RSS = 5.0, 700.0
PHASE = re.compile(r"phase (\w+): wall ([\d.]+) s, cpu ([\d.]+) s, rss (\d+) MB, max rss (\d+) MB")


def run_once(files: list[Path], out: Path) -> dict[str, object]:
    exe = Path(sys.executable).with_name("leercultuur")
    cmd = [str(exe), "monitor", *map(str, files), "--out", str(out)]
    env = dict(os.environ, LEERCULTUUR_PHASES="1")
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - t0
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    if child.returncode != 0:
        raise SystemExit(f"leercultuur monitor failed ({child.returncode}):\n{text}")
    read_line = next((ln for ln in text.splitlines() if ln.startswith("Read ")), "")
    return {
        "wall": wall,
        "user": usage.ru_utime,
        "sys": usage.ru_stime,
        "max_rss": usage.ru_maxrss / 1024,  # kB on Linux
        "phases": [(m[1], *map(float, m.groups()[1:])) for m in PHASE.finditer(text)],
        "read_line": read_line,
    }


def _frames_equal(a: Path, b: Path) -> str:
    import pandas as pd

    read = pd.read_parquet if a.suffix == ".parquet" else pd.read_csv
    x, y = read(a), read(b)
    if list(x.columns) != list(y.columns) or len(x) != len(y):
        return f"DIFFERENT shape {x.shape} vs {y.shape}"
    pd.testing.assert_frame_equal(x, y, check_exact=True)
    return f"equal values ({len(x):,} rows)"


def compare(out: Path, ref: Path) -> bool:
    names = sorted({p.name for p in out.iterdir()} | {p.name for p in ref.iterdir()})
    ok = True
    for name in names:
        a, b = out / name, ref / name
        if not (a.exists() and b.exists()):
            print(f"  {name}: only in {'this run' if a.exists() else 'the reference'}")
            ok = False
            continue
        if a.read_bytes() == b.read_bytes():
            print(f"  {name}: byte-for-byte identical")
            continue
        if name.endswith(".json"):
            x, y = json.loads(a.read_text()), json.loads(b.read_text())
            for m in (x, y):  # clock times differ; inputs as given on the command line
                m.pop("started", None), m.pop("finished", None)
                for f in m.get("inputs", []):
                    f["path"] = Path(f["path"]).name
            same = x == y
            what = "equal apart from the clock times and the input paths"
            print(f"  {name}: {what if same else 'DIFFERENT'}")
            ok &= same
            continue
        try:
            print(f"  {name}: {_frames_equal(a, b)}")
        except AssertionError as exc:
            print(f"  {name}: DIFFERENT values: {str(exc).splitlines()[0]}")
            ok = False
    return ok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA, help="folder with the nea_*.sav files")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None, help="result folder (default: temporary)")
    ap.add_argument("--check-against", type=Path, default=None, help="reference result folder")
    args = ap.parse_args()
    files = sorted(args.data.glob("*.sav"))
    if not files:
        raise SystemExit(f"no .sav files in {args.data}; run `leercultuur demo` first")
    tmp = tempfile.TemporaryDirectory() if args.out is None else None
    out = Path(tmp.name) / "result" if tmp else args.out
    load = os.getloadavg()
    print(f"{len(files)} files, {sum(f.stat().st_size for f in files) / 1e6:.0f} MB; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")  # fmt: skip
    runs = []
    for k in range(args.repeat):
        r = run_once(files, out)
        runs.append(r)
        cpu = float(r["user"]) + float(r["sys"])  # type: ignore[arg-type]
        print(f"run {k + 1}: wall {r['wall']:.2f} s, cpu {cpu:.2f} s (user {r['user']:.2f} + "
              f"sys {r['sys']:.2f}), max RSS {r['max_rss']:.0f} MB; {r['read_line']}")  # fmt: skip
        for name, wall, pcpu, rss, hwm in r["phases"]:  # type: ignore[attr-defined]
            print(f"    {name:8s} wall {wall:6.2f} s  cpu {pcpu:6.2f} s  "
                  f"rss {rss:5.0f} MB  peak so far {hwm:5.0f} MB")  # fmt: skip
    best = min(runs, key=lambda r: float(r["wall"]))  # type: ignore[arg-type]
    rss = max(float(r["max_rss"]) for r in runs)  # type: ignore[arg-type]
    wall = float(best["wall"])  # type: ignore[arg-type]
    print(f"best wall {wall:.2f} s (target <= {TARGET_WALL:.0f} s: "
          f"{'met' if wall <= TARGET_WALL else 'NOT met'}); max RSS {rss:.0f} MB "
          f"(target <= {TARGET_RSS:.0f} MB: {'met' if rss <= TARGET_RSS else 'NOT met'}); "
          f"load average now {os.getloadavg()[0]:.2f}")  # fmt: skip
    ok = True
    if args.check_against is not None:
        print(f"outputs against {args.check_against}:")
        ok = compare(out, args.check_against)
        print("outputs:", "the same" if ok else "DIFFERENT")
    if tmp is not None:
        tmp.cleanup()
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
