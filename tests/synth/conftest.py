"""The synth tests read the 11 yearly .sav files of the shared ``synth_dir`` fixture
(tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

YEARS = list(range(2012, 2023))


@pytest.fixture(scope="session")
def raw(synth_dir: Path) -> dict[int, pd.DataFrame]:
    """Each year's file as SPSS users see it: user-missing 8/9 kept as codes."""
    out = {}
    for y in YEARS:
        df, _meta = pyreadstat.read_sav(str(synth_dir / f"nea_{y}.sav"), user_missing=True)
        out[y] = df
    return out
