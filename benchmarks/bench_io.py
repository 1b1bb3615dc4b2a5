"""Benchmark: read + validate + harmonise 11 yearly NEA-like SPSS files (~510,000 rows).

Generates the files itself in the raw layout of docs/data-model.md (sizes as in
/work/shared/spec/published-figures.md: ~25,000 respondents in 2012-2013, ~40,000 in 2014-2017,
~60,000 in 2018-2022), then times ``leercultuur.io.read_harmonised`` on all of them. Target:
under 10 s on a 2-core machine.

    PYTHONPATH=src python benchmarks/bench_io.py [--out DIR] [--repeat N] [--wide COLS]

``--wide COLS`` pads the 2022 file with COLS extra numeric variables (the real NEA has ~1,500),
to show that only the codebook's columns are kept.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "io"))  # the raw-layout writer shared with the tests

from io_rawlayout import random_raw, write_sav  # noqa: E402

from leercultuur.io import read_harmonised  # noqa: E402

SIZES = {2012: 25_000, 2013: 25_000} | {y: 40_000 for y in range(2014, 2018)}
SIZES |= {y: 60_000 for y in range(2018, 2023)}


def make_files(out: Path, wide: int) -> list[Path]:
    paths = []
    for year, n in SIZES.items():
        df = random_raw(year, n, seed=42)
        if wide and year == 2022:
            pad = np.random.default_rng(1).integers(1, 6, (n, wide)).astype(float)
            extra = pd.DataFrame(pad, columns=[f"V{i:04d}" for i in range(wide)])
            df = pd.concat([df, extra], axis=1)
        paths.append(write_sav(df, out / f"nea_{year}.sav", year))
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None, help="keep the files here")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--wide", type=int, default=0)
    args = ap.parse_args()
    tmp = None
    if args.out is None:
        tmp = tempfile.TemporaryDirectory()
        out = Path(tmp.name)
    else:
        out = args.out
        out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    paths = make_files(out, args.wide)
    t_gen = time.perf_counter() - t0
    size_mb = sum(p.stat().st_size for p in paths) / 1e6
    print(f"generated {len(paths)} files, {sum(SIZES.values()):,} rows, {size_mb:.0f} MB "
          f"in {t_gen:.1f} s")  # fmt: skip
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        h = read_harmonised(paths)
        times.append(time.perf_counter() - t0)
    rows = len(h.data)
    best, median = min(times), float(np.median(times))
    print(f"read + validate + harmonise: best {best:.2f} s, median {median:.2f} s "
          f"over {args.repeat} runs ({rows / best:,.0f} rows/s)")  # fmt: skip
    print(f"table: {rows:,} rows x {h.data.shape[1]} columns, "
          f"{h.data.memory_usage(deep=True).sum() / 1e6:.0f} MB; "
          f"{len(h.report.structural)} structural problems, {len(h.report.warnings)} warnings; "
          f"{int(h.report.recode_frame()['count'].sum()):,} values recoded to missing")  # fmt: skip
    print("target < 10 s:", "met" if best < 10 else "NOT met")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
