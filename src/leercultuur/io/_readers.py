"""Readers for raw survey files: SPSS ``.sav``, Stata ``.dta``, CSV and Parquet.

Each file is opened in two steps: its metadata (column names, variable and value labels,
declared user-missing codes) without the data, then only the columns the codebook needs. SPSS
user-missing codes are kept as their codes (``user_missing=True``) so that the harmonisation can
count each kind of missing value; the declared missing ranges come along in the metadata. Stata's
extended missing values (``.a`` .. ``.z``) are read as system-missing.
Every failure becomes a :class:`RawFileError` naming the file and what is wrong with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import pandas as pd

from leercultuur.errors import DataError

FileFormat = Literal["sav", "dta", "csv", "parquet"]
SUFFIXES: dict[str, FileFormat] = {
    ".sav": "sav",
    ".zsav": "sav",
    ".dta": "dta",
    ".csv": "csv",
    ".csv.gz": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}


class RawFileError(DataError):
    """A data file that cannot be opened or read."""

    def __init__(self, path: str | Path, problem: str, *, check: str = "unreadable_file") -> None:
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem
        self.check = check


@dataclass(frozen=True)
class RawFile:
    """One raw data file's metadata; ``read(columns)`` returns just those columns."""

    path: Path
    format: FileFormat
    columns: tuple[str, ...]
    n_rows: int | None
    column_labels: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[float | str, str]] = field(default_factory=dict)
    declared_missing: dict[str, list[tuple[Any, Any]]] = field(default_factory=dict)
    csv_options: dict[str, str] = field(default_factory=dict)
    text_columns: frozenset[str] = frozenset()
    formats: dict[str, str] = field(default_factory=dict)  # SPSS/Stata display formats

    def read(self, columns: list[str]) -> pd.DataFrame:
        try:
            return _read_data(self, columns)
        except RawFileError:
            raise
        except Exception as exc:  # a reader library's own error: name the file and the cause
            raise RawFileError(self.path, _explain(self.format, exc)) from None


def _explain(fmt: FileFormat, exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    if fmt == "sav":  # the magic bytes were right (checked first), so the rest is broken
        return f"the SPSS file is truncated or damaged (pyreadstat: {text})"
    names = {"sav": "SPSS .sav", "dta": "Stata .dta", "csv": "CSV", "parquet": "Parquet"}
    return f"cannot read this {names[fmt]} file: {text}"


def suffix_of(path: Path) -> str:
    """The file type suffix: ``.csv.gz`` for gzipped CSV, else the last suffix (lower case)."""
    name = path.name.lower()
    return ".csv.gz" if name.endswith(".csv.gz") else path.suffix.lower()


def expand_paths(paths: list[str | Path]) -> list[Path]:
    """Files as given; a folder stands for the data files in it (by name, not recursive)."""
    out: list[Path] = []
    for path in paths:
        p = Path(path)
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and suffix_of(f) in SUFFIXES)
            if not found:
                allowed = ", ".join(sorted(SUFFIXES))
                raise RawFileError(p, f"the folder holds no data file ({allowed})",
                                   check="file_not_found")  # fmt: skip
            out += found
        else:
            out.append(p)
    return out


def open_raw(path: str | Path) -> RawFile:
    """Read a file's metadata (no data); raise :class:`RawFileError` with a clear message."""
    p = Path(path)
    fmt = SUFFIXES.get(suffix_of(p))
    if fmt is None:
        allowed = ", ".join(sorted(SUFFIXES))
        raise RawFileError(
            p, f"unknown file type {suffix_of(p)!r}; supported: {allowed}", check="unknown_format"
        )
    if not p.exists():
        raise RawFileError(p, "file does not exist", check="file_not_found")
    if not p.is_file():
        raise RawFileError(p, "is not a file", check="file_not_found")
    if p.stat().st_size == 0:
        raise RawFileError(p, "file is empty (0 bytes)", check="empty_file")
    try:
        if fmt in ("sav", "dta"):
            return _open_readstat(p, fmt)
        if fmt == "csv":
            return _open_csv(p)
        return _open_parquet(p)
    except RawFileError:
        raise
    except Exception as exc:
        raise RawFileError(p, _explain(fmt, exc)) from None


def _open_readstat(p: Path, fmt: FileFormat) -> RawFile:
    import pyreadstat

    head = p.open("rb").read(16)
    if fmt == "sav" and head[:4] not in (b"$FL2", b"$FL3"):
        raise RawFileError(
            p, f"is not an SPSS .sav file (it starts with {head[:12]!r}, not '$FL2')"
        )
    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    _, meta = reader(str(p), metadataonly=True, user_missing=True)
    declared: dict[str, list[tuple[Any, Any]]] = {}
    missing_ranges: dict[str, Any] = meta.missing_ranges or {}
    for var, ranges in missing_ranges.items():
        declared[var] = [(r["lo"], r["hi"]) for r in ranges]
    return RawFile(
        path=p,
        format=fmt,
        columns=tuple(meta.column_names),
        n_rows=meta.number_rows,
        column_labels={k: v for k, v in meta.column_names_to_labels.items() if v},
        value_labels=cast(dict[str, dict[float | str, str]], meta.variable_value_labels or {}),
        declared_missing=declared,
        text_columns=frozenset(
            c for c, t in (meta.readstat_variable_types or {}).items() if t == "string"
        ),
        formats={k: v or "" for k, v in (meta.original_variable_types or {}).items()},
    )


def _open_csv(p: Path) -> RawFile:
    import gzip

    gz = suffix_of(p) == ".csv.gz"
    opener = gzip.open if gz else open
    with opener(p, "rt", encoding="utf-8-sig", errors="replace") as fh:
        header = fh.readline()
        second = fh.readline()
    if not header.strip():
        raise RawFileError(p, "file is empty (no header line)", check="empty_file")
    # Dutch spreadsheets write ';' with a decimal comma; otherwise ',' and '.'.
    options = {"sep": ";", "decimal": ","} if header.count(";") > header.count(",") else {}
    cols = pd.read_csv(p, nrows=0, encoding="utf-8-sig", sep=options.get("sep", ",")).columns
    if not second.strip():
        raise RawFileError(p, "file has a header line but no data rows", check="empty_file")
    return RawFile(
        path=p, format="csv", columns=tuple(map(str, cols)), n_rows=None, csv_options=options
    )


def _open_parquet(p: Path) -> RawFile:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(p)
    return RawFile(
        path=p,
        format="parquet",
        columns=tuple(pf.schema_arrow.names),
        n_rows=pf.metadata.num_rows,
    )


def _read_data(raw: RawFile, columns: list[str]) -> pd.DataFrame:
    cols = [c for c in columns if c in raw.columns]
    if raw.format == "sav":
        from leercultuur.io._savdata import read_sav_data

        fast = read_sav_data(raw.path, cols, raw.columns, raw.formats)
        if fast is not None:
            return fast
    if raw.format in ("sav", "dta"):
        import pyreadstat

        reader = pyreadstat.read_sav if raw.format == "sav" else pyreadstat.read_dta
        df, _ = reader(str(raw.path), usecols=cols, user_missing=raw.format == "sav")
        return df
    if raw.format == "csv":
        return pd.read_csv(
            raw.path,
            usecols=cols,
            encoding="utf-8-sig",
            keep_default_na=False,
            na_values=[""],
            sep=raw.csv_options.get("sep", ","),
            decimal=raw.csv_options.get("decimal", "."),
        )
    return pd.read_parquet(raw.path, columns=cols)
