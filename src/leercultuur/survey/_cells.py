"""Sufficient statistics per (group, stratum) cell: every domain, difference and slope at once.

Why our own code: a monitor asks for thousands of related statistics (each indicator x year x
group, each group against the rest, each year against the last, trends per group). When every
respondent is its own PSU (stratified element sampling, as in the NEA), the linearised variance
of any domain that is a union of groups, of the difference of two disjoint domains, and of a
regression on regressors that are constant within groups (year, a hinge at a break year)
depends on the data only through a few sums per cell. One pass over the data builds them; every
statistic after that is small matrix algebra, independent of n. No survey library offers this.

Notation: for a domain's scores z and stratum h with n_h rows (= PSUs) in the full design,
S1_h = sum z and S2_h = sum z^2; the variance is sum_h c_h S2_h - sum_h w_h S1_h^2 with
c_h = f_h n_h / (n_h - 1) and w_h = c_h / n_h (R's ``onestrat``). For a domain mean,
z = w m (y - mean) / sum(w m), so

* sum_h c_h S2_h is linear in the per-group sums of c w^2 m, c w^2 m y, c w^2 m y^2;
* sum_h w_h S1_h^2 is a quadratic form in the per-(group, stratum) sums of w m and w m y, with
  the G x G matrices Q_XY[g, g'] = sum_h w_h X_gh Y_g'h (X, Y in {A = w m, B = w m y}).

Two disjoint domains share no row, so their covariance is -sum_h w_h S1_ah S1_bh: a bilinear
form in the same Q matrices. Regression slopes work the same way with the regressors folded into
the group vectors. Variables are centred at their overall weighted mean first (every statistic
here is invariant to a shift of y), which keeps the expanded sums free of cancellation.

Lonely strata (one row): "remove"/"certainty" contribute nothing; "adjust" contributes the
uncentred f_h S2_h, as R 4.1 does. The results equal :mod:`leercultuur.survey._estimate` and R's
``svyby``/``svyglm`` on ``subset()`` designs (see tests/survey/test_cells.py).
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

# per (group, stratum): A = sum w m, B = sum w m y, NZ = sum m [w != 0], R0 = rows [w != 0]
A, B, NZ, R0 = range(4)
# per group: F = sum w m y^2, N = sum m, R1 = rows, CC/CD/CE = sum c_h w^2 m (1, y, y^2),
# W2 = sum w^2 m
F, N, R1, CC, CD, CE, W2 = range(7)


@dataclass(frozen=True)
class CellStats:
    """Cell sums for K variables over G groups (the combinations of ``by``) and H strata."""

    H_cells: np.ndarray  # (G, H, 4, K): A, B, NZ, R0 per (group, stratum)
    G_cells: np.ndarray  # (G, 7, K): F, N, R1, CC, CD, CE, W2 per group
    Q: dict[str, np.ndarray]  # "AA", "AB", "BB": (K, G, G)
    groups: pd.DataFrame  # labels of each group code (one column per `by` variable)
    names: tuple[str, ...]
    shift: np.ndarray  # (K,) the centring constant subtracted from each variable

    @property
    def n_groups(self) -> int:
        return self.H_cells.shape[0]


def _stratum_weights(design: Design) -> tuple[np.ndarray, np.ndarray]:
    """c_h (for sum of squares) and w_h (for squared sums) with the lonely-PSU rule applied."""
    n_h = design.n_psu
    lonely = n_h == 1
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(lonely, design.f, design.f * n_h / (n_h - 1))
        w = np.where(lonely, 0.0, c / n_h)
    if design.lonely_psu in ("remove", "certainty"):
        c = np.where(lonely, 0.0, c)
    c = np.where(design.f < 1e-7, 0.0, c)
    w = np.where(design.f < 1e-7, 0.0, w)
    return c, w


def cell_stats(
    design: Design,
    vars: Sequence[str],
    *,
    by: Sequence[str],
    weights: np.ndarray | None = None,
    values: np.ndarray | None = None,
) -> CellStats:
    """Build the cell sums of ``vars`` by the groups of ``by`` (missing values out of domain,
    as ``na_rm=True``). ``weights`` replaces the design weights (e.g. normalised weights for
    classic tests); ``values`` (n x K) replaces reading ``vars`` from the data."""
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
    n, K = Y.shape
    G, H = dom.n, design.n_strata
    indom = dom.codes >= 0
    member = ~np.isnan(Y) & indom[:, None]
    wm = w[:, None] * member
    with np.errstate(invalid="ignore", divide="ignore"):
        shift = np.nan_to_num(np.where(member, Y, 0.0).T @ w / wm.sum(axis=0))
    y = np.where(member, Y - shift, 0.0)
    nonzero = (w != 0) & indom
    c_h, w_h = _stratum_weights(design)
    c_row = c_h[design.stratum]

    per_h = np.empty((n, 4, K))
    per_h[:, A] = wm
    per_h[:, B] = wm * y
    per_h[:, NZ] = member & nonzero[:, None]
    per_h[:, R0] = nonzero[:, None]
    per_g = np.empty((n, 7, K))
    per_g[:, F] = per_h[:, B] * y
    per_g[:, N] = member
    per_g[:, R1] = indom[:, None]
    cw2m = wm * (w * c_row)[:, None]
    per_g[:, CC] = cw2m
    per_g[:, CD] = cw2m * y
    per_g[:, CE] = cw2m * y * y
    per_g[:, W2] = wm * w[:, None]

    rows = np.arange(n + 1)
    gcode = np.where(indom, dom.codes, 0).astype(np.int64)
    ones = indom.astype(np.float64)
    ind_gh = sparse.csc_matrix((ones, gcode * H + design.stratum, rows), shape=(G * H, n))
    ind_g = sparse.csc_matrix((ones, gcode, rows), shape=(G, n))
    H_cells = np.asarray(ind_gh @ per_h.reshape(n, 4 * K)).reshape(G, H, 4, K)
    G_cells = np.asarray(ind_g @ per_g.reshape(n, 7 * K)).reshape(G, 7, K)

    a = np.ascontiguousarray(H_cells[:, :, A].transpose(2, 0, 1))  # (K, G, H)
    b = np.ascontiguousarray(H_cells[:, :, B].transpose(2, 0, 1))
    aw = a * w_h[None, None, :]
    bw = b * w_h[None, None, :]
    Q = {
        "AA": aw @ a.transpose(0, 2, 1),
        "AB": aw @ b.transpose(0, 2, 1),
        "BB": bw @ b.transpose(0, 2, 1),
    }
    return CellStats(
        H_cells=H_cells,
        G_cells=G_cells,
        Q=Q,
        groups=dom.labels,
        names=tuple(vars),
        shift=shift,
    )


def _quad(Q: np.ndarray, U: np.ndarray, V: np.ndarray) -> np.ndarray:
    """u_d' Q_k v_d for every domain d and variable k: U, V (ND, G, K) -> (ND, K)."""
    # (K, ND, G) @ (K, G, G) -> (K, ND, G), then row-wise dot with V
    UQ = np.matmul(U.transpose(2, 0, 1), Q)
    return np.einsum("kdg,dgk->dk", UQ, V)


def _s1_square(
    cs: CellStats, Ma: np.ndarray, ma: np.ndarray, Mb: np.ndarray, mb: np.ndarray
) -> np.ndarray:
    """sum_h w_h (B_ah - m_a A_ah)(B_bh - m_b A_bh) for domain pairs (a_d, b_d): (ND, K)."""
    K = ma.shape[1]
    Ua = np.broadcast_to(Ma[:, :, None], (*Ma.shape, K))
    Ub = np.broadcast_to(Mb[:, :, None], (*Mb.shape, K))
    Va = Ua * ma[:, None, :]
    Vb = Ub * mb[:, None, :]
    QAB, QBA = cs.Q["AB"], cs.Q["AB"].transpose(0, 2, 1)
    return (
        _quad(cs.Q["BB"], Ua, Ub)
        - _quad(QBA, Ua, Vb)
        - _quad(QAB, Va, Ub)
        + _quad(cs.Q["AA"], Va, Vb)
    )


@dataclass(frozen=True)
class DomainMeans:
    """Means of each domain (ND x K) with their variances and diagnostics."""

    estimate: np.ndarray
    var: np.ndarray
    sum_w: np.ndarray
    n: np.ndarray  # rows answering
    n_eff: np.ndarray  # Kish
    deff: np.ndarray  # with replacement (R deff="replace")
    pop_var: np.ndarray  # weighted population variance sum w (y - m)^2 / sum w
    centred: np.ndarray  # the centred mean (internal: for covariances)


def domain_means(cs: CellStats, membership: np.ndarray) -> DomainMeans:
    """Means and variances of each domain (a row of ``membership``, ND x G, 0/1 over groups)."""
    M = np.asarray(membership, dtype=np.float64)
    L = np.einsum("dg,gsk->dsk", M, cs.G_cells)
    sw = M @ cs.H_cells[:, :, A].sum(axis=1)
    sb = M @ cs.H_cells[:, :, B].sum(axis=1)
    nobs = M @ cs.H_cells[:, :, NZ].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = sb / sw
        s2 = (L[:, CE] - 2 * m * L[:, CD] + m * m * L[:, CC]) / (sw * sw)
        var = s2 - _s1_square(cs, M, m, M, m) / (sw * sw)
        ss = L[:, F] - m * m * sw  # sum w (y - m)^2
        pop_var = ss / sw
        n_eff = sw * sw / L[:, W2]
        deff = var * (nobs - 1) * sw / ss
    var = np.where(sw > 0, np.maximum(var, 0.0), np.nan)
    return DomainMeans(
        estimate=m + cs.shift,
        var=var,
        sum_w=sw,
        n=L[:, N],
        n_eff=n_eff,
        deff=deff,
        pop_var=np.maximum(pop_var, 0.0),
        centred=np.nan_to_num(m),
    )


def covariance_disjoint(
    cs: CellStats, Ma: np.ndarray, a: DomainMeans, Mb: np.ndarray, b: DomainMeans
) -> np.ndarray:
    """Cov(mean_a, mean_b) for row-disjoint domains (rows of ``Ma``, ``Mb``) of one sample."""
    cross = _s1_square(cs, np.asarray(Ma, float), a.centred, np.asarray(Mb, float), b.centred)
    with np.errstate(invalid="ignore", divide="ignore"):
        return -cross / (a.sum_w * b.sum_w)


def domain_df(cs: CellStats, membership: np.ndarray, *, answered: bool = True) -> np.ndarray:
    """R ``degf`` of each domain's subset design: rows with non-zero weight minus strata with
    such rows; ``answered=True`` counts only rows answering the variable (as ``svyglm`` after
    dropping missing values), else every row of the domain (as ``svyciprop``). (ND, K)."""
    M = np.asarray(membership, dtype=np.float64)
    cnt = cs.H_cells[:, :, NZ if answered else R0]  # (G, H, K)
    G, H, K = cnt.shape
    per_h = (M @ cnt.reshape(G, H * K)).reshape(-1, H, K)
    return per_h.sum(axis=1) - (per_h > 0).sum(axis=1)


def domain_rows(cs: CellStats, membership: np.ndarray) -> np.ndarray:
    """Rows of each domain (answering or not): (ND, K)."""
    return np.asarray(membership, dtype=np.float64) @ cs.G_cells[:, R1]


@dataclass(frozen=True)
class DomainSlopes:
    """Weighted least squares of y on group-level regressors, per domain and variable."""

    coef: np.ndarray  # (ND, K, p)
    vcov: np.ndarray  # (ND, K, p, p)
    inv: np.ndarray  # (ND, K, p, p) (X'WX)^-1
    U: np.ndarray  # (ND, G, K, p) M x_g: for covariances
    mu: np.ndarray  # (ND, G, K) fitted (centred) value per group


def _fit(cs: CellStats, M: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, ...]:
    a = M[:, :, None] * cs.H_cells[:, :, A].sum(axis=1)[None]  # (ND, G, K)
    b = M[:, :, None] * cs.H_cells[:, :, B].sum(axis=1)[None]
    xtwx = np.einsum("dgk,gi,gj->dkij", a, X, X)
    xtwy = np.einsum("dgk,gi->dki", b, X)
    p = X.shape[1]
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
    return coef, inv, xtwx, xtwy, bad


def _slope_cross(
    cs: CellStats, Ua: np.ndarray, mua: np.ndarray, Ub: np.ndarray, mub: np.ndarray
) -> np.ndarray:
    """sum_h w_h (U_a' (B_h - mu_a A_h)) (U_b' (B_h - mu_b A_h))' per (d, k): (ND, K, p, p)."""
    p = Ua.shape[-1]
    out = np.empty((Ua.shape[0], Ua.shape[2], p, p))
    QAB, QBA = cs.Q["AB"], cs.Q["AB"].transpose(0, 2, 1)
    for i in range(p):
        ua, va = Ua[..., i], Ua[..., i] * mua
        for j in range(p):
            ub, vb = Ub[..., j], Ub[..., j] * mub
            out[:, :, i, j] = (
                _quad(cs.Q["BB"], ua, ub)
                - _quad(QBA, ua, vb)
                - _quad(QAB, va, ub)
                + _quad(cs.Q["AA"], va, vb)
            )
    return out


def domain_slopes(cs: CellStats, membership: np.ndarray, X: np.ndarray) -> DomainSlopes:
    """Regression of y on ``X`` (G x p, constant within each group, first column the intercept)
    for each domain (``membership`` ND x G): R ``svyglm(y ~ x, subset(design, domain &
    !is.na(y)))``. A (domain, variable) without data in enough groups gives NaN."""
    M = np.asarray(membership, dtype=np.float64)
    coef, inv, _xtwx, _xtwy, bad = _fit(cs, M, X)
    mu = np.einsum("gi,dki->dgk", X, coef)  # fitted (centred) value per group
    U = M[:, :, None, None] * X[None, :, None, :] * np.ones((1, 1, coef.shape[1], 1))
    L = cs.G_cells
    r2 = L[None, :, CE] - 2 * mu * L[None, :, CD] + mu * mu * L[None, :, CC]  # (ND, G, K)
    s2 = np.einsum("dgk,gi,gj->dkij", M[:, :, None] * r2, X, X)
    cross = _slope_cross(cs, U, np.nan_to_num(mu), U, np.nan_to_num(mu))
    meat = s2 - cross
    vcov = inv @ meat @ inv.transpose(0, 1, 3, 2)
    vcov[bad] = np.nan
    coef = coef.copy()
    coef[..., 0] += cs.shift[None, :]  # the intercept absorbs the centring shift
    return DomainSlopes(coef=coef, vcov=vcov, inv=inv, U=U, mu=np.nan_to_num(mu))


def slope_covariance_disjoint(cs: CellStats, a: DomainSlopes, b: DomainSlopes) -> np.ndarray:
    """Cov(coef_a, coef_b) for row-disjoint domains: (ND, K, p, p)."""
    cross = _slope_cross(cs, a.U, a.mu, b.U, b.mu)
    return -(a.inv @ cross @ b.inv.transpose(0, 1, 3, 2))
