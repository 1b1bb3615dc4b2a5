"""Time `leercultuur synth`: the 11 yearly .sav files (2012-2022, ~511,000 respondents).

Run: PYTHONPATH=src python benchmarks/bench_synth.py [--format sav|parquet] [--keep DIR]
The issue's bar: under 60 s on the 2-core machine. Exits 1 when slower.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from leercultuur.synth import GENERATOR_VERSION, write_synth

LIMIT_S = 60.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--format", default="sav", choices=["sav", "parquet"])
    ap.add_argument("--keep", type=Path, default=None, help="write here instead of a temp dir")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp)
        t0 = time.perf_counter()
        done = write_synth(out, years=range(2012, 2023), fmt=args.format)
        total = time.perf_counter() - t0
    for path, rows, secs in done:
        print(f"{path.name:16s} {rows:>7,} rows  {secs:5.2f} s")
    rows = sum(r for _, r, _ in done)
    print(f"generator {GENERATOR_VERSION}: {len(done)} files, {rows:,} rows, {total:.1f} s "
          f"(limit {LIMIT_S:.0f} s)")  # fmt: skip
    return 0 if total < LIMIT_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
