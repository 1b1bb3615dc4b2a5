"""The engine's variance routes agree, also where one-pass sums would lose digits.

Element samples (no PSU column) first try the cell sums of ``_element`` (one sparse product per
table; see test_element.py), then sum z^2 - (sum z)^2 / n_h of the row scores per (domain,
stratum) cell, and fall back to the two-pass centred sums when that keeps fewer than ~10 digits;
a PSU column of row ids always takes the two-pass route (R's ``onestrat``). All must give the
same SEs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leercultuur.survey import Design, _element, _estimate, _variance


def _both(df: pd.DataFrame, **kw) -> tuple[pd.DataFrame, pd.DataFrame]:
    fast = Design(df, weights="w", strata="h", **kw).mean("y", by="g")
    rows = Design(df.assign(r=np.arange(len(df))), weights="w", strata="h", psu="r", **kw)
    return fast, rows.mean("y", by="g")


@pytest.mark.parametrize("equal_weights", [True, False])
def test_large_offsets_tiny_spread(equal_weights: bool, monkeypatch) -> None:
    rng = np.random.default_rng(7)
    n = 300
    df = pd.DataFrame({"h": rng.integers(0, 6, n)})
    df["g"] = df.h % 2  # domains are unions of strata: a cell holds all n_h rows
    df["w"] = 1.0 if equal_weights else rng.uniform(1, 3, n)
    df["y"] = 1e9 + df.h * 1e4 + rng.normal(0, 1e-3, n)  # scores ~constant within a cell
    routes = []
    inner = _variance.element_variance
    cells = _element.element_means

    def spy(*args):
        out = inner(*args)
        routes.append("one-pass" if out is not None else "two-pass")
        return out

    def spy_cells(*args, **kw):
        out = cells(*args, **kw)
        routes.append("cells" if out is not None else "no cells")
        return out

    monkeypatch.setattr(_estimate, "element_variance", spy)
    monkeypatch.setattr(_element, "element_means", spy_cells)
    fast, rows = _both(df)
    np.testing.assert_allclose(fast["se"], rows["se"], rtol=1e-9)
    np.testing.assert_allclose(fast["estimate"], rows["estimate"], rtol=1e-14)
    # equal weights make the scores of a full-stratum cell almost equal: the cell sums and the
    # one-pass sums would cancel, so both step aside; unequal weights keep them apart
    assert routes == (["no cells", "two-pass"] if equal_weights else ["cells"])


@pytest.mark.parametrize("lonely", ["remove", "certainty", "adjust", "average"])
def test_lonely_rows(lonely: str) -> None:
    df = pd.DataFrame(
        {
            "h": [1, 1, 1, 2, 3, 3, 4, 4, 4, 4],
            "g": ["a", "b", "a", "a", "b", "b", "a", "b", "b", "a"],
            "w": [1.0, 2.0, 1.5, 3.0, 1.0, 2.0, 2.5, 1.0, 1.2, 0.8],
            "y": [3.0, 4.0, 5.0, 6.0, 1.0, 2.0, 2.0, 9.0, 7.0, 4.0],
        }
    )
    for adl in (False, True):
        fast, rows = _both(df, lonely_psu=lonely, adjust_domain_lonely=adl)
        np.testing.assert_allclose(fast["se"], rows["se"], rtol=1e-12)
