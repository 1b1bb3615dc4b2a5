"""Read raw files through a codebook into one harmonised table, validating as it goes.

One pass per file: open the metadata, read only the codebook's columns, then for each year in
the file recode every variable with vectorised numpy (see ``_recode``). Every problem is
collected (nothing raises half-way), every value set to missing is counted by kind, and the
per-file arrays are concatenated once at the end.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leercultuur.errors import format_rows
from leercultuur.io._codebook import CODED_TYPES, Codebook
from leercultuur.io._metadata import Category, Metadata, VariableMeta
from leercultuur.io._readers import RawFile, RawFileError, open_raw
from leercultuur.io._recode import (
    Recoded,
    as_float,
    bin_codes,
    id_strings,
    is_blank,
    norm_label,
    recode_coded,
    recode_numeric,
    text_array,
)
from leercultuur.io._report import FileSummary, Issue, Recode, Severity, ValidationReport

WEIGHT_ROLES = ("weight", "weight_prop", "weight_half")
_WARNING_CHECKS = {"unknown_code", "out_of_range", "not_integer", "wrong_half", "optional_absent"}
_WHAT = {
    "unknown_code": ("unknown answer code", "unknown answer codes"),
    "out_of_range": ("value out of range", "values out of range"),
    "not_integer": ("non-integer value", "non-integer values"),
    "wrong_half": (
        "answer from the half that was not asked",
        "answers from the half that was not asked",
    ),
    "text_in_numeric": ("text value in a numeric variable", "text values in a numeric variable"),
    "missing": ("missing value in the design variable", "missing values in the design variable"),
    "negative": ("negative weight", "negative weights"),
    "dup": ("row with a respondent id", "rows with a respondent id"),
}


def _many(n: int, what: str) -> str:
    return f"{n} {_WHAT[what][n != 1]}"


@dataclass
class _Collector:
    issues: list[Issue] = field(default_factory=list)
    recodes: list[Recode] = field(default_factory=list)
    files: list[FileSummary] = field(default_factory=list)
    measured: dict[str, dict[int, tuple[str, int | None]]] = field(default_factory=dict)

    def issue(self, check: str, file: str, message: str, **kw: Any) -> None:
        severity: Severity = "warning" if check in _WARNING_CHECKS else "structural"
        self.issues.append(Issue(severity, check, file, message, **kw))


def _fmt(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return repr(v) if isinstance(v, str) else str(v)


def _suggest(name: str, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


@dataclass
class _Job:
    """One file being harmonised: its raw columns and the output arrays."""

    raw: RawFile
    cb: Codebook
    col: _Collector
    df: pd.DataFrame
    out: dict[str, np.ndarray] = field(default_factory=dict)
    checked: set[tuple[str, int]] = field(default_factory=set)  # design sources checked

    @property
    def name(self) -> str:
        return str(self.raw.path)

    def problem(
        self,
        check: str,
        mask: np.ndarray,
        rows: Any,
        raw_values: Any,
        var: str,
        src: str,
        year: int,
    ) -> None:
        """Report a bad-row mask with its distinct values (counts, file labels) and rows."""
        where = np.flatnonzero(mask)
        file_rows = where if isinstance(rows, slice) else rows[where]
        vals = pd.Series(np.asarray(raw_values, dtype=object)[where])
        counts = vals.value_counts(sort=True)
        labels: dict[Any, str] = self.raw.value_labels.get(src, {})
        shown = []
        for v, n in list(counts.items())[:5]:
            lab = labels.get(v) if not isinstance(v, str) else None
            shown.append(f"{_fmt(v)}{f' {lab!r}' if lab else ''} ({n}x)")
        more = f" and {len(counts) - 5} more" if len(counts) > 5 else ""
        tail = "" if check == "text_in_numeric" else "; recoded to missing"
        msg = (
            f"{src} ({var}), {year}: {_many(len(where), check)}: {', '.join(shown)}{more} "
            f"in {format_rows(file_rows)}{tail}"
        )
        self.col.issue(
            check,
            self.name,
            msg,
            variable=src,
            year=year,
            values=tuple(counts.index[:5]),
            count=len(where),
            rows=tuple(int(r) for r in file_rows[:5]),
        )

    def record(self, res: Recoded, var: str, src: str, year: int) -> None:
        for kind, n in res.counts.items():
            self.col.recodes.append(Recode(self.name, year, var, src, kind, n))


def _init(cb: Codebook, name: str, n: int) -> np.ndarray:
    var = cb.variables[name]
    if var.type == "category":
        return np.full(n, -1, np.int64)
    if var.type in ("id", "text"):
        return np.full(n, None, object)
    if var.type == "year":
        return np.zeros(n, np.int64)
    return np.full(n, np.nan)


def _coded_lookup(cb: Codebook, name: str, src: Any) -> tuple[list[Any], np.ndarray, bool]:
    """Raw keys, their category indexes, and whether the raw codes are numbers."""
    cats = cb.category_keys(name)
    mapping = cb.code_map(name, src)
    if mapping is None:
        keys: list[Any] = list(cats)
        targets = np.arange(len(cats))
    else:
        keys = list(mapping)
        targets = np.array([cats.index(t) for t in mapping.values()], np.int64)
    numeric = all(isinstance(k, float) for k in keys)
    return keys, targets, numeric


def _check_labels(
    job: _Job, name: str, src: str, keys: list[Any], targets: np.ndarray, year: int
) -> None:
    """Structural problem when the file's value label of a code names a different category."""
    file_labels = job.raw.value_labels.get(src)
    cats = job.cb.variables[name].categories
    if not file_labels or not cats:
        return
    cat_labels = [{norm_label(c.nl), norm_label(c.en)} for c in cats.values()]
    cat_keys = list(cats)
    for key, t in zip(keys, targets, strict=True):
        label = file_labels.get(key)
        if label is None:
            continue
        hits = [i for i, s in enumerate(cat_labels) if norm_label(label) in s]
        if hits and int(t) not in hits:
            job.col.issue(
                "label_mismatch",
                job.name,
                f"{src} ({name}), {year}: the file labels code {_fmt(key)} {label!r}, but the "
                f"codebook maps it to {cat_keys[int(t)]!r} ({cats[cat_keys[int(t)]].nl!r}); "
                "check the codes of this edition",
                variable=src,
                year=year,
                values=(key,),
            )


def _do_variable(job: _Job, name: str, year: int, rows: Any, sub: pd.DataFrame) -> None:
    cb, var = job.cb, job.cb.variables[name]
    design_roles = {v: k for k, v in cb.design.model_dump().items() if v}
    if var.derive is not None:
        if year not in job.col.measured.get(var.derive.from_, {}):
            return  # its base variable was not measured this year
        base = job.out[var.derive.from_][rows]
        idx = bin_codes(base, var.derive.breaks)
        job.out[name][rows] = idx
        res = Recoded(idx)
        res.add("source_missing", int(np.isnan(base).sum()))
        res.add("out_of_range", int(((idx == -1) & ~np.isnan(base)).sum()))
        job.record(res, name, var.derive.from_, year)
        job.col.measured.setdefault(name, {})[year] = (var.derive.from_, None)
        return
    src = cb.source_for(name, year)
    if src is None:
        if design_roles.get(name) == "weight":
            job.col.issue(
                "no_weight",
                job.name,
                f"year {year} has no weight: the codebook names no source of {name!r} for {year}",
                variable=name,
                year=year,
            )
        return
    if src.variable not in job.raw.columns:
        what = "required" if var.required else "optional"
        check = "missing_variable" if var.required else "optional_absent"
        if design_roles.get(name) in ("weight", "weight_half"):
            check, what = "no_weight", f"year {year} has no weight: required"
        job.col.issue(
            check,
            job.name,
            f"{what} variable {src.variable!r} ({name}) for {year} is not in the file"
            + _suggest(src.variable, job.raw.columns),
            variable=src.variable,
            year=year,
        )
        return
    job.col.measured.setdefault(name, {})[year] = (src.variable, src.half)
    x = sub[src.variable]
    declared = job.raw.declared_missing.get(src.variable, [])
    if var.type in CODED_TYPES:
        keys, targets, numeric = _coded_lookup(cb, name, src)
        other = None
        if src.half is not None and cb.design.half:
            half = job.out[cb.design.half][rows]
            other = half != src.half  # NaN half counts as not asked
        res = recode_coded(
            x,
            keys=keys,
            targets=targets,
            missing=cb.missing_codes(name),
            declared=declared,
            other_half=other,
            numeric=numeric,
        )
        _check_labels(job, name, src.variable, keys, targets, year)
        if var.type == "score":
            values = np.asarray(cb.category_keys(name), float)
            job.out[name][rows] = np.where(res.values >= 0, values[res.values], np.nan)
        else:
            job.out[name][rows] = res.values
    elif var.type in ("integer", "float"):
        res = recode_numeric(
            x,
            integer=var.type == "integer",
            value_range=var.range,
            missing=cb.missing_codes(name),
            declared=declared,
        )
        job.out[name][rows] = res.values
    else:  # id / text
        if var.type == "id":
            values, blank = id_strings(x, year)
        else:
            blank = is_blank(x)
            values = text_array(x)
            values[blank] = None
        res = Recoded(values)
        res.add("system_missing", int(blank.sum()))
        job.out[name][rows] = values
    for check, mask in res.problems.items():
        job.problem(check, mask, rows, x.to_numpy(dtype=object), name, src.variable, year)
    job.record(res, name, src.variable, year)
    role = design_roles.get(name)
    if role is not None:
        _check_design_value(job, name, role, rows, src.variable, year)


def _check_design_value(job: _Job, name: str, role: str, rows: Any, src: str, year: int) -> None:
    if (src, year) in job.checked:  # e.g. WEGING as both weight and (before 2022) weight_half
        return
    job.checked.add((src, year))
    vals = job.out[name][rows]
    file_rows = np.arange(len(job.df))[rows]
    missing = pd.isna(vals) if vals.dtype == object else np.isnan(vals.astype(float))
    if missing.any():
        check = "missing_weight" if role in WEIGHT_ROLES else "missing_design_value"
        where = file_rows[missing]
        job.col.issue(
            check,
            job.name,
            f"{src} ({name}), {year}: {_many(len(where), 'missing')} ({role}) "
            f"in {format_rows(where)}",
            variable=src,
            year=year,
            count=len(where),
            rows=tuple(int(r) for r in where[:5]),
        )
    if role in WEIGHT_ROLES:
        neg = ~missing & (vals.astype(float) < 0)
        if neg.any():
            where = file_rows[neg]
            shown = ", ".join(_fmt(float(v)) for v in vals[neg][:5])
            job.col.issue(
                "negative_weight",
                job.name,
                f"{src} ({name}), {year}: {_many(len(where), 'negative')}: {shown} "
                f"in {format_rows(where)}",
                variable=src,
                year=year,
                count=len(where),
                values=tuple(vals[neg][:5]),
                rows=tuple(int(r) for r in where[:5]),
            )


_ORDER = {"year": 0, "id": 1, "text": 1, "integer": 1, "float": 1, "category": 2, "score": 2}


def _file_years(job: _Job) -> tuple[np.ndarray, np.ndarray] | None:
    """Year of every row and the mask of rows with a usable year (None: no year at all)."""
    cb, n = job.cb, len(job.df)
    yname = cb.design.year
    srcs = [s.variable for s in cb.variables[yname].sources]
    present = [s for s in srcs if s in job.df.columns]
    if present:
        vals, _ = as_float(job.df[present[0]])
        ok = ~np.isnan(vals) & (vals == np.round(vals))
        if not ok.all():
            where = np.flatnonzero(~ok)
            job.col.issue(
                "missing_design_value",
                job.name,
                f"{present[0]} ({yname}): {len(where)} rows "
                f"without a valid year in {format_rows(where)}; these rows cannot be harmonised",
                variable=present[0],
                count=len(where),
                rows=tuple(int(r) for r in where[:5]),
            )
        return np.where(ok, vals, 0).astype(np.int64), ok
    found = set(re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", job.raw.path.stem))
    if len(found) == 1:
        year = int(found.pop())
        job.col.issue(
            "optional_absent",
            job.name,
            f"year variable {srcs[0]!r} is not in the file; year {year} taken from the file name",
            variable=srcs[0],
            year=year,
        )
        return np.full(n, year, np.int64), np.ones(n, bool)
    job.col.issue(
        "missing_variable",
        job.name,
        f"year variable {srcs[0]!r} is not in the file"
        + _suggest(srcs[0], job.raw.columns)
        + " (and the file name gives no year)",
        variable=srcs[0],
    )
    return None


def _harmonise_file(path: str | Path, cb: Codebook, col: _Collector) -> dict[str, Any] | None:
    try:
        raw = open_raw(path)
        needed = [c for c in cb.raw_variables() if c in raw.columns]
        df = raw.read(needed)
    except RawFileError as exc:
        col.issue(exc.check, exc.path, exc.problem)
        return None
    job = _Job(raw, cb, col, df)
    n = len(df)
    if n == 0:
        col.issue("empty_file", job.name, "the file has no data rows")
        return None
    got = _file_years(job)
    if got is None:
        col.files.append(FileSummary(job.name, raw.format, (), n, len(needed), len(raw.columns)))
        return None
    years, ok = got
    uniq = np.unique(years[ok])
    col.files.append(
        FileSummary(
            job.name, raw.format, tuple(int(y) for y in uniq), n, len(needed), len(raw.columns)
        )
    )
    order = sorted(
        cb.variables,
        key=lambda v: (cb.variables[v].derive is not None, _ORDER[cb.variables[v].type]),
    )
    job.out = {name: _init(cb, name, n) for name in cb.variables}
    job.out[cb.design.year] = years
    for year in uniq:
        rows: Any = slice(None) if len(uniq) == 1 and ok.all() else np.flatnonzero(years == year)
        sub = df if isinstance(rows, slice) else df.iloc[rows]
        for name in order:
            if name != cb.design.year:
                _do_variable(job, name, int(year), rows, sub)
    keep = ok if not ok.all() else slice(None)
    return {
        "file": job.name,
        "n": int(np.count_nonzero(ok)),
        "rows": np.flatnonzero(ok),
        "arrays": {k: v[keep] for k, v in job.out.items()},
    }


def _check_duplicates(parts: list[dict[str, Any]], cb: Codebook, col: _Collector) -> None:
    idname = cb.design.id
    ids = pd.Series(np.concatenate([p["arrays"][idname] for p in parts]), dtype=object)
    dup = ids.duplicated(keep=False).to_numpy() & ids.notna().to_numpy()
    if not dup.any():
        return
    start = 0
    for p in parts:
        mine = dup[start : start + p["n"]]
        if mine.any():
            where = np.flatnonzero(mine)
            shown = ", ".join(map(repr, pd.unique(ids.iloc[start + where])[:5]))
            col.issue(
                "duplicate_id",
                p["file"],
                f"{idname}: {_many(len(where), 'dup')} "
                f"that occurs more than once ({shown}) in {format_rows(p['rows'][where])}",
                variable=idname,
                count=len(where),
                rows=tuple(int(r) for r in p["rows"][where][:5]),
            )
        start += p["n"]


def _assemble(parts: list[dict[str, Any]], cb: Codebook) -> pd.DataFrame:
    """One column at a time: each file's array is released once its column is joined, and the
    joined arrays become the frame's columns as they are (no second copy into 2-D blocks)."""
    data: dict[str, Any] = {}
    for name, var in cb.variables.items():
        chunks = [p["arrays"].pop(name) for p in parts]
        arr = np.concatenate(chunks) if chunks else _init(cb, name, 0)
        del chunks
        if var.type == "category":
            cats = cb.category_keys(name)
            data[name] = pd.Categorical.from_codes(
                arr, categories=pd.Index(cats), ordered=var.ordered
            )
        elif var.type in ("id", "text"):
            data[name] = pd.array(arr, dtype="str")
        elif var.type == "integer":
            data[name] = pd.array(arr, dtype="Float64").astype("Int64")
        elif var.type == "year":
            data[name] = arr.astype(np.int64, copy=False)
        else:
            data[name] = arr.astype(np.float64, copy=False)
        del arr
    return pd.DataFrame(data, copy=False)


def _metadata(cb: Codebook, col: _Collector) -> Metadata:
    design = {k: v for k, v in cb.design.model_dump().items() if v}
    totals: dict[str, dict[str, int]] = {}
    for r in col.recodes:
        kinds = totals.setdefault(r.variable, {})
        kinds[r.kind] = kinds.get(r.kind, 0) + r.count
    out: dict[str, VariableMeta] = {}
    for name, var in cb.variables.items():
        measured = col.measured.get(name, {})
        years = tuple(sorted(measured))
        cats = tuple(
            Category(float(k) if var.type == "score" else str(k), lab.nl, lab.en)
            for k, lab in (var.categories or {}).items()
        )
        halves = {y: h for y, (_, h) in measured.items() if h is not None}
        weights = {
            y: design.get("weight_half", design["weight"]) if y in halves else design["weight"]
            for y in years
        }
        out[name] = VariableMeta(
            name=name,
            type=var.type,
            label_nl=var.label.nl,
            label_en=var.label.en,
            ordered=var.ordered,
            categories=cats,
            years=years,
            sources={y: s for y, (s, _) in measured.items() if var.derive is None},
            halves=halves,
            weights=weights,
            missing=totals.get(name, {}),
            derived_from=var.derive.from_ if var.derive else None,
        )
    return Metadata(codebook=cb.name, design=design, variables=out)


def harmonise(
    paths: Sequence[str | Path], cb: Codebook
) -> tuple[pd.DataFrame, ValidationReport, Metadata]:
    """Harmonise every file; return the table, the full validation report and the metadata."""
    col = _Collector()
    if not paths:
        col.issue("no_files", "-", "no data files given")
    parts = [p for p in (_harmonise_file(path, cb, col) for path in paths) if p is not None]
    if parts:
        _check_duplicates(parts, cb, col)
    data = _assemble(parts, cb)
    report = ValidationReport(tuple(col.files), tuple(col.issues), tuple(col.recodes))
    return data, report, _metadata(cb, col)
