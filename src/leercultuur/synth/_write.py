"""Write the yearly raw files (SPSS .sav with labels and user-missing codes, or Parquet)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Literal, get_args

import pandas as pd

from leercultuur.errors import DataError, check_choice
from leercultuur.synth import _layout as L
from leercultuur.synth._generate import generate_year
from leercultuur.synth._population import YEARS

FileFormat = Literal["sav", "parquet"]
FORMATS: tuple[str, ...] = get_args(FileFormat)
GENERATOR_VERSION = "1.0.0"
DEFAULT_SEED = 20250101


def parse_years(spec: str) -> list[int]:
    """'2012-2022', '2020,2022' or '2018' -> sorted years, each within the supported range."""
    years: set[int] = set()
    try:
        for part in spec.split(","):
            a, _, b = part.strip().partition("-")
            lo, hi = int(a), int(b or a)
            years.update(range(lo, hi + 1))
    except ValueError:
        raise DataError(
            f"--years {spec!r}: use a range like 2012-2022 or a list 2020,2022"
        ) from None
    bad = sorted(y for y in years if y not in YEARS)
    if bad or not years:
        raise DataError(
            f"--years {spec!r}: the generator covers {YEARS[0]}-{YEARS[-1]}; not {bad or spec}"
        )
    return sorted(years)


def write_year(df: pd.DataFrame, year: int, out: Path, fmt: FileFormat) -> Path:
    """Write one year's raw frame as ``nea_<year>.<fmt>``."""
    check_choice("format", fmt, FORMATS)
    path = out / f"nea_{year}.{fmt}"
    labels = L.value_labels(year)
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(df, preserve_index=False)
        meta = {
            "generator_version": GENERATOR_VERSION,
            "column_labels": {c: L.COLUMN_LABELS[c] for c in df.columns},
            "value_labels": {k: {str(c): t for c, t in v.items()} for k, v in labels.items()},
            "user_missing": L.user_missing(year),
        }
        schema_meta = {**(table.schema.metadata or {}), b"leercultuur": json.dumps(meta).encode()}
        pq.write_table(table.replace_schema_metadata(schema_meta), path)
        return path
    import pyreadstat

    pyreadstat.write_sav(
        df,
        str(path),
        file_label=f"Synthetische NEA {year} (leercultuur synth {GENERATOR_VERSION})",
        column_labels={c: L.COLUMN_LABELS[c] for c in df.columns},
        variable_value_labels={k: {float(c): t for c, t in v.items()} for k, v in labels.items()},
        missing_ranges={k: [float(x) for x in v] for k, v in L.user_missing(year).items()},
        variable_measure={c: ("nominal" if c in labels or c == "SBI" else "scale") for c in df},
        variable_format={c: _spss_format(c) for c in df.columns if c != "SBI"},
    )
    return path


def _spss_format(col: str) -> str:
    if col.startswith("WEGING"):
        return "F12.6"
    return {"RESPNR": "F8.0", "JAAR": "F4.0", "STRATUM": "F2.0", "LEEFTIJD": "F2.0"}.get(
        col, "F1.0"
    )


def write_synth(
    out: str | Path,
    *,
    years: Iterable[int] = YEARS,
    fmt: FileFormat = "sav",
    seed: int = DEFAULT_SEED,
) -> list[tuple[Path, int, float]]:
    """Generate and write the yearly files; returns (path, rows, seconds) per year."""
    check_choice("format", fmt, FORMATS)
    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    done = []
    for year in years:
        t0 = time.perf_counter()
        df = generate_year(year, seed)
        path = write_year(df, year, outdir, fmt)
        done.append((path, len(df), time.perf_counter() - t0))
    return done
