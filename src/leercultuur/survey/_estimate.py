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
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import pandas as pd
from scipy import sparse, special, stats

from leercultuur.errors import DesignError, check_choice, format_rows
from leercultuur.survey import _element as element
from leercultuur.survey._variance import (
    VariancePlan,
    domain_variance,
    element_variance,
    variance_plan,
)

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
            from leercultuur.survey._design import factorize

            codes, uniques = factorize(s)
        hit = (codes, uniques, bool((codes < 0).any()))
        design._cache[key] = hit
    return hit[0], hit[1]


def _has_missing(design: Design, col: str) -> bool:
    _column_codes(design, col)
    return bool(design._cache[f"codes:{col}"][2])


@dataclass(frozen=True)
class _ByCodes:
    """The ``by`` columns as one mixed-radix code per row (first column most significant, so
    codes sort as R's ``svyby`` output); missing values form their own last code."""

    parts: list[tuple[str, np.ndarray, int]]  # column, its labels (with None for missing), radix
    stride: int  # number of possible codes
    combined: np.ndarray  # each row's code (every row, also outside a subset)

    def labels(self, codes: np.ndarray) -> pd.DataFrame:
        """The ``by`` values of the given codes, one column per ``by`` variable."""
        cols = {col: vals[(codes // r) % vals.size] for col, vals, r in self.parts}
        if not cols:
            return pd.DataFrame(index=range(codes.size))
        return _data_frame(cols)


def _by_codes(design: Design, by_cols: list[str], missing_by: MissingBy) -> _ByCodes:
    check_choice("missing_by", missing_by, MISSING_BY_OPTIONS)
    from leercultuur.survey._design import _require_columns

    _require_columns(design.data, by_cols, "by")
    columns = []
    for col in by_cols:
        codes, uniques = _column_codes(design, col)
        if _has_missing(design, col):
            miss = codes < 0
            bad = np.flatnonzero(miss & design.in_domain)
            if bad.size and missing_by == "error":
                raise DesignError(
                    f"by column {col!r} has {bad.size} missing values ({format_rows(bad)}); "
                    "pass missing_by='group' to report them as their own group"
                )
            codes = np.where(miss, uniques.size, codes)
            uniques = np.concatenate([uniques, np.array([None], dtype=object)])
        columns.append((col, codes, uniques))
    radix = np.cumprod([1] + [u.size for _c, _k, u in reversed(columns)])[::-1]
    stride = int(radix[0])
    combined: np.ndarray | None = None
    for (_col, codes, _u), r in zip(columns, radix[1:], strict=True):
        if combined is None:
            combined = codes * int(r) if r != 1 else codes.copy()
        elif r == 1:
            combined += codes
        else:
            combined += codes * int(r)
    if combined is None:  # no by: one domain
        combined = np.zeros(len(design.data), np.int64)
    parts = [(c, u, int(r)) for (c, _k, u), r in zip(columns, radix[1:], strict=True)]
    return _ByCodes(parts, stride, combined)


def domains(design: Design, by: str | Sequence[str] | None, missing_by: MissingBy) -> Domains:
    """Domain codes for the combinations of ``by`` present among the design's domain rows."""
    bc = _by_codes(design, _as_list(by), missing_by)
    inside = design.in_domain
    if not bc.parts:
        codes = np.where(inside, 0, -1).astype(np.int64)
        return Domains(codes, 1, pd.DataFrame(index=range(1)))
    combined = bc.combined
    everyone = design.domain is None
    present = np.bincount(combined if everyone else combined[inside], minlength=bc.stride) > 0
    remap = np.full(bc.stride, -1, np.int64)
    remap[present] = np.arange(int(present.sum()))
    dom = remap[combined] if everyone else np.where(inside, remap[combined], -1)
    present_codes = np.flatnonzero(present)
    return Domains(dom, int(present.sum()), bc.labels(present_codes))


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
        if isinstance(s.dtype, np.dtype):  # numpy storage: NaN is its missing value already
            out[:, k] = s.to_numpy()
        else:  # nullable and arrow dtypes: <NA> -> NaN
            out[:, k] = s.to_numpy(dtype=np.float64, na_value=np.nan)
        if np.isinf(out[:, k]).any():
            inf = np.flatnonzero(np.isinf(out[:, k]))
            raise DesignError(
                f"{role}: variable {c!r} has {inf.size} infinite values ({format_rows(inf)})"
            )
    return out


@dataclass(frozen=True)
class _Plan:
    """Everything about a ``by`` that no variable changes; cached on the design.

    Per-domain arrays inside the estimators have G + 1 rows: row G sums the rows that are in no
    domain (outside a subset), so no score column is ever copied to drop them. Element designs
    get a cell ``layout`` and build the per-row domain codes only when a route needs them.
    """

    n: int  # domains
    labels: pd.DataFrame  # one row per domain, one column per `by` variable
    all_in: bool  # every row is in a domain
    degf: np.ndarray  # R's degf of each domain's subset design
    rows: np.ndarray  # rows per domain
    layout: element.Layout | None  # element designs: the one-product route's cells
    _agg: dict[object, Any] = field(default_factory=dict, repr=False)  # built on first use

    @cached_property
    def dom(self) -> Domains:
        hit = self._agg.get("dom")
        if hit is None:
            assert self.layout is not None  # (other plans are built with their domains)
            hit = Domains(self.layout.row_domains(), self.n, self.labels)
        return hit

    @cached_property
    def d(self) -> np.ndarray:
        """Row -> domain 0..G-1, G for rows in no domain."""
        codes = self.dom.codes
        return codes if self.all_in else np.where(codes >= 0, codes, self.n)

    @cached_property
    def indom(self) -> np.ndarray:
        """Row is in some domain."""
        return self.dom.codes >= 0

    def variance_plan(self, design: Design) -> VariancePlan:
        """The full variance plan (built on first use for element designs)."""
        hit: VariancePlan | None = self._agg.get("vplan")
        if hit is None:
            hit = variance_plan(design, self.dom.codes, self.n)
            self._agg["vplan"] = hit
            design._cache[f"vplan:{id(self.dom.codes)}"] = (self.dom.codes, hit)
        return hit

    def gsum(self, values: np.ndarray) -> np.ndarray:
        """Sums per domain of each column of ``values`` (n x K) -> (G + 1, K)."""
        if values.shape[1] == 1:
            return np.bincount(self.d, weights=values[:, 0], minlength=self.n + 1)[:, None]
        agg = self._agg.get("m")
        if agg is None:  # (G + 1) x n indicator matrix: one product sums every column
            n = self.d.size
            agg = sparse.csr_matrix(
                sparse.csc_matrix((np.ones(n), self.d, np.arange(n + 1)), shape=(self.n + 1, n))
            )
            self._agg["m"] = agg
        return np.asarray(agg @ np.ascontiguousarray(values, dtype=np.float64))


# Element plans compute cells straight from the by codes when the slots (by codes x strata) stay
# within this many times the rows (else the domains are found first, as for PSU designs).
_SLOTS_PER_ROW = 4


def _plan(design: Design, by: str | Sequence[str] | None, missing_by: MissingBy) -> _Plan:
    key = "plan:" + "\x1f".join([missing_by, *map(str, _as_list(by))])
    hit = design._cache.get(key)
    if hit is None:  # (a cached plan passed the checks of ``domains`` for the same arguments)
        hit = _element_plan(design, by, missing_by) if not design.has_psu else None
        if hit is None:
            hit = _domain_plan(design, by, missing_by)
        design._cache[key] = hit
    return hit


def _element_plan(
    design: Design, by: str | Sequence[str] | None, missing_by: MissingBy
) -> _Plan | None:
    """A plan whose cells come from one pass over the by codes (no per-row domain codes)."""
    bc = _by_codes(design, _as_list(by), missing_by)
    H, n = design.n_strata, design.n_rows
    if bc.stride * H > _SLOTS_PER_ROW * n + 2**20:
        return None
    slot = bc.combined * H
    slot += design.stratum
    outside = design.domain is not None
    n_slots = bc.stride * H + outside
    if design.domain is not None:
        slot[~design.domain] = n_slots - 1
    lay = element.layout(design, slot, n_slots, outside=outside)
    if lay is None:
        return None
    labels = bc.labels(lay.groups) if bc.parts else pd.DataFrame(index=range(1))
    return _Plan(lay.n_domains, labels, not outside, lay.plan.degf, lay.rows, lay)


def _domain_plan(design: Design, by: str | Sequence[str] | None, missing_by: MissingBy) -> _Plan:
    """A plan from the per-row domain codes: PSU designs, and the rare element plans with more
    possible by codes than rows or without any row."""
    dom = domains(design, by, missing_by)
    G = dom.n
    all_in = design.domain is None  # (``domains`` codes every row then)
    d = dom.codes if all_in else np.where(dom.codes >= 0, dom.codes, G)
    lay = None
    if not design.has_psu:
        slot = np.where(d < G, d * design.n_strata + design.stratum, G * design.n_strata)
        lay = element.layout(design, slot, G * design.n_strata + 1, outside=True)
        if lay is not None and lay.n_domains != G:
            lay = None  # a domain without rows (an empty subset): two-pass route
    if lay is not None:
        hit = _Plan(G, dom.labels, all_in, lay.plan.degf, lay.rows, lay)
    else:
        vplan = variance_plan(design, dom.codes, G)
        rows = np.bincount(d, minlength=G + 1)[:G]
        hit = _Plan(G, dom.labels, all_in, vplan.degf, rows, None)
        hit._agg["vplan"] = vplan
        design._cache[f"vplan:{id(dom.codes)}"] = (dom.codes, vplan)
    hit._agg["dom"] = dom
    return hit


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


@dataclass(frozen=True)
class _Stats:
    """Per (domain, variable) counts of the result table (G rows)."""

    n: np.ndarray  # unweighted rows
    n_eff: np.ndarray  # Kish
    bad: np.ndarray  # a missing value in the domain with na_rm=False


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


def _frame(
    plan: _Plan,
    names: Sequence[str],
    est: np.ndarray,
    var: np.ndarray,
    stats: _Stats,
    deff: np.ndarray,
    ci_low: np.ndarray,
    ci_high: np.ndarray,
    category: Sequence[object] | None = None,
) -> pd.DataFrame:
    """The tidy table; ``est``, ``var``, ``deff``, CIs and ``stats`` are G x K.

    Every column is a fresh array (changing a result never reaches the plan's cached labels).
    """
    G, K = est.shape
    bad = stats.bad.ravel()
    any_bad = bool(bad.any())
    cols: dict[str, Any] = {c: arr.copy() for c, arr in _label_columns(plan, K).items()}
    if category is None:
        cols["variable"] = _variable_column(plan, names, K).copy()
    else:
        cols["variable"] = _variable_column(plan, names[:1], K).copy()
        cols["category"] = np.asarray(category, dtype=object)[np.tile(np.arange(K), G)]
    se = np.sqrt(np.maximum(var, 0.0)).ravel()
    for name, arr in (
        ("estimate", est.ravel()),
        ("se", se),
        ("ci_low", ci_low.ravel()),
        ("ci_high", ci_high.ravel()),
    ):
        cols[name] = np.where(bad, np.nan, arr) if any_bad else arr
    cols["n"] = stats.n.ravel().astype(np.int64)
    cols["n_eff"] = stats.n_eff.ravel()
    cols["deff"] = np.where(bad, np.nan, deff.ravel()) if any_bad else deff.ravel()
    cols["df"] = np.repeat(plan.degf, K)
    return _data_frame(cols)


def _label_columns(plan: _Plan, K: int) -> dict[str, Any]:
    """The ``by`` columns of a table with K rows per domain (cached on the plan; copy them):
    numpy arrays where pandas would store numpy, else pandas' own array (strings, ...)."""
    key = f"labels:{K}"
    hit: dict[str, Any] | None = plan._agg.get(key)
    if hit is None:
        gi = np.repeat(np.arange(plan.n), K)
        hit = {}
        for c in plan.labels.columns:
            s = plan.labels[c]
            arr = s.to_numpy() if isinstance(s.dtype, np.dtype) else s.array
            hit[c] = arr.take(gi)
        plan._agg[key] = hit
    return hit


def _variable_column(plan: _Plan, names: Sequence[str], K: int) -> Any:
    """The ``variable`` column (names repeated for each domain; cached on the plan: copy it)."""
    key = ("variable", K, *names)
    hit = plan._agg.get(key)
    if hit is None:
        hit = _strings(names).take(
            np.tile(np.arange(len(names)), plan.n)
            if len(names) == K
            else np.zeros(plan.n * K, np.int64)
        )
        plan._agg[key] = hit
    return hit


def _data_frame(cols: dict[str, Any]) -> pd.DataFrame:
    """``pd.DataFrame(cols)`` for columns of equal length that are fresh arrays.

    Building the column index and validating the arrays is most of the cost of a small
    DataFrame (about 0.2 ms of a table's 1 ms); ``DataFrame._from_arrays`` with a cached index
    skips both. It is internal to pandas, so any failure falls back to the public constructor
    (tests/survey/test_element.py checks that both give the same frame)."""
    names = tuple(cols)
    index = _memo(_COLUMNS, names, lambda: pd.Index(list(names), dtype="str"))
    size = len(next(iter(cols.values()))) if cols else 0
    try:
        return pd.DataFrame._from_arrays(  # type: ignore[attr-defined,no-any-return]
            list(cols.values()), columns=index, index=pd.RangeIndex(size), verify_integrity=False
        )
    except (AttributeError, TypeError, ValueError):  # pragma: no cover - pandas changed
        return pd.DataFrame(cols, copy=False)


_COLUMNS: dict[tuple[str, ...], pd.Index] = {}


def _strings(names: Sequence[str]) -> pd.api.extensions.ExtensionArray:
    """Variable names as pandas' string array (built once per name list: pyarrow is slow to
    start on small inputs)."""
    key = tuple(names)
    return _memo(_STRINGS, key, lambda: pd.array(list(key), dtype="str"))


_STRINGS: dict[tuple[str, ...], pd.api.extensions.ExtensionArray] = {}


def _memo(store: dict[tuple[str, ...], Any], key: tuple[str, ...], build: Callable[[], Any]) -> Any:
    """``store[key]``, built on first use (the store is emptied when it grows past 4096)."""
    hit = store.get(key)
    if hit is None:
        if len(store) > 4096:
            store.clear()
        hit = store[key] = build()
    return hit


def _normal_ci(est: np.ndarray, var: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    q = float(special.ndtri(1 - (1 - level) / 2))  # stats.norm.ppf without its overhead
    se = np.sqrt(np.maximum(var, 0.0))
    return est - q * se, est + q * se


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise DesignError(f"level={level!r} must be between 0 and 1 (e.g. 0.95)")


def _variance(design: Design, plan: _Plan, z: np.ndarray, cells: _Cells) -> np.ndarray:
    member = cells.member if _needs_member(design) else None
    vplan = None if design.calibration is not None else plan.variance_plan(design)
    return domain_variance(design, z, plan.dom.codes, plan.n, member, plan=vplan)


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
    key); PSU designs, calibrated designs, sums that would lose digits and missing values under
    ``na_rm=False`` take the two-pass route below."""
    if design.calibration is None and plan.layout is not None:
        lay = plan.layout
        parts = []
        for key, fn in sources:
            rs = element.row_sums(design, key, fn)
            res = element.element_means(design, lay, rs, with_units=_needs_member(design))
            if res is None or (not na_rm and (plan.rows[:, None] > res.n).any()):
                break
            parts.append(res)
        else:
            cat = {
                a: np.concatenate([getattr(r, a) for r in parts], axis=1)
                for a in ("estimate", "var", "n", "n_eff", "deff")
            }
            n = cat["n"]
            stats = _Stats(n, cat["n_eff"], np.zeros(n.shape, bool))
            return cat["estimate"], cat["var"], stats, cat["deff"]
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
    var = None
    if not design.has_psu and design.calibration is None:
        member = cells.member if _needs_member(design) else None
        var = element_variance(design, plan.variance_plan(design), wr, inv, member)
    if var is None:
        var = _variance(design, plan, wr * inv[d], cells)
    var[sw[:G] == 0] = np.nan  # no rows (R says 0 +- 0 here): no estimate, no SE
    s2 = plan.gsum(wr * resid)[:G]
    with np.errstate(divide="ignore", invalid="ignore"):
        # R deff="replace": v / (svyvar / nobs), svyvar = s2/sum_w * nobs/(nobs - 1)
        deff = var * (cells.n_obs[:G] - 1) * sw[:G] / s2
    deff[cells.n_obs[:G] <= 1] = np.nan  # no element variance from one row (R: NaN)
    return est[:G], var, _stats(cells, G), deff


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
    plan = _plan(design, by, missing_by)
    from leercultuur.survey._design import _require_columns

    _require_columns(design.data, names, "mean")  # every unknown name in one message
    sources = [
        (("mean", v), lambda v=v: _numeric_matrix(design, [v], "mean"))  # type: ignore[misc]
        for v in names
    ]
    est, var, stats, deff = _mean_core(design, plan, names, na_rm, sources)
    lo, hi = _normal_ci(est, var, level)
    return _frame(plan, names, est, var, stats, deff, lo, hi)


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
    _check_level(level)
    names = _as_list(vars)
    if not names:
        raise DesignError("total: give at least one variable")
    plan = _plan(design, by, missing_by)
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
    _check_level(level)
    names = _as_list(numerator)
    if not names:
        raise DesignError("ratio: give at least one numerator variable")
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
