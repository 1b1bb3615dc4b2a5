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
from leercultuur.errors import DataError, SpecError, check_choice
from leercultuur.io import Codebook, Metadata
from leercultuur.monitor._combined import add_combined, file_combined, with_combined_labels
from leercultuur.monitor._compare import compute_tables
from leercultuur.monitor._estimates import describe_design, plan_designs
from leercultuur.monitor._generic import generic_tables, needs_generic
from leercultuur.monitor._indicators import WeightFor, build_indicators
from leercultuur.monitor._mappings import codebook_record, labels_of, missing_mappings
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


def _check_data(data: pd.DataFrame, spec: MonitorSpec, method: str) -> list[str]:
    """Structural checks. Design columns the spec names must exist (else one error naming every
    missing mapping with the codebook line to add); breakdowns that cannot be reported and
    indicator items the data lacks are gaps, each with the line to add."""
    missing = missing_mappings(data, spec, method=method)
    design = [m for m in missing if m.role.startswith("design")]
    computable = [i for i in spec.indicators if all(c in data.columns for c in i.items)]
    if design or not computable:
        what = (
            "the data lacks the design column(s) " + ", ".join(m.name for m in design)
            if design
            else "no indicator of the spec can be computed from this data"
        )
        raise DataError(
            f"{what}. Every variable the monitor spec needs and the codebook does not give, "
            "with the line to add to the codebook's `variables:` (your file's column as "
            "`source:`):\n  " + "\n  ".join(m.message(full=m in design) for m in missing)
        )
    gaps = [m.message(full=False) for m in missing]
    for b in spec.breakdowns:
        if b.column not in data.columns:
            continue
        groups = data[b.column].dropna().unique()
        if len(groups) < 2:
            gaps.append(
                f"breakdown {b.id!r}: only one group ({', '.join(map(str, groups)) or 'none'}); "
                "group-vs-rest comparisons are not possible"
            )
    return gaps


def _file_record(path: str | Path) -> dict[str, str]:
    """Path, SHA-256 and text of an input file the result depends on (the spec file)."""
    text = Path(path).read_text(encoding="utf-8")
    return {"path": str(path), "sha256": file_sha256(path), "content": text}


def check_codebook_design(metadata: Metadata, spec: MonitorSpec) -> None:
    """The codebook's design roles must be the ones the spec uses (never silently ignored)."""
    cb = metadata.design
    d = spec.design
    if cb.get("psu") and d.psu != cb["psu"]:
        raise SpecError(
            f"the codebook names a PSU column (design.psu: {cb['psu']!r}) but the monitor spec's "
            f"design.psu is {'not set' if d.psu is None else repr(d.psu)}: the monitor would "
            "ignore the clustering. Use a spec with "
            f"`extends: default` and `design: {{psu: {cb['psu']}}}`, or remove design.psu from "
            "the codebook if the sample is not clustered"
        )
    if cb.get("stratum") and d.strata is not None and d.strata != cb["stratum"]:
        raise SpecError(
            f"the codebook's stratum (design.stratum: {cb['stratum']!r}) is not the monitor "
            f"spec's design.strata ({d.strata!r}); name the same variable in both"
        )


def _named(progress: Progress, parent: dict[str, str]) -> Progress:
    """Progress labels with a combined group's helper breakdown shown as its breakdown."""
    return lambda label: progress(parent.get(label, label))


def run_monitor(
    data: pd.DataFrame,
    *,
    spec: MonitorSpec | None = None,
    weight_for: WeightFor | None = None,
    method: Method = "design",
    inputs: Sequence[str | Path] = (),
    provenance: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
    metadata: Metadata | None = None,
    codebook: Codebook | None = None,
    spec_source: str | None = None,
) -> MonitorResult:
    """Compute the whole monitor from a harmonised table (docs/data-model.md).

    ``weight_for(item, year)`` names the weight column of an item in a year (default: the
    ``metadata``'s, else ``weight`` everywhere). ``method="classic"`` switches the comparisons
    and trends to the article's classic weighted tests on the spec's ``classic_weight``
    (estimates stay design-based). ``metadata`` (from :func:`leercultuur.io.read_harmonised`)
    brings the codebook's labels into the manifest; ``codebook`` is recorded there (path,
    SHA-256, content), as is ``spec_source`` (the spec file, or None for the default).
    """
    check_choice("method", method, ("design", "classic"))
    spec = spec or load_spec()
    started = _dt.datetime.now(_dt.UTC)
    if weight_for is None and metadata is not None:
        weight_for = metadata.weight_for
    if metadata is not None:
        check_codebook_design(metadata, spec)
    gaps = _check_data(data, spec, method)
    frame = build_indicators(data, spec, weight_for=weight_for)
    gaps += [g for g in frame.gaps if "not in the data" not in g]  # named above with the fix
    if frame.values.shape[1] == 0:
        raise DataError(
            "no indicator of the spec can be computed from this data: " + "; ".join(gaps)
        )
    if progress:
        progress("indicators")
    reportable = spec.model_copy(
        update={"breakdowns": tuple(b for b in spec.breakdowns if b.column in data.columns)}
    )
    combined = add_combined(data, reportable)  # the spec's combined groups ("55+")
    gaps += combined.gaps
    designs = plan_designs(combined.data, frame, combined.spec, method=method)
    tables = generic_tables if needs_generic(spec) else compute_tables
    shown = None if progress is None else _named(progress, combined.parent)
    estimates, comparisons, trends = (
        file_combined(t, combined.parent, reportable, sort=k == 0)
        for k, t in enumerate(tables(designs, frame, combined.spec, method=method, progress=shown))
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
        "codebook": None if codebook is None else codebook_record(codebook),
        "spec": spec.model_dump(mode="json"),
        "spec_source": None if spec_source is None else _file_record(spec_source),
        "design": describe_design(data, spec, frame, method=method),
        "labels": (
            with_combined_labels(labels_of(metadata, spec), spec) if metadata is not None else {}
        ),
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
