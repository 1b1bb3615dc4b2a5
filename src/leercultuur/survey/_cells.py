"""Sufficient statistics per (stratum, group) cell: every domain, difference and slope at once.

Why: a monitor asks for thousands of related statistics (each indicator x year x group, each
group against the rest, each year against the last, trends per group). When every respondent is
its own PSU (stratified element sampling, as in the NEA), the linearised variance of any domain
that is a union of groups, of the difference of two disjoint domains, and of a regression on
regressors that are constant within groups (year, a hinge at a break year) depends on the data
only through eight sums per (stratum, group) cell and variable:

    A = sum w m      B = sum w m y      F = sum w m y^2
    C = sum w^2 m    D = sum w^2 m y    E = sum w^2 m y^2    N = sum m    NZ = sum m [w != 0]

(m = the row answers the variable). One pass over the data builds them; after that every
statistic is small-array algebra, independent of n. The results equal R ``survey``'s
``svymean``/``svyby`` on domains and ``svyglm`` on ``subset()`` designs (tests compare with R and
with :mod:`leercultuur.survey._estimate`).

For the scores z of a domain statistic, per stratum h with n_h rows (= PSUs) in the full design:
S1_h = sum z, S2_h = sum z^2, and V = sum_h f_h n_h/(n_h - 1) (S2_h - S1_h^2 / n_h). Two disjoint
domains share no row, so their cross-products vanish and Cov = -sum_h c_h S1_1h S1_2h / n_h.
Variables are centred at their overall weighted mean first (all statistics here are invariant to
a shift of y), which keeps the expanded sums free of cancellation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import sparse

from leercultuur.errors import DesignError

if TYPE_CHECKING:  # pragma: no cover
    from leercultuur.survey._design import Design

A, B, F, C, D, E, N, NZ = range(8)
N_STATS = 8


@dataclass(frozen=True)
class CellStats:
    """Per-(group, stratum) sums of eight statistics for K variables: ``S[g, h, stat, k]``."""

    S: np.ndarray
    groups: pd.DataFrame  # labels of each group code (one column per `by` variable)
    names: tuple[str, ...]
    shift: np.ndarray  # (K,) the centring constant subtracted from each variable
    n_psu: np.ndarray  # (H,) rows (= PSUs) per stratum in the full design
    scale: np.ndarray  # (H,) f_h n_h / (n_h - 1), or f_h for a lonely stratum
    lonely: np.ndarray  # (H,) bool
    lonely_rule: str

    @property
    def n_groups(self) -> int:
        return self.S.shape[0]


def cell_stats(
    design: Design,
    vars: Sequence[str],
    *,
    by: Sequence[str],
    weights: np.ndarray | None = None,
    values: np.ndarray | None = None,
) -> CellStats:
    """Build the cell sums of ``vars`` (missing values out of domain, as ``na_rm=True``).

    ``weights`` replaces the design weights (e.g. proportional weights for classic tests);
    ``values`` (n x K) replaces reading ``vars`` from the data.
    """
    from leercultuur.survey._estimate import _numeric_matrix, domains

    if design.has_psu:
        raise DesignError("cell statistics need a design without PSUs (each row its own PSU)")
    if design.lonely_psu == "average" or design.adjust_domain_lonely:
        raise DesignError(
            "cell statistics support lonely_psu 'fail', 'remove', 'certainty' and 'adjust'"
        )
    dom = domains(design, list(by), "group")
    Y = values if values is not None else _numeric_matrix(design, list(vars), "cell_stats")
    w = design.w if weights is None else np.asarray(weights, dtype=np.float64)
    indom = dom.codes >= 0
    member = ~np.isnan(Y) & indom[:, None]
    wm = w[:, None] * member
    with np.errstate(invalid="ignore", divide="ignore"):
        shift = np.where(member, Y, 0.0).T @ w / wm.sum(axis=0)
    shift = np.nan_to_num(shift)
    y = np.where(member, Y - shift, 0.0)
    wy = wm * y
    w2m = wm * w[:, None]
    w2y = w2m * y
    K = Y.shape[1]
    G, H = dom.n, design.n_strata
    stats = np.empty((Y.shape[0], N_STATS, K))
    stats[:, A] = wm
    stats[:, B] = wy
    stats[:, F] = wy * y
    stats[:, C] = w2m
    stats[:, D] = w2y
    stats[:, E] = w2y * y
    stats[:, N] = member
    stats[:, NZ] = member & (w != 0)[:, None]
    cell = np.where(indom, dom.codes * H + design.stratum, 0)
    n = Y.shape[0]
    ind = sparse.csc_matrix(
        (indom.astype(np.float64), cell.astype(np.int64), np.arange(n + 1)), shape=(G * H, n)
    )
    S = np.asarray(ind @ stats.reshape(n, N_STATS * K)).reshape(G, H, N_STATS, K)
    n_psu = design.n_psu
    lonely = n_psu == 1
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(lonely, design.f, design.f * n_psu / (n_psu - 1))
    scale = np.where(design.f < 1e-7, 0.0, scale)
    return CellStats(
        S=S,
        groups=dom.labels,
        names=tuple(vars),
        shift=shift,
        n_psu=n_psu,
        scale=scale,
        lonely=lonely,
        lonely_rule=design.lonely_psu,
    )


def domain_sums(cs: CellStats, membership: np.ndarray) -> np.ndarray:
    """Sums over the groups of each domain: ``membership`` (ND x G) 0/1 -> (ND, H, 8, K)."""
    G, H, S_, K = cs.S.shape
    out = np.asarray(membership, dtype=np.float64) @ cs.S.reshape(G, H * S_ * K)
    return out.reshape(-1, H, S_, K)


def _variance_from_s(cs: CellStats, s1: np.ndarray, s2: np.ndarray) -> np.ndarray:
    """sum_h c_h (S2_h - S1_h^2 / n_h); arrays (..., H, K). Lonely strata by the design rule."""
    n_h = cs.n_psu[:, None]
    ss = s2 - s1 * s1 / n_h
    if cs.lonely.any():
        lonely = cs.lonely[:, None]
        ss = np.where(lonely, s2 if cs.lonely_rule == "adjust" else 0.0, ss)
    return np.einsum("...hk,h->...k", ss, cs.scale)


@dataclass(frozen=True)
class DomainMeans:
    """Means of each domain (ND x K) with variances and counts."""

    estimate: np.ndarray
    var: np.ndarray
    sum_w: np.ndarray
    n: np.ndarray
    df: np.ndarray  # rows with non-zero weight minus strata with such rows (R degf)
    pop_var: np.ndarray  # weighted population variance sum w (y - m)^2 / sum w
    s1: np.ndarray  # (ND, H, K) stratum score sums, for covariances


def domain_means(cs: CellStats, membership: np.ndarray) -> DomainMeans:
    T = domain_sums(cs, membership)
    sw = T[:, :, A].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = T[:, :, B].sum(axis=1) / sw
        mh = m[:, None, :]
        s1 = (T[:, :, B] - mh * T[:, :, A]) / sw[:, None, :]
        s2 = (T[:, :, E] - 2 * mh * T[:, :, D] + mh * mh * T[:, :, C]) / (sw * sw)[:, None, :]
        pop_var = T[:, :, F].sum(axis=1) / sw - m * m
    var = _variance_from_s(cs, np.nan_to_num(s1), np.nan_to_num(s2))
    nz = T[:, :, NZ]
    df = nz.sum(axis=1) - (nz > 0).sum(axis=1)
    return DomainMeans(
        estimate=m + cs.shift,
        var=np.where(sw > 0, var, np.nan),
        sum_w=sw,
        n=T[:, :, N].sum(axis=1),
        df=df,
        pop_var=np.maximum(pop_var, 0.0),
        s1=np.nan_to_num(s1),
    )


def covariance_disjoint(cs: CellStats, a: DomainMeans, b: DomainMeans) -> np.ndarray:
    """Cov(mean_a, mean_b) for row-disjoint domains a[i], b[i] of the same sample."""
    prod = a.s1 * b.s1 / cs.n_psu[:, None]
    if cs.lonely.any():
        prod = np.where(cs.lonely[:, None], 0.0, prod)
    return -np.einsum("dhk,h->dk", prod, cs.scale)


@dataclass(frozen=True)
class DomainSlopes:
    """Weighted least squares of y on group-level regressors, per domain and variable."""

    coef: np.ndarray  # (ND, K, p)
    vcov: np.ndarray  # (ND, K, p, p)
    df: np.ndarray  # (ND, K) design df of the domain (before subtracting p - 1)
    s1: np.ndarray  # (ND, H, K, p) stratum sums of the influence functions
    xtwx: np.ndarray  # (ND, K, p, p)
    xtwy: np.ndarray  # (ND, K, p) (of the centred y)


def domain_slopes(cs: CellStats, membership: np.ndarray, X: np.ndarray) -> DomainSlopes:
    """Regression of y on the regressors ``X`` (G x p, constant within each group, first column
    the intercept) for each domain (``membership`` ND x G): R ``svyglm(y ~ x, subset(...))``."""
    M = np.asarray(membership, dtype=np.float64)
    p = X.shape[1]
    S = cs.S
    es = {"optimize": True}
    a = np.einsum("dg,ghk->dgk", M, S[:, :, A], **es)  # per (domain, group) sums
    b = np.einsum("dg,ghk->dgk", M, S[:, :, B], **es)
    xtwx = np.einsum("dgk,gi,gj->dkij", a, X, X, **es)
    xtwy = np.einsum("dgk,gi->dki", b, X, **es)
    # A (domain, variable) without data in enough groups has a singular X'WX: its results are
    # NaN (documented), the others are unaffected.
    with np.errstate(invalid="ignore", divide="ignore"):
        diag = np.sqrt(np.einsum("dkii->dki", xtwx))
        norm = xtwx / (diag[..., :, None] * diag[..., None, :])
        bad = ~np.isfinite(norm).all(axis=(-1, -2))
        bad |= np.linalg.cond(np.where(bad[..., None, None], np.eye(p), norm)) > 1e12
    safe = np.where(bad[..., None, None], np.eye(p), xtwx)
    coef = np.linalg.solve(safe, xtwy[..., None])[..., 0]
    inv = np.linalg.inv(safe)
    coef[bad] = np.nan
    inv[bad] = np.nan
    mu = np.einsum("gi,dki->dgk", X, coef, **es)  # fitted value per (domain, group)
    mx = np.einsum("dkij,gj->dgki", inv, X, **es) * M[:, :, None, None]  # M x_g, 0 outside
    # influence sums per stratum: sum_g M x_g (B - mu A)
    s1 = np.einsum("ghk,dgki->dhki", S[:, :, B], mx, **es) - np.einsum(
        "ghk,dgk,dgki->dhki", S[:, :, A], mu, mx, **es
    )
    P = mx[..., :, None] * mx[..., None, :]  # (d, g, k, i, j)
    s2 = (
        np.einsum("ghk,dgkij->dhkij", S[:, :, E], P, **es)
        - 2 * np.einsum("ghk,dgk,dgkij->dhkij", S[:, :, D], mu, P, **es)
        + np.einsum("ghk,dgk,dgkij->dhkij", S[:, :, C], mu * mu, P, **es)
    )
    n_h = cs.n_psu[None, :, None, None, None]
    ss = s2 - s1[..., :, None] * s1[..., None, :] / n_h
    if cs.lonely.any():
        lonely = cs.lonely[None, :, None, None, None]
        ss = np.where(lonely, s2 if cs.lonely_rule == "adjust" else 0.0, ss)
    vcov = np.einsum("dhkij,h->dkij", ss, cs.scale)
    vcov[bad] = np.nan
    nz = np.einsum("dg,ghk->dhk", M, S[:, :, NZ], **es)
    df = nz.sum(axis=1) - (nz > 0).sum(axis=1)
    # the intercept absorbs the centring shift
    coef = coef.copy()
    coef[..., 0] += cs.shift[None, :]
    return DomainSlopes(coef=coef, vcov=vcov, df=df, s1=s1, xtwx=xtwx, xtwy=xtwy)
