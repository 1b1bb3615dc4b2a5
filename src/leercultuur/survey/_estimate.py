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
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

import numpy as np
import pandas as pd
from scipy import special, stats

from leercultuur.errors import DesignError, check_choice, format_rows
from leercultuur.survey._variance import domain_degf, domain_variance

if TYPE_CHECKING:  # pragma: no cover
    from leercultuur.survey._design import Design

CIMethod = Literal["logit", "mean", "asin", "xlogit", "beta"]
CI_METHODS: tuple[str, ...] = get_args(CIMethod)
MissingBy = Literal["error", "group"]
MISSING_BY_OPTIONS: tuple[str, ...] = get_args(MissingBy)

RESULT_COLUMNS = ["variable", "estimate", "se", "ci_low", "ci_high", "n", "n_eff", "deff", "df"]


@dataclass(frozen=True)
class Domains:
    """Domain code per row (-1: in no domain), the number of domains and their labels."""

    codes: np.ndarray
    n: int
    labels: pd.DataFrame  # one row per domain, one column per `by` variable


def _as_list(x: str | Sequence[str] | None) -> list[str]:
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    return list(x)


def _column_codes(design: Design, col: str) -> tuple[np.ndarray, np.ndarray]:
    key = f"codes:{col}"
    hit = design._cache.get(key)
    if hit is None:
        s = design.data[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes = s.cat.codes.to_numpy().astype(np.int64)
            uniques = np.asarray(s.cat.categories)
        else:
            codes, uniques = pd.factorize(s, sort=True, use_na_sentinel=True)
            codes = codes.astype(np.int64, copy=False)
            uniques = np.asarray(uniques)
        hit = (codes, uniques)
        design._cache[key] = hit
    return hit


def domains(design: Design, by: str | Sequence[str] | None, missing_by: MissingBy) -> Domains:
    """Domain codes for the combinations of ``by`` present among the design's domain rows."""
    check_choice("missing_by", missing_by, MISSING_BY_OPTIONS)
    by_cols = _as_list(by)
    from leercultuur.survey._design import _require_columns

    _require_columns(design.data, by_cols, "by")
    inside = design.in_domain
    if not by_cols:
        codes = np.where(inside, 0, -1).astype(np.int64)
        return Domains(codes, 1, pd.DataFrame(index=range(1)))
    combined = np.zeros(len(design.data), np.int64)
    stride = 1
    parts: list[tuple[str, np.ndarray, np.ndarray, int]] = []
    for col in by_cols:
        codes, uniques = _column_codes(design, col)
        card = uniques.size
        miss = codes < 0
        if miss.any():
            bad = np.flatnonzero(miss & inside)
            if bad.size and missing_by == "error":
                raise DesignError(
                    f"by column {col!r} has {bad.size} missing values ({format_rows(bad)}); "
                    "pass missing_by='group' to report them as their own group"
                )
            codes = np.where(miss, card, codes)
            card += 1
        parts.append((col, codes, uniques, card))
    # mixed-radix code, first `by` column most significant (sorted output like R's svyby)
    radix = []
    for _col, _codes, _u, card in reversed(parts):
        radix.append(stride)
        stride *= card
    radix.reverse()
    for (_col, codes, _u, _card), r in zip(parts, radix, strict=True):
        combined += codes * r
    present = np.bincount(combined[inside], minlength=stride) > 0
    remap = np.full(stride, -1, np.int64)
    remap[present] = np.arange(int(present.sum()))
    dom = np.where(inside, remap[combined], -1)
    present_codes = np.flatnonzero(present)
    labels = {}
    for (col, _codes, uniques, card), r in zip(parts, radix, strict=True):
        idx = (present_codes // r) % card
        vals = (
            np.concatenate([uniques, np.array([None], dtype=object)])
            if card > uniques.size
            else uniques
        )
        labels[col] = vals[idx]
    return Domains(dom, int(present.sum()), pd.DataFrame(labels))


def _numeric_matrix(design: Design, cols: Sequence[str], role: str) -> np.ndarray:
    from leercultuur.survey._design import _require_columns

    _require_columns(design.data, cols, role)
    out = np.empty((len(design.data), len(cols)))
    for k, c in enumerate(cols):
        s = design.data[c]
        if pd.api.types.is_bool_dtype(s):
            out[:, k] = s.to_numpy(dtype=np.float64, na_value=np.nan)
            continue
        if not pd.api.types.is_numeric_dtype(s):
            as_num = pd.to_numeric(s, errors="coerce")
            bad = np.flatnonzero(as_num.isna().to_numpy() & s.notna().to_numpy())
            if not bad.size:  # numbers stored as text: still refuse, say which
                bad = np.flatnonzero(s.notna().to_numpy())[:1]
            example = f"; e.g. value {s.iloc[bad[0]]!r} in {format_rows(bad)}" if bad.size else ""
            raise DesignError(
                f"{role}: variable {c!r} is not numeric (dtype {s.dtype}){example}. "
                "Convert it to numbers, or use proportion() for a categorical variable"
            )
        out[:, k] = s.to_numpy(dtype=np.float64, na_value=np.nan)
        inf = np.flatnonzero(np.isinf(out[:, k]))
        if inf.size:
            raise DesignError(
                f"{role}: variable {c!r} has {inf.size} infinite values ({format_rows(inf)})"
            )
    return out


@dataclass(frozen=True)
class _Cells:
    """Per (domain, variable) sums needed for estimates and diagnostics."""

    member: np.ndarray  # n x K bool: row in the (domain, variable) subset
    weight: np.ndarray  # n x K: w where member else 0
    sum_w: np.ndarray  # G x K
    n: np.ndarray  # G x K unweighted rows
    n_obs: np.ndarray  # G x K rows with non-zero weight
    n_eff: np.ndarray  # G x K Kish
    bad: np.ndarray  # G x K: a missing value in the domain with na_rm=False


def _cells(
    design: Design, dom: Domains, Y: np.ndarray, na_rm: bool, names: Sequence[str]
) -> _Cells:
    G = dom.n
    indom = dom.codes >= 0
    miss = np.isnan(Y)
    member = indom[:, None] & ~miss if na_rm else np.broadcast_to(indom[:, None], Y.shape)
    weight = design.w[:, None] * member
    d = np.where(indom, dom.codes, 0)
    from leercultuur.survey._variance import _bincount_cols

    sum_w = _bincount_cols(d, weight, G)
    n = _bincount_cols(d, member.astype(np.float64), G)
    n_obs = _bincount_cols(d, (member & (design.w != 0)[:, None]).astype(np.float64), G)
    sum_w2 = _bincount_cols(d, weight * weight, G)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = sum_w**2 / sum_w2
    bad = np.zeros((G, Y.shape[1]), bool)
    if not na_rm and miss.any():
        cnt = _bincount_cols(d, (miss & indom[:, None]).astype(np.float64), G)
        bad = cnt > 0
        if bad.any():
            per = {names[k]: int(cnt[:, k].sum()) for k in range(Y.shape[1]) if cnt[:, k].any()}
            desc = ", ".join(f"{k!r}: {v}" for k, v in per.items())
            warnings.warn(
                f"missing values with na_rm=False ({desc}); the affected estimates are NaN. "
                "Pass na_rm=True to treat missing values as out of domain",
                stacklevel=4,
            )
    return _Cells(member, weight, sum_w, n, n_obs, n_eff, bad)


def _frame(
    dom: Domains,
    names: Sequence[str],
    est: np.ndarray,
    var: np.ndarray,
    cells: _Cells,
    deff: np.ndarray,
    df: np.ndarray,
    ci_low: np.ndarray,
    ci_high: np.ndarray,
    category: Sequence[object] | None = None,
) -> pd.DataFrame:
    G, K = est.shape
    gi = np.repeat(np.arange(G), K)
    ki = np.tile(np.arange(K), G)
    out = (
        dom.labels.iloc[gi].reset_index(drop=True)
        if dom.labels.shape[1]
        else pd.DataFrame(index=range(G * K))
    )
    if category is None:
        out["variable"] = np.asarray(names, dtype=object)[ki]
    else:
        out["variable"] = names[0]
        out["category"] = np.asarray(category, dtype=object)[ki]
    bad = cells.bad.ravel()
    se = np.sqrt(np.maximum(var, 0.0)).ravel()
    cols = {
        "estimate": est.ravel(),
        "se": se,
        "ci_low": ci_low.ravel(),
        "ci_high": ci_high.ravel(),
    }
    for name, arr in cols.items():
        out[name] = np.where(bad, np.nan, arr)
    out["n"] = cells.n.ravel().astype(np.int64)
    out["n_eff"] = cells.n_eff.ravel()
    out["deff"] = np.where(bad, np.nan, deff.ravel())
    out["df"] = np.repeat(df, K)
    return out


def _normal_ci(est: np.ndarray, var: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    q = stats.norm.ppf(1 - (1 - level) / 2)
    se = np.sqrt(np.maximum(var, 0.0))
    return est - q * se, est + q * se


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise DesignError(f"level={level!r} must be between 0 and 1 (e.g. 0.95)")


def _mean_core(
    design: Design, dom: Domains, Y: np.ndarray, na_rm: bool, names: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, _Cells, np.ndarray]:
    """Estimates, variances, cells and with-replacement deff of domain means of Y's columns."""
    from leercultuur.survey._variance import _bincount_cols

    cells = _cells(design, dom, Y, na_rm, names)
    G = dom.n
    d = np.where(dom.codes >= 0, dom.codes, 0)
    Y0 = np.where(cells.member, np.nan_to_num(Y, nan=0.0), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = _bincount_cols(d, cells.weight * Y0, G) / cells.sum_w
        resid = np.where(cells.member, Y0 - est[d], 0.0)
        z = cells.weight * resid / cells.sum_w[d]
    z = np.nan_to_num(z, nan=0.0)  # empty (sum_w = 0) domains: NaN estimate, no scores
    var = domain_variance(design, z, dom.codes, G, cells.member if _needs_member(design) else None)
    var[cells.sum_w == 0] = np.nan  # no rows (R says 0 +- 0 here): no estimate, no SE
    s2 = _bincount_cols(d, cells.weight * resid * resid, G)
    with np.errstate(divide="ignore", invalid="ignore"):
        # R deff="replace": v / (svyvar / nobs), svyvar = s2/sum_w * nobs/(nobs - 1)
        deff = var * (cells.n_obs - 1) * cells.sum_w / s2
    return est, var, cells, deff


def _needs_member(design: Design) -> bool:
    return design.lonely_psu == "average" or design.adjust_domain_lonely


def estimate_mean(
    design: Design,
    vars: str | Sequence[str],
    *,
    by: str | Sequence[str] | None = None,
    na_rm: bool = False,
    missing_by: MissingBy = "error",
    level: float = 0.95,
) -> pd.DataFrame:
    """Weighted domain means with linearised SEs (R ``svyby(~y, ~by, design, svymean)``)."""
    _check_level(level)
    names = _as_list(vars)
    if not names:
        raise DesignError("mean: give at least one variable")
    dom = domains(design, by, missing_by)
    Y = _numeric_matrix(design, names, "mean")
    est, var, cells, deff = _mean_core(design, dom, Y, na_rm, names)
    lo, hi = _normal_ci(est, var, level)
    return _frame(dom, names, est, var, cells, deff, domain_degf(design, dom.codes, dom.n), lo, hi)


def estimate_total(
    design: Design,
    vars: str | Sequence[str],
    *,
    by: str | Sequence[str] | None = None,
    na_rm: bool = False,
    missing_by: MissingBy = "error",
    level: float = 0.95,
) -> pd.DataFrame:
    """Weighted domain totals with linearised SEs (R ``svytotal``)."""
    from leercultuur.survey._variance import _bincount_cols

    _check_level(level)
    names = _as_list(vars)
    if not names:
        raise DesignError("total: give at least one variable")
    dom = domains(design, by, missing_by)
    Y = _numeric_matrix(design, names, "total")
    cells = _cells(design, dom, Y, na_rm, names)
    G = dom.n
    d = np.where(dom.codes >= 0, dom.codes, 0)
    Y0 = np.where(cells.member, np.nan_to_num(Y, nan=0.0), 0.0)
    z = cells.weight * Y0
    est = _bincount_cols(d, z, G)
    var = domain_variance(design, z, dom.codes, G, cells.member if _needs_member(design) else None)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = est / cells.sum_w
        resid = np.where(cells.member, Y0 - mean[d], 0.0)
        s2 = _bincount_cols(d, cells.weight * resid * resid, G)
        # R deff="replace": v / (svyvar * sum_w^2 / nobs)
        deff = var * (cells.n_obs - 1) / (s2 * cells.sum_w)
    lo, hi = _normal_ci(est, var, level)
    return _frame(dom, names, est, var, cells, deff, domain_degf(design, dom.codes, dom.n), lo, hi)


def estimate_ratio(
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
    from leercultuur.survey._variance import _bincount_cols

    _check_level(level)
    names = _as_list(numerator)
    if not names:
        raise DesignError("ratio: give at least one numerator variable")
    dom = domains(design, by, missing_by)
    Y = _numeric_matrix(design, names, "ratio")
    X = _numeric_matrix(design, [denominator], "ratio")[:, 0]
    Yx = np.where(np.isnan(X)[:, None], np.nan, Y)  # missing denominator: missing pair
    cells = _cells(design, dom, Yx, na_rm, names)
    G = dom.n
    d = np.where(dom.codes >= 0, dom.codes, 0)
    Y0 = np.where(cells.member, np.nan_to_num(Y, nan=0.0), 0.0)
    X0 = np.where(cells.member, np.nan_to_num(X, nan=0.0)[:, None], 0.0)
    sum_wy = _bincount_cols(d, cells.weight * Y0, G)
    sum_wx = _bincount_cols(d, cells.weight * X0, G)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = sum_wy / sum_wx
        r = np.where(cells.member, (Y0 - est[d] * X0) / sum_wx[d], 0.0)
    r = np.nan_to_num(r, nan=0.0)
    z = cells.weight * r
    var = domain_variance(design, z, dom.codes, G, cells.member if _needs_member(design) else None)
    var[sum_wx == 0] = np.nan  # denominator total zero: no ratio, no SE
    with np.errstate(divide="ignore", invalid="ignore"):
        rbar = _bincount_cols(d, z, G) / cells.sum_w
        dev = np.where(cells.member, r - rbar[d], 0.0)
        s2 = _bincount_cols(d, cells.weight * dev * dev, G)
        deff = var * (cells.n_obs - 1) / (s2 * cells.sum_w)
    lo, hi = _normal_ci(est, var, level)
    out = _frame(dom, names, est, var, cells, deff, domain_degf(design, dom.codes, dom.n), lo, hi)
    out.insert(out.columns.get_loc("variable") + 1, "denominator", denominator)
    return out


def categories_of(s: pd.Series) -> list[object]:
    """The categories of a variable: a categorical's levels (all, as R's factor levels), else
    the sorted distinct non-missing values."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return list(s.cat.categories)
    return sorted(pd.unique(s.dropna()).tolist())


def estimate_proportion(
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
    _check_level(level)
    _require_columns(design.data, [var], "proportion")
    s = design.data[var]
    cats = list(categories) if categories is not None else categories_of(s)
    if not cats:
        raise DesignError(f"proportion: variable {var!r} has no non-missing values")
    dom = domains(design, by, missing_by)
    values = s.to_numpy(dtype=object) if not isinstance(s.dtype, pd.CategoricalDtype) else None
    miss = s.isna().to_numpy()
    Y = np.empty((len(s), len(cats)))
    for k, c in enumerate(cats):
        hit = (s == c).to_numpy(dtype=bool, na_value=False) if values is None else (values == c)
        Y[:, k] = hit
    Y[miss] = np.nan
    names = [f"{var}={c}" for c in cats]
    est, v, cells, deff = _mean_core(design, dom, Y, na_rm, names)
    df = domain_degf(design, dom.codes, dom.n)
    rows = np.bincount(
        np.where(dom.codes >= 0, dom.codes, 0), weights=(dom.codes >= 0), minlength=dom.n
    )
    lo, hi = prop_ci(est, v, df[:, None].astype(float), rows[:, None], method=ci, level=level)
    return _frame(dom, [var], est, v, cells, deff, df, lo, hi, category=cats)


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
        q = stats.t.ppf(1 - alpha / 2, df)
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
        n_eff = n_eff * (stats.t.ppf(alpha / 2, nrow - 1) / stats.t.ppf(alpha / 2, df)) ** 2
        a1, b1 = n_eff * p, n_eff * (1 - p) + 1
        a2, b2 = n_eff * p + 1, n_eff * (1 - p)
        lo = np.where(p <= 0, 0.0, stats.beta.ppf(alpha / 2, a1, b1))
        hi = np.where(p >= 1, 1.0, stats.beta.ppf(1 - alpha / 2, a2, b2))
        return lo, hi
