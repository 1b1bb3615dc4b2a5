"""Means, totals, ratios and proportions for all domains and variables in one pass.

Each estimator builds the influence scores of every (domain, variable) at once and hands them to
``domain_variance``. Conventions follow R ``survey`` 4.1 (the golden tests say which call):

* ``mean``/``total``/``ratio``: CI normal, as ``confint(svymean(...))``.
* ``proportion``: CI as ``svyciprop(method=...)`` with the domain's design df (``degf`` of the
  domain's subset design, counting rows with missing values too, as R evaluates it).
* ``deff``: with-replacement design effect (R ``deff="replace"``); finite with mean-1 weights.
* ``n``: unweighted rows used; ``n_eff``: Kish's (sum w)^2 / sum w^2 over those rows.
* ``na_rm=True``: rows missing a variable are out of that variable's domain (R ``na.rm=TRUE``).
  With several variables each is its own domain, *not* listwise as R's multi-variable formula.
* ``na_rm=False`` and a missing value in a domain: that cell is NaN (as R's NA) and a warning
  says how many values were missing. Never treated as zero.
* A domain without rows (or weight): NaN estimate and SE where R's ``svyby`` says 0 +- 0; a
  total of no rows is 0 +- 0. ``deff`` is NaN with fewer than two rows of non-zero weight.
* Speed: everything about a ``by`` that no variable changes (domain codes, variance cells, degf)
  is computed once per design and cached (``_Plan``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

import numpy as np
import pandas as pd
from scipy import special

from leercultuur.errors import check_level
from leercultuur.survey import _element as element
from leercultuur.survey._domains import (
    MissingBy,
    _as_list,
    _column_codes,
    _numeric_matrix,
    _Plan,
    _plan,
)
from leercultuur.survey._errors import EngineError, check_choice
from leercultuur.survey._frames import _frame, _Stats
from leercultuur.survey._rules import t_ppf
from leercultuur.survey._variance import domain_variance, element_variance

if TYPE_CHECKING:  # pragma: no cover
    from leercultuur.survey._design import Design

CIMethod = Literal["logit", "mean", "asin", "xlogit", "beta"]
CI_METHODS: tuple[str, ...] = get_args(CIMethod)

RESULT_COLUMNS = ["variable", "estimate", "se", "ci_low", "ci_high", "n", "n_eff", "deff", "df"]


@dataclass(frozen=True)
class _Cells:
    """Per (domain, variable) sums needed for estimates and diagnostics (G + 1 rows)."""

    member: np.ndarray  # n x K bool: row in the (domain, variable) subset
    weight: np.ndarray  # n x K: w where member else 0
    sum_w: np.ndarray  # (G + 1) x K
    n: np.ndarray  # (G + 1) x K unweighted rows
    n_obs: np.ndarray  # (G + 1) x K rows with non-zero weight
    n_eff: np.ndarray  # (G + 1) x K Kish
    bad: np.ndarray  # (G + 1) x K: a missing value in the domain with na_rm=False


def _stats(cells: _Cells, G: int) -> _Stats:
    return _Stats(cells.n[:G], cells.n_eff[:G], cells.bad[:G])


def _cells(design: Design, plan: _Plan, Y: np.ndarray, na_rm: bool, names: Sequence[str]) -> _Cells:
    miss = np.isnan(Y)
    member = _membership(plan, miss, na_rm)
    weight = design.w[:, None] * member
    sum_w = plan.gsum(weight)
    n = plan.gsum(member)  # (bool weights: bincount casts them itself)
    if element.has_zero_weights(design):
        n_obs = plan.gsum((member & (design.w != 0)[:, None]).astype(np.float64))
    else:
        n_obs = n
    sum_w2 = plan.gsum(weight * weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = sum_w**2 / sum_w2
    return _Cells(member, weight, sum_w, n, n_obs, n_eff, _bad_cells(plan, miss, na_rm, names))


def _membership(plan: _Plan, miss: np.ndarray, na_rm: bool) -> np.ndarray:
    """n x K: row in the (domain, variable) subset (missing values out with ``na_rm``)."""
    if na_rm:
        return ~miss if plan.all_in else plan.indom[:, None] & ~miss
    return np.broadcast_to(plan.indom[:, None], miss.shape)


def _bad_cells(plan: _Plan, miss: np.ndarray, na_rm: bool, names: Sequence[str]) -> np.ndarray:
    """(G + 1) x K: domains with a missing value under ``na_rm=False`` (warns once)."""
    if na_rm or not miss.any():
        return np.zeros((plan.n + 1, miss.shape[1]), bool)
    cnt = plan.gsum((miss & plan.indom[:, None]).astype(np.float64))
    cnt[-1] = 0.0
    bad = cnt > 0
    if bad.any():
        per = {names[k]: int(cnt[:, k].sum()) for k in range(miss.shape[1]) if cnt[:, k].any()}
        desc = ", ".join(f"{k!r}: {v}" for k, v in per.items())
        warnings.warn(
            f"missing values with na_rm=False ({desc}); the affected estimates are NaN. "
            "Pass na_rm=True to treat missing values as out of domain",
            stacklevel=5,
        )
    return bad


def _normal_ci(est: np.ndarray, var: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    q = float(special.ndtri(1 - (1 - level) / 2))  # stats.norm.ppf without its overhead
    se = np.sqrt(np.maximum(var, 0.0))
    return est - q * se, est + q * se


def _variance(design: Design, plan: _Plan, z: np.ndarray, cells: _Cells) -> np.ndarray:
    member = cells.member if _needs_member(design) else None
    vplan = None if design.calibration is not None else plan.variance_plan(design)
    return domain_variance(design, z, plan.dom.codes, plan.n, member, plan=vplan)


def _element_route(
    design: Design,
    plan: _Plan,
    na_rm: bool,
    sources: Sequence[tuple[tuple[object, ...], Callable[[], np.ndarray]]],
    kind: Literal["mean", "total"],
) -> tuple[np.ndarray, np.ndarray, _Stats, np.ndarray] | None:
    """Means or totals from the cell sums of ``_element`` (element designs), or None where the
    two-pass route must serve the table: PSU designs, calibrated designs, sums that would lose
    digits, and missing values under ``na_rm=False`` (which warn and count rows as before)."""
    if design.calibration is not None or plan.layout is None:
        return None
    parts = []
    for key, fn in sources:
        rs = element.row_sums(design, key, fn)
        res = element.element_means(
            design, plan.layout, rs, with_units=_needs_member(design), kind=kind
        )
        if res is None or (not na_rm and (plan.rows[:, None] > res.n).any()):
            return None
        parts.append(res)
    cat = {
        a: np.concatenate([getattr(r, a) for r in parts], axis=1)
        for a in ("estimate", "var", "n", "n_eff", "deff")
    }
    stats = _Stats(cat["n"], cat["n_eff"], np.zeros(cat["n"].shape, bool))
    return cat["estimate"], cat["var"], stats, cat["deff"]


def _numeric_sources(
    design: Design, names: Sequence[str], role: str
) -> list[tuple[tuple[object, ...], Callable[[], np.ndarray]]]:
    """One source per numeric variable (each its own missing rows), keyed by its name: a mean
    and a total of the same variable share their per-row sums."""
    from leercultuur.survey._design import _require_columns

    _require_columns(design._data, names, role)  # every unknown name in one message
    return [
        (("numeric", v), lambda v=v: _numeric_matrix(design, [v], role))  # type: ignore[misc]
        for v in names
    ]


def _mean_core(
    design: Design,
    plan: _Plan,
    names: Sequence[str],
    na_rm: bool,
    sources: Sequence[tuple[tuple[object, ...], Callable[[], np.ndarray]]],
) -> tuple[np.ndarray, np.ndarray, _Stats, np.ndarray]:
    """Estimates, variances, per-domain counts and with-replacement deff of domain means, all
    with G rows. ``sources``: (cache key, function giving an n x K_j array) per group of columns
    that are missing in the same rows; the columns of all groups make up the K ``names``.

    Element designs take the one-product route of ``_element`` (per-row sums cached under each
    key); the rest the two-pass route below."""
    fast = _element_route(design, plan, na_rm, sources, "mean")
    if fast is not None:
        return fast
    Y = np.concatenate([fn() for _key, fn in sources], axis=1)
    cells = _cells(design, plan, Y, na_rm, names)
    G = plan.n
    d = plan.d
    Y0 = np.where(cells.member, Y, 0.0)  # NaN only where na_rm=False: those cells are "bad"
    sw = cells.sum_w
    with np.errstate(divide="ignore", invalid="ignore"):
        est = plan.gsum(cells.weight * Y0) / sw
        inv = np.where(sw > 0, 1.0 / sw, 0.0)
    est_g = np.where(sw > 0, est, 0.0)
    resid = Y0 - est_g[d]  # finite; weight is 0 outside the (domain, variable)
    wr = cells.weight * resid
    # second pass (corrected two-pass): the mean to the last digit, so that data far from zero
    # (an offset of 1e9) keeps its residuals exact and a constant domain has residuals of 0
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = np.where(sw > 0, plan.gsum(wr) * inv, 0.0)
    if np.any(corr[:G] != 0):
        est = est + corr
        resid -= corr[d]
        wr = cells.weight * resid
    var = None
    if not design.has_psu and design.calibration is None:
        member = cells.member if _needs_member(design) else None
        var = element_variance(design, plan.variance_plan(design), wr, inv, member)
    if var is None:
        var = _variance(design, plan, wr * inv[d], cells)
    var[_constant(plan, Y, cells.member)[:G] & ~np.isnan(var)] = 0.0
    var[sw[:G] == 0] = np.nan  # no rows (R says 0 +- 0 here): no estimate, no SE
    s2 = plan.gsum(wr * resid)[:G]
    with np.errstate(divide="ignore", invalid="ignore"):
        # R deff="replace": v / (svyvar / nobs), svyvar = s2/sum_w * nobs/(nobs - 1)
        deff = var * (cells.n_obs[:G] - 1) * sw[:G] / s2
    deff[cells.n_obs[:G] <= 1] = np.nan  # no element variance from one row (R: NaN)
    return est[:G], var, _stats(cells, G), deff


def _constant(plan: _Plan, Y: np.ndarray, member: np.ndarray) -> np.ndarray:
    """(G + 1) x K: every answer of the (domain, variable) is the same (its variance is 0
    exactly; rounding of the mean would leave residuals of 1e-16 and an SE of ~1e-30)."""
    d = plan.d
    out = np.zeros((plan.n + 1, Y.shape[1]), bool)
    for k in range(Y.shape[1]):
        idx = np.flatnonzero(member[:, k])
        if not idx.size:
            continue
        dd = d[idx]
        first = np.full(plan.n + 1, -1)
        first[dd[::-1]] = idx[::-1]  # (reversed: the first member row of each domain wins)
        differ = Y[idx, k] != Y[first[dd], k]
        out[:, k] = np.bincount(dd, weights=differ, minlength=plan.n + 1) == 0
    return out


def _needs_member(design: Design) -> bool:
    return design.lonely_psu == "average" or design.adjust_domain_lonely


def mean(
    design: Design,
    vars: str | Sequence[str],
    *,
    by: str | Sequence[str] | None = None,
    na_rm: bool = False,
    missing_by: MissingBy = "error",
    level: float = 0.95,
) -> pd.DataFrame:
    """Weighted domain means with linearised SEs (R ``svyby(~y, ~by, design, svymean)``)."""
    check_level(level)
    names = _as_list(vars)
    if not names:
        raise EngineError("mean: give at least one variable")
    plan = _plan(design, by, missing_by)
    sources = _numeric_sources(design, names, "mean")
    est, var, stats, deff = _mean_core(design, plan, names, na_rm, sources)
    lo, hi = _normal_ci(est, var, level)
    return _frame(plan, names, est, var, stats, deff, lo, hi)


def total(
    design: Design,
    vars: str | Sequence[str],
    *,
    by: str | Sequence[str] | None = None,
    na_rm: bool = False,
    missing_by: MissingBy = "error",
    level: float = 0.95,
) -> pd.DataFrame:
    """Weighted domain totals with linearised SEs (R ``svytotal``)."""
    check_level(level)
    names = _as_list(vars)
    if not names:
        raise EngineError("total: give at least one variable")
    plan = _plan(design, by, missing_by)
    fast = _element_route(design, plan, na_rm, _numeric_sources(design, names, "total"), "total")
    if fast is not None:
        est, var, stats, deff = fast
        lo, hi = _normal_ci(est, var, level)
        return _frame(plan, names, est, var, stats, deff, lo, hi)
    Y = _numeric_matrix(design, names, "total")
    cells = _cells(design, plan, Y, na_rm, names)
    G = plan.n
    d = plan.d
    Y0 = np.where(cells.member, Y, 0.0)
    z = cells.weight * Y0
    est_all = plan.gsum(z)
    var = _variance(design, plan, z, cells)
    sw = cells.sum_w
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(sw > 0, est_all / sw, 0.0)
        resid = np.where(cells.member, Y0 - mean[d], 0.0)
        s2 = plan.gsum(cells.weight * resid * resid)[:G]
        # R deff="replace": v / (svyvar * sum_w^2 / nobs)
        deff = var * (cells.n_obs[:G] - 1) / (s2 * sw[:G])
    deff[cells.n_obs[:G] <= 1] = np.nan  # no element variance from one row (R: NaN)
    est = est_all[:G]
    lo, hi = _normal_ci(est, var, level)
    return _frame(plan, names, est, var, _stats(cells, G), deff, lo, hi)


def ratio(
    design: Design,
    numerator: str | Sequence[str],
    denominator: str,
    *,
    by: str | Sequence[str] | None = None,
    na_rm: bool = False,
    missing_by: MissingBy = "error",
    level: float = 0.95,
) -> pd.DataFrame:
    """Ratios of weighted totals sum(w y) / sum(w x) per domain (R ``svyratio``).

    With ``na_rm=True`` a row is out of a numerator's domain when that numerator or the
    denominator is missing (R's complete cases for one numerator).
    """
    check_level(level)
    names = _as_list(numerator)
    if not names:
        raise EngineError("ratio: give at least one numerator variable")
    plan = _plan(design, by, missing_by)
    Y = _numeric_matrix(design, names, "ratio")
    X = _numeric_matrix(design, [denominator], "ratio")[:, 0]
    Yx = np.where(np.isnan(X)[:, None], np.nan, Y)  # missing denominator: missing pair
    cells = _cells(design, plan, Yx, na_rm, names)
    G = plan.n
    d = plan.d
    Y0 = np.where(cells.member, np.nan_to_num(Y, nan=0.0), 0.0)
    X0 = np.where(cells.member, np.nan_to_num(X, nan=0.0)[:, None], 0.0)
    sum_wy = plan.gsum(cells.weight * Y0)
    sum_wx = plan.gsum(cells.weight * X0)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = sum_wy / sum_wx
        r = np.where(cells.member, (Y0 - est[d] * X0) / sum_wx[d], 0.0)
    r = np.nan_to_num(r, nan=0.0)
    z = cells.weight * r
    var = _variance(design, plan, z, cells)
    var[sum_wx[:G] == 0] = np.nan  # denominator total zero: no ratio, no SE
    with np.errstate(divide="ignore", invalid="ignore"):
        rbar = plan.gsum(z) / cells.sum_w
        dev = np.where(cells.member, r - rbar[d], 0.0)
        s2 = plan.gsum(cells.weight * dev * dev)[:G]
        deff = var * (cells.n_obs[:G] - 1) / (s2 * cells.sum_w[:G])
    deff[cells.n_obs[:G] <= 1] = np.nan  # no element variance from one row (R: NaN)
    est = est[:G]
    lo, hi = _normal_ci(est, var, level)
    out = _frame(plan, names, est, var, _stats(cells, G), deff, lo, hi)
    out.insert(out.columns.get_loc("variable") + 1, "denominator", denominator)
    return out


def categories_of(s: pd.Series) -> list[object]:
    """The categories of a variable: a categorical's levels (all, as R's factor levels), else
    the sorted distinct non-missing values."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return list(s.cat.categories)
    return sorted(pd.unique(s.dropna()).tolist())


def proportion(
    design: Design,
    var: str,
    *,
    by: str | Sequence[str] | None = None,
    na_rm: bool = False,
    ci: CIMethod = "logit",
    missing_by: MissingBy = "error",
    level: float = 0.95,
    categories: Sequence[object] | None = None,
) -> pd.DataFrame:
    """Share of each category of ``var`` per domain, with ``svyciprop``-style CIs."""
    from leercultuur.survey._design import _require_columns

    check_choice("ci", ci, CI_METHODS)
    check_level(level)
    _require_columns(design._data, [var], "proportion")
    s = design._data[var]
    cats = list(categories) if categories is not None else categories_of(s)
    if not cats:
        raise EngineError(f"proportion: variable {var!r} has no non-missing values")
    plan = _plan(design, by, missing_by)
    codes, uniques = _column_codes(design, var)
    position = {u: i for i, u in enumerate(uniques.tolist())}
    want = np.array([position.get(c, -2) for c in cats], dtype=np.int64)  # -2: matches no row

    def indicators() -> np.ndarray:
        Y = (codes[:, None] == want[None, :]).astype(np.float64)
        Y[codes < 0] = np.nan
        return Y

    names = [f"{var}={c}" for c in cats]
    key = ("proportion", var, *map(repr, cats))
    est, v, stats, deff = _mean_core(design, plan, names, na_rm, [(key, indicators)])
    df = plan.degf
    lo, hi = prop_ci(est, v, df[:, None].astype(float), plan.rows[:, None], method=ci, level=level)
    return _frame(plan, [var], est, v, stats, deff, lo, hi, category=cats)


def prop_ci(
    p: np.ndarray,
    var: np.ndarray,
    df: np.ndarray,
    nrow: np.ndarray,
    *,
    method: CIMethod,
    level: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence limits of proportions as R's ``svyciprop`` (survey 4.1).

    ``df`` is the design df of the domain, ``nrow`` its number of rows (``beta`` uses both).
    p of exactly 0 or 1 gives the degenerate interval [p, p] for the logit methods.
    """
    check_choice("ci", method, CI_METHODS)
    alpha = 1 - level
    p = np.asarray(p, float)
    se = np.sqrt(np.maximum(var, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        q = t_ppf(1 - alpha / 2, df)
        if method == "mean":
            return p - q * se, p + q * se
        if method in ("logit", "xlogit"):
            eta = special.logit(p)
            se_eta = se / (p * (1 - p))
            lo = special.expit(eta - q * se_eta)
            hi = special.expit(eta + q * se_eta)
            edge = (p <= 0) | (p >= 1)
            return np.where(edge, p, lo), np.where(edge, p, hi)
        if method == "asin":
            t = np.arcsin(np.sqrt(p))
            se_t = se / (2 * np.sqrt(p * (1 - p)))
            return np.sin(t - q * se_t) ** 2, np.sin(t + q * se_t) ** 2
        # beta (Korn-Graubard)
        n_eff = p * (1 - p) / (se * se)
        n_eff = n_eff * (t_ppf(alpha / 2, nrow - 1) / t_ppf(alpha / 2, df)) ** 2
        from scipy import stats  # here only: its import is slow and the beta interval is rare

        a1, b1 = n_eff * p, n_eff * (1 - p) + 1
        a2, b2 = n_eff * p + 1, n_eff * (1 - p)
        lo = np.where(p <= 0, 0.0, stats.beta.ppf(alpha / 2, a1, b1))
        hi = np.where(p >= 1, 1.0, stats.beta.ppf(1 - alpha / 2, a2, b2))
        return lo, hi
