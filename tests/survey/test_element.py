"""The one-product route for element designs (``survey/_element.py``) equals the two-pass route.

(Means, proportions and totals.)

Element designs (no PSU column) compute domain means from cell sums (one sparse product per
table); the two-pass route of ``_estimate``/``_variance`` centres the scores row by row, and is
itself checked against R (test_estimates_golden.py). Here both routes run on the same random
designs (strata, fpc, every lonely-PSU rule, zero weights, missing values, subsets, na_rm both
ways) and must agree to 1e-9; where the cell sums would lose digits the route must step aside.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leercultuur.survey import Design, _element, _frames

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STATS = ["estimate", "se", "ci_low", "ci_high", "n", "n_eff", "deff", "df"]


@contextmanager
def routes() -> Iterator[list[str]]:
    """Record which route each table took ("cells" or "fallback")."""
    taken: list[str] = []
    inner = _element.element_means

    def spy(*args, **kw):
        out = inner(*args, **kw)
        taken.append("cells" if out is not None else "fallback")
        return out

    mp = pytest.MonkeyPatch()
    mp.setattr(_element, "element_means", spy)
    try:
        yield taken
    finally:
        mp.undo()


@contextmanager
def two_pass_only() -> Iterator[None]:
    mp = pytest.MonkeyPatch()
    mp.setattr(_element, "element_means", lambda *a, **k: None)
    try:
        yield
    finally:
        mp.undo()


def close(a: pd.DataFrame, b: pd.DataFrame, rtol: float = 1e-9) -> None:
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for c in a.columns:
        if c in STATS:
            np.testing.assert_allclose(
                a[c].to_numpy(float), b[c].to_numpy(float), rtol=rtol, atol=1e-13, err_msg=c
            )
        else:
            assert a[c].tolist() == b[c].tolist(), c


@st.composite
def element_designs(draw: st.DrawFn) -> tuple[pd.DataFrame, dict, np.ndarray | None]:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n_strata = draw(st.integers(1, 6))
    sizes = [int(draw(st.integers(1, 12))) for _ in range(n_strata)]
    if n_strata == 1:
        sizes[0] = max(sizes[0], 2)
    h = np.repeat(np.arange(n_strata), sizes)
    n = h.size
    df = pd.DataFrame({"h": h})
    df["w"] = rng.uniform(0.2, 5.0, n)
    if draw(st.booleans()):
        df.loc[(rng.random(n) < 0.1) & (np.arange(n) > 0), "w"] = 0.0
    df["y"] = rng.normal(draw(st.sampled_from([0.0, 10.0, 1e4])), 3, n).round(3)
    df["b"] = (rng.random(n) < draw(st.sampled_from([0.05, 0.5]))).astype(float)
    df["g"] = rng.choice(["a", "b", "c"], n)
    df["k"] = rng.integers(1, 3, n)
    df["cat"] = rng.choice([1.0, 2.0, 3.0], n)
    if draw(st.booleans()):  # 50%: an item of one split half (sums kept for its rows only)
        share = draw(st.sampled_from([0.15, 0.5]))
        for c in ("y", "b", "cat"):  # (the first row keeps its answers)
            df.loc[(rng.random(n) < share) & (np.arange(n) > 0), c] = np.nan
    spec: dict = {
        "weights": "w",
        "strata": "h",
        "lonely_psu": draw(st.sampled_from(["remove", "certainty", "adjust", "average"])),
        "adjust_domain_lonely": draw(st.booleans()),
    }
    if draw(st.booleans()):
        sizes_h = np.array(sizes)
        df["N"] = (sizes_h * rng.integers(1, 4, n_strata) + rng.integers(0, 5, n_strata))[h]
        spec["fpc"] = "N"
    subset = rng.random(n) < 0.8 if draw(st.booleans()) else None
    return df, spec, subset


def _tables(design: Design, na_rm: bool) -> list[pd.DataFrame]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [
            design.mean(["y", "b"], by="g", na_rm=na_rm),
            design.mean("y", by=["g", "k"], na_rm=na_rm),
            design.mean("b", na_rm=na_rm),
            design.proportion("cat", by="g", na_rm=na_rm, ci="beta"),
            design.total(["y", "b"], by="g", na_rm=na_rm),
            design.total("b", na_rm=na_rm),
        ]


@SETTINGS
@given(element_designs(), st.booleans())
def test_cells_route_equals_two_pass(case, na_rm: bool) -> None:
    df, spec, subset = case
    d = Design(df, **spec)
    d = d if subset is None else d.subset(subset)
    with routes() as taken:
        fast = _tables(d, na_rm)
    slow_design = Design(df, **spec)
    slow_design = slow_design if subset is None else slow_design.subset(subset)
    with two_pass_only():
        slow = _tables(slow_design, na_rm)
    # the route was tried (an empty subset has no cells: the two-pass route says NaN / 0)
    assert taken or (subset is not None and not subset.any())
    for a, b in zip(fast, slow, strict=True):
        close(a, b)


def test_cells_route_taken_on_ordinary_data() -> None:
    """The benchmark-like case: every table goes through the cell sums."""
    rng = np.random.default_rng(3)
    n = 5000
    df = pd.DataFrame(
        {
            "h": rng.integers(0, 40, n),
            "w": rng.lognormal(0, 0.4, n),
            "g": rng.integers(1, 6, n),
            "y": np.where(rng.random(n) < 0.05, np.nan, rng.integers(1, 6, n).astype(float)),
            "half": np.where(rng.random(n) < 0.5, np.nan, rng.integers(0, 2, n).astype(float)),
        }
    )

    def run(d: Design) -> list[pd.DataFrame]:
        return [
            d.mean("y", by="g", na_rm=True),
            d.proportion("y", by="g", na_rm=True),
            d.mean("half", by="g", na_rm=True),
        ]

    d = Design(df, weights="w", strata="h")
    with routes() as taken:
        fast = run(d)
    assert taken == ["cells"] * 3
    kept = d._cache["element_rows"]
    assert kept[("numeric", "y")].rows is None  # 95% answer: sums for every row
    assert kept[("numeric", "half")].rows.size == df["half"].notna().sum()  # split half: its rows
    with two_pass_only():
        slow = run(Design(df, weights="w", strata="h"))
    for a, b in zip(fast, slow, strict=True):
        close(a, b, rtol=1e-11)


@pytest.mark.parametrize("offset", [0.0, 1e6, 1e9])
def test_steps_aside_where_digits_would_be_lost(offset: float) -> None:
    """A domain whose answers are all equal (variance 0), and values far from the overall mean
    with a tiny spread: the cell sums cancel, so the table takes the two-pass route."""
    rng = np.random.default_rng(11)
    n = 400
    h = rng.integers(0, 8, n)
    g = np.where(h < 4, "far", "near")
    y = np.where(g == "far", offset + 5e3 + rng.normal(0, 1e-4, n), rng.normal(0, 1, n))
    y[(g == "near") & (h == 7)] = 2.0
    df = pd.DataFrame({"h": h, "g": g, "w": rng.uniform(1, 2, n), "y": y})
    df["same"] = np.where(g == "far", 3.0, df["y"])  # domain "far": every answer is 3
    for col in ("y", "same"):
        with routes() as taken:
            fast = Design(df, weights="w", strata="h").mean(col, by="g")
        with two_pass_only():
            slow = Design(df, weights="w", strata="h").mean(col, by="g")
        close(fast, slow, rtol=1e-9)
        if col == "same" or offset:
            assert taken == ["fallback"], (col, offset)
    assert fast.loc[fast.g == "far", "se"].iloc[0] < 1e-12


def test_results_do_not_share_cached_arrays() -> None:
    """Changing a result table never changes the next one (labels are cached per plan)."""
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"h": rng.integers(0, 3, 200), "g": rng.integers(2014, 2017, 200)})
    df["w"] = 1.0
    df["y"] = rng.random(200)
    d = Design(df, weights="w", strata="h")
    first = d.mean("y", by="g")
    first.loc[0, "g"] = 9999
    first.loc[0, "variable"] = "changed"
    again = d.mean("y", by="g")
    assert again["g"].tolist() == [2014, 2015, 2016]
    assert again["variable"].tolist() == ["y"] * 3
    two = d.mean(["y", "y"], by="g")
    assert two["g"].tolist() == [2014, 2014, 2015, 2015, 2016, 2016]


def test_data_frame_shortcut_equals_public_constructor() -> None:
    cols = {
        "year": np.array([2014, 2015]),
        "group": pd.array(["a", None], dtype="str"),
        "obj": np.array([1.5, None], dtype=object),
        "cat": pd.Categorical(["x", "y"]),
        "variable": pd.array(["v", "v"], dtype="str"),
        "estimate": np.array([0.1, np.nan]),
        "n": np.array([3, 4]),
    }
    fast = _frames._data_frame({k: v.copy() for k, v in cols.items()})
    pd.testing.assert_frame_equal(fast, pd.DataFrame(cols))


def test_row_cache_stays_within_budget(monkeypatch) -> None:
    rng = np.random.default_rng(2)
    n = 1000
    df = pd.DataFrame({"h": rng.integers(0, 5, n), "w": rng.uniform(1, 2, n)})
    for k in range(6):
        df[f"y{k}"] = rng.random(n)
    monkeypatch.setattr(_element, "_ROW_CACHE_BYTES", 3 * n * 7 * 8)  # three variables
    d = Design(df, weights="w", strata="h")
    first = d.mean("y0")
    for k in range(6):
        d.mean(f"y{k}")
    cache = d._cache["element_rows"]
    assert list(cache) == [("numeric", "y3"), ("numeric", "y4"), ("numeric", "y5")]
    close(d.mean("y0"), first, rtol=0)  # recomputed after eviction: the same numbers


def test_threads_sharing_a_design_get_the_same_tables() -> None:
    """Several threads on one design (a web server's workers): the cached plans and row sums
    stay consistent and every table equals the one computed alone."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(4)
    n = 3000
    df = pd.DataFrame({"h": rng.integers(0, 10, n), "w": rng.uniform(1, 2, n)})
    df["g"] = rng.integers(0, 4, n)
    df["k"] = rng.integers(0, 3, n)
    for j in range(4):
        df[f"y{j}"] = rng.random(n)
    jobs = [(f"y{j}", by) for j in range(4) for by in (["g"], ["g", "k"], ["k"])] * 3
    alone = {(v, tuple(by)): Design(df, weights="w", strata="h").mean(v, by=by) for v, by in jobs}
    shared = Design(df, weights="w", strata="h")
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda job: shared.mean(job[0], by=job[1]), jobs))
    for (v, by), table in zip(jobs, got, strict=True):
        close(table, alone[(v, tuple(by))], rtol=0)
