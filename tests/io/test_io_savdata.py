"""The numpy fast path for .sav data (plain and byte-compressed) equals pyreadstat, and steps aside
otherwise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leercultuur.io._readers import open_raw
from leercultuur.io._savdata import read_sav_data


def _both(path: Path, columns: list[str] | None = None) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    raw = open_raw(path)
    cols = list(raw.columns) if columns is None else columns
    fast = read_sav_data(path, cols, raw.columns, raw.formats)
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


@pytest.mark.parametrize("row_compress", [False, True], ids=["plain", "byte-compressed"])
def test_fast_path_equals_pyreadstat(tmp_path: Path, row_compress: bool) -> None:
    p = tmp_path / "plain.sav"
    pyreadstat.write_sav(
        _frame(),
        str(p),
        missing_ranges={"Code": [9]},
        variable_value_labels={"Code": {1: "één"}},
        row_compress=row_compress,
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
    "why", ["zsav", "very_long_string", "date_format", "truncated", "truncated_compressed"]
)
def test_other_files_are_left_to_pyreadstat(tmp_path: Path, why: str) -> None:
    df = _frame(50)
    p = tmp_path / "f.sav"
    kw: dict[str, object] = {}
    if why == "truncated_compressed":
        kw["row_compress"] = True
    elif why == "zsav":
        p = tmp_path / "f.zsav"
        kw["compress"] = True
    elif why == "very_long_string":
        df["Huge"] = "z" * 300
    elif why == "date_format":
        kw["variable_format"] = {"Neg": "DATE11"}
    pyreadstat.write_sav(df, str(p), **kw)  # type: ignore[arg-type]
    if why.startswith("truncated"):
        p.write_bytes(p.read_bytes()[:-20])
    raw = open_raw(p)
    assert read_sav_data(p, list(raw.columns), raw.columns, raw.formats) is None


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


def test_byte_compressed_synthetic_files_equal_pyreadstat(tmp_path: Path) -> None:
    """SPSS saves byte-compressed by default (and R haven's write_sav too): the same NEA-like
    editions, compressed, give pyreadstat's frame, including every value above 151 or below
    -99 (raw units), system-missing and user-missing codes."""
    from io_editions import EDITIONS

    for year, make in list(EDITIONS.items())[:3]:
        df = make()
        df["big"] = np.linspace(-500.0, 500.0, len(df)).round()  # codes and raw units mixed
        p = tmp_path / f"nea_{year}.sav"
        pyreadstat.write_sav(df, str(p), row_compress=True)
        assert (p.read_bytes()[72:76]) in (b"\x01\x00\x00\x00", b"\x00\x00\x00\x01")
        fast, slow = _both(p)
        assert fast is not None
        pd.testing.assert_frame_equal(fast, slow, check_exact=True)


def test_file_written_by_r_haven_equals_pyreadstat() -> None:
    """A byte-compressed file written by R haven (tests/io/data/haven_compressed.R), with value
    labels, a user-missing code, system-missing values and strings of several lengths."""
    p = Path(__file__).parent / "data" / "haven_compressed.sav"
    assert p.read_bytes()[72] == 1  # bytecode compression, as haven writes by default
    fast, slow = _both(p)
    assert fast is not None and len(fast) == 300
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    assert fast["inkomen"].isna().sum() == 10


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(
        st.one_of(
            st.integers(-120, 260).map(float),  # inside and around the compressible range
            st.floats(allow_nan=True, allow_infinity=False, width=64),
        ),
        min_size=1,
        max_size=60,
    ),
    words=st.lists(st.text(alphabet="ab é", max_size=12), min_size=1, max_size=60),
    compressed=st.booleans(),
)
def test_fast_path_equals_pyreadstat_on_any_values(
    tmp_path: Path, values: list[float], words: list[str], compressed: bool
) -> None:
    """Property: whatever the values (small integers stored as codes, others as raw units,
    NaN as system-missing, the largest doubles that ReadStat reads as missing too, strings
    with all-space units), the file, plain or byte-compressed, reads as pyreadstat reads it."""
    n = max(len(values), len(words))
    df = pd.DataFrame(
        {
            "v": (values * n)[:n],
            "w": (words * n)[:n],
            "k": np.arange(n, dtype=float),
        }
    )
    p = tmp_path / "prop.sav"
    p.unlink(missing_ok=True)
    pyreadstat.write_sav(df, str(p), row_compress=compressed)
    fast, slow = _both(p)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
