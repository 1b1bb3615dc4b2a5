"""Columns, domains and the cached plan of a ``by``, shared by the estimators of a design.

A ``by`` becomes one mixed-radix code per row (first column most significant, so domains come
out sorted as R's ``svyby`` sorts them). Its plan, cached on the design, holds everything no
variable changes: the domains and their labels, R's ``degf`` per domain, the rows per domain
and, for element designs, the cell layout of ``_element`` (the per-row domain codes are then
built only when a route needs them).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import pandas as pd
from scipy import sparse

from leercultuur.errors import format_rows
from leercultuur.survey import _element as element
from leercultuur.survey._errors import ColumnError, MissingByError, check_choice
from leercultuur.survey._frames import _data_frame
from leercultuur.survey._variance import VariancePlan, variance_plan

if TYPE_CHECKING:  # pragma: no cover
    from leercultuur.survey._design import Design

# The one policy for missing values in ``by`` columns (every function that takes a ``by``):
# "error" (the default) refuses and names the column, the number of rows and the rows;
# "group" reports them as their own group, labelled missing, last; "omit" leaves those rows
# out of every domain (they stay in the design) and a warning says how many.
MissingBy = Literal["error", "group", "omit"]
MISSING_BY_OPTIONS: tuple[str, ...] = get_args(MissingBy)


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
    """Codes 0..K-1 of a column (-1: missing, int64) and its K values, cached on the design
    (in the smallest integer type that holds them: a design keeps the codes of every column
    it was grouped by)."""
    codes, uniques, _ = _coded(design, col)
    return codes.astype(np.int64), uniques


def _has_missing(design: Design, col: str) -> bool:
    return _coded(design, col)[2]


def _coded(design: Design, col: str) -> tuple[np.ndarray, np.ndarray, bool]:
    key = f"codes:{col}"
    hit: tuple[np.ndarray, np.ndarray, bool] | None = design._cache.get(key)
    if hit is None:
        s = design._data[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes = s.cat.codes.to_numpy().astype(np.int64)
            uniques = np.asarray(s.cat.categories)
        else:
            from leercultuur.survey._design import factorize

            codes, uniques = factorize(s)
        small = np.min_scalar_type(-max(len(uniques), 1))  # (signed: -1 is missing)
        hit = (codes.astype(small), uniques, bool((codes < 0).any()))
        design._cache[key] = hit
    return hit


@dataclass(frozen=True)
class _ByCodes:
    """The ``by`` columns as one mixed-radix code per row (first column most significant, so
    codes sort as R's ``svyby`` output); missing values form their own last code."""

    parts: list[tuple[str, np.ndarray, int]]  # column, its labels (with None for missing), radix
    stride: int  # number of possible codes
    combined: np.ndarray  # each row's code (every row, also outside a subset)
    omitted: np.ndarray | None = None  # rows left out (missing_by="omit"); None: none

    def inside(self, design: Design) -> np.ndarray:
        """Rows in some domain: the design's domain rows less the omitted ones."""
        if self.omitted is None:
            return design.in_domain
        return design.in_domain & ~self.omitted

    def labels(self, codes: np.ndarray) -> pd.DataFrame:
        """The ``by`` values of the given codes, one column per ``by`` variable."""
        cols = {col: vals[(codes // r) % vals.size] for col, vals, r in self.parts}
        if not cols:
            return pd.DataFrame(index=range(codes.size))
        return _data_frame(cols)


def _by_codes(
    design: Design, by_cols: list[str], missing_by: MissingBy, role: str = "by"
) -> _ByCodes:
    """The one ``by`` coder of the engine (estimates, tests, trends and cell statistics)."""
    check_choice("missing_by", missing_by, MISSING_BY_OPTIONS)
    from leercultuur.survey._design import _require_columns

    _require_columns(design._data, by_cols, role)
    columns = []
    omitted: np.ndarray | None = None
    for col in by_cols:
        codes, uniques = _column_codes(design, col)
        if _has_missing(design, col):
            miss = codes < 0
            bad = np.flatnonzero(miss & design.in_domain)
            if bad.size and missing_by == "error":
                raise MissingByError(
                    f"{role} column {col!r} has {bad.size} missing values ({format_rows(bad)}); "
                    "pass missing_by='group' to report them as their own group, or "
                    "missing_by='omit' to leave those rows out",
                    column=col,
                    rows=bad,
                )
            if missing_by == "omit":
                omitted = miss if omitted is None else omitted | miss
                codes = np.where(miss, 0, codes)
            else:
                codes = np.where(miss, uniques.size, codes)
                uniques = np.concatenate([uniques, np.array([None], dtype=object)])
        columns.append((col, codes, uniques))
    if omitted is not None:
        n_out = int(np.count_nonzero(omitted & design.in_domain))
        if n_out:
            warnings.warn(
                f"{role}: {n_out} rows have a missing value in "
                f"{', '.join(map(repr, by_cols))}; they are left out (missing_by='omit')",
                stacklevel=4,
            )
    radix = np.cumprod([1] + [max(u.size, 1) for _c, _k, u in reversed(columns)])[::-1]
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
        combined = np.zeros(len(design._data), np.int64)
    parts = [(c, u, int(r)) for (c, _k, u), r in zip(columns, radix[1:], strict=True)]
    return _ByCodes(parts, stride, combined, omitted)


def group_codes(
    design: Design, cols: Sequence[str], role: str, missing_by: MissingBy = "error"
) -> tuple[np.ndarray, pd.DataFrame]:
    """Codes 0..G-1 of the value combinations of ``cols`` among the design's domain rows, and
    their labels (one column per ``cols``); -1 for rows in no domain. Missing values in
    ``cols`` follow ``missing_by`` (see :data:`MissingBy`)."""
    bc = _by_codes(design, list(cols), missing_by, role)
    inside = bc.inside(design)
    if not bc.parts:
        return np.where(inside, 0, -1).astype(np.int64), pd.DataFrame(index=range(1))
    present = np.flatnonzero(np.bincount(bc.combined[inside], minlength=bc.stride) > 0)
    remap = np.full(bc.stride, -1, np.int64)
    remap[present] = np.arange(present.size)
    out = np.where(inside, remap[bc.combined], -1)
    labels = {col: vals[(present // r) % vals.size] for col, vals, r in bc.parts}
    return out, pd.DataFrame(labels)


def domains(design: Design, by: str | Sequence[str] | None, missing_by: MissingBy) -> Domains:
    """Domain codes for the combinations of ``by`` present among the design's domain rows."""
    bc = _by_codes(design, _as_list(by), missing_by)
    inside = bc.inside(design)
    if not bc.parts:
        codes = np.where(inside, 0, -1).astype(np.int64)
        return Domains(codes, 1, pd.DataFrame(index=range(1)))
    combined = bc.combined
    everyone = design.domain is None and bc.omitted is None
    present = np.bincount(combined if everyone else combined[inside], minlength=bc.stride) > 0
    remap = np.full(bc.stride, -1, np.int64)
    remap[present] = np.arange(int(present.sum()))
    dom = remap[combined] if everyone else np.where(inside, remap[combined], -1)
    present_codes = np.flatnonzero(present)
    return Domains(dom, int(present.sum()), bc.labels(present_codes))


def _numeric_matrix(design: Design, cols: Sequence[str], role: str) -> np.ndarray:
    from leercultuur.survey._design import _require_columns

    _require_columns(design._data, cols, role)
    out = np.empty((len(design._data), len(cols)))
    for k, c in enumerate(cols):
        s = design._data[c]
        if pd.api.types.is_bool_dtype(s):
            out[:, k] = s.to_numpy(dtype=np.float64, na_value=np.nan)
            continue
        if not pd.api.types.is_numeric_dtype(s):
            as_num = pd.to_numeric(s, errors="coerce")
            bad = np.flatnonzero(as_num.isna().to_numpy() & s.notna().to_numpy())
            if not bad.size:  # numbers stored as text: still refuse, say which
                bad = np.flatnonzero(s.notna().to_numpy())[:1]
            example = f"; e.g. value {s.iloc[bad[0]]!r} in {format_rows(bad)}" if bad.size else ""
            raise ColumnError(
                f"{role}: variable {c!r} is not numeric (dtype {s.dtype}){example}. "
                "Convert it to numbers, or use proportion() for a categorical variable",
                column=c,
                value=s.iloc[bad[0]] if bad.size else None,
                rows=bad,
            )
        if isinstance(s.dtype, np.dtype):  # numpy storage: NaN is its missing value already
            out[:, k] = s.to_numpy()
        else:  # nullable and arrow dtypes: <NA> -> NaN
            out[:, k] = s.to_numpy(dtype=np.float64, na_value=np.nan)
        if np.isinf(out[:, k]).any():
            inf = np.flatnonzero(np.isinf(out[:, k]))
            raise ColumnError(
                f"{role}: variable {c!r} has {inf.size} infinite values ({format_rows(inf)})",
                column=c,
                value=float(out[inf[0], k]),
                rows=inf,
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
    known: Domains | None = None  # the per-row domain codes, when the plan was built from them
    _agg: dict[object, Any] = field(default_factory=dict, repr=False)  # built on first use

    @cached_property
    def dom(self) -> Domains:
        if self.known is not None:
            return self.known
        assert self.layout is not None  # (plans without a layout are built with their domains)
        return Domains(self.layout.row_domains(), self.n, self.labels)

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
    outside = design.domain is not None or bc.omitted is not None
    n_slots = bc.stride * H + outside
    if outside:
        slot[~bc.inside(design)] = n_slots - 1
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
    all_in = bool((dom.codes >= 0).all())
    d = dom.codes if all_in else np.where(dom.codes >= 0, dom.codes, G)
    lay = None
    if not design.has_psu:
        slot = np.where(d < G, d * design.n_strata + design.stratum, G * design.n_strata)
        lay = element.layout(design, slot, G * design.n_strata + 1, outside=True)
        if lay is not None and lay.n_domains != G:
            lay = None  # a domain without rows (an empty subset): two-pass route
    if lay is not None:
        return _Plan(G, dom.labels, all_in, lay.plan.degf, lay.rows, lay, dom)
    vplan = variance_plan(design, dom.codes, G)
    rows = np.bincount(d, minlength=G + 1)[:G]
    hit = _Plan(G, dom.labels, all_in, vplan.degf, rows, None, dom)
    hit._agg["vplan"] = vplan
    design._cache[f"vplan:{id(dom.codes)}"] = (dom.codes, vplan)
    return hit
