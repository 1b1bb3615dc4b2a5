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
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import sparse

from leercultuur.survey import _exact as exact
from leercultuur.survey._errors import EngineError
from leercultuur.survey._rules import MAX_CANCELLATION, domain_degf, stratum_weights

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
    G_sums: np.ndarray  # (G, 4, K): H_cells summed over strata
    Q: dict[str, np.ndarray]  # "AA", "AB", "BB": (K, G, G)
    groups: pd.DataFrame  # labels of each group code (one column per `by` variable)
    names: tuple[str, ...]
    shift: np.ndarray  # (K,) the centring constant subtracted from each variable
    # for the exact route of the domains whose sums lose digits (``_exact``)
    codes: np.ndarray = field(repr=False)  # (n,) each row's group, -1: none
    rows: RowStats = field(repr=False)
    stratum: np.ndarray = field(repr=False)  # (n,) each row's stratum

    @property
    def n_groups(self) -> int:
        return self.H_cells.shape[0]

    @property
    def sum_w(self) -> np.ndarray:
        """(G, K) sum of weights of the rows answering, per group."""
        return self.G_sums[:, A]

    @property
    def sum_wy(self) -> np.ndarray:
        """(G, K) sum w (y - shift) over the rows answering, per group (centred scale)."""
        return self.G_sums[:, B]

    @property
    def sum_wyy(self) -> np.ndarray:
        """(G, K) sum w (y - shift)^2 over the rows answering, per group (centred scale)."""
        return self.G_cells[:, F]

    @cached_property
    def row_order(self) -> tuple[np.ndarray, np.ndarray]:
        """Rows sorted by group and the first position of each group (G + 1): built on the
        first use of the exact route."""
        inside = np.flatnonzero(self.codes >= 0)
        order = inside[np.argsort(self.codes[inside], kind="stable")]
        counts = np.bincount(self.codes[inside], minlength=self.n_groups)
        starts = np.zeros(self.n_groups + 1, np.int64)
        np.cumsum(counts, out=starts[1:])
        return order, starts


@dataclass(frozen=True)
class RowStats:
    """Per-row statistics of K variables, shared by every grouping of one design (built once).

    Weights enter through the sparse group indicators (data w, w^2 or 1), so the per-row arrays
    hold only the weight-free parts: m, m y, m y^2 (``Zy``) and m, m [w != 0], [w != 0], 1 (``Zc``).
    """

    Zy: np.ndarray  # (n, 3K): m, m y, m y^2 of the centred y
    Zc: np.ndarray  # (n, 2K + 2): m, m [w != 0], [w != 0], [row in domain]
    w: np.ndarray  # (n,) weights, 0 outside the design's domain
    names: tuple[str, ...]
    shift: np.ndarray
    c_h: np.ndarray  # (H,) stratum factors of sums of squares
    w_h: np.ndarray  # (H,) stratum factors of squared sums


def row_stats(
    design: Design,
    vars: Sequence[str],
    *,
    weights: np.ndarray | None = None,
    values: np.ndarray | None = None,
) -> RowStats:
    """Per-row statistics of ``vars`` (missing values out of domain, as ``na_rm=True``).

    ``weights`` replaces the design weights (e.g. normalised weights for classic tests);
    ``values`` (n x K) replaces reading ``vars`` from the data."""
    from leercultuur.survey._domains import _numeric_matrix

    if design.has_psu:
        raise EngineError("cell statistics need a design without PSUs (each row its own PSU)")
    if design.lonely_psu == "average" or design.adjust_domain_lonely:
        raise EngineError(
            "cell statistics support lonely_psu 'fail', 'remove', 'certainty' and 'adjust'"
        )
    Y = values if values is not None else _numeric_matrix(design, list(vars), "cell_stats")
    w = design.w if weights is None else np.asarray(weights, dtype=np.float64)
    n, K = Y.shape
    indom = design.in_domain
    member = ~np.isnan(Y)
    member &= indom[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        wm_sum = member.T.astype(np.float64) @ w
        shift = np.nan_to_num(np.where(member, Y, 0.0).T @ w / wm_sum)
    nonzero = (w != 0) & indom
    Zy = np.empty((n, 3 * K))
    Zy[:, :K] = member
    my = np.subtract(Y, shift, out=Zy[:, K : 2 * K])
    my[~member] = 0.0
    np.multiply(my, my, out=Zy[:, 2 * K :])
    Zc = np.empty((n, 2 * K + 2))
    Zc[:, :K] = member
    Zc[:, K : 2 * K] = member & nonzero[:, None]
    Zc[:, 2 * K] = nonzero
    Zc[:, 2 * K + 1] = indom
    c_h, w_h = stratum_weights(design)
    return RowStats(
        Zy=Zy, Zc=Zc, w=np.where(indom, w, 0.0), names=tuple(vars), shift=shift, c_h=c_h, w_h=w_h
    )


def cell_stats(
    design: Design,
    vars: Sequence[str],
    *,
    by: Sequence[str],
    weights: np.ndarray | None = None,
    values: np.ndarray | None = None,
    rows: RowStats | None = None,
) -> CellStats:
    """Cell sums of ``vars`` by the groups of ``by``. Pass ``rows`` (from :func:`row_stats`)
    to reuse the per-row statistics across several groupings of the same design."""
    from leercultuur.survey._domains import domains

    if rows is None:
        rows = row_stats(design, vars, weights=weights, values=values)
    K = len(rows.names)
    dom = domains(design, list(by), "group")
    n = rows.Zy.shape[0]
    G, H = dom.n, design.n_strata
    indom = dom.codes >= 0
    pos = np.arange(n + 1)
    cell = np.where(indom, dom.codes, 0).astype(np.int64) * H + design.stratum

    def summed(data: np.ndarray, Z: np.ndarray) -> np.ndarray:
        ind = sparse.csc_matrix((data, cell, pos), shape=(G * H, n))
        return np.asarray(ind @ Z).reshape(G, H, Z.shape[1])

    w = np.where(indom, rows.w, 0.0)
    # sums with weights w and w^2 in one product (two entries per row): Zy is read once
    both = sparse.csc_matrix(
        (np.column_stack([w, w * w]).ravel(), np.column_stack([cell, cell + G * H]).ravel(),
         np.arange(0, 2 * n + 1, 2)),
        shape=(2 * G * H, n),
    )  # fmt: skip
    sww = np.asarray(both @ rows.Zy).reshape(2, G, H, 3 * K)
    sw, sw2 = sww[0], sww[1]  # sum w m (1, y, y^2) and sum w^2 m (1, y, y^2) per cell
    s1 = summed(indom.astype(np.float64), rows.Zc)  # counts
    H_cells = np.empty((G, H, 4, K))
    H_cells[:, :, A] = sw[:, :, :K]
    H_cells[:, :, B] = sw[:, :, K : 2 * K]
    H_cells[:, :, NZ] = s1[:, :, K : 2 * K]
    H_cells[:, :, R0] = s1[:, :, 2 * K][:, :, None]
    G_cells = np.empty((G, 7, K))
    sw_g, sw2_g, s1_g = (np.einsum("ghc->gc", x) for x in (sw, sw2, s1))  # fast over H
    G_cells[:, F] = sw_g[:, 2 * K :]
    G_cells[:, N] = s1_g[:, :K]
    G_cells[:, R1] = s1_g[:, 2 * K + 1][:, None]
    G_cells[:, CC] = np.einsum("ghk,h->gk", sw2[:, :, :K], rows.c_h)
    G_cells[:, CD] = np.einsum("ghk,h->gk", sw2[:, :, K : 2 * K], rows.c_h)
    G_cells[:, CE] = np.einsum("ghk,h->gk", sw2[:, :, 2 * K :], rows.c_h)
    G_cells[:, W2] = sw2_g[:, :K]
    Q = _q_matrices(H_cells, rows.w_h)
    return CellStats(
        H_cells=H_cells,
        G_cells=G_cells,
        G_sums=np.einsum("ghsk->gsk", H_cells),
        Q=Q,
        groups=dom.labels,
        names=rows.names,
        shift=rows.shift,
        codes=dom.codes,
        rows=rows,
        stratum=design.stratum,
    )


def _q_matrices(H_cells: np.ndarray, w_h: np.ndarray) -> dict[str, np.ndarray]:
    """Q_XY[k] = X_k diag(w_h) Y_k' for X, Y in {A, B}: (K, G, G) each.

    The (G x H) cell arrays are sparse when groups and strata nest (a group of year t only has
    rows in the strata of year t), so each product is sparse x dense."""
    G, _H, _, K = H_cells.shape
    out = {name: np.empty((K, G, G)) for name in ("AA", "AB", "BB")}
    for k in range(K):
        a = H_cells[:, :, A, k]
        b = H_cells[:, :, B, k]
        aw = sparse.csr_matrix(a * w_h[None, :])
        bw = sparse.csr_matrix(b * w_h[None, :])
        out["AA"][k] = np.asarray(aw @ a.T)
        out["AB"][k] = np.asarray(aw @ b.T)
        out["BB"][k] = np.asarray(bw @ b.T)
    return out


def _is_identity(L: np.ndarray) -> bool:
    return L.ndim == 2 and L.shape[0] == L.shape[1] and np.array_equal(L, np.eye(L.shape[0]))


def _bilinear(Q: np.ndarray, L: np.ndarray, R: np.ndarray) -> np.ndarray:
    """sum_{g,g'} L[d,g,k] Q[k,g,g'] R[d,g',k] for every domain d and variable k: (ND, K).

    ``L`` and ``R`` are (ND, G) (the same for every k) or (ND, G, K). Single groups (identity
    ``L``) read Q's rows directly; large sparse memberships (a group's rest within its year)
    multiply as sparse matrices; the rest as one batched dense product."""
    if _is_identity(L):
        P = Q
    elif L.ndim == 2 and L.size > 20_000 and np.count_nonzero(L) < 0.25 * L.size:
        Ls = sparse.csr_matrix(L)
        P = np.stack([np.asarray(Ls @ Q[k]) for k in range(Q.shape[0])])
    else:
        P = np.matmul(L[None] if L.ndim == 2 else L.transpose(2, 0, 1), Q)  # (K, ND, G)
    if R.ndim == 2:
        return np.einsum("kdg,dg->dk", P, R)
    return np.einsum("kdg,dgk->dk", P, R)


def _s1_square(
    cs: CellStats, Ma: np.ndarray, ma: np.ndarray, Mb: np.ndarray, mb: np.ndarray
) -> np.ndarray:
    """sum_h w_h (B_ah - m_a A_ah)(B_bh - m_b A_bh) for domain pairs (a_d, b_d): (ND, K)."""
    QBA = cs.Q["AB"].transpose(0, 2, 1)
    return (
        _bilinear(cs.Q["BB"], Ma, Mb)
        - mb * _bilinear(QBA, Ma, Mb)
        - ma * _bilinear(cs.Q["AB"], Ma, Mb)
        + ma * mb * _bilinear(cs.Q["AA"], Ma, Mb)
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
    # (domain, variable) pairs computed by the exact route -> their per-stratum score sums
    exact: dict[tuple[int, int], np.ndarray] = field(default_factory=dict, repr=False)

    def minus(self, other: DomainMeans) -> np.ndarray:
        """``self.estimate - other.estimate`` from the centred means (both from one
        ``CellStats``): the level cancels before rounding, so data far from zero keeps the
        digits of its differences."""
        missing = np.isnan(self.estimate) | np.isnan(other.estimate)
        return np.where(missing, np.nan, self.centred - other.centred)


def domain_means(cs: CellStats, membership: np.ndarray) -> DomainMeans:
    """Means and variances of each domain (a row of ``membership``, ND x G, 0/1 over groups)."""
    M = np.asarray(membership, dtype=np.float64)
    L = np.einsum("dg,gsk->dsk", M, cs.G_cells)
    sw = M @ cs.G_sums[:, A]
    sb = M @ cs.G_sums[:, B]
    nobs = M @ cs.G_sums[:, NZ]
    with np.errstate(invalid="ignore", divide="ignore"):
        m = sb / sw
        s2 = (L[:, CE] - 2 * m * L[:, CD] + m * m * L[:, CC]) / (sw * sw)
        var = s2 - _s1_square(cs, M, m, M, m) / (sw * sw)
        # The guard of the element route: the expanded sums (both parts are bounded by twice
        # the magnitude of the sum of squares, by Cauchy-Schwarz) must keep ~12 digits; where
        # they do not (a domain far from the centre for its spread, every answer the same) the
        # exact route computes that (domain, variable) from its rows.
        mag = 2 * (L[:, CE] + m * m * L[:, CC]) / (sw * sw)
        lost = (sw > 0) & (MAX_CANCELLATION * var <= mag) & (mag > 0)
        ss = L[:, F] - m * m * sw  # sum w (y - m)^2
        pop_var = ss / sw
        n_eff = sw * sw / L[:, W2]
        deff = var * (nobs - 1) * sw / ss
    var = np.where(sw > 0, np.maximum(var, 0.0), np.nan)
    done: dict[tuple[int, int], np.ndarray] = {}
    for d, k in zip(*np.nonzero(lost), strict=True):
        var[d, k], done[(int(d), int(k))] = exact.exact_mean(cs, M[d], int(k))
    return DomainMeans(
        estimate=m + cs.shift,
        var=var,
        sum_w=sw,
        n=L[:, N],
        n_eff=n_eff,
        deff=deff,
        pop_var=np.maximum(pop_var, 0.0),
        centred=np.nan_to_num(m),
        exact=done,
    )


def covariance_disjoint(
    cs: CellStats, Ma: np.ndarray, a: DomainMeans, Mb: np.ndarray, b: DomainMeans
) -> np.ndarray:
    """Cov(mean_a, mean_b) for row-disjoint domains (rows of ``Ma``, ``Mb``) of one sample."""
    Ma, Mb = np.asarray(Ma, float), np.asarray(Mb, float)
    cross = _s1_square(cs, Ma, a.centred, Mb, b.centred)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = -cross / (a.sum_w * b.sum_w)
    _, w_h = stratum_weights_of(cs)
    for d, k in set(a.exact) | set(b.exact):  # a side from the exact route: its own sums
        sa = a.exact.get((d, k))
        sb = b.exact.get((d, k))
        if sa is None:
            sa = _cell_s1(cs, Ma[d], k, a.centred[d, k], a.sum_w[d, k])
        if sb is None:
            sb = _cell_s1(cs, Mb[d], k, b.centred[d, k], b.sum_w[d, k])
        cov[d, k] = -float(np.sum(w_h * sa * sb))
    return cov


def stratum_weights_of(cs: CellStats) -> tuple[np.ndarray, np.ndarray]:
    """The design's (c_h, w_h) as the cell statistics hold them."""
    return cs.rows.c_h, cs.rows.w_h


def _cell_s1(cs: CellStats, mrow: np.ndarray, k: int, m: float, sw: float) -> np.ndarray:
    """Per-stratum sums (H,) of a domain mean's scores from the cells."""
    with np.errstate(invalid="ignore", divide="ignore"):
        b = mrow @ cs.H_cells[:, :, B, k]
        a = mrow @ cs.H_cells[:, :, A, k]
        out: np.ndarray = (b - m * a) / sw
    return out


def domain_df(cs: CellStats, membership: np.ndarray, *, answered: bool = True) -> np.ndarray:
    """R ``degf`` of each domain's subset design: rows with non-zero weight minus strata with
    such rows; ``answered=True`` counts only rows answering the variable (as ``svyglm`` after
    dropping missing values), else every row of the domain (as ``svyciprop``). (ND, K)."""
    M = np.asarray(membership, dtype=np.float64)
    cnt = cs.H_cells[:, :, NZ if answered else R0]  # (G, H, K)
    G, H, K = cnt.shape
    Ms = sparse.csr_matrix(M) if M.size > 20_000 else M
    per_h = np.asarray(Ms @ cnt.reshape(G, H * K)).reshape(-1, H, K)
    return domain_degf(per_h, axis=1).astype(np.float64)


@dataclass(frozen=True)
class DomainSlopes:
    """Weighted least squares of y on group-level regressors, per domain and variable."""

    coef: np.ndarray  # (ND, K, p)
    vcov: np.ndarray  # (ND, K, p, p)
    inv: np.ndarray  # (ND, K, p, p) (X'WX)^-1
    M: np.ndarray  # (ND, G) membership: for covariances
    X: np.ndarray  # (G, p) regressors
    mu: np.ndarray  # (ND, G, K) fitted (centred) value per group
    # (domain, variable) pairs from the exact route -> per-stratum score sums (H, p)
    exact: dict[tuple[int, int], np.ndarray] = field(default_factory=dict, repr=False)


def _fit(cs: CellStats, M: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, ...]:
    a = M[:, :, None] * cs.G_sums[None, :, A]  # (ND, G, K)
    b = M[:, :, None] * cs.G_sums[None, :, B]
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
    cs: CellStats, Ma: np.ndarray, Xa: np.ndarray, mua: np.ndarray,
    Mb: np.ndarray, Xb: np.ndarray, mub: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """sum_h w_h (U_a' (B_h - mu_a A_h)) (U_b' (B_h - mu_b A_h))' per (d, k): (ND, K, p, p),
    with U = M x (membership times regressor) and mu the fitted value per (domain, group)."""
    Ua = Ma[None] * Xa.T[:, None, :]  # (p, ND, G)
    Ub = Mb[None] * Xb.T[:, None, :]
    Va = (Ua[..., None] * mua[None]).transpose(0, 3, 1, 2)  # (p, K, ND, G)
    Vb = Ub[..., None] * mub[None]  # (p, ND, G, K)
    QBA = cs.Q["AB"].transpose(0, 2, 1)
    t1 = np.einsum("ikdg,jdg->dkij", _left_product(Ua, cs.Q["BB"]), Ub)
    t2 = np.einsum("ikdg,jdgk->dkij", _left_product(Ua, QBA), Vb)
    t3 = np.einsum("ikdg,jdg->dkij", _left_product(Va, cs.Q["AB"]), Ub)
    t4 = np.einsum("ikdg,jdgk->dkij", _left_product(Va, cs.Q["AA"]), Vb)
    return t1 - t2 - t3 + t4


def _left_product(L: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """L Q for each variable k: L (p, ND, G) or (p, K, ND, G), Q (K, G, G) -> (p, K, ND, G).

    One batched dense product: the operands are small (domains x groups), and building sparse
    matrices per variable cost more than the multiplication they save (measured)."""
    if L.ndim == 3:
        return np.matmul(L[:, None], Q[None])
    return np.matmul(L, Q[None])


def domain_slopes(cs: CellStats, membership: np.ndarray, X: np.ndarray) -> DomainSlopes:
    """Regression of y on ``X`` (G x p, constant within each group, first column the intercept)
    for each domain (``membership`` ND x G): R ``svyglm(y ~ x, subset(design, domain &
    !is.na(y)))``. A (domain, variable) without data in enough groups gives NaN."""
    M = np.asarray(membership, dtype=np.float64)
    coef, inv, _xtwx, _xtwy, bad = _fit(cs, M, X)
    mu = np.einsum("gi,dki->dgk", X, coef)  # fitted (centred) value per group
    L = cs.G_cells
    r2 = L[None, :, CE] - 2 * mu * L[None, :, CD] + mu * mu * L[None, :, CC]  # (ND, G, K)
    s2 = np.einsum("dgk,gi,gj->dkij", M[:, :, None] * r2, X, X)
    mu0 = np.nan_to_num(mu)
    cross = _slope_cross(cs, M, X, mu0, M, X, mu0)
    meat = s2 - cross
    # the precision guard (as ``domain_means``): each diagonal of the meat must keep ~12 digits
    mag = 2 * np.einsum(
        "dgk,gi->dki", M[:, :, None] * (L[None, :, CE] + mu0 * mu0 * L[None, :, CC]), X * X
    )
    diag = np.einsum("dkii->dki", meat)
    lost = ((MAX_CANCELLATION * diag <= mag) & (mag > 0)).any(axis=-1) & ~bad
    vcov = inv @ meat @ inv.transpose(0, 1, 3, 2)
    vcov[bad] = np.nan
    done: dict[tuple[int, int], np.ndarray] = {}
    if lost.any():
        inv = inv.copy()
        for d, k in zip(*np.nonzero(lost), strict=True):
            vcov[d, k], inv[d, k], done[(int(d), int(k))] = exact.exact_slope(cs, M[d], int(k), X)
    coef = coef.copy()
    coef[..., 0] += cs.shift[None, :]  # the intercept absorbs the centring shift
    return DomainSlopes(coef=coef, vcov=vcov, inv=inv, M=M, X=X, mu=mu0, exact=done)


def slope_covariance_disjoint(cs: CellStats, a: DomainSlopes, b: DomainSlopes) -> np.ndarray:
    """Cov(coef_a, coef_b) for row-disjoint domains: (ND, K, p, p)."""
    cross = _slope_cross(cs, a.M, a.X, a.mu, b.M, b.X, b.mu)
    cov = -(a.inv @ cross @ b.inv.transpose(0, 1, 3, 2))
    w_h = cs.rows.w_h
    for d, k in set(a.exact) | set(b.exact):  # a side from the exact route: its own sums
        sa = a.exact.get((d, k))
        sb = b.exact.get((d, k))
        if sa is None:
            sa = _cell_slope_sums(cs, a, d, k)
        if sb is None:
            sb = _cell_slope_sums(cs, b, d, k)
        cov[d, k] = -(a.inv[d, k] @ ((sa * w_h[:, None]).T @ sb) @ b.inv[d, k].T)
    return cov


def _cell_slope_sums(cs: CellStats, s: DomainSlopes, d: int, k: int) -> np.ndarray:
    """Per-stratum sums (H, p) of a slope's scores w e x from the cells."""
    U = s.M[d][:, None] * s.X  # (G, p)
    Bh = cs.H_cells[:, :, B, k] - s.mu[d, :, k][:, None] * cs.H_cells[:, :, A, k]  # (G, H)
    out: np.ndarray = Bh.T @ U
    return out
