"""The exact (two-pass) route of the cell statistics, for the domains where sums lose digits.

The cell route of :mod:`leercultuur.survey._cells` expands each variance into sums of powers of
the (centred) answers. That is exact in exact arithmetic, and in floating point whenever the
result is not much smaller than the terms it is computed from. It is not when a domain's mean is
far from the centring constant compared with the spread of its answers (an offset of 1e6 with
answers that vary by 1e-4, a group whose mean differs from the rest by 1e6) or when every answer
of the domain is the same (the variance is 0, the expanded sums give rounding noise). The cell
route detects that with the guard of the element route (``_rules.MAX_CANCELLATION``: the result
must keep ~12 of 16 digits) and hands exactly those (domain, variable) pairs to the functions
here, which read the domain's rows and compute its scores about the domain's own mean (two
passes), then the variance with the same stratum factors (:func:`_rules.stratum_weights`). A
domain whose answers are all equal gets a variance of exactly 0.

Cost: proportional to the rows of the flagged domains (the rows of each group are found once
per cell table), so the rare flagged domains cost what their rows cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from leercultuur.survey._cells import CellStats


def group_rows(cs: CellStats, membership: np.ndarray, k: int) -> np.ndarray:
    """Rows of the domain ``membership`` (G,) that answer variable ``k`` (sorted)."""
    groups = np.flatnonzero(np.asarray(membership) > 0)
    order, starts = cs.row_order
    parts = [order[starts[g] : starts[g + 1]] for g in groups]
    rows = np.sort(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
    member = ~np.isnan(cs.rows.Y[rows, k])
    return rows[member]


def _meat(cs: CellStats, Z: np.ndarray, h: np.ndarray) -> np.ndarray:
    """sum_h c_h sum_i z_i z_i' - w_h S_h S_h' for element rows ``Z`` (r, p) in strata ``h``."""
    c_h, w_h = cs.rows.c_h, cs.rows.w_h
    S = np.zeros((c_h.size, Z.shape[1]))
    np.add.at(S, h, Z)
    out: np.ndarray = (Z * c_h[h][:, None]).T @ Z - (S * w_h[:, None]).T @ S
    return out


def stratum_sums(cs: CellStats, Z: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Per-stratum sums (H, p) of the scores ``Z``."""
    S = np.zeros((cs.rows.c_h.size, Z.shape[1]))
    np.add.at(S, h, Z)
    return S


def exact_mean(cs: CellStats, membership: np.ndarray, k: int) -> tuple[float, np.ndarray]:
    """Variance of the domain's mean of variable ``k`` and its per-stratum score sums (H,)."""
    rows = group_rows(cs, membership, k)
    H = cs.rows.c_h.size
    if not rows.size:
        return float("nan"), np.zeros(H)
    yc = cs.rows.centred(rows, k)
    w = cs.rows.w[rows]
    sw = w.sum()
    if sw <= 0:
        return float("nan"), np.zeros(H)
    if yc.min() == yc.max():  # every answer the same: no variance at all
        return 0.0, np.zeros(H)
    m = (w @ yc) / sw
    m += (w @ (yc - m)) / sw  # second pass: the mean to the last digit
    z = (w * (yc - m) / sw)[:, None]
    h = cs.stratum[rows]
    return float(max(_meat(cs, z, h)[0, 0], 0.0)), stratum_sums(cs, z, h)[:, 0]


def exact_slope(
    cs: CellStats, membership: np.ndarray, k: int, X: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(vcov (p, p), inv (p, p), S (H, p))`` of the regression of variable ``k`` on the
    group-level regressors ``X`` (G, p) in the domain: its sandwich covariance, (X'WX)^-1 and the
    per-stratum sums of the scores w e x (for covariances with other domains)."""
    p = X.shape[1]
    H = cs.rows.c_h.size
    rows = group_rows(cs, membership, k)
    nan = np.full((p, p), np.nan)
    if not rows.size:
        return nan, nan, np.zeros((H, p))
    yc = cs.rows.centred(rows, k)
    w = cs.rows.w[rows]
    x = X[cs.codes[rows]]
    xtwx = (x * w[:, None]).T @ x
    try:
        inv = np.linalg.inv(xtwx)
    except np.linalg.LinAlgError:
        return nan, nan, np.zeros((H, p))
    coef = inv @ ((x * w[:, None]).T @ yc)
    e = yc - x @ coef
    e -= x @ (inv @ ((x * w[:, None]).T @ e))  # refine: residuals orthogonal to the last digit
    if np.all(e == 0) or yc.min() == yc.max():
        return np.zeros((p, p)), inv, np.zeros((H, p))
    Z = (w * e)[:, None] * x
    h = cs.stratum[rows]
    return inv @ _meat(cs, Z, h) @ inv.T, inv, stratum_sums(cs, Z, h)
