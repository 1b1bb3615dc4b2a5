"""A Design is a snapshot: edits of the caller's frame after building it cannot reach it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from leercultuur.survey import Design, group_vs_rest, trend


def _frame(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 400
    return pd.DataFrame(
        {
            "y": rng.normal(3, 1, n),
            "g": rng.choice(["a", "b", "c"], n),
            "year": rng.choice([2020, 2021, 2022], n),
            "h": rng.integers(0, 4, n),
            "w": rng.uniform(0.5, 2.0, n),
        }
    )


def _design(df: pd.DataFrame) -> Design:
    return Design(df, weights="w", strata="h")


def _edits() -> list[tuple[str, object]]:
    def loc(df: pd.DataFrame) -> None:
        df.loc[df.index[:50], "y"] = 100.0

    def assign(df: pd.DataFrame) -> None:
        df["y"] = df["y"] * 7 + 1

    def weights(df: pd.DataFrame) -> None:
        df["w"] *= 3.0
        df.loc[df.index[:10], "w"] = 0.0

    def groups(df: pd.DataFrame) -> None:
        df.loc[df["g"] == "a", "g"] = "b"

    def strata(df: pd.DataFrame) -> None:
        df["h"] = 0

    def sort(df: pd.DataFrame) -> None:
        ordered = df.sort_values("y").reset_index(drop=True)
        for c in df.columns:
            df[c] = ordered[c].to_numpy()

    def drop(df: pd.DataFrame) -> None:
        del df["g"]

    def numpy_view(df: pd.DataFrame) -> None:
        # a writeable array from the frame is the caller's copy (copy-on-write)
        arr = df["y"].to_numpy(copy=True)
        arr[:] = 0.0
        df["y"] = arr

    return [
        ("loc", loc),
        ("assign", assign),
        ("weights", weights),
        ("groups", groups),
        ("strata", strata),
        ("sort", sort),
        ("drop", drop),
        ("numpy_view", numpy_view),
    ]


@pytest.mark.parametrize(("name", "edit"), _edits(), ids=[n for n, _ in _edits()])
def test_edits_after_build_do_not_reach_the_design(name: str, edit) -> None:
    original = _frame()
    df = original.copy()
    d = _design(df)
    before = d.mean("y", by="g")  # fills the design's caches (codes, per-row sums)
    gvr_before = group_vs_rest(d, "y", by="g", within="year")
    edit(df)
    after = d.mean("y", by="g")
    pdt.assert_frame_equal(after, before)
    fresh = _design(original).mean("y", by="g")
    pdt.assert_frame_equal(after, fresh)
    pdt.assert_frame_equal(group_vs_rest(d, "y", by="g", within="year"), gvr_before)
    # a design built after the edit sees the edit (the snapshot is per design)
    if name in ("loc", "assign", "numpy_view"):
        assert not np.allclose(_design(df).mean("y")["estimate"], d.mean("y")["estimate"])


def test_snapshot_before_caches_are_filled() -> None:
    original = _frame(5)
    df = original.copy()
    d = _design(df)
    df["y"] = -df["y"]
    df["w"] = 1.0
    pdt.assert_frame_equal(d.mean("y", by="g"), _design(original).mean("y", by="g"))
    pdt.assert_frame_equal(
        trend(d, "y", year="year", by="g"), trend(_design(original), "y", year="year", by="g")
    )


def test_snapshot_shares_memory_until_a_write() -> None:
    df = _frame(7)
    d = _design(df)
    # no copy at build time: the column buffers are shared (copy-on-write)
    assert np.shares_memory(d.data["y"].to_numpy(), df["y"].to_numpy())
    df.loc[0, "y"] = 1e9
    assert not np.shares_memory(d.data["y"].to_numpy(), df["y"].to_numpy())
    assert d.data.loc[0, "y"] != 1e9


def test_subset_is_a_snapshot_too() -> None:
    original = _frame(11)
    df = original.copy()
    d = _design(df).subset(df["g"] == "a")
    before = d.mean("y", by="year")
    df["y"] = 0.0
    pdt.assert_frame_equal(d.mean("y", by="year"), before)
