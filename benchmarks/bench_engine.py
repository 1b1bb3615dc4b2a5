"""Benchmark: the 15 by-tables of issue 2 with our engine, R ``survey`` and ``svy``.

15 tables = 3 variables x (by year, and by year x each of 4 breakdowns), one call per table
(R: one ``svyby(~v, ~by, des, svymean, na.rm = TRUE)`` per table). Data: generated, seeded;
11 years, 40 sectors x 2 halves as strata within each year (880 strata), respondents are the
PSUs, proportional weights, two binary items and one 5-point item with missing values, and 4
breakdowns (sex 2, age 5, education 3, contract 4 levels).

    PYTHONPATH=src .venv/bin/python benchmarks/bench_engine.py            # 100,000 and 605,000
    PYTHONPATH=src .venv/bin/python benchmarks/bench_engine.py --rows 100000 --no-r --no-svy

Prints seconds (best of --repeat runs for ours, of --peer-repeat runs for R and svy), the ratio
to R and svy measured in the same run, peak memory (tracemalloc over design + 15 tables; and the
process max RSS), and the time of one plain numpy pass (a weighted bincount of one table) for
comparison. All three are timed over the 15 tables only, the design object built before the
clock starts (R's ``svydesign``, svy's ``Sample``, our ``Design``, fresh each run so that
nothing is cached from the run before; its own time is printed beside ours). R and svy run only
at the sizes given with --peer-rows (default 100,000; R takes about a minute at 605,000).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import resource
import shutil
import subprocess
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from leercultuur.survey import Design

VARIABLES = ["item_a", "item_b", "scale_c"]
BREAKDOWNS = ["sex", "age", "educ", "contract"]
TABLES: list[tuple[str, list[str]]] = [
    (v, by) for v in VARIABLES for by in [["year"]] + [["year", b] for b in BREAKDOWNS]
]


def make_data(n: int, seed: int = 2026) -> pd.DataFrame:
    """Seeded NEA-like data: 11 years, strata = year x 40 sectors x 2 halves."""
    rng = np.random.default_rng(seed)
    year = rng.integers(2014, 2025, n)
    sector = rng.integers(0, 40, n)
    half = rng.integers(0, 2, n)
    stratum = (year - 2014) * 80 + sector * 2 + half
    sex = rng.integers(1, 3, n)
    age = rng.integers(1, 6, n)
    educ = rng.integers(1, 4, n)
    contract = rng.integers(1, 5, n)
    w = rng.lognormal(0.0, 0.4, n)
    w /= w.mean()
    lin = -0.5 + 0.1 * sex + 0.05 * age - 0.1 * educ + 0.01 * sector
    item_a = (rng.random(n) < 1 / (1 + np.exp(-lin))).astype(float)
    item_b = (rng.random(n) < 0.3 + 0.05 * half).astype(float)
    scale_c = np.clip(np.round(3 + 0.2 * educ - 0.1 * contract + rng.normal(0, 1, n)), 1, 5)
    for v, share in ((item_a, 0.03), (item_b, 0.5), (scale_c, 0.08)):  # item_b: split half
        v[rng.random(n) < share] = np.nan
    return pd.DataFrame(
        {
            "year": year,
            "stratum": stratum,
            "w": w,
            "sex": sex,
            "age": age,
            "educ": educ,
            "contract": contract,
            "item_a": item_a,
            "item_b": item_b,
            "scale_c": scale_c,
        }
    )


def make_design(df: pd.DataFrame) -> Design:
    return Design(df, weights="w", strata="stratum", lonely_psu="adjust")


def tables(d: Design) -> list[pd.DataFrame]:
    return [d.mean(v, by=by, na_rm=True) for v, by in TABLES]


def run_ours(df: pd.DataFrame) -> list[pd.DataFrame]:
    return tables(make_design(df))


def time_ours(df: pd.DataFrame, repeat: int) -> float:
    """Best of ``repeat`` runs of the 15 tables, each on a fresh design (nothing cached from the
    run before) built before the clock starts, as the R script builds ``des`` before
    ``system.time`` and svy its ``Sample`` before the timer."""
    times = []
    for _ in range(repeat):
        d = make_design(df)
        gc.collect()
        t0 = time.perf_counter()
        tables(d)
        times.append(time.perf_counter() - t0)
    return min(times)


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def peak_memory(fn: Callable[[], object]) -> float:
    """Peak bytes allocated by Python and numpy while ``fn`` runs (tracemalloc), in MB."""
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def numpy_pass(df: pd.DataFrame) -> float:
    """One plain memory pass: weighted sums of one variable per (year, breakdown) cell."""
    code = (df["year"].to_numpy() - 2014) * 4 + df["contract"].to_numpy() - 1
    wy = df["w"].to_numpy() * np.nan_to_num(df["scale_c"].to_numpy())

    def one() -> None:
        np.bincount(code, weights=wy, minlength=44)

    return best_of(one, 7)


R_SCRIPT = r"""
suppressMessages(library(survey))
d <- read.csv("{csv}")
des <- svydesign(ids = ~1, strata = ~stratum, weights = ~w, data = d)
options(survey.lonely.psu = "adjust")
tabs <- list({tables})
best <- Inf
for (i in seq_len({repeat})) {
  t <- system.time(for (tb in tabs) svyby(tb[[1]], tb[[2]], des, svymean, na.rm = TRUE))
  best <- min(best, t[["elapsed"]])
}
cat("SECONDS", best, "\n")
cat("CHECK", format(coef(svyby(~scale_c, ~year, des, svymean, na.rm = TRUE))[1], digits = 15), "\n")
"""


def run_r(df: pd.DataFrame, tmp: Path, repeat: int) -> tuple[float, float] | None:
    if shutil.which("Rscript") is None:
        return None
    csv = tmp / "bench.csv"
    df.to_csv(csv, index=False, na_rep="NA")
    tables = ", ".join(f"list(~{v}, ~{'+'.join(by)})" for v, by in TABLES)
    script = tmp / "bench.R"
    script.write_text(
        R_SCRIPT.replace("{csv}", str(csv))
        .replace("{tables}", tables)
        .replace("{repeat}", str(repeat))
    )
    out = subprocess.run(["Rscript", str(script)], capture_output=True, text=True, check=True)
    vals = {ln.split()[0]: float(ln.split()[1]) for ln in out.stdout.splitlines() if ln.strip()}
    return vals["SECONDS"], vals["CHECK"]


def run_svy(df: pd.DataFrame, repeat: int) -> float | None:
    if importlib.util.find_spec("svy") is None:
        return None
    import polars as pl
    import svy

    sample = svy.Sample(pl.from_pandas(df), svy.Design(stratum="stratum", wgt="w"))

    def svy_tables() -> None:
        for v, by in TABLES:
            sample.estimation.mean(v, by=by if len(by) > 1 else by[0], drop_nulls=True)

    return best_of(svy_tables, repeat)


def tune_allocator() -> str:
    """Keep large freed blocks in the heap (the CLI does the same), when the package has it."""
    try:
        from leercultuur._runtime import tune_allocator as tune  # type: ignore[import-not-found]
    except ImportError:
        return "not tuned (no leercultuur._runtime; set MALLOC_MMAP_MAX_=0 for the same effect)"
    return "tuned" if tune() else "not tuned (no glibc mallopt)"


def main() -> None:
    print(f"allocator: {tune_allocator()}")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 605_000])
    ap.add_argument("--peer-rows", type=int, nargs="*", default=[100_000])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument(
        "--peer-repeat", type=int, default=3, help="runs of R and svy (best taken; default 3)"
    )
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--no-svy", action="store_true")
    args = ap.parse_args()
    for n in args.rows:
        df = make_data(n)
        ours = time_ours(df, args.repeat)
        design = best_of(
            lambda df=df: Design(df, weights="w", strata="stratum", lonely_psu="adjust"),
            args.repeat,
        )
        peak = peak_memory(lambda df=df: run_ours(df))
        npass = numpy_pass(df)
        check = run_ours(df)[0]["estimate"].iloc[0]
        print(f"\n== {n:,} rows, {len(TABLES)} tables")
        print(
            f"ours     {ours:8.4f} s  (15 tables, best of {args.repeat}; building the design "
            f"before: {design:.4f} s)"
        )
        print(
            f"numpy    {npass * 1e3:8.2f} ms for one weighted bincount pass over one table; "
            f"x15 = {15 * npass:.4f} s; ours / (15 passes) = {ours / (15 * npass):.1f}"
        )
        print(
            f"memory   {peak:8.1f} MB peak traced (design + 15 tables); "
            f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        )
        if n in args.peer_rows and not args.no_r:
            with tempfile.TemporaryDirectory() as tmp:
                r = run_r(df, Path(tmp), args.peer_repeat)
            if r is None:
                print("R        (Rscript not found)")
            else:
                ref = run_ours(df)[10]
                print(
                    f"R        {r[0]:8.2f} s  -> ours is {r[0] / ours:6.0f}x faster "
                    f"(check: R {r[1]:.10f}, ours {ref['estimate'].iloc[0]:.10f})"
                )
        if n in args.peer_rows and not args.no_svy:
            s = run_svy(df, args.peer_repeat)
            if s is None:
                print("svy      (not installed)")
            else:
                print(f"svy      {s:8.2f} s  -> ours is {s / ours:6.0f}x faster")
        del check


if __name__ == "__main__":
    main()
