"""Domain means, proportions and totals of element designs from per-(domain, stratum) cell
sums: one sparse product a table.

Why our own code: when every row is its own PSU (a stratified element sample such as the NEA)
the linearised variance of a domain mean depends on the data only through a few weighted sums per
(domain, stratum) cell. With z = w m (y - e) / sum_w (m: the row answers, e: the domain mean)

    sum z   = (B - e A) / sum_w                         A = sum w m,   B = sum w m y
    sum z^2 = (C2 - 2 e C1 + e^2 C0) / sum_w^2          Ck = sum w^2 m y^k

and the stratum's sum of squares about its mean over all n_h rows is sum z^2 - (sum z)^2 / n_h,
exactly what :func:`leercultuur.survey._variance.cell_variance` takes. So a table needs, per
variable, the per-row columns w m, w^2 m, m, w m y, w^2 m y (and w m y^2, w^2 m y^2 unless every
answer is 0 or 1), kept per design and variable (every ``by`` reuses them; an item answered by
at most 80% of the rows, such as one of a split half, keeps them for those rows only), and, per
``by``, a sparse row -> cell indicator over the cells that hold rows (kept in the plan). A table
is then one sparse product with one non-zero per row and arithmetic on the present cells. The
two-pass route of ``_estimate``/``_variance`` reads the data about eight times per table; this
reads it once (benchmarks/bench_engine.py).

Precision: y is centred at its overall weighted mean first (0/1 answers at 0 or 1, which keeps
domains that answer only 0 or only 1 exact), and the expanded sums are only trusted where they
keep at least ~12 significant digits: when a domain's variance (or its weighted element
variance, for ``deff``) is below 1e-4 of the magnitude of the terms it is computed from (e.g. a
domain of a 5-point item in which every answer is the same), :func:`element_means` returns None
and the caller takes the two-pass route for the table. Tests compare both routes
(tests/survey/test_element.py) and both with R (tests/survey/test_estimates_golden.py).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from scipy import sparse

from leercultuur.survey._errors import OptionValueError
from leercultuur.survey._rules import MAX_CANCELLATION, domain_degf, stratum_factors
from leercultuur.survey._variance import VariancePlan, cell_variance

if TYPE_CHECKING:  # pragma: no cover
    from leercultuur.survey._design import Design

# the expanded sums must keep ~12 of 16 digits: magnitude / result below this ratio
_MAX_CANCELLATION = MAX_CANCELLATION
# a variable answered in at most this share of the rows keeps its per-row sums for those rows
# only (an item of one split half: half the product), the rest for every row (no index gather)
_ANSWERED_SHARE = 0.8
_CACHE_LOCK = threading.Lock()
# per-design budget for cached per-row sums (bytes): 605,000 rows x 7 columns is 34 MB
_ROW_CACHE_BYTES = 512 * 2**20


@dataclass(frozen=True)
class Layout:
    """The present (domain, stratum) cells of one ``by`` and the row -> cell indicator."""

    indicator: sparse.csc_matrix  # cells x n: 1 where the row lies in the cell (rows in a domain)
    cell_dom: np.ndarray  # domain of each cell (cells sorted by domain, then stratum)
    plan: VariancePlan  # the variance plan over the present cells only
    rows: np.ndarray  # rows per domain (G)
    groups: np.ndarray  # the group code (slot // H) of each domain, increasing

    @property
    def n_domains(self) -> int:
        return self.rows.size

    def indicator_of(self, rows: np.ndarray | None) -> sparse.csc_matrix:
        """The indicator of the given rows only (all rows: None); they must be in a domain."""
        if rows is None:
            return self.indicator
        rc = self.plan.unit_cell[rows]
        k = rows.size
        if k and rc.min() < 0:  # (scipy would not check: an index -1 writes out of bounds)
            raise OptionValueError("indicator_of: a row outside every domain")
        return sparse.csc_matrix(
            (np.ones(k), rc, np.arange(k + 1, dtype=rc.dtype)),
            shape=(self.indicator.shape[0], k),
            copy=False,
        )

    def row_domains(self) -> np.ndarray:
        """Each row's domain (0..G-1), -1 for rows in no domain."""
        rc = self.plan.unit_cell
        return np.append(self.cell_dom, -1)[rc]


def layout(design: Design, slot: np.ndarray, n_slots: int, *, outside: bool) -> Layout | None:
    """The cell layout of an element design (no PSUs): everything the variance needs.

    ``slot`` holds each row's group code times H plus its stratum (0..n_slots-1); with
    ``outside`` the last slot collects the rows that are in no domain (outside a subset). The
    domains are the groups that have rows, in increasing order of their code. Built without the
    (G + 1) x H arrays of :func:`leercultuur.survey._variance.variance_plan` (same values on the
    present cells). None when there is no row in any domain."""
    H = design.n_strata
    counts = np.bincount(slot, minlength=n_slots)
    if outside:
        counts[n_slots - 1] = 0
    present = np.flatnonzero(counts)
    C = present.size
    if C == 0:
        return None
    group = present // H
    st = present - group * H
    first = np.empty(C, bool)
    first[0] = True
    np.not_equal(group[1:], group[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    cell_dom = np.cumsum(first) - 1
    G = starts.size
    # int32 cell numbers and row pointers: scipy keeps them as they are (with int64 it scans
    # and converts both arrays, which cost ten times the rest of the matrix construction)
    n = slot.size
    index = np.int32 if max(C, n + 1) < 2**31 else np.int64
    remap = np.full(n_slots, -1, index)
    remap[present] = np.arange(C, dtype=index)
    rc = remap[slot]
    if not outside:
        indptr, rows_in = _arange(design, n + 1, index), rc
    else:
        inside = rc >= 0
        indptr = np.zeros(n + 1, index)
        np.cumsum(inside, out=indptr[1:])
        rows_in = rc[inside]
    indicator = sparse.csc_matrix(
        (_ones(design, rows_in.size), rows_in, indptr), shape=(C, n), copy=False
    )
    cnt = counts[present]
    n_h = design.n_psu[st]
    scale, lonely, f_zero = stratum_factors(n_h, design.f[st])
    # R's degf of each domain's subset design: rows minus strata, counting rows of non-zero weight
    if has_zero_weights(design):
        sel = rc >= 0
        cnt_nz = np.bincount(rc[sel], weights=(design.w[sel] != 0), minlength=C)
    else:
        cnt_nz = cnt.astype(np.float64)
    rows_per_domain = np.add.reduceat(cnt, starts)
    plan = VariancePlan(
        n_domains=G,
        row_dom=np.empty(0, np.int64),  # (not kept: ``Layout.row_domains`` has them)
        unit=None,
        n_units=n,
        unit_cell=rc,
        n_h=n_h,
        empty=n_h - cnt,
        scale=scale,
        lonely=lonely,
        f_zero=f_zero,
        any_f_zero=bool(f_zero.any()),
        degf=domain_degf(cnt_nz, starts=starts),
        starts=starts,
    )
    return Layout(indicator, cell_dom, plan, rows_per_domain.astype(np.int64), group[starts])


def _arange(design: Design, size: int, dtype: type[np.signedinteger]) -> np.ndarray:
    hit = design._cache.get("element_arange")
    if hit is None or hit.size != size or hit.dtype != dtype:
        hit = np.arange(size, dtype=dtype)
        design._cache["element_arange"] = hit
    return hit


def _ones(design: Design, size: int) -> np.ndarray:
    hit = design._cache.get("element_ones")
    if hit is None or hit.size < size:
        hit = np.ones(max(size, design.w.size))
        design._cache["element_ones"] = hit
    return hit[:size]


def has_zero_weights(design: Design) -> bool:
    hit = design._cache.get("zero_w")
    if hit is None:
        hit = bool((design.w == 0).any())
        design._cache["zero_w"] = hit
    return bool(hit)


@dataclass(frozen=True)
class RowSums:
    """Per-row columns of K variables that are missing in the same rows.

    Columns: A = w m, C0 = w^2 m, N = m (and NZ = m [w != 0] when some weight is 0), shared by
    the K variables; then B = w m y and C1 = w^2 m y per variable, and for variables that are
    not 0/1 also D = w m y^2 and C2 = w^2 m y^2 (for 0/1 answers y^2 = (1 - 2 shift) y, with
    the shift 0 or 1, so D and C2 follow from B and C1: five columns instead of seven)."""

    Z: np.ndarray  # (n, shared + 2K or 4K)
    shift: np.ndarray  # (K,) centring constant of each variable
    k: int
    shared: int  # number of shared columns (3, or 4 with NZ)
    binary: bool  # every answer of every variable is 0 or 1
    rows: np.ndarray | None  # the rows of Z (those answering) when few answer; None: every row

    def block(self, X: np.ndarray, name: str) -> np.ndarray:
        """The (rows, K) block ``name`` of a (rows, columns) array of sums of ``Z``'s columns."""
        ns, K = self.shared, self.k
        if name in ("A", "C0", "N", "NZ"):
            j = {"A": 0, "C0": 1, "N": 2, "NZ": 3 if ns > 3 else 2}[name]
            return X[:, j : j + 1]
        sign = 1 - 2 * self.shift  # 0/1 answers: y^2 = sign * y
        if self.binary and name in ("D", "C2"):
            return self.block(X, "B" if name == "D" else "C1") * sign
        j = ns + K * {"B": 0, "C1": 1, "D": 2, "C2": 3}[name]
        return X[:, j : j + K]


def row_sums(design: Design, key: tuple[object, ...], values: Callable[[], np.ndarray]) -> RowSums:
    """The per-row columns of the variables ``values()`` (n x K, NaN = missing; all K missing
    in the same rows), cached on the design under ``key`` (least recently used out first,
    within a byte budget)."""
    with _CACHE_LOCK:  # (threads may share a design: keep the bookkeeping consistent)
        cache: OrderedDict[tuple[object, ...], RowSums] = design._cache.setdefault(
            "element_rows", OrderedDict()
        )
        hit = cache.get(key)
        if hit is not None:
            cache.move_to_end(key)
            return hit
    Y = values()
    n, K = Y.shape
    w = design.w
    miss = np.isnan(Y[:, 0])
    if K > 1 and not np.array_equal(np.isnan(Y), np.broadcast_to(miss[:, None], Y.shape)):
        raise OptionValueError(
            "row_sums: the variables of one call must be missing in the same rows"
        )
    m = ~miss if design.domain is None else ~miss & design.domain
    rows = None
    if np.count_nonzero(m) <= _ANSWERED_SHARE * n:  # e.g. an item of one split half
        rows = np.flatnonzero(m)
        Y, w, m = Y[rows], w[rows], np.ones(rows.size, bool)
        n = rows.size
    wm = w * m
    Y0 = np.where(m[:, None], Y, 0.0)
    binary = not np.any((Y0 != 0) != Y0)  # every value 0 or 1 (equal to its truth value)
    with np.errstate(invalid="ignore", divide="ignore"):
        p0 = np.nan_to_num(wm @ Y0 / wm.sum())
    # centre at the overall weighted mean; 0/1 answers at 0 or 1 (whichever is nearer), which
    # keeps their sums exact (see ``element_means``)
    shift = np.round(p0) if binary else p0
    ns = 4 if has_zero_weights(design) else 3
    Z = np.empty((n, ns + (2 if binary else 4) * K))
    Z[:, 0] = wm
    Z[:, 1] = wm * w
    Z[:, 2] = m
    if ns == 4:
        Z[:, 3] = m & (w != 0)
    y = np.subtract(Y0, shift, out=Y0)  # (rows without an answer: w m = 0 keeps them out)
    B = np.multiply(wm[:, None], y, out=Z[:, ns : ns + K])
    C1 = np.multiply(Z[:, 1:2], y, out=Z[:, ns + K : ns + 2 * K])
    if not binary:
        np.multiply(B, y, out=Z[:, ns + 2 * K : ns + 3 * K])
        np.multiply(C1, y, out=Z[:, ns + 3 * K :])
    out = RowSums(Z, shift, K, ns, binary, rows)
    with _CACHE_LOCK:
        cache[key] = out
        used = sum(r.Z.nbytes for r in cache.values())
        while used > _ROW_CACHE_BYTES and len(cache) > 1:
            _, old = cache.popitem(last=False)
            used -= old.Z.nbytes
    return out


@dataclass(frozen=True)
class Means:
    """Domain means or totals (G x K) with variances and diagnostics."""

    estimate: np.ndarray
    var: np.ndarray
    n: np.ndarray
    n_eff: np.ndarray
    deff: np.ndarray


def element_means(
    design: Design,
    lay: Layout,
    rs: RowSums,
    *,
    with_units: bool,
    kind: Literal["mean", "total"] = "mean",
) -> Means | None:
    """Means (or totals) of every domain from one sparse product, with variances and
    diagnostics, or None when the expanded sums would lose digits (the caller then takes the
    two-pass route).

    A mean's scores are w m (y - e) / sum_w: the cell sums below with e the domain's (centred)
    mean and 1 / sum_w as factor. A total's scores are w m y = w m ((y - shift) + shift): the
    same sums with e = -shift and factor 1 (a total, unlike a mean, is not shift-invariant).
    ``with_units``: the lonely-PSU rule needs the rows of the subset per cell ("average",
    domain-lonely adjustment)."""
    K = rs.k
    P = np.asarray(lay.indicator_of(rs.rows) @ rs.Z)  # (C, columns)
    vp = lay.plan
    Pg = vp.by_domain(P)  # (G, columns)
    shape = (P.shape[0], K)
    sw, Bg, Dg = rs.block(Pg, "A"), rs.block(Pg, "B"), rs.block(Pg, "D")
    with np.errstate(invalid="ignore", divide="ignore"):
        inv = np.where(sw > 0, 1.0 / sw, 0.0)
        # the domain's centred mean (0 without rows); divided, not times inv: a proportion of
        # exactly 1 must stay 1
        m = np.where(sw > 0, Bg / sw, 0.0)
    if kind == "mean":
        ec, invc = m[lay.cell_dom], inv[lay.cell_dom]
    else:
        ec, invc = np.broadcast_to(-rs.shift, shape), np.ones((1, 1))
    A, B, D = rs.block(P, "A"), rs.block(P, "B"), rs.block(P, "D")
    C0, C1, C2 = rs.block(P, "C0"), rs.block(P, "C1"), rs.block(P, "C2")
    S1 = (B - ec * A) * invc
    T2 = (C2 - 2 * ec * C1 + ec * ec * C0) * (invc * invc)
    n_h = vp.n_h[:, None]
    SS = T2 - S1 * S1 / n_h
    SS[vp.lonely] = 0.0  # a single PSU: no deviation from its own mean
    units = np.broadcast_to(rs.block(P, "N"), shape) if with_units else None
    var = cell_variance(design, vp, S1, SS, units)
    # magnitude of the terms each cell's contribution was expanded from (|C1| <= sqrt(C0 C2))
    ae = np.abs(ec)
    mag = (np.sqrt(C2) + ae * np.sqrt(C0)) ** 2 + (np.sqrt(A * D) + ae * A) ** 2 / n_h
    bound = vp.by_domain(mag * (invc * invc) * vp.scale[:, None])
    s2 = Dg - m * Bg  # sum w m (y - mean)^2
    s2_mag = Dg + m * m * sw
    n = np.broadcast_to(rs.block(Pg, "N"), m.shape)
    n_obs = np.broadcast_to(rs.block(Pg, "NZ"), m.shape)
    # 0/1 answers are centred at 0 or 1, so a domain answering only 0 or only 1 has B = 0 or
    # |B| = A (the same terms summed in the same order) exactly: every score of its mean is 0
    # (a proportion of 0 or 1, a category absent from a domain); its total's scores are 0 when
    # every answer is 0 (B + shift A = 0, exactly again).
    if not rs.binary:
        const = np.zeros(m.shape, bool)
    elif kind == "mean":
        const = (Bg == 0) | (np.abs(Bg) == sw)
    else:
        const = Bg + rs.shift * sw == 0
    var[const & ~np.isnan(var)] = 0.0  # (NaN stays: "average" with only lonely strata)
    if rs.binary:  # answers all 0 or all 1: no element variance (+0, so a total's deff is +inf)
        s2 = np.where((Bg == 0) | (np.abs(Bg) == sw), 0.0, s2)
    # (one row: deff is NaN whatever s2 is)
    lost = (bound > _MAX_CANCELLATION * var) | ((s2_mag > _MAX_CANCELLATION * s2) & (n_obs > 1))
    live = sw > 0
    if np.any(live & lost & ~const):
        return None
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = np.broadcast_to(sw * sw / rs.block(Pg, "C0"), m.shape)
        # R deff="replace": mean v / (svyvar / nobs), total v / (svyvar * sum_w^2 / nobs),
        # svyvar = s2 / sum_w * nobs / (nobs - 1)
        deff = var * (n_obs - 1) * (sw if kind == "mean" else 1.0 / sw) / s2
    deff[n_obs <= 1] = np.nan
    if kind == "mean":
        var = np.where(live, var, np.nan)  # no rows (R says 0 +- 0 here): no estimate, no SE
        est = np.where(live, m + rs.shift, np.nan)
    else:  # a total of no rows is 0 +- 0
        est = Bg + rs.shift * sw
    return Means(est, var, n, n_eff, deff)
