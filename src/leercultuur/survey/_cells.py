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

# per (group, stratum) cell: A = sum w m, B = sum w m y, NZ = sum m [w != 0], R0 = rows [w != 0]
A, B, NZ, R0 = range(4)
# per group: F = sum w m y^2, N = sum m, R1 = rows, CC/CD/CE = sum c_h w^2 m (1, y, y^2),
# W2 = sum w^2 m
F, N, R1, CC, CD, CE, W2 = range(7)

# rows per block of the one pass over the data (the per-row sums of a block: about 16 MB)
_BLOCK_VALUES = 1 << 21
# pairs of cells per block when the Q matrices are summed (about 4 MB of products per block)
_PAIR_VALUES = 1 << 19


@dataclass(frozen=True)
class CellStats:
    """Cell sums for K variables over G groups (the combinations of ``by``) and H strata.

    Only the (group, stratum) cells that hold rows are stored (``cell_g``, ``cell_h``, sorted by
    group, then stratum): when groups nest in strata (a group of year t only has rows in the
    strata of year t) that is a small part of all G x H pairs."""

    H_cells: np.ndarray  # (C, 4, K): A, B, NZ, R0 per present (group, stratum) cell
    cell_g: np.ndarray  # (C,) group of each cell
    cell_h: np.ndarray  # (C,) stratum of each cell
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
    _cache: dict[object, object] = field(default_factory=dict, repr=False, compare=False)

    @property
    def n_groups(self) -> int:
        return self.G_cells.shape[0]

    @property
    def n_strata(self) -> int:
        return self.rows.c_h.size

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

    def dense(self, s: int, k: int) -> np.ndarray:
        """The (G, H) array of cell sum ``s`` (A, B, NZ, R0) of variable ``k``."""
        out = np.zeros((self.n_groups, self.n_strata))
        out[self.cell_g, self.cell_h] = self.H_cells[:, s, k]
        return out

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
    """Per-row data of K variables, shared by every grouping of one design (built once).

    Holds the answers themselves (n x K, NaN where a row does not count: a missing answer or a
    row outside the design's domain) and the centring constants; the sums of powers of the
    centred answers are formed block by block in :func:`cell_stats_many`, never for all rows
    at once. Designs that differ only in their weights share ``Y`` (pass it as ``values``)."""

    Y: np.ndarray  # (n, K) answers, NaN: missing or outside the domain
    w: np.ndarray  # (n,) weights, 0 outside the design's domain
    nonzero: np.ndarray  # (n,) weight != 0 and in the domain
    indom: np.ndarray  # (n,) row in the design's domain
    names: tuple[str, ...]
    shift: np.ndarray  # (K,) weighted mean of each variable (the centring constant)
    c_h: np.ndarray  # (H,) stratum factors of sums of squares
    w_h: np.ndarray  # (H,) stratum factors of squared sums

    def centred(self, rows: np.ndarray, k: int) -> np.ndarray:
        """Centred answers of variable ``k`` in ``rows`` (NaN where the row does not count)."""
        out: np.ndarray = self.Y[rows, k] - self.shift[k]
        return out


def row_stats(
    design: Design,
    vars: Sequence[str],
    *,
    weights: np.ndarray | None = None,
    values: np.ndarray | None = None,
) -> RowStats:
    """Per-row data of ``vars`` (missing values out of domain, as ``na_rm=True``).

    ``weights`` replaces the design weights (e.g. normalised weights for classic tests);
    ``values`` (n x K) replaces reading ``vars`` from the data (not copied when it already has
    NaN outside the design's domain, e.g. the ``Y`` of another ``RowStats`` of this design)."""
    from leercultuur.survey._domains import _numeric_matrix

    if design.has_psu:
        raise EngineError("cell statistics need a design without PSUs (each row its own PSU)")
    if design.lonely_psu == "average" or design.adjust_domain_lonely:
        raise EngineError(
            "cell statistics support lonely_psu 'fail', 'remove', 'certainty' and 'adjust'"
        )
    indom = design.in_domain
    if values is None:
        Y = _numeric_matrix(design, list(vars), "cell_stats")
        if not indom.all():
            Y[~indom] = np.nan
    else:
        Y = np.asarray(values, dtype=np.float64)
        if not indom.all() and not np.isnan(Y[~indom]).all():
            Y = np.where(indom[:, None], Y, np.nan)
    w = design.w if weights is None else np.asarray(weights, dtype=np.float64)
    w = np.where(indom, w, 0.0)
    n, K = Y.shape
    wm_sum, wy_sum = np.zeros(K), np.zeros(K)
    step = max(1024, _BLOCK_VALUES // (2 * K + 1))
    for i0 in range(0, n, step):  # the weighted mean of each variable over the rows that count
        y = Y[i0 : i0 + step]
        member = ~np.isnan(y)
        wm_sum += w[i0 : i0 + step] @ member
        wy_sum += w[i0 : i0 + step] @ np.where(member, y, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        shift = wy_sum / wm_sum
    shift = np.nan_to_num(shift)
    c_h, w_h = stratum_weights(design)
    return RowStats(
        Y=Y, w=w, nonzero=(w != 0) & indom, indom=indom, names=tuple(vars), shift=shift,
        c_h=c_h, w_h=w_h,
    )  # fmt: skip


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
    to reuse the per-row data across several groupings of the same design."""
    if rows is None:
        rows = row_stats(design, vars, weights=weights, values=values)
    return cell_stats_many(design, rows, [by])[0]


@dataclass(frozen=True)
class _Layout:
    """The present (group, stratum) cells of one grouping."""

    codes: np.ndarray  # (n,) group of each row, -1: none
    G: int
    labels: pd.DataFrame
    cell_of_slot: np.ndarray  # (G * H,) slot g * H + h -> cell index (-1: no row)
    cell_g: np.ndarray
    cell_h: np.ndarray
    all_in: bool  # every row is in a group
    stratum: np.ndarray  # (n,) the design's strata the cells were found in
    cell_rows: np.ndarray  # (C,) rows per cell


def _layout(design: Design, by: Sequence[str]) -> _Layout:
    from leercultuur.survey._domains import domains

    dom = domains(design, list(by), "group")
    H = design.n_strata
    inside = dom.codes >= 0
    slots = dom.codes[inside] * H + design.stratum[inside]
    per_slot = np.bincount(slots, minlength=dom.n * H)
    present = per_slot > 0
    cell_of_slot = np.cumsum(present) - 1
    cell_of_slot[~present] = -1
    filled = np.flatnonzero(present)
    codes = dom.codes.astype(np.min_scalar_type(-max(dom.n, 1)))  # (kept: the exact route)
    return _Layout(
        codes,
        dom.n,
        dom.labels,
        cell_of_slot,
        filled // H,
        filled % H,
        bool(inside.all()),
        design.stratum,
        per_slot[filled].astype(np.float64),
    )


def cell_layouts(design: Design, bys: Sequence[Sequence[str]]) -> list[_Layout]:
    """The groups and present (group, stratum) cells of each grouping in ``bys``: pass them to
    :func:`cell_stats_many` of every design over the same rows, strata and ``by`` columns (the
    designs of one data set that differ only in their weights)."""
    return [_layout(design, by) for by in bys]


def cell_stats_many(
    design: Design,
    rows: RowStats,
    bys: Sequence[Sequence[str]],
    *,
    layouts: Sequence[_Layout] | None = None,
) -> list[CellStats]:
    """Cell sums of the variables of ``rows`` for each grouping in ``bys``, in one pass over
    the data: the rows are read block by block, and each block's sums of powers of the centred
    answers go into the cells of every grouping with one sparse product. ``layouts`` (from
    :func:`cell_layouts`) saves finding the groups again."""
    K = len(rows.names)
    n = rows.Y.shape[0]
    H = design.n_strata
    if layouts is None:
        lays = cell_layouts(design, bys)
    else:
        lays = list(layouts)
        same = len(lays) == len(bys) and all(
            (lay.stratum is design.stratum or np.array_equal(lay.stratum, design.stratum))
            and np.array_equal(lay.codes >= 0, design.in_domain)
            for lay in lays
        )
        if not same:
            raise EngineError("cell layouts of another design (other rows or strata)")
    nb = len(lays)
    C = np.array([lay.cell_g.size for lay in lays], np.int64)
    G = np.array([lay.G for lay in lays], np.int64)
    # output rows of the weighted product: the cells of every grouping (weight w), then its
    # groups (weight c_h w^2); of the count product: the cells (1), then the groups (w^2)
    cell_off = np.concatenate([[0], np.cumsum(C)])
    group_off = cell_off[-1] + np.concatenate([[0], np.cumsum(G)])
    n_out = int(group_off[-1])
    c_row = rows.c_h[design.stratum]
    trash = n_out  # rows outside a grouping's domain add into this output row (dropped)
    # Weights all non-zero in the domain (the usual case): [w != 0] is [row in domain], so the
    # row counts per cell are the layout's, and rows that answer no variable add nothing: the
    # pass reads only the rows that answer something (a split-half block: a fifth of them).
    simple = bool(np.array_equal(rows.nonzero, rows.indom))
    active: np.ndarray | None = None
    if simple:
        answering = (~np.isnan(rows.Y)).any(axis=1)
        if np.count_nonzero(answering) < 0.9 * n:
            active = np.flatnonzero(answering)
    width = 3 * K + 2 * K + 2 + 6 * nb
    step = max(1024, _BLOCK_VALUES // width)
    sw = np.zeros((n_out + 1, 3 * K))  # per cell: w m (1, y, y^2); per group: c_h w^2 m (1, y, y^2)
    sc = np.zeros((n_out + 1, 2 * K + 2))  # per cell: m, m [w != 0], [w != 0], 1; per group: w^2 m
    cols_c = np.arange(K) if simple else np.arange(2 * K + 2)
    n_pass = n if active is None else active.size
    for i0 in range(0, n_pass, step):
        i1 = min(n_pass, i0 + step)
        r = i1 - i0
        ix: slice | np.ndarray = slice(i0, i1) if active is None else active[i0:i1]
        Y = rows.Y[ix]
        member = ~np.isnan(Y)
        Zw = np.empty((r, 3 * K))
        Zw[:, :K] = member
        yc = np.subtract(Y, rows.shift, out=Zw[:, K : 2 * K])
        yc[~member] = 0.0
        np.multiply(yc, yc, out=Zw[:, 2 * K :])
        Zc = np.empty((r, cols_c.size))
        Zc[:, :K] = member
        if not simple:
            nz = rows.nonzero[ix]
            Zc[:, K : 2 * K] = member & nz[:, None]
            Zc[:, 2 * K] = nz
            Zc[:, 2 * K + 1] = rows.indom[ix]
        w = rows.w[ix]
        w2 = w * w
        h = design.stratum[ix]
        idx = np.empty((r, 2 * nb), np.int64)
        for b, lay in enumerate(lays):
            g = lay.codes[ix].astype(np.int64)
            cell = lay.cell_of_slot[g * H + h] + cell_off[b]
            grp = g + group_off[b]
            if not lay.all_in:
                out_of = g < 0
                cell[out_of] = trash
                grp[out_of] = trash
            idx[:, b] = cell
            idx[:, nb + b] = grp
        dw = np.empty((r, 2 * nb))
        dw[:, :nb] = w[:, None]
        dw[:, nb:] = (w2 * c_row[ix])[:, None]
        dc = np.empty((r, 2 * nb))
        dc[:, :nb] = 1.0
        dc[:, nb:] = w2[:, None]
        ptr = np.arange(0, 2 * nb * r + 1, 2 * nb)
        ind = idx.ravel()
        sw += sparse.csc_matrix((dw.ravel(), ind, ptr), shape=(n_out + 1, r)) @ Zw
        part = sparse.csc_matrix((dc.ravel(), ind, ptr), shape=(n_out + 1, r)) @ Zc
        sc[:, cols_c] += part
    if simple:  # m [w != 0] = m; [w != 0] and [row in domain]: the rows of the cell
        sc[:, K : 2 * K] = sc[:, :K]
        rows_per_cell = np.concatenate([lay.cell_rows for lay in lays])
        sc[: cell_off[-1], 2 * K] = rows_per_cell
        sc[: cell_off[-1], 2 * K + 1] = rows_per_cell
    out = []
    for b, lay in enumerate(lays):
        cw = sw[cell_off[b] : cell_off[b + 1]]
        cc = sc[cell_off[b] : cell_off[b + 1]]
        gw2c = sw[group_off[b] : group_off[b + 1]]
        gw2 = sc[group_off[b] : group_off[b + 1]]
        Hc = np.empty((C[b], 4, K))
        Hc[:, A] = cw[:, :K]
        Hc[:, B] = cw[:, K : 2 * K]
        Hc[:, NZ] = cc[:, K : 2 * K]
        Hc[:, R0] = cc[:, 2 * K][:, None]
        starts = np.searchsorted(lay.cell_g, np.arange(lay.G))
        per_group = _group_sums(np.concatenate([cw[:, 2 * K :], cc], axis=1), starts, lay.G)
        Gc = np.empty((lay.G, 7, K))
        Gc[:, F] = per_group[:, :K]
        Gc[:, N] = per_group[:, K : 2 * K]
        Gc[:, R1] = per_group[:, 3 * K + 1][:, None]
        Gc[:, CC] = gw2c[:, :K]
        Gc[:, CD] = gw2c[:, K : 2 * K]
        Gc[:, CE] = gw2c[:, 2 * K :]
        Gc[:, W2] = gw2[:, :K]
        G_sums = _group_sums(Hc.reshape(C[b], 4 * K), starts, lay.G).reshape(lay.G, 4, K)
        Q = _q_matrices(Hc, lay.cell_g, lay.cell_h, lay.G, rows.w_h)
        cs = CellStats(
            H_cells=Hc, cell_g=lay.cell_g, cell_h=lay.cell_h, G_cells=Gc, G_sums=G_sums, Q=Q,
            groups=lay.labels, names=rows.names, shift=rows.shift, codes=lay.codes, rows=rows,
            stratum=design.stratum,
        )  # fmt: skip
        out.append(cs)
    return out


def _group_sums(x: np.ndarray, starts: np.ndarray, n_groups: int) -> np.ndarray:
    """Sums of the rows of ``x`` (cells sorted by group) per group: (G, ...)."""
    if not n_groups:
        return np.zeros((0, *x.shape[1:]))
    out: np.ndarray = np.add.reduceat(x, starts, axis=0)
    return out


def _cell_pairs(cell_h: np.ndarray, n_strata: int) -> tuple[np.ndarray, np.ndarray]:
    """Every ordered pair (c1, c2) of cells in the same stratum."""
    order = np.argsort(cell_h, kind="stable")
    per_h = np.bincount(cell_h, minlength=n_strata)
    first = np.zeros(n_strata + 1, np.int64)
    np.cumsum(per_h, out=first[1:])
    k_of = per_h[cell_h[order]]  # cells in the stratum of each (sorted) cell
    c1 = np.repeat(order, k_of)
    block = np.repeat(np.cumsum(k_of) - k_of, k_of)  # start of each c1's run of pairs
    offset = np.arange(c1.size) - block
    c2 = order[first[cell_h[c1]] + offset]
    return c1, c2


def _q_matrices(
    H_cells: np.ndarray, cell_g: np.ndarray, cell_h: np.ndarray, G: int, w_h: np.ndarray
) -> dict[str, np.ndarray]:
    """Q_XY[k][g, g'] = sum_h w_h X_ghk Y_g'hk for X, Y in {A, B}: (K, G, G) each.

    Summed over the pairs of present cells in the same stratum (block by block), so the cost is
    that of the pairs, not of G x G x H."""
    K = H_cells.shape[2]
    c1, c2 = _cell_pairs(cell_h, w_h.size)
    # the (g, g') pairs that occur (groups that share a stratum), numbered 0..U-1
    key = cell_g[c1] * G + cell_g[c2]
    present = np.bincount(key, minlength=G * G) > 0
    number = np.cumsum(present) - 1
    U = int(present.sum())
    out = np.zeros((U, 3 * K))
    a, b = H_cells[:, A], H_cells[:, B]
    step = max(1024, _PAIR_VALUES // (3 * K + 1))
    for p0 in range(0, c1.size, step):
        i, j = c1[p0 : p0 + step], c2[p0 : p0 + step]
        wa = a[i] * w_h[cell_h[i]][:, None]
        wb = b[i] * w_h[cell_h[i]][:, None]
        vals = np.concatenate([wa * a[j], wa * b[j], wb * b[j]], axis=1)
        agg = sparse.csr_matrix(
            (np.ones(i.size), (number[key[p0 : p0 + step]], np.arange(i.size))), shape=(U, i.size)
        )
        out += agg @ vals
    q = np.zeros((3, K, G * G))
    q[:, :, np.flatnonzero(present)] = out.T.reshape(3, K, U)
    Q = q.reshape(3, K, G, G)
    return {"AA": Q[0], "AB": Q[1], "BB": Q[2]}


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
    g, h = cs.cell_g, cs.cell_h
    with np.errstate(invalid="ignore", divide="ignore"):
        b = np.bincount(h, weights=mrow[g] * cs.H_cells[:, B, k], minlength=cs.n_strata)
        a = np.bincount(h, weights=mrow[g] * cs.H_cells[:, A, k], minlength=cs.n_strata)
        out: np.ndarray = (b - m * a) / sw
    return out


def domain_df(cs: CellStats, membership: np.ndarray, *, answered: bool = True) -> np.ndarray:
    """R ``degf`` of each domain's subset design: rows with non-zero weight minus strata with
    such rows; ``answered=True`` counts only rows answering the variable (as ``svyglm`` after
    dropping missing values), else every row of the domain (as ``svyciprop``). (ND, K).

    The counts per (domain, stratum, variable) come from one sparse product of the membership
    with the cells' counts (only the cells that have rows), then R's rule (``domain_degf``)."""
    M = np.asarray(membership, dtype=np.float64)
    s = NZ if answered else R0
    K, H = len(cs.names), cs.n_strata
    key = ("counts", s)
    counts = cs._cache.get(key)
    if counts is None:  # (G, K x H): the counts of the cells that have rows
        c, k = np.nonzero(cs.H_cells[:, s] > 0)
        counts = sparse.csr_matrix(
            (cs.H_cells[c, s, k], (cs.cell_g[c], k * H + cs.cell_h[c])), shape=(cs.n_groups, K * H)
        )
        cs._cache[key] = counts
    assert isinstance(counts, sparse.csr_matrix)
    per = sparse.csr_matrix(M) @ counts  # (ND, K x H): counts per (domain, variable, stratum)
    per.sum_duplicates()  # (sorted indices: each (domain, variable) is one run of strata)
    per.eliminate_zeros()
    d = np.repeat(np.arange(M.shape[0]), np.diff(per.indptr))
    dk = d * K + per.indices // H
    out = np.zeros(M.shape[0] * K)
    if dk.size:
        starts = np.flatnonzero(np.concatenate([[True], dk[1:] != dk[:-1]]))
        out[dk[starts]] = domain_degf(per.data, starts=starts)
    return out.reshape(-1, K)


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
    g, h = cs.cell_g, cs.cell_h
    U = s.M[d][:, None] * s.X  # (G, p)
    Bh = cs.H_cells[:, B, k] - s.mu[d, g, k] * cs.H_cells[:, A, k]  # (C,)
    out: np.ndarray = np.stack(
        [np.bincount(h, weights=Bh * U[g, j], minlength=cs.n_strata) for j in range(U.shape[1])],
        axis=1,
    )
    return out
