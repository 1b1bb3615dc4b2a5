"""Fixtures for the io tests; the edition builders live in io_editions.py."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from io_editions import EDITIONS
from io_rawlayout import write_sav


@pytest.fixture
def sav_files(tmp_path: Path) -> dict[int, Path]:
    """The three editions as SPSS files nea_<year>.sav."""
    return {y: write_sav(make(), tmp_path / f"nea_{y}.sav", y) for y, make in EDITIONS.items()}


@pytest.fixture
def write(tmp_path: Path):
    """write(df, name, year) -> path of an SPSS file with the edition's labels."""

    def _write(df: pd.DataFrame, name: str, year: int) -> Path:
        return write_sav(df, tmp_path / name, year)

    return _write
