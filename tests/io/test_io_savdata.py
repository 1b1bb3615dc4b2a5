"""The numpy fast path for uncompressed .sav data equals pyreadstat, and steps aside otherwise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from leercultuur.io._readers import open_raw
from leercultuur.io._savdata import read_uncompressed


def _both(path: Path, columns: list[str] | None = None) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    raw = open_raw(path)
    cols = list(raw.columns) if columns is None else columns
    fast = read_uncompressed(path, cols, raw.columns, raw.formats)
    slow, _ = pyreadstat.read_sav(str(path), usecols=cols, user_missing=True)
    return fast, slow


def _frame(n: int = 500, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codes = rng.integers(1, 6, n).astype(float)
    codes[rng.random(n) < 0.1] = np.nan
    codes[rng.random(n) < 0.05] = 9.0  # user-missing below
    words = np.array(["", " lead", "trail  ", "zoë ∑ café", "a" * 40, "x y", "12"], dtype=object)
    return pd.DataFrame(
        {
            "ID": np.arange(1, n + 1, dtype=float),
            "Code": codes,
            "Weight": rng.gamma(2.0, 0.5, n) * 1e-3 + 1e6,
            "Tiny": rng.normal(0, 1e-300, n),
            "Short": words[rng.integers(0, len(words), n)],
            "LongText": np.where(rng.random(n) < 0.5, "é" * 100, "klaar"),
            "Neg": -rng.integers(0, 3, n).astype(float),
        }
    )


def test_fast_path_equals_pyreadstat(tmp_path: Path) -> None:
    p = tmp_path / "plain.sav"
    pyreadstat.write_sav(
        _frame(), str(p), missing_ranges={"Code": [9]}, variable_value_labels={"Code": {1: "één"}}
    )
    fast, slow = _both(p)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    # a subset of columns comes back in file order, as pyreadstat gives it
    fast, slow = _both(p, ["Short", "Code", "ID"])
    assert fast is not None and list(fast.columns) == ["ID", "Code", "Short"]
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)


def test_synthetic_files_equal_pyreadstat(tmp_path: Path) -> None:
    from io_editions import EDITIONS
    from io_rawlayout import write_sav

    for year, make in EDITIONS.items():
        p = write_sav(make(), tmp_path / f"nea_{year}.sav", year)
        fast, slow = _both(p)
        assert fast is not None
        pd.testing.assert_frame_equal(fast, slow, check_exact=True)


@pytest.mark.parametrize(
    "why", ["row_compress", "zsav", "very_long_string", "date_format", "truncated"]
)
def test_other_files_are_left_to_pyreadstat(tmp_path: Path, why: str) -> None:
    df = _frame(50)
    p = tmp_path / "f.sav"
    kw: dict[str, object] = {}
    if why == "row_compress":
        kw["row_compress"] = True
    elif why == "zsav":
        p = tmp_path / "f.zsav"
        kw["compress"] = True
    elif why == "very_long_string":
        df["Huge"] = "z" * 300
    elif why == "date_format":
        kw["variable_format"] = {"Neg": "DATE11"}
    pyreadstat.write_sav(df, str(p), **kw)  # type: ignore[arg-type]
    if why == "truncated":
        p.write_bytes(p.read_bytes()[:-20])
    raw = open_raw(p)
    assert read_uncompressed(p, list(raw.columns), raw.columns, raw.formats) is None


def test_code_lookup_table_equals_hash_lookup() -> None:
    from leercultuur.io._recode import index_of

    rng = np.random.default_rng(7)
    vals = rng.integers(-5, 15, 5000).astype(float)
    vals[rng.random(5000) < 0.1] = np.nan
    vals[rng.random(5000) < 0.05] += 0.5
    vals[:4] = [np.inf, -np.inf, 1e300, -0.0]
    for keys in ([1.0, 2.0, 3.0, 4.0, 5.0], [5.0, 1.0, -1.0, 8.0, 9.0], [0.0], [2.5, 1.0],
                 [1.0, 1e9], [1.0, "8"]):  # fmt: skip
        expect = pd.Index(keys).get_indexer(vals)
        np.testing.assert_array_equal(index_of(list(keys), vals), expect)
