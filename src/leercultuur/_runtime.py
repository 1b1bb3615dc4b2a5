"""Process-level tuning for large arrays (called by the CLI and the benchmarks, not on import).

glibc serves every allocation above 32 MB with a fresh ``mmap`` and returns it on free, so each
temporary (n x K) array of a 500,000-row table pays its page faults again: measured 1.7x slower
monitor estimates on this machine. ``tune_allocator`` keeps large blocks in the heap for reuse.
No-op where glibc's ``mallopt`` is not available.
"""

from __future__ import annotations

import ctypes
import ctypes.util

_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_done = False


def limit_blas_threads(n: int = 1) -> None:
    """One BLAS thread: the engine's matrix products are small (groups x groups, a few
    regressors) and run many times; OpenBLAS's thread pool costs more in waking and spinning
    than it saves, and on a shared 2-core machine under load it doubled the monitor's CPU time
    (measured: 10 s -> 5 s). Before numpy is imported the environment decides; after, the
    loaded OpenBLAS libraries (numpy's and scipy's) are told directly. Set the environment
    variable OPENBLAS_NUM_THREADS yourself to choose otherwise."""
    import os
    import sys

    if "OPENBLAS_NUM_THREADS" in os.environ:
        return
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(n))
    if "numpy" not in sys.modules:
        return
    import glob
    import importlib.util

    for pkg in ("numpy", "scipy"):
        spec = importlib.util.find_spec(pkg)
        if spec is None or not spec.submodule_search_locations:
            continue
        libs = os.path.join(
            os.path.dirname(next(iter(spec.submodule_search_locations))), pkg + ".libs"
        )
        for path in glob.glob(os.path.join(libs, "libscipy_openblas*.so*")):
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for fn in ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads"):
                setter = getattr(lib, fn, None)
                if setter is not None:
                    setter(ctypes.c_int(n))
                    break


def tune_allocator() -> bool:
    """Keep freed large blocks for reuse (glibc only), and one BLAS thread
    (:func:`limit_blas_threads`). Returns whether the allocator change took effect."""
    global _done
    if _done:
        return True
    limit_blas_threads()
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    ok = bool(mallopt(_M_MMAP_MAX, 0)) and bool(mallopt(_M_TRIM_THRESHOLD, 1 << 30))
    _done = ok
    return ok


def release_memory() -> bool:
    """Give the heap's free pages back to the OS (glibc ``malloc_trim``). :func:`tune_allocator`
    keeps freed blocks for reuse, so after a phase that leaves much garbage (reading and
    harmonising files) the process would otherwise keep its high-water mark resident into the
    next phase. Returns whether anything was released (False where there is no glibc)."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return False
    return bool(trim(0))


class PhaseClock:
    """Wall time, CPU time (user + system) and resident memory per phase of a command.

    ``clock.mark("read")`` closes the phase that ran since the last mark. Printed to stderr only
    when the environment variable ``LEERCULTUUR_PHASES`` is set (benchmarks/bench_cli.py reads
    these lines); otherwise marking costs two clock reads.
    """

    def __init__(self) -> None:
        import os
        import time

        self.enabled = bool(os.environ.get("LEERCULTUUR_PHASES"))
        # the first phase starts with the process (interpreter start-up and imports count)
        self._t = time.perf_counter() - _process_age()
        self._c = 0.0

    def mark(self, phase: str) -> None:
        if not self.enabled:
            return
        import sys
        import time

        t, c = time.perf_counter(), time.process_time()
        rss, hwm = _rss_mb()
        print(
            f"phase {phase}: wall {t - self._t:.3f} s, cpu {c - self._c:.3f} s, "
            f"rss {rss:.0f} MB, max rss {hwm:.0f} MB",
            file=sys.stderr,
            flush=True,
        )
        self._t, self._c = time.perf_counter(), time.process_time()


_clock: PhaseClock | None = None


def phase_clock() -> PhaseClock:
    """The process's one :class:`PhaseClock` (created on first use)."""
    global _clock
    if _clock is None:
        _clock = PhaseClock()
    return _clock


def _process_age() -> float:
    """Seconds since this process started (Linux /proc; 0 elsewhere)."""
    import os
    import time

    try:
        with open("/proc/self/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")
        return max(0.0, time.clock_gettime(time.CLOCK_BOOTTIME) - started)
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0


def _rss_mb() -> tuple[float, float]:
    """Current and peak resident set size in MB (Linux /proc; zeros elsewhere)."""
    cur = peak = 0.0
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    cur = int(line.split()[1]) / 1024
                elif line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) / 1024
    except OSError:
        pass
    return cur, peak
