"""Invariants of the vectorised recoding, checked against plain per-value Python."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from io_editions import edition_2017, edition_2018

from leercultuur.io import read_harmonised
from leercultuur.io._codebook import YearSet
from leercultuur.io._recode import bin_codes, recode_coded

CODES = st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, 8.0, 9.0, 99.0, np.nan])


@settings(max_examples=60, deadline=None)
@given(
    raw=st.lists(CODES, min_size=1, max_size=40),
    halves=st.lists(st.sampled_from([1.0, 2.0, np.nan]), min_size=40, max_size=40),
    perm=st.permutations([0, 1, 2, 3]),
    split=st.booleans(),
)
def test_recode_coded_matches_a_dict_lookup(raw, halves, perm, split) -> None:
    keys = [1.0, 2.0, 3.0, 4.0]
    missing = {8.0: "dont_know", 9.0: "refused"}
    x = pd.Series(raw, dtype=float)
    half = np.asarray(halves[: len(raw)])
    other = (half != 2.0) if split else None
    res = recode_coded(
        x, keys=keys, targets=np.array(perm), missing=missing, declared=[(99.0, 99.0)],
        other_half=other, numeric=True,
    )  # fmt: skip
    expected, kinds = [], {}
    for i, v in enumerate(raw):
        kind = None
        if np.isnan(v):
            kind = "other_half" if split and other[i] else "system_missing"  # type: ignore[index]
        elif split and other[i]:  # type: ignore[index]
            kind = "wrong_half"
        elif v in missing:
            kind = missing[v]
        elif v == 99.0:
            kind = "declared_missing"
        elif v not in keys:
            kind = "unknown_code"
        expected.append(perm[keys.index(v)] if kind is None else -1)
        if kind:
            kinds[kind] = kinds.get(kind, 0) + 1
    assert res.values.tolist() == expected
    assert res.counts == kinds
    assert int((res.values >= 0).sum()) + sum(res.counts.values()) == len(raw)


@given(st.lists(st.one_of(st.floats(0, 100), st.just(np.nan)), max_size=30))
def test_bin_codes_match_a_loop(values) -> None:
    breaks = [15, 25, 35, 45, 55, 65, 75]
    got = bin_codes(np.asarray(values, float), breaks).tolist()
    want = [
        next((i for i in range(6) if breaks[i] <= v < breaks[i + 1]), -1) if v == v else -1
        for v in values
    ]
    assert got == want


@given(st.integers(1990, 2040), st.integers(0, 10), st.integers(1990, 2050))
def test_year_ranges(first, length, year) -> None:
    closed = YearSet.parse(f"{first}-{first + length}")
    assert (year in closed) == (first <= year <= first + length)
    assert (year in YearSet.parse(f"{first}-")) == (year >= first)
    assert year in YearSet.parse("all")
    assert (year in YearSet.parse([first, f"{first + length}"])) == (
        year in (first, first + length)
    )


def test_one_file_with_two_years_equals_two_files(tmp_path: Path, write) -> None:
    """Rows of several years in one file are split by year and recoded per edition."""
    a, b = edition_2017(), edition_2018()
    both = pd.concat([a, b], ignore_index=True)
    both.to_parquet(tmp_path / "stacked.parquet")
    stacked = read_harmonised([tmp_path / "stacked.parquet"]).data
    separate = read_harmonised(
        [write(a, "nea_2017.sav", 2017), write(b, "nea_2018.sav", 2018)]
    ).data
    pd.testing.assert_frame_equal(stacked, separate)
    assert stacked["var_varied"].fillna(-1).tolist() == [1.0, 4.0, -1.0, 4.0, 1.0]


def test_string_categories_match_numeric_codes(tmp_path: Path, write) -> None:
    """A category variable without `codes` whose names are the raw numbers ('1', '2')."""
    import yaml

    from leercultuur.io import parse_codebook

    data = {
        "codebook": "mini",
        "design": {"year": "year", "id": "id", "weight": "w"},
        "variables": {
            "year": {"type": "year", "label": {"nl": "jaar", "en": "year"}, "source": "JAAR"},
            "id": {"type": "id", "label": {"nl": "id", "en": "id"}, "source": "RESPNR"},
            "w": {"type": "float", "label": {"nl": "w", "en": "w"}, "source": "WEGING"},
            "sex": {"type": "category", "label": {"nl": "g", "en": "s"}, "source": "GESLACHT",
                    "categories": {1: {"nl": "man", "en": "male"},
                                   2: {"nl": "vrouw", "en": "female"}}},
        },
    }  # fmt: skip
    cb = parse_codebook(yaml.safe_load(yaml.safe_dump(data, sort_keys=False)))
    h = read_harmonised([write(edition_2017(), "nea_2017.sav", 2017)], codebook=cb)
    assert h.data["sex"].astype(str).tolist() == ["1", "2", "2"]
    assert list(h.data.columns) == ["year", "id", "w", "sex"]
