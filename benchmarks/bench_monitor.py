"""Monitor computation on the synthetic NEA (~511,000 rows), once the data is read.

Targets (issue 14 item 5): the design-based monitor with associations in at most 1.5 s best of
3, and the script's peak memory (max RSS) at most 600 MB.

    python benchmarks/bench_monitor.py [--repeat 3] [--psu 10]

Generates the synthetic NEA into benchmarks/out/ on the first run (about 20-40 s) in a child
process, so the generator's memory is not counted in this script's max RSS. Reads it through
the default codebook, then times ``run_monitor`` (design-based and classic) and prints, per run:

* the best and median wall time of the repeats, and the CPU time (user + system) of the best;
* the time per stage of the best repeat (the stages sum to the whole run): indicators,
  combined groups, designs, the tables (estimates, comparisons, trends; with the time per
  breakdown from the progress labels), filing the combined groups, associations, other (checks,
  manifest);
* memory: the run's own increment of RSS (peak RSS during the run minus RSS before it; the peak
  is reset before each run through ``/proc/self/clear_refs``), and the peak of Python-traced
  allocations inside ``run_monitor`` (``tracemalloc``, one extra untimed run);

and at the end the RSS after reading and the script's max RSS. ``--psu N`` times the route of
clustered designs instead (spec ``design.psu``): N made-up PSUs per (year, stratum), computed
with the engine's generic estimators.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from leercultuur._runtime import tune_allocator
from leercultuur.io import read_harmonised
from leercultuur.monitor import run_monitor
from leercultuur.synth import GENERATOR_VERSION

OUT = Path(__file__).resolve().parent / "out" / f"synthetic-nea-{GENERATOR_VERSION}"


def _generate() -> None:
    """Write the synthetic NEA in a child process (its memory is not this script's)."""
    code = (
        "from pathlib import Path\n"
        "from leercultuur.synth import GENERATOR_VERSION, write_synth\n"
        f"out = Path({str(OUT)!r})\n"
        "write_synth(out, years=range(2012, 2023), fmt='sav')\n"
        "(out / 'done').write_text(GENERATOR_VERSION)\n"
    )
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    print(f"generated synthetic NEA in {time.perf_counter() - t:.1f} s (child process)")


def _status_mb(field: str) -> float:
    """A field of /proc/self/status in MB (VmRSS: now, VmHWM: peak since the last reset)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class _Stages:
    """Wall time per stage of one run: wrappers around the pipeline's steps, plus the progress
    labels of the tables (one per weight plan and breakdown, summed over the plans)."""

    STEPS = (
        ("indicators", "build_indicators"),
        ("combined groups", "add_combined"),
        ("designs", "plan_designs"),
        ("tables", "compute_tables"),
        ("tables", "generic_tables"),
        ("filing combined", "file_combined"),
    )

    def __init__(self) -> None:
        import leercultuur.monitor._associations as assoc_mod
        import leercultuur.monitor._pipeline as pipe

        self.times: dict[str, float] = {}
        self.per_breakdown: dict[str, float] = {}
        self._mods: list[tuple[Any, str, Any]] = []
        for stage, name in self.STEPS:
            self._wrap(pipe, name, stage)
        self._wrap(assoc_mod, "associations", "associations")
        self._last = 0.0

    def _wrap(self, mod: Any, name: str, stage: str) -> None:
        orig = getattr(mod, name)
        self._mods.append((mod, name, orig))

        def timed(*a: Any, **kw: Any) -> Any:
            t = time.perf_counter()
            if stage == "tables":
                self._last = t
            try:
                return orig(*a, **kw)
            finally:
                self.times[stage] = self.times.get(stage, 0.0) + time.perf_counter() - t

        setattr(mod, name, timed)

    def progress(self, label: str) -> None:
        """The tables report each finished (plan, breakdown); the pipeline's own labels
        ("indicators", "associations") are timed by the wrappers."""
        if label in ("indicators", "associations"):
            return
        now = time.perf_counter()
        self.per_breakdown[label] = self.per_breakdown.get(label, 0.0) + now - self._last
        self._last = now

    def restore(self) -> None:
        for mod, name, orig in self._mods:
            setattr(mod, name, orig)


def _timed_run(
    data: Any, spec: Any, weight_for: Callable[[str, int], str], method: str
) -> tuple[float, float, _Stages, Any]:
    st = _Stages()
    try:
        t, c = time.perf_counter(), time.process_time()
        r = run_monitor(data, spec=spec, weight_for=weight_for, method=method,  # type: ignore[arg-type]
                        progress=st.progress)  # fmt: skip
        wall, cpu = time.perf_counter() - t, time.process_time() - c
    finally:
        st.restore()
    return wall, cpu, st, r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--psu", type=int, default=0, help="also time a clustered design")
    args = ap.parse_args()
    tune_allocator()
    if not (OUT / "done").exists():
        _generate()
    t = time.perf_counter()
    h = read_harmonised(sorted(OUT.glob("nea_*.sav")))
    after_read = _status_mb("VmRSS")
    print(
        f"read + validate + harmonise {len(h.data):,} rows: {time.perf_counter() - t:.2f} s; "
        f"RSS after reading {after_read:.0f} MB (max so far "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)"
    )
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
    can_reset = _reset_peak()
    for label, spec, method in runs:
        results = []
        increments = []
        for _ in range(args.repeat):
            before = _status_mb("VmRSS")
            _reset_peak()
            wall, cpu, st, r = _timed_run(data, spec, h.metadata.weight_for, method)
            increments.append(_status_mb("VmHWM") - before)
            results.append((wall, cpu, st))
        tracemalloc.start()
        run_monitor(data, spec=spec, weight_for=h.metadata.weight_for, method=method)  # type: ignore[arg-type]
        traced = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        times = [w for w, _c, _s in results]
        wall, cpu, st = min(results, key=lambda x: x[0])
        print(
            f"monitor ({label}): best {wall:.2f} s (CPU {cpu:.2f} s), median "
            f"{statistics.median(times):.2f} s over {args.repeat} runs; {len(r.estimates):,} "
            f"estimates, {len(r.comparisons):,} comparisons, {len(r.trends):,} trends, "
            f"{len(r.associations):,} association terms"
        )
        stages = dict(st.times)
        stages["other"] = wall - sum(stages.values())
        print("  stages of the best run: " + ", ".join(f"{k} {v:.2f}s" for k, v in stages.items()))
        print(
            "  tables per breakdown (summed over the weight plans): "
            + ", ".join(f"{k} {v:.2f}s" for k, v in st.per_breakdown.items())
        )
        inc = f"{max(increments):.0f} MB" if can_reset else "n/a (no /proc/self/clear_refs)"
        print(
            f"  memory: run's RSS increment (peak during the run - RSS before) {inc}; "
            f"peak traced inside run_monitor {traced:.0f} MB"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak memory (max RSS of the script, data generation excluded): {peak:.0f} MB; "
        f"RSS after reading {after_read:.0f} MB"
    )


if __name__ == "__main__":
    main()
