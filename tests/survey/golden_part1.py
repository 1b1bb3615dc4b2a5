"""Shared fixtures: the committed R golden values and their data sets (tests/golden/part1)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden" / "part1"


@cache
def golden_cases() -> list[dict[str, Any]]:
    """The cases of golden.json (written by tests/golden/part1/make_golden.R)."""
    with open(GOLDEN_DIR / "golden.json", encoding="utf-8") as fh:
        return list(json.load(fh)["cases"])


@cache
def _read(name: str) -> pd.DataFrame:
    file = "synth20k.csv.gz" if name == "synth20k" else f"{name}.csv"
    return pd.read_csv(GOLDEN_DIR / "data" / file)


def golden_data(name: str) -> pd.DataFrame:
    """A fresh copy of a committed golden data set (apistrat, apiclus1, apiclus2, lonely,
    synth20k), read as R read it."""
    return _read(name).copy()


@pytest.fixture
def apistrat() -> pd.DataFrame:
    return golden_data("apistrat")


@pytest.fixture
def apiclus1() -> pd.DataFrame:
    return golden_data("apiclus1")
