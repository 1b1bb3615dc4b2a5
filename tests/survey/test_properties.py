"""Invariants of the engine, checked on random designs (hypothesis).

Row order and the scale of the weights must not matter (totals scale with it); integer weights
equal replicated rows for point estimates; a ``by`` domain equals the ``subset()`` design of
that domain (estimate, SE and df: the domain keeps the full design); the proportions of the
categories of a variable sum to one in every domain.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leercultuur.survey import Design

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STATS = ["estimate", "se", "ci_low", "ci_high", "n", "n_eff", "deff", "df"]
LONELY = ["remove", "certainty", "adjust", "average"]


@st.composite
def designs(draw: st.DrawFn, integer_weights: bool = False) -> tuple[pd.DataFrame, dict]:
    """A stratified cluster sample with missing values, a by variable and a category."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_strata = draw(st.integers(1, 4))
    rows = []
    psu_id = 0
    for h in range(n_strata):
        for _ in range(draw(st.integers(1 if n_strata > 1 else 2, 4))):
            psu_id += 1
            rows += [(h, psu_id)] * int(rng.integers(1, 5))
    df = pd.DataFrame(rows, columns=["h", "psu"])
    n = len(df)
    if integer_weights:
        df["w"] = rng.integers(1, 4, n).astype(float)
    else:
        df["w"] = rng.uniform(0.2, 5.0, n)
    df["y"] = rng.normal(10, 3, n).round(3)
    df["x"] = rng.uniform(1, 3, n).round(3)
    df["g"] = rng.choice(["a", "b", "c"], n)
    df["cat"] = rng.choice([1, 2, 3], n).astype(float)
    if draw(st.booleans()):
        df.loc[rng.random(n) < 0.15, "y"] = np.nan
        df.loc[rng.random(n) < 0.15, "cat"] = np.nan
    spec = {
        "weights": "w",
        "strata": "h",
        "psu": draw(st.sampled_from(["psu", None])),
        "lonely_psu": draw(st.sampled_from(LONELY)),
        "adjust_domain_lonely": draw(st.booleans()),
    }
    return df, spec


def run(design: Design, what: str, by: str | None = None) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if what == "mean":
            return design.mean(["y", "x"], by=by, na_rm=True)
        if what == "total":
            return design.total(["y", "x"], by=by, na_rm=True)
        if what == "ratio":
            return design.ratio("y", "x", by=by, na_rm=True)
        return design.proportion("cat", by=by, na_rm=True, ci="beta")


def assert_frames_close(a: pd.DataFrame, b: pd.DataFrame, cols: list[str], rtol=1e-9) -> None:
    assert len(a) == len(b)
    for c in cols:
        np.testing.assert_allclose(
            a[c].to_numpy(float), b[c].to_numpy(float), rtol=rtol, atol=1e-12, err_msg=c
        )


WHAT = st.sampled_from(["mean", "total", "ratio", "proportion"])


@SETTINGS
@given(designs(), WHAT, st.integers(0, 2**32 - 1))
def test_row_order_does_not_matter(case, what: str, seed: int) -> None:
    df, spec = case
    perm = np.random.default_rng(seed).permutation(len(df))
    a = run(Design(df, **spec), what, by="g")
    b = run(Design(df.iloc[perm].reset_index(drop=True), **spec), what, by="g")
    assert a["g"].tolist() == b["g"].tolist()
    assert_frames_close(a, b, STATS)


@SETTINGS
@given(designs(), WHAT, st.sampled_from([0.01, 3.0, 1234.5]))
def test_weight_scale(case, what: str, c: float) -> None:
    df, spec = case
    a = run(Design(df, **spec), what, by="g")
    b = run(Design(df.assign(w=df.w * c), **spec), what, by="g")
    scale = c if what == "total" else 1.0
    for col in ["estimate", "se", "ci_low", "ci_high"]:
        np.testing.assert_allclose(
            b[col].to_numpy(float), a[col].to_numpy(float) * scale, rtol=1e-9, atol=1e-12
        )
    assert_frames_close(a, b, ["n", "n_eff", "deff", "df"])


@SETTINGS
@given(designs(integer_weights=True), WHAT)
def test_integer_weights_equal_replicated_rows(case, what: str) -> None:
    df, _ = case
    reps = df.loc[df.index.repeat(df.w.astype(int))].assign(w=1.0).reset_index(drop=True)
    a = run(Design(df, weights="w"), what, by="g")
    b = run(Design(reps, weights="w"), what, by="g")
    assert a["g"].tolist() == b["g"].tolist()
    assert_frames_close(a, b, ["estimate"])
    np.testing.assert_allclose(b["n"].to_numpy(float), _replicated_n(df, a, what), rtol=0)


def _replicated_n(df: pd.DataFrame, a: pd.DataFrame, what: str) -> np.ndarray:
    """Rows a replicated sample uses per output row: the sum of the integer weights."""
    used = {"mean": None, "total": None, "ratio": ["y", "x"], "proportion": ["cat"]}[what]
    out = []
    for _, row in a.iterrows():
        m = df.g == row["g"]
        cols = used if used is not None else [row["variable"]]
        m &= df[cols].notna().all(axis=1)
        out.append(df.loc[m, "w"].sum())
    return np.asarray(out, float)


@SETTINGS
@given(designs(), WHAT)
def test_by_domain_equals_subset_design(case, what: str) -> None:
    df, spec = case
    d = Design(df, **spec)
    by = run(d, what, by="g")
    for g, part in by.groupby("g", sort=True):
        sub = run(d.subset(df.g == g), what).reset_index(drop=True)
        assert_frames_close(part.reset_index(drop=True), sub, STATS, rtol=1e-8)


@SETTINGS
@given(designs())
def test_proportions_sum_to_one(case) -> None:
    df, spec = case
    out = run(Design(df, **spec), "proportion", by="g")
    answered = out["n"] > 0
    sums = out[answered].groupby("g")["estimate"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0, rtol=1e-12)
    assert out.loc[~answered, "estimate"].isna().all()  # no answers: no shares, not zeros
    # and their SEs are those of the 0/1 indicator means
    c = out["category"].iloc[-1]
    d = Design(df.assign(is_c=(df.cat == c).astype(float).where(df.cat.notna())), **spec)
    m = d.mean("is_c", by="g", na_rm=True)
    p_c = out[out["category"] == c].reset_index(drop=True)
    assert_frames_close(p_c, m, ["estimate", "se", "n", "deff", "df"])


def test_domain_lonely_option_changes_the_se() -> None:
    """The golden lonely data: adjust_domain_lonely must matter for domain 'p' (single PSUs)."""
    from .golden_part1 import golden_data

    df = golden_data("lonely")
    kw = {"weights": "w", "strata": "h", "psu": "psu", "lonely_psu": "adjust"}
    off = Design(df, **kw).total("x", by="grp")
    on = Design(df, **kw, adjust_domain_lonely=True).total("x", by="grp")
    assert off["estimate"].tolist() == pytest.approx(on["estimate"].tolist(), rel=1e-14)
    assert on.loc[0, "se"] > off.loc[0, "se"] * 1.01


@SETTINGS
@given(designs(), st.sampled_from(["mean", "proportion"]), st.booleans())
def test_element_sample_equals_psu_of_row_ids(case, what: str, subset: bool) -> None:
    """No PSU column (rows are the units) equals a PSU column of row ids (PSU totals path)."""
    df, spec = case
    spec = {**spec, "psu": None}
    fast = Design(df, **spec)
    generic = Design(df.assign(row=np.arange(len(df))), **{**spec, "psu": "row"})
    if subset:
        fast, generic = fast.subset(df.x > 1.5), generic.subset(df.x > 1.5)
    a = run(fast, what, by="g")
    b = run(generic, what, by="g")
    assert a["g"].tolist() == b["g"].tolist()
    assert_frames_close(a, b, STATS, rtol=1e-9)


@SETTINGS
@given(
    st.lists(st.integers(-5, 40), min_size=1, max_size=60),
    st.sampled_from(["int64", "int16", "uint8", "Int64"]),
)
def test_factorize_shortcut_equals_pandas(values: list[int], dtype: str) -> None:
    from leercultuur.survey._design import factorize

    if dtype == "uint8":
        values = [abs(v) for v in values]
    s = pd.Series(values, dtype=dtype)
    codes, uniques = factorize(s)
    ref_codes, ref_uniques = pd.factorize(s, sort=True)
    np.testing.assert_array_equal(codes, ref_codes)
    np.testing.assert_array_equal(uniques, np.asarray(ref_uniques))
