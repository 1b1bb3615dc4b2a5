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
