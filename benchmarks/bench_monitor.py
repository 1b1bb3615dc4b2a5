"""Monitor computation on the synthetic NEA (~511,000 rows), once the data is read.

Target (issue "The monitor, computed"): all indicators x years x breakdowns with every
comparison, trend and association in under 2 s on the 2-core machine.

    python benchmarks/bench_monitor.py [--repeat 3] [--psu 10]

Generates the synthetic NEA into benchmarks/out/ on the first run (about 20-40 s), reads it
through the default codebook, then times ``run_monitor`` (design-based and classic). Prints
the best and median of the repeats, per stage, and peak memory. ``--psu N`` also times the
route of clustered designs (spec ``design.psu``): N made-up PSUs per (year, stratum), computed
with the engine's generic estimators instead of the cell statistics.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from pathlib import Path

from leercultuur._runtime import tune_allocator
from leercultuur.io import read_harmonised
from leercultuur.monitor import run_monitor
from leercultuur.synth import GENERATOR_VERSION, write_synth

OUT = Path(__file__).resolve().parent / "out" / f"synthetic-nea-{GENERATOR_VERSION}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--psu", type=int, default=0, help="also time a clustered design")
    args = ap.parse_args()
    tune_allocator()
    if not (OUT / "done").exists():
        t = time.perf_counter()
        write_synth(OUT, years=range(2012, 2023), fmt="sav")
        (OUT / "done").write_text(GENERATOR_VERSION)
        print(f"generated synthetic NEA in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    h = read_harmonised(sorted(OUT.glob("nea_*.sav")))
    print(f"read + validate + harmonise {len(h.data):,} rows: {time.perf_counter() - t:.2f} s")
    from leercultuur.monitor import load_spec
    from leercultuur.monitor._spec import Associations

    full = load_spec()
    no_assoc = full.model_copy(update={"associations": Associations()})
    runs = [("design", full, "design"), ("classic", full, "classic"),
            ("design, without associations", no_assoc, "design")]  # fmt: skip
    data = h.data
    if args.psu:
        import numpy as np

        from leercultuur.monitor._spec import DesignSpec

        rng = np.random.default_rng(1)
        data = data.assign(psu=rng.integers(0, args.psu, len(data)))
        clustered = no_assoc.model_copy(update={"design": DesignSpec(psu="psu")})
        runs = [(f"clustered, {args.psu} PSUs per stratum, without associations", clustered,
                 "design")]  # fmt: skip
    for label, spec, method in runs:
        times: list[float] = []
        stages: dict[str, float] = {}
        for _ in range(args.repeat):
            last = [time.perf_counter()]

            def progress(label: str, _last: list[float] = last, _st: dict = stages) -> None:
                now = time.perf_counter()
                _st[label] = min(_st.get(label, 1e9), now - _last[0])
                _last[0] = now

            t = time.perf_counter()
            r = run_monitor(data, spec=spec, weight_for=h.metadata.weight_for,
                            method=method, progress=progress)  # type: ignore[arg-type]  # fmt: skip
            times.append(time.perf_counter() - t)
        print(
            f"monitor ({label}): best {min(times):.2f} s, median {statistics.median(times):.2f} s"
            f" over {args.repeat} runs; {len(r.estimates):,} estimates, "
            f"{len(r.comparisons):,} comparisons, {len(r.trends):,} trends, "
            f"{len(r.associations):,} association terms"
        )
        print("  fastest time per stage: " + ", ".join(f"{k} {v:.2f}s" for k, v in stages.items()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main()
