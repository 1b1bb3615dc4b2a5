"""``run_monitor``: from a harmonised table to a :class:`MonitorResult`.

Stages: indicators -> designs (one per weight plan) -> estimates -> comparisons and trends ->
associations. Each stage reports to an optional progress callback (the CLI shows Rich bars). A
stage that cannot run (an indicator without items, a breakdown column missing from the data) is
recorded as a gap in the manifest; the rest of the monitor is still produced.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import platform
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from leercultuur import __version__
from leercultuur.errors import DataError, check_choice
from leercultuur.monitor._compare import compute_tables
from leercultuur.monitor._estimates import plan_designs
from leercultuur.monitor._indicators import WeightFor, build_indicators
from leercultuur.monitor._result import MonitorResult
from leercultuur.monitor._spec import MonitorSpec, load_spec

Method = Literal["design", "classic"]
Progress = Callable[[str], None]


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _check_data(data: pd.DataFrame, spec: MonitorSpec) -> list[str]:
    """Structural checks; returns gaps for breakdowns that cannot be reported."""
    need = [spec.design.year] + ([spec.design.strata] if spec.design.strata else [])
    missing = [c for c in need if c not in data.columns]
    if missing:
        raise DataError(
            f"the data lacks the design column(s) {', '.join(missing)} named in the spec"
        )
    gaps = []
    for b in spec.breakdowns:
        if b.column not in data.columns:
            gaps.append(f"breakdown {b.id!r}: column {b.column!r} not in the data; not reported")
            continue
        groups = data[b.column].dropna().unique()
        if len(groups) < 2:
            gaps.append(
                f"breakdown {b.id!r}: only one group ({', '.join(map(str, groups)) or 'none'}); "
                "group-vs-rest comparisons are not possible"
            )
    return gaps


def run_monitor(
    data: pd.DataFrame,
    *,
    spec: MonitorSpec | None = None,
    weight_for: WeightFor | None = None,
    method: Method = "design",
    inputs: Sequence[str | Path] = (),
    provenance: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> MonitorResult:
    """Compute the whole monitor from a harmonised table (docs/data-model.md).

    ``weight_for(item, year)`` names the weight column of an item in a year (the codebook's
    metadata; default: ``weight`` everywhere). ``method="classic"`` switches the tests to the
    article's classic weighted tests (estimates and SEs stay design-based).
    """
    check_choice("method", method, ("design", "classic"))
    spec = spec or load_spec()
    started = _dt.datetime.now(_dt.UTC)
    gaps = _check_data(data, spec)
    frame = build_indicators(data, spec, weight_for=weight_for)
    gaps += list(frame.gaps)
    if frame.values.shape[1] == 0:
        raise DataError(
            "no indicator of the spec can be computed from this data: " + "; ".join(gaps)
        )
    if progress:
        progress("indicators")
    designs = plan_designs(data, frame, spec)
    reportable = spec.model_copy(
        update={"breakdowns": tuple(b for b in spec.breakdowns if b.column in data.columns)}
    )
    estimates, comparisons, trends = compute_tables(
        designs, frame, reportable, method=method, progress=progress
    )
    from leercultuur.monitor._associations import associations as _assoc

    assoc, assoc_gaps = _assoc(designs, frame, reportable, data)
    gaps += assoc_gaps
    if progress:
        progress("associations")
    manifest = {
        "software": {"leercultuur": __version__, "python": platform.python_version(),
                     "numpy": np.__version__, "pandas": pd.__version__},
        "started": started.isoformat(timespec="seconds"),
        "finished": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "method": method,
        "rows": len(data),
        "rows_per_year": {
            str(k): int(v) for k, v in data[spec.design.year].value_counts().sort_index().items()
        },
        "inputs": [{"path": str(p), "sha256": file_sha256(p)} for p in inputs],
        "spec": spec.model_dump(mode="json"),
        "provenance": dict(provenance or {}),
        "indicators_missing": list(frame.missing),
    }  # fmt: skip
    return MonitorResult(
        spec=spec,
        estimates=estimates,
        comparisons=comparisons,
        trends=trends,
        associations=assoc,
        manifest=manifest,
        gaps=tuple(gaps),
    )


def output_check(result: MonitorResult) -> pd.DataFrame:
    """The output-checking sheet: every cell with its unweighted n and the rule applied."""
    thr = result.spec.publication_threshold
    est = result.estimates
    sheet = est[["indicator", "year", "breakdown", "group", "n", "n_eff"]].copy()
    sheet.insert(0, "table", "estimates")
    sheet["threshold"] = thr
    sheet["published"] = ~est["suppressed"].to_numpy()
    sheet["rule"] = np.where(
        sheet["published"], f"n >= {thr}: published", f"n < {thr}: suppressed (CBS NEA rule)"
    )
    return sheet.reset_index(drop=True)
