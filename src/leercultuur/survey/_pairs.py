"""The shared two-sample and covariance cores of the tests: group vs rest, year on year, t test.

``pair_core`` compares two disjoint sets of rows within each outer domain (all columns in one
pass); ``consecutive_core`` does consecutive years; ``design_cov``/``domain_cov`` give design
covariance matrices of score columns. Effect sizes come from :mod:`leercultuur.survey._effects`,
degrees of freedom, stratum factors and p-values from :mod:`leercultuur.survey._rules`, the
``by`` coding from :mod:`leercultuur.survey._domains`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from leercultuur.errors import format_rows
from leercultuur.survey import _effects as fx
from leercultuur.survey._domains import _numeric_matrix, group_codes
from leercultuur.survey._effects import KIND_OPTIONS, Kind
from leercultuur.survey._errors import (
    EngineError,
    MissingValueError,
    OptionValueError,
    check_choice,
)
from leercultuur.survey._estimate import categories_of
from leercultuur.survey._rules import (
    domain_degf,
    p_from_chisq,
    p_from_t,
    row_degf,
    stratum_weights,
)
from leercultuur.survey._variance import _bincount_cols, domain_variance

if TYPE_CHECKING:  # pragma: no cover
    from leercultuur.survey._design import Design

__all__ = [
    "PairStats",
    "classic_test",
    "consecutive_core",
    "design_cov",
    "domain_cov",
    "group_codes",
    "pair_core",
    "response",
]


def response(
    design: Design,
    var: str,
    *,
    kind: Kind,
    category: Any,
    na_rm: bool,
    role: str,
    scope: np.ndarray,
) -> np.ndarray:
    """The analysis variable as floats (a 0/1 indicator for ``kind="proportion"``); NaN = missing.

    ``scope`` marks the rows the analysis uses; with ``na_rm=False`` a missing value there is an
    error naming the rows (R would return NA; we never guess).
    """
    check_choice("kind", kind, KIND_OPTIONS)
    if kind == "mean":
        if category is not None:
            raise OptionValueError(f"{role}: category= applies to kind='proportion' only")
        y = _numeric_matrix(design, [var], role)[:, 0]
    else:
        from leercultuur.survey._design import _require_columns

        _require_columns(design.data, [var], role)
        s = design.data[var]
        cats = categories_of(s)
        if category is None:
            if set(cats) <= {0, 1} and cats:
                category = 1
            else:
                shown = ", ".join(repr(c) for c in cats[:20])
                raise EngineError(
                    f"{role}: kind='proportion' on {var!r} needs category=, one of: {shown}"
                )
        elif category not in cats:
            shown = ", ".join(repr(c) for c in cats[:20])
            raise EngineError(
                f"{role}: category {category!r} does not occur in {var!r}; its categories: {shown}"
            )
        y = (s == category).to_numpy(dtype=np.float64, na_value=0.0)
        y[s.isna().to_numpy()] = np.nan
    miss = np.isnan(y) & scope
    if miss.any() and not na_rm:
        bad = np.flatnonzero(miss)
        raise MissingValueError(
            f"{role}: variable {var!r} has {bad.size} missing values ({format_rows(bad)}); pass "
            "na_rm=True to leave them out (they stay in the design, out of the domain)",
            column=var,
            rows=bad,
        )
    return y


def centred(
    y: np.ndarray, w: np.ndarray, valid: np.ndarray, kind: Kind
) -> tuple[np.ndarray, float]:
    """``(y - c, c)`` on the valid rows (0 elsewhere), c the weighted mean of the valid rows.

    Means are computed on the centred values and c added back: a difference, a variance and d
    do not depend on c, and data far from zero (an offset of 1e9) keeps its residuals exact.
    Shares (0/1, ``kind="proportion"``) are left as they are (c = 0): h needs them."""
    y0 = np.where(valid, y, 0.0)
    if kind != "mean" or not valid.any():
        return y0, 0.0
    sw = float(w.sum())
    c = float(w @ y0) / sw if sw > 0 else float(y0[valid][0])
    if not np.isfinite(c):
        return y0, 0.0
    return np.where(valid, y0 - c, 0.0), c


@dataclass(frozen=True)
class PairStats:
    """(n_out, K) arrays of a two-sample comparison A vs B within each outer domain."""

    est_a: np.ndarray
    est_b: np.ndarray
    diff: np.ndarray
    se: np.ndarray
    df: np.ndarray
    d: np.ndarray
    d_se: np.ndarray
    h: np.ndarray
    h_se: np.ndarray
    n_a: np.ndarray
    n_b: np.ndarray
    sum_w: np.ndarray  # weighted size of A and B together
    sum_w_a: np.ndarray  # weighted size of A
    s2: np.ndarray  # pooled variance behind d: weighted population variance or pbar (1 - pbar)


def pair_core(
    design: Design,
    y: np.ndarray,
    outer: np.ndarray,
    n_outer: int,
    side_a: np.ndarray,
    side_b: np.ndarray,
    kind: Kind,
    *,
    same_union: bool,
    pair_codes: np.ndarray | None = None,
) -> PairStats:
    """Linearised comparison of A minus B (disjoint (n, K) masks) within each outer domain.

    ``y`` NaN and ``outer`` -1 rows take no part. Everything for all outer domains and columns is
    computed in one pass: sums by ``np.bincount``, scores of the difference, of d and of h, and
    one ``domain_variance`` call. ``df`` is R's ``svyglm(y ~ D, subset)$df.residual``: the degf of
    the rows of A and B minus 1. ``same_union``: A or B is the same set for every column; else
    ``pair_codes`` (n,) gives each row's position p so that column k compares p = k + 1 with
    p = k (consecutive years).
    """
    valid = (outer >= 0) & ~np.isnan(y)
    o = np.where(valid, outer, 0)
    w = np.where(valid, design.w, 0.0)
    y0, c = centred(y, w, valid, kind)
    in_a = side_a & valid[:, None]
    in_b = side_b & valid[:, None]
    wa = w[:, None] * in_a
    wb = w[:, None] * in_b
    n_out, K = n_outer, side_a.shape[1]
    Wa = _bincount_cols(o, wa, n_out)
    Wb = _bincount_cols(o, wb, n_out)
    yk = y0[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        ma = _bincount_cols(o, wa * yk, n_out) / Wa
        mb = _bincount_cols(o, wb * yk, n_out) / Wb
        diff = ma - mb
        Wab = Wa + Wb
        # per-(outer, column) coefficients, made finite so the row-level passes need no NaN care
        inv_a, inv_b, inv_ab = _safe_inv(Wa), _safe_inv(Wb), _safe_inv(Wab)
        ma0, mb0 = np.nan_to_num(ma), np.nan_to_num(mb)
        ea = np.where(in_a, yk - ma0[o], 0.0)
        eb = np.where(in_b, yk - mb0[o], 0.0)
        za = wa * ea * inv_a[o]
        zb = wb * eb * inv_b[o]
        wab = wa + wb
        if kind == "mean":
            e2 = ea * ea + eb * eb
            s2 = _bincount_cols(o, w[:, None] * e2, n_out) / Wab
            z_s2 = wab * (e2 - np.nan_to_num(s2)[o]) * inv_ab[o]
        else:
            pbar = fx.pooled_share(Wa, ma0, Wb, mb0)
            s2 = pbar * (1 - pbar)
            pb0 = np.nan_to_num(pbar)
            z_s2 = ((1 - 2 * pb0) * inv_ab)[o] * wab * (yk - pb0[o])
        d = fx.d_value(diff, s2)
        c1, c2 = fx.d_score_coefficients(diff, s2)
        ha, hb = fx.h_slope(ma), fx.h_slope(mb)
        h = fx.h_value(ma, mb)
    Z = np.empty((len(y), 3 * K))
    np.subtract(za, zb, out=Z[:, :K])
    Z[:, K : 2 * K] = Z[:, :K] * c1[o] - c2[o] * z_s2
    Z[:, 2 * K :] = za * ha[o] - zb * hb[o]
    member = None
    if design.lonely_psu == "average" or design.adjust_domain_lonely:
        both = in_a | in_b
        member = np.hstack([both, both, both])
    dom = np.where(valid, outer, -1)
    V = domain_variance(design, Z, dom, n_out, member)
    se = np.sqrt(np.maximum(V, 0.0))
    n_a = _bincount_cols(o, in_a.astype(np.float64), n_out)
    n_b = _bincount_cols(o, in_b.astype(np.float64), n_out)
    if same_union:
        union = in_a[:, 0] | in_b[:, 0]
        dfo = row_degf(design, np.where(union, outer, -1), n_out) - 1
        df = np.repeat(dfo[:, None], K, axis=1)
    else:
        if pair_codes is None:
            raise OptionValueError("pair_core: pair_codes is needed when same_union is False")
        df = _consecutive_degf(design, dom, n_out, pair_codes, K + 1) - 1
    d_se = np.where(np.isfinite(d), se[:, K : 2 * K], np.nan)
    h_se = np.where(fx.h_defined(ma, mb), se[:, 2 * K :], np.nan)
    if kind == "mean":
        h = np.full_like(d, np.nan)
        h_se = np.full_like(d, np.nan)
    empty = (n_a == 0) | (n_b == 0)
    se_diff = np.where(empty, np.nan, se[:, :K])
    return PairStats(ma + c, mb + c, diff, se_diff, df, d, d_se, h, h_se, n_a, n_b, Wab, Wa, s2)


def consecutive_core(
    design: Design,
    y: np.ndarray,
    outer: np.ndarray,
    n_out: int,
    pos: np.ndarray,
    n_pos: int,
    kind: Kind,
) -> PairStats:
    """``pair_core`` for consecutive positions (years): column k compares k + 1 with k.

    When the strata nest in the positions (stacked yearly files: strata = year x stratum), the
    lonely-PSU rule is additive over strata and there is no calibration, the two years of a pair
    share no stratum, so a pair's variance is the sum of its two years' parts. Then each row
    carries two slots (as the later year of pair p - 1 and the earlier year of pair p) and one
    ``domain_variance`` call over (outer, year) domains with 6 columns does all pairs, instead
    of n x 3 (years - 1) dense columns. Otherwise the dense ``pair_core`` is used.
    """
    valid = (outer >= 0) & ~np.isnan(y) & (pos >= 0)
    K = n_pos - 1
    rule_ok = design.calibration is None and not design.adjust_domain_lonely
    rule_ok = rule_ok and design.lonely_psu != "average"
    h_of = design.stratum[valid]
    lo = np.full(design.n_strata, n_pos)
    hi = np.full(design.n_strata, -1)
    np.minimum.at(lo, h_of, pos[valid])
    np.maximum.at(hi, h_of, pos[valid])
    nested = bool(((hi < 0) | (lo == hi)).all())
    if not (rule_ok and nested):
        side_a = pos[:, None] == np.arange(1, n_pos)[None, :]
        side_b = pos[:, None] == np.arange(K)[None, :]
        return pair_core(
            design, y, outer, n_out, side_a, side_b, kind, same_union=False, pair_codes=pos
        )
    o = np.where(valid, outer, 0)
    p = np.where(valid, pos, 0)
    cell = o * n_pos + p
    size = n_out * n_pos
    w = np.where(valid, design.w, 0.0)
    y0, c = centred(y, w, valid, kind)
    W = np.bincount(cell, weights=w, minlength=size).reshape(n_out, n_pos)
    n_cell = np.bincount(cell, weights=valid, minlength=size).reshape(n_out, n_pos)
    with np.errstate(divide="ignore", invalid="ignore"):
        M = np.bincount(cell, weights=w * y0, minlength=size).reshape(n_out, n_pos) / W
        M0 = np.nan_to_num(M)
        e = np.where(valid, y0 - M0[o, p], 0.0)
        SS = np.bincount(cell, weights=w * e * e, minlength=size).reshape(n_out, n_pos)
        ma, mb, Wa, Wb = M[:, 1:], M[:, :-1], W[:, 1:], W[:, :-1]
        Wab = Wa + Wb
        diff = ma - mb
        if kind == "mean":
            s2 = (SS[:, 1:] + SS[:, :-1]) / Wab
            centre = np.nan_to_num(s2)  # z_s2 = w (e^2 - s2) / Wab
        else:
            pbar = fx.pooled_share(Wa, np.nan_to_num(ma), Wb, np.nan_to_num(mb))
            s2 = pbar * (1 - pbar)
            centre = np.nan_to_num(pbar)  # z_s2 = (1 - 2 pbar) w (y - pbar) / Wab
        d = fx.d_value(diff, s2)
        c1, c2 = fx.d_score_coefficients(diff, s2)
        fac = (1 - 2 * centre) if kind == "proportion" else np.ones_like(centre)
        ha, hb = fx.h_slope(ma), fx.h_slope(mb)
        h = fx.h_value(ma, mb)
    inv_W, inv_ab = _safe_inv(W), _safe_inv(Wab)
    z_own = w * e * inv_W[o, p]  # the row's score for its own year's mean
    Z = np.zeros((len(y), 6))
    for slot, k, sign in ((0, p - 1, 1.0), (3, p, -1.0)):  # later year of k / earlier year of k
        ok = valid & (k >= 0) & (k < K)
        kk = np.where(ok, k, 0)
        dev = (e * e if kind == "mean" else y0) - centre[o, kk]
        z_s2 = fac[o, kk] * w * dev * inv_ab[o, kk]
        hcoef = ha[o, kk] if sign > 0 else hb[o, kk]
        Z[:, slot] = np.where(ok, sign * z_own, 0.0)
        Z[:, slot + 1] = np.where(ok, sign * z_own * c1[o, kk] - c2[o, kk] * z_s2, 0.0)
        Z[:, slot + 2] = np.where(ok, sign * z_own * hcoef, 0.0)
    V = domain_variance(design, Z, np.where(valid, cell, -1), size).reshape(n_out, n_pos, 6)
    var = V[:, 1:, :3] + V[:, :-1, 3:]
    se = np.sqrt(np.maximum(var, 0.0))
    df = _consecutive_degf(design, np.where(valid, outer, -1), n_out, pos, n_pos) - 1
    n_a, n_b = n_cell[:, 1:], n_cell[:, :-1]
    empty = (n_a == 0) | (n_b == 0)
    d_se = np.where(np.isfinite(d), se[..., 1], np.nan)
    h_se = np.where(fx.h_defined(ma, mb), se[..., 2], np.nan)
    if kind == "mean":
        h = np.full_like(d, np.nan)
        h_se = np.full_like(d, np.nan)
    se_diff = np.where(empty, np.nan, se[..., 0])
    return PairStats(ma + c, mb + c, diff, se_diff, df, d, d_se, h, h_se, n_a, n_b, Wab, Wa, s2)


_safe_inv = fx._safe_inv


def _consecutive_degf(
    design: Design, dom: np.ndarray, n_out: int, pos: np.ndarray, n_pos: int
) -> np.ndarray:
    """R's degf of the rows at positions k or k + 1, per outer domain: (n_out, n_pos - 1).

    One pass over the distinct (domain, PSU, position) triples gives the PSUs per (domain,
    stratum, pair); a PSU present at both k and k + 1 counts once. The rule itself is
    :func:`leercultuur.survey._rules.domain_degf`.
    """
    inset = (dom >= 0) & (design.w != 0) & (pos >= 0)
    g, p = dom[inset], pos[inset]
    P, H = design.n_psu_total, design.n_strata
    u = np.unique((g * P + design.psu[inset]) * n_pos + p)
    up, unit = u % n_pos, u // n_pos
    psu_stratum = np.zeros(P, np.int64)
    psu_stratum[design.psu] = design.stratum
    cell = (unit // P) * H + psu_stratum[unit % P]  # (domain, stratum) of each triple
    per = np.bincount(cell * n_pos + up, minlength=n_out * H * n_pos).reshape(n_out * H, n_pos)
    twice = (unit[1:] == unit[:-1]) & (up[1:] == up[:-1] + 1)
    both = np.bincount(
        cell[:-1][twice] * (n_pos - 1) + up[:-1][twice], minlength=n_out * H * (n_pos - 1)
    ).reshape(n_out * H, n_pos - 1)
    units = (per[:, :-1] + per[:, 1:] - both).reshape(n_out, H, n_pos - 1)
    return domain_degf(units, axis=1).astype(np.float64)


def classic_test(ps: PairStats, kind: Kind) -> tuple[np.ndarray, np.ndarray]:
    """The classic test on proportional weights (mean 1 over the rows compared), as SPSS.

    Shares: Pearson X2 of the 2 x 2 table, ``diff^2 / (pbar (1 - pbar) (1/n1 + 1/n2))`` on 1 df.
    Means: pooled-variance t with the normalised weights as frequencies,
    ``diff / sqrt(s_p^2 (1/n1 + 1/n2))``, ``s_p^2 = SS / (N - 2)``, on N - 2 df. ``n1``, ``n2``:
    normalised weight sums; ``N``: rows compared. Ignores strata, PSUs and weighting variance:
    for comparison with published figures only.
    """
    N = ps.n_a + ps.n_b
    with np.errstate(divide="ignore", invalid="ignore"):
        n1 = ps.sum_w_a * N / ps.sum_w
        n2 = N - n1
        if kind == "proportion":
            stat = ps.diff**2 / (ps.s2 * (1 / n1 + 1 / n2))
            return stat, p_from_chisq(stat, 1)
        stat = ps.diff / np.sqrt(ps.s2 * N / (N - 2) * (1 / n1 + 1 / n2))
    return stat, p_from_t(stat, N - 2)


def design_cov(design: Design, Z: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Design covariance matrix (K x K) of the totals of the score columns ``Z`` (n x K).

    ``rows`` marks the rows of the (sub)domain; ``Z`` must be zero elsewhere.
    """
    if (
        design.lonely_psu == "average"
        or design.adjust_domain_lonely
        or design.calibration is not None
    ):
        return domain_cov(design, Z, np.where(rows, 0, -1), 1)[0]
    # Direct: V = sum_h c_h sum_i T_hi T_hi' - w_h S_h S_h' over PSU totals T and stratum sums S
    # (c_h = f_h n_h / (n_h - 1), w_h = c_h / n_h; lonely strata as the design's rule), the same
    # numbers as the polarised domain_variance in one pass.
    Zr = np.where(rows[:, None], Z, 0.0)
    if design.has_psu:
        T = _bincount_cols(design.psu, Zr, design.n_psu_total)
        h = np.zeros(design.n_psu_total, np.int64)
        h[design.psu] = design.stratum
    else:
        T, h = Zr, design.stratum
    c_h, w_h = stratum_weights(design)
    S = _bincount_cols(h, T, design.n_strata)
    return (T * c_h[h][:, None]).T @ T - (S * w_h[:, None]).T @ S


def domain_cov(design: Design, Z: np.ndarray, dom: np.ndarray, n_dom: int) -> np.ndarray:
    """Design covariance matrices (n_dom x K x K) of the score columns ``Z`` per domain.

    ``dom``: each row's domain (-1: none); ``Z`` must be zero outside the row's domain. The
    variance is a quadratic form in the scores under every lonely-PSU rule, so the covariances
    follow from ``domain_variance`` by polarisation, Cov(a, b) = (V(a + b) - V(a) - V(b)) / 2,
    and inherit its exact R semantics (two calls, K (K + 1) / 2 columns; K is small: regression
    terms, table cells). Columns are scaled to unit variance first so that small covariances
    keep their precision.
    """
    K = Z.shape[1]
    rows = dom >= 0
    d0 = np.where(rows, dom, 0)

    def var(cols: np.ndarray) -> np.ndarray:
        member = None
        if design.lonely_psu == "average" or design.adjust_domain_lonely:
            member = np.repeat(rows[:, None], cols.shape[1], axis=1)
        return domain_variance(design, cols, dom, n_dom, member)

    diag = var(Z)  # (G, K)
    scale = np.sqrt(np.where(diag > 0, diag, 1.0))
    Zs = Z / scale[d0]
    iu, ju = np.triu_indices(K, 1)
    unit = np.where(diag > 0, 1.0, 0.0)
    cov = np.zeros((n_dom, K, K))
    cov[:, np.arange(K), np.arange(K)] = unit
    if iu.size:
        off = (var(Zs[:, iu] + Zs[:, ju]) - unit[:, iu] - unit[:, ju]) / 2
        cov[:, iu, ju] = off
        cov[:, ju, iu] = off
    return cov * scale[:, :, None] * scale[:, None, :]
