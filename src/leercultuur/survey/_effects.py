"""Effect sizes, independent-sample comparisons, multiplicity, and the shared two-sample core.

Formulas (documented here once; golden values from R ``svycontrast`` in ``tests/golden/part2``):

* Cohen's d for means: ``(m1 - m2) / s_p`` with the pooled *weighted population* SD
  ``s_p^2 = (sum_1 w (y - m1)^2 + sum_2 w (y - m2)^2) / (W1 + W2)`` (W = sum of weights).
* Cohen's d for proportions: ``(p1 - p2) / sqrt(pbar (1 - pbar))`` with
  ``pbar = (W1 p1 + W2 p2) / (W1 + W2)``, the weighted share of both samples together.
* Cohen's h: ``2 asin(sqrt(p1)) - 2 asin(sqrt(p2))`` (Cohen 1988, ch. 6).
* Design-based SEs by the delta method on the linearised scores, which carries the covariance of
  the two estimates when they come from the same sample (group vs rest):
  ``z_d = z_diff / s - d / (2 s^2) z_{s^2}`` and ``z_h = z_1 / sqrt(p1 (1 - p1)) - z_2 /
  sqrt(p2 (1 - p2))``; the scores then go through ``domain_variance`` like any estimator.
* Benjamini-Hochberg as R ``p.adjust(method="BH")`` (missing p-values stay missing and do not
  count in the family size).

References: J. Cohen (1988), Statistical Power Analysis for the Behavioral Sciences, 2nd ed.,
ch. 2 (d) and ch. 6 (h); D. A. Binder (1983), On the variances of asymptotically normal
estimators from complex surveys, Int. Stat. Review 51 (linearisation / delta method for
functions of survey totals); J. N. K. Rao and A. J. Scott (1984), Ann. Statist. 12 (chi-square
corrections, used in ``chisq``); Y. Benjamini and Y. Hochberg (1995), JRSS B 57.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import pandas as pd
from scipy import stats

from leercultuur.errors import DesignError, check_choice, check_level, format_rows
from leercultuur.survey._domains import _column_codes, _numeric_matrix
from leercultuur.survey._estimate import categories_of
from leercultuur.survey._variance import _bincount_cols, domain_variance

if TYPE_CHECKING:  # pragma: no cover
    from leercultuur.survey._design import Design

Kind = Literal["mean", "proportion"]
KIND_OPTIONS: tuple[str, ...] = get_args(Kind)


# ----------------------------------------------------------------------------- public helpers
def cohens_h(p1: Any, p2: Any) -> Any:
    """Cohen's h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p2)), element-wise."""
    p1a, p2a = np.asarray(p1, float), np.asarray(p2, float)
    return 2 * np.arcsin(np.sqrt(p1a)) - 2 * np.arcsin(np.sqrt(p2a))


def cohens_d(
    est1: Any,
    est2: Any,
    *,
    sd1: Any = None,
    sd2: Any = None,
    w1: Any = None,
    w2: Any = None,
) -> Any:
    """Cohen's d, element-wise.

    Means: give ``sd1``/``sd2`` (weighted population SDs) and the weighted sizes ``w1``/``w2``;
    the pooled SD is ``sqrt((w1 sd1^2 + w2 sd2^2) / (w1 + w2))``. Proportions: leave the SDs out;
    ``d = (p1 - p2) / sqrt(pbar (1 - pbar))`` with ``pbar`` weighted by ``w1``/``w2`` (equal
    weights when they are not given).
    """
    e1, e2 = np.asarray(est1, float), np.asarray(est2, float)
    a = np.asarray(1.0 if w1 is None else w1, float)
    b = np.asarray(1.0 if w2 is None else w2, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if sd1 is None and sd2 is None:
            pbar = (a * e1 + b * e2) / (a + b)
            return (e1 - e2) / np.sqrt(pbar * (1 - pbar))
        if sd1 is None or sd2 is None:
            raise ValueError("cohens_d: give both sd1 and sd2 (means) or neither (proportions)")
        s1, s2 = np.asarray(sd1, float), np.asarray(sd2, float)
        return (e1 - e2) / np.sqrt((a * s1**2 + b * s2**2) / (a + b))


def p_adjust_bh(p: Any) -> Any:
    """Benjamini-Hochberg adjusted p-values, as R ``p.adjust(p, "BH")``.

    Accepts a sequence, array or Series (a Series keeps its index); NaN stays NaN and does not
    count in the family size.
    """
    arr = np.asarray(p, dtype=float).ravel()
    out = np.full(arr.shape, np.nan)
    ok = ~np.isnan(arr)
    q = arr[ok]
    m = q.size
    if m:
        if ((q < 0) | (q > 1)).any():
            raise ValueError("p_adjust_bh: p-values must lie between 0 and 1")
        order = np.argsort(-q, kind="stable")
        i = np.arange(m, 0, -1)
        adj = np.minimum.accumulate(m / i * q[order])
        res = np.empty(m)
        res[order] = np.minimum(adj, 1.0)
        out[ok] = res
    if isinstance(p, pd.Series):
        return pd.Series(out, index=p.index, name=p.name)
    return out


def compare_independent(
    est1: Any, se1: Any, est2: Any, se2: Any, *, df: Any = None, level: float = 0.95
) -> pd.DataFrame:
    """Difference ``est2 - est1`` of two independent estimates (e.g. year vs the year before).

    ``se = sqrt(se1^2 + se2^2)``; the test is z (normal) without ``df``, else t on ``df``.
    Vectorised: scalars, arrays or Series (the index of ``est1`` is kept). Returns a DataFrame
    with ``difference, se, statistic, p_value, ci_low, ci_high``.
    """
    check_level(level)
    e1, s1, e2, s2 = (np.atleast_1d(np.asarray(x, float)) for x in (est1, se1, est2, se2))
    if ((s1 < 0) | (s2 < 0)).any():
        raise ValueError("compare_independent: standard errors must not be negative")
    diff = e2 - e1
    se = np.hypot(s1, s2)  # sqrt(se1^2 + se2^2) without underflow
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = diff / se
    if df is None:
        p = 2 * stats.norm.sf(np.abs(stat))
        q = stats.norm.ppf(1 - (1 - level) / 2)
    else:
        dfa = np.asarray(df, float)
        p = 2 * stats.t.sf(np.abs(stat), dfa)
        q = stats.t.ppf(1 - (1 - level) / 2, dfa)
    index = est1.index if isinstance(est1, pd.Series) else None
    return pd.DataFrame(
        {
            "difference": diff,
            "se": se,
            "statistic": stat,
            "p_value": p,
            "ci_low": diff - q * se,
            "ci_high": diff + q * se,
        },
        index=index,
    )


# ----------------------------------------------------------------------------- shared internals
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
            raise ValueError(f"{role}: category= applies to kind='proportion' only")
        y = _numeric_matrix(design, [var], role)[:, 0]
    else:
        s = design.data[var] if var in design.data.columns else None
        if s is None:
            _numeric_matrix(design, [var], role)  # raises the unknown-column error
            raise AssertionError  # pragma: no cover
        cats = categories_of(s)
        if category is None:
            if set(cats) <= {0, 1} and cats:
                category = 1
            else:
                shown = ", ".join(repr(c) for c in cats[:20])
                raise DesignError(
                    f"{role}: kind='proportion' on {var!r} needs category=, one of: {shown}"
                )
        elif category not in cats:
            shown = ", ".join(repr(c) for c in cats[:20])
            raise DesignError(
                f"{role}: category {category!r} does not occur in {var!r}; its categories: {shown}"
            )
        y = (s == category).to_numpy(dtype=np.float64, na_value=0.0)
        y[s.isna().to_numpy()] = np.nan
    miss = np.isnan(y) & scope
    if miss.any() and not na_rm:
        bad = np.flatnonzero(miss)
        raise DesignError(
            f"{role}: variable {var!r} has {bad.size} missing values ({format_rows(bad)}); pass "
            "na_rm=True to leave them out (they stay in the design, out of the domain)"
        )
    return y


def group_codes(design: Design, cols: Sequence[str], role: str) -> tuple[np.ndarray, pd.DataFrame]:
    """Codes 0..G-1 of the value combinations of ``cols`` among the design's domain rows.

    Rows outside the design's domain or with a missing value in ``cols`` get -1; the number of
    such in-domain rows is reported in a warning (they are left out, never silently).
    """
    from leercultuur.survey._design import _require_columns

    _require_columns(design.data, cols, role)
    inside = design.in_domain
    if not cols:
        return np.where(inside, 0, -1).astype(np.int64), pd.DataFrame(index=range(1))
    combined = np.zeros(len(design.data), np.int64)
    missing = np.zeros(len(design.data), bool)
    parts = []
    for c in cols:
        codes, uniques = _column_codes(design, c)
        missing |= codes < 0
        parts.append((c, codes, uniques))
    nmiss = int((missing & inside).sum())
    if nmiss:
        warnings.warn(
            f"{role}: {nmiss} rows have a missing value in {', '.join(map(repr, cols))}; "
            "they are left out of the comparison",
            stacklevel=3,
        )
    stride = 1
    for _c, codes, uniques in reversed(parts):
        combined += np.where(codes < 0, 0, codes) * stride
        stride *= max(uniques.size, 1)
    ok = inside & ~missing
    present = np.flatnonzero(np.bincount(combined[ok], minlength=stride) > 0)
    remap = np.full(stride, -1, np.int64)
    remap[present] = np.arange(present.size)
    out = np.where(ok, remap[combined], -1)
    labels = {}
    r = stride
    for c, _codes, uniques in parts:
        r //= max(uniques.size, 1)
        labels[c] = uniques[(present // r) % uniques.size]
    return out, pd.DataFrame(labels)


def p_from_t(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    dfa = np.asarray(df, float)
    with np.errstate(invalid="ignore"):
        return np.where(dfa > 0, 2 * stats.t.sf(np.abs(t), np.where(dfa > 0, dfa, 1)), np.nan)


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
    y0 = np.where(valid, y, 0.0)
    w = np.where(valid, design.w, 0.0)
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
            pbar = (Wa * ma0 + Wb * mb0) / Wab
            s2 = pbar * (1 - pbar)
            pb0 = np.nan_to_num(pbar)
            z_s2 = ((1 - 2 * pb0) * inv_ab)[o] * wab * (yk - pb0[o])
        d = diff / np.sqrt(s2)
        c1 = _safe_inv(np.sqrt(s2))
        c2 = np.where(np.isfinite(d) & (s2 > 0), d / (2 * s2), 0.0)
        va, vb = ma * (1 - ma), mb * (1 - mb)
        ha, hb = _safe_inv(np.sqrt(va)), _safe_inv(np.sqrt(vb))
        h = 2 * np.arcsin(np.sqrt(ma)) - 2 * np.arcsin(np.sqrt(mb))
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
        dfo = fast_degf(design, np.where(union, outer, -1), n_out) - 1
        df = np.repeat(dfo[:, None], K, axis=1)
    else:
        if pair_codes is None:
            raise ValueError("pair_core: pair_codes is needed when same_union is False")
        df = _consecutive_degf(design, dom, n_out, pair_codes, K + 1) - 1
    d_se = np.where(np.isfinite(d), se[:, K : 2 * K], np.nan)
    h_se = np.where((va > 0) & (vb > 0), se[:, 2 * K :], np.nan)
    if kind == "mean":
        h = np.full_like(d, np.nan)
        h_se = np.full_like(d, np.nan)
    empty = (n_a == 0) | (n_b == 0)
    se_diff = np.where(empty, np.nan, se[:, :K])
    return PairStats(ma, mb, diff, se_diff, df, d, d_se, h, h_se, n_a, n_b, Wab, Wa, s2)


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
    y0 = np.where(valid, y, 0.0)
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
            pbar = (Wa * np.nan_to_num(ma) + Wb * np.nan_to_num(mb)) / Wab
            s2 = pbar * (1 - pbar)
            centre = np.nan_to_num(pbar)  # z_s2 = (1 - 2 pbar) w (y - pbar) / Wab
        d = diff / np.sqrt(s2)
        c1 = _safe_inv(np.sqrt(s2))
        c2 = np.where(np.isfinite(d) & (s2 > 0), d / (2 * s2), 0.0)
        fac = (1 - 2 * centre) if kind == "proportion" else np.ones_like(centre)
        va, vb = ma * (1 - ma), mb * (1 - mb)
        ha, hb = _safe_inv(np.sqrt(va)), _safe_inv(np.sqrt(vb))
        h = 2 * np.arcsin(np.sqrt(ma)) - 2 * np.arcsin(np.sqrt(mb))
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
    h_se = np.where((va > 0) & (vb > 0), se[..., 2], np.nan)
    if kind == "mean":
        h = np.full_like(d, np.nan)
        h_se = np.full_like(d, np.nan)
    se_diff = np.where(empty, np.nan, se[..., 0])
    return PairStats(ma, mb, diff, se_diff, df, d, d_se, h, h_se, n_a, n_b, Wab, Wa, s2)


def fast_degf(
    design: Design, dom: np.ndarray, n_out: int, *, nonzero_weight: bool = True
) -> np.ndarray:
    """R's degf per domain (PSUs minus strata with a row of non-zero weight in the domain) from
    presence flags; a hash unique when the flag table would be large. ``nonzero_weight=False``
    counts every row, as ``svychisq``'s ``nu`` does.
    """
    inset = (dom >= 0) & ((design.w != 0) | (not nonzero_weight))
    if n_out * design.n_psu_total > 50_000_000:  # flag table too large: hash unique
        g = dom[inset]
        units = np.unique(g * design.n_psu_total + design.psu[inset]) // design.n_psu_total
        strata = np.unique(g * design.n_strata + design.stratum[inset]) // design.n_strata
        return (np.bincount(units, minlength=n_out) - np.bincount(strata, minlength=n_out)).astype(
            float
        )
    g = dom[inset]
    out = np.zeros(n_out)
    for codes, size, sign in (
        (design.psu, design.n_psu_total, 1.0),
        (design.stratum, design.n_strata, -1.0),
    ):
        seen = np.zeros(n_out * size, bool)
        seen[g * size + codes[inset]] = True
        out += sign * seen.reshape(n_out, size).sum(axis=1)
    return out


def _safe_inv(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((x != 0) & np.isfinite(x), 1.0 / x, 0.0)


def _consecutive_degf(
    design: Design, dom: np.ndarray, n_out: int, pos: np.ndarray, n_pos: int
) -> np.ndarray:
    """R's degf of the rows at positions k or k + 1, per outer domain: (n_out, n_pos - 1).

    One pass: the distinct (domain, PSU, position) and (domain, stratum, position) triples; a
    PSU (stratum) present at both k and k + 1 counts once.
    """
    inset = (dom >= 0) & (design.w != 0) & (pos >= 0)
    g, p = dom[inset], pos[inset]
    out = np.zeros((n_out, n_pos - 1))
    for codes, size, sign in (
        (design.psu, design.n_psu_total, 1),
        (design.stratum, design.n_strata, -1),
    ):
        key = (g * size + codes[inset]) * n_pos + p
        u = np.unique(key)
        up, uo = u % n_pos, (u // n_pos) // size
        unit = u // n_pos
        per = np.bincount(uo * n_pos + up, minlength=n_out * n_pos).reshape(n_out, n_pos)
        twice = (unit[1:] == unit[:-1]) & (up[1:] == up[:-1] + 1)
        both = np.bincount(
            uo[:-1][twice] * (n_pos - 1) + up[:-1][twice], minlength=n_out * (n_pos - 1)
        ).reshape(n_out, n_pos - 1)
        out += sign * (per[:, :-1] + per[:, 1:] - both)
    return out


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
            return stat, stats.chi2.sf(stat, 1)
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
    from leercultuur.survey._cells import _stratum_weights
    from leercultuur.survey._variance import _bincount_cols

    Zr = np.where(rows[:, None], Z, 0.0)
    if design.has_psu:
        T = _bincount_cols(design.psu, Zr, design.n_psu_total)
        h = np.zeros(design.n_psu_total, np.int64)
        h[design.psu] = design.stratum
    else:
        T, h = Zr, design.stratum
    c_h, w_h = _stratum_weights(design)
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
