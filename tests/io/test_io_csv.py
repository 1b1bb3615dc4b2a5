"""write_csv writes the same bytes as DataFrame.to_csv(index=False)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leercultuur.io import write_csv


def _table(n: int = 400, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, n) * 10.0 ** rng.integers(-12, 18, n)
    x[rng.random(n) < 0.1] = np.nan
    x[:6] = [np.inf, -np.inf, 0.0, -0.0, 1e-05, 0.1 + 0.2]
    words = np.array(["a", "b,c", 'say "hi"', "line\nbreak", "", " space ", "zoë ▲", None])
    return pd.DataFrame(
        {
            "indicator": pd.array(words[rng.integers(0, len(words), n)], dtype="str"),
            "year": rng.integers(2012, 2023, n),
            "estimate": x,
            "n": rng.integers(0, 10**6, n).astype(np.int32),
            "significant": rng.random(n) < 0.5,
            "obj": np.array(words, dtype=object)[rng.integers(0, len(words), n)],
            "group, label": rng.random(n),
        }
    )


def test_same_bytes_as_pandas(tmp_path: Path) -> None:
    df = _table()
    write_csv(df, tmp_path / "ours.csv")
    df.to_csv(tmp_path / "pandas.csv", index=False)
    assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()


@pytest.mark.parametrize(
    "extra",
    [
        pd.Categorical(["a", "b"] * 5),
        pd.array([1, None] * 5, dtype="Int64"),
        pd.date_range("2020-01-01", periods=10),
        np.array([1, "a"] * 5, dtype=object),
    ],
)
def test_other_types_go_to_pandas(tmp_path: Path, extra: object) -> None:
    df = _table(10)
    df["extra"] = extra
    write_csv(df, tmp_path / "ours.csv")
    df.to_csv(tmp_path / "pandas.csv", index=False)
    assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()


def test_empty_table(tmp_path: Path) -> None:
    df = _table().iloc[:0]
    write_csv(df, tmp_path / "ours.csv")
    df.to_csv(tmp_path / "pandas.csv", index=False)
    assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()
