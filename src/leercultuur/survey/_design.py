"""The survey design object: weights, strata, PSUs, fpc and the lonely-PSU rule.

A ``Design`` is immutable. It turns the design columns into integer codes once (strata, PSUs
nested in strata, PSU counts per stratum, finite-population corrections) so that every estimator
afterwards is a handful of ``np.bincount`` passes over all domains at once.

Semantics follow R's ``survey`` package (``svydesign``), version 4.1, which the golden tests use:

* ``psu`` names the first-stage sampling unit; with several stages (a list of columns) only the
  first counts for the variance ("ultimate cluster"), as R does when later stages have no fpc.
* ``fpc``: population sizes (all values > 1) or sampling fractions (all values <= 1), constant
  within a stratum.
* Zero weights are allowed (units out of sample; they still count for the design's PSU numbers,
  as in R); negative, missing or non-numeric weights are an error.
* ``lonely_psu`` (a stratum with a single PSU): ``"fail"`` refuses the design and lists the strata;
  ``"remove"`` and ``"certainty"`` let the stratum contribute zero variance (R gives the same
  numbers for both); ``"adjust"`` centres the lonely PSU's total at zero rather than at its own
  stratum mean, as R 4.1 does (R >= 4.4 centres at the grand mean of PSU totals: means and
  proportions agree, totals differ); ``"average"`` replaces the lonely strata's contribution by the
  average of the other strata (the sum over the other strata is scaled by strata / other strata).
* ``adjust_domain_lonely`` is R's option ``survey.adjust.domain.lonely``: when a domain has a
  single PSU in a stratum that has several, ``"adjust"`` leaves it uncentred and ``"average"``
  treats that stratum as lonely for the domain. Off by default, as in R.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import pandas as pd

from leercultuur.errors import format_rows
from leercultuur.survey._errors import (
    ColumnError,
    DesignStructureError,
    EngineError,
    MissingValueError,
    OptionValueError,
    check_choice,
)

if TYPE_CHECKING:  # pragma: no cover
    from leercultuur.survey import _estimate, _inference, _regression, _trend, _weighting

LonelyPSU = Literal["fail", "remove", "certainty", "adjust", "average"]
LONELY_PSU_OPTIONS: tuple[str, ...] = get_args(LonelyPSU)


# pandas >= 3 is always copy-on-write; pandas 2 only with the option set (else a deep copy)
_COPY_ON_WRITE = int(pd.__version__.split(".")[0]) >= 3 or bool(
    getattr(pd.options.mode, "copy_on_write", False) is True
)


def _as_pandas(data: Any) -> pd.DataFrame:
    """A snapshot of ``data`` that the caller's later edits cannot reach.

    pandas 3 is copy-on-write: a shallow copy shares the column buffers until either side
    writes, and then the writer copies. So the snapshot costs no memory, and an edit of the
    caller's frame (``df.loc[...] = ...``, ``df["y"] = ...``, ``df["w"] *= 2``, an in-place sort)
    changes the caller's frame only. Everything the design caches (codes, per-row sums) is
    therefore keyed on data that cannot change. A polars/pyarrow frame is converted (a copy).
    """
    if isinstance(data, pd.DataFrame):
        return data.copy(deep=not _COPY_ON_WRITE)
    to_pandas = getattr(data, "to_pandas", None)  # polars / pyarrow
    if callable(to_pandas):
        out = to_pandas()
        if isinstance(out, pd.DataFrame):
            return out.copy(deep=False)
    raise OptionValueError(f"data must be a pandas or polars DataFrame, not {type(data).__name__}")


def _require_columns(data: pd.DataFrame, names: Sequence[str], role: str) -> None:
    missing = [c for c in names if c not in data.columns]
    if missing:
        import difflib

        hints = []
        for m in missing:
            close = difflib.get_close_matches(str(m), [str(c) for c in data.columns], n=1)
            hints.append(f"{m!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ColumnError(f"{role}: unknown column {', '.join(hints)}", column=str(missing[0]))


def _scalar(x: Any) -> Any:
    """A numpy scalar as the Python value (so messages say 3, not np.int64(3))."""
    return x.item() if isinstance(x, np.generic) else x


def factorize(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes 0..K-1 in sorted order of the values, and the sorted unique values.

    Missing values get code -1. Integers in a compact range (years, codes 1..k) take a
    counting shortcut, several times faster than hashing; the result is the same.
    """
    arr = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    if arr.dtype.kind in "iu" and arr.size:
        lo, hi = int(arr.min()), int(arr.max())
        if hi - lo <= 4 * arr.size + 1024:
            off = (arr - lo).astype(np.int64, copy=False)
            present = np.bincount(off, minlength=hi - lo + 1) > 0
            if present.all():  # every value in the range occurs: the offsets are the codes
                return off, np.arange(lo, hi + 1).astype(arr.dtype)
            remap = np.cumsum(present) - 1
            return remap[off], (np.flatnonzero(present) + lo).astype(arr.dtype)
    codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=True)
    return codes.astype(np.int64, copy=False), np.asarray(uniques)


class Design:
    """A stratified, clustered, weighted sample design (Taylor linearisation).

    ``Design(data, *, weights, strata=None, psu=None, fpc=None, lonely_psu="fail")`` over a
    pandas or polars DataFrame; the column names given must exist in it. The object is frozen:
    ``subset`` returns a new design.
    """

    __slots__ = (
        "_cache",
        "adjust_domain_lonely",
        "calibration",
        "data",
        "domain",
        "f",
        "fpc_col",
        "has_psu",
        "lonely_psu",
        "n_psu",
        "n_psu_total",
        "n_strata",
        "psu",
        "psu_col",
        "strata_col",
        "strata_labels",
        "stratum",
        "w",
        "weights_col",
    )

    data: pd.DataFrame
    weights_col: str
    strata_col: str | None
    psu_col: tuple[str, ...] | None
    fpc_col: str | None
    lonely_psu: LonelyPSU
    adjust_domain_lonely: bool
    w: np.ndarray
    stratum: np.ndarray
    psu: np.ndarray
    n_strata: int
    n_psu_total: int
    n_psu: np.ndarray
    f: np.ndarray
    strata_labels: np.ndarray
    has_psu: bool
    domain: np.ndarray | None
    # Set by survey weighting (calibrate/rake): an object with ``residuals(z) -> z'`` that
    # replaces the scores by their calibration residuals before the variance (R ``calibrate``).
    calibration: Any
    _cache: dict[str, Any]

    def __init__(
        self,
        data: Any,
        *,
        weights: str,
        strata: str | None = None,
        psu: str | Sequence[str] | None = None,
        fpc: str | Sequence[str | None] | None = None,
        lonely_psu: LonelyPSU = "fail",
        nest: bool = False,
        adjust_domain_lonely: bool = False,
    ) -> None:
        built = _build(
            data,
            weights=weights,
            strata=strata,
            psu=psu,
            fpc=fpc,
            lonely_psu=lonely_psu,
            nest=nest,
            adjust_domain_lonely=adjust_domain_lonely,
        )
        for k, v in built.items():
            object.__setattr__(self, k, v)
        object.__setattr__(self, "domain", None)
        object.__setattr__(self, "calibration", None)
        object.__setattr__(self, "_cache", {})

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Design is frozen; cannot set {name!r} (use subset() for domains)")

    def __repr__(self) -> str:
        dom = "" if self.domain is None else f", domain rows={int(self.domain.sum())}"
        return (
            f"Design(rows={len(self.data)}, strata={self.n_strata}, "
            f"psus={self.n_psu_total}, weights={self.weights_col!r}, "
            f"lonely_psu={self.lonely_psu!r}{dom})"
        )

    # ------------------------------------------------------------------ domains
    def subset(self, mask: Any) -> Design:
        """A domain design: rows outside ``mask`` are out of domain but keep the design.

        Like R's ``subset(design, ...)``: PSU counts per stratum stay those of the full design,
        so domain standard errors are correct. ``mask`` is a boolean array or Series of the
        data's length, or a column name holding booleans.
        """
        if isinstance(mask, str):
            _require_columns(self.data, [mask], "subset")
            mask = self.data[mask]
        m = np.asarray(mask)
        if m.shape != (len(self.data),):
            raise EngineError(
                f"subset: mask has length {m.shape}, the data has {len(self.data)} rows"
            )
        if m.dtype != bool:
            if pd.isna(pd.Series(m)).any():
                raise EngineError("subset: mask has missing values; use True/False only")
            m = m.astype(bool)
        if self.domain is not None:
            m = m & self.domain
        return _replace(self, domain=m.copy())

    @property
    def n_rows(self) -> int:
        return len(self.data)

    @property
    def in_domain(self) -> np.ndarray:
        """Boolean mask of the rows in the (sub)domain this design describes."""
        if self.domain is None:
            return np.ones(len(self.data), bool)
        return self.domain

    def degf(self) -> int:
        """Design degrees of freedom as R's ``degf``: PSUs minus strata with non-zero weight."""
        from leercultuur.survey._rules import row_degf

        return int(row_degf(self, np.where(self.in_domain, 0, -1), 1)[0])

    # The estimators, tests and trends are functions that take the design; survey._api attaches
    # the same function objects here, so ``d.mean(...)`` is ``mean(d, ...)`` with one signature
    # and one docstring (docs/survey-engine.md). The imports below only tell type checkers.
    if TYPE_CHECKING:  # pragma: no cover
        mean = _estimate.mean
        total = _estimate.total
        ratio = _estimate.ratio
        proportion = _estimate.proportion
        group_vs_rest = _inference.group_vs_rest
        year_on_year = _inference.year_on_year
        ttest = _inference.ttest
        chisq = _inference.chisq
        chisq_within = _inference.chisq_within
        trend = _trend.trend
        trend_difference = _trend.trend_difference
        regress = _regression.regress
        wald_groups = _regression.wald_groups
        calibrate = _weighting.calibrate
        rake = _weighting.rake


def _replace(design: Design, **changes: Any) -> Design:
    new = object.__new__(Design)
    for k in Design.__slots__:
        object.__setattr__(new, k, changes.get(k, getattr(design, k)))
    object.__setattr__(new, "_cache", {})
    return new


def _build(
    data: Any,
    *,
    weights: str,
    strata: str | None = None,
    psu: str | Sequence[str] | None = None,
    fpc: str | Sequence[str | None] | None = None,
    lonely_psu: LonelyPSU = "fail",
    nest: bool = False,
    adjust_domain_lonely: bool = False,
) -> dict[str, Any]:
    check_choice("lonely_psu", lonely_psu, LONELY_PSU_OPTIONS)
    df = _as_pandas(data)
    psu_cols: tuple[str, ...] | None
    if psu is None:
        psu_cols = None
    elif isinstance(psu, str):
        psu_cols = (psu,)
    else:
        psu_cols = tuple(psu)
        if not psu_cols:
            psu_cols = None
    fpc_first: str | None
    if fpc is None or isinstance(fpc, str):
        fpc_first = fpc
    else:
        fpc_list = list(fpc)
        if any(c is not None for c in fpc_list[1:]):
            raise EngineError(
                "fpc: only a first-stage fpc is supported (later stages would need the "
                "multistage variance); pass fpc for the first stage only"
            )
        fpc_first = fpc_list[0] if fpc_list else None

    needed = [weights]
    if strata is not None:
        needed.append(strata)
    if psu_cols:
        needed.extend(psu_cols)
    if fpc_first is not None:
        needed.append(fpc_first)
    _require_columns(df, needed, "Design")
    n = len(df)
    if n == 0:
        raise EngineError("Design: the data has no rows")

    w = _check_weights(df[weights], weights)

    # Strata
    if strata is None:
        stratum = np.zeros(n, np.int64)
        strata_labels = np.array([1])
    else:
        s = df[strata]
        bad = np.flatnonzero(pd.isna(s).to_numpy())
        if bad.size:
            raise MissingValueError(
                f"strata column {strata!r} has {bad.size} missing values ({format_rows(bad)})",
                column=strata,
                rows=bad,
            )
        stratum, strata_labels = factorize(s)
    n_strata = int(stratum.max()) + 1

    # PSUs (first stage), nested within strata
    if psu_cols is None:
        psu_codes = np.arange(n, dtype=np.int64)
        has_psu = False
        psu_stratum = stratum.copy()
    else:
        first = df[psu_cols[0]]
        bad = np.flatnonzero(pd.isna(first).to_numpy())
        if bad.size:
            raise MissingValueError(
                f"psu column {psu_cols[0]!r} has {bad.size} missing values ({format_rows(bad)})",
                column=psu_cols[0],
                rows=bad,
            )
        raw, _ = factorize(first)
        if not nest and strata is not None:
            # R: "Clusters not nested in strata at top level; you may want nest=TRUE."
            pair = pd.DataFrame({"p": raw, "s": stratum}).drop_duplicates()
            dup = pair["p"].duplicated(keep=False)
            if dup.any():
                ex = int(pair.loc[dup, "p"].iloc[0])
                example = _scalar(np.asarray(_)[ex])
                where = np.flatnonzero(raw == ex)
                in_strata = ", ".join(
                    repr(x) for x in map(_scalar, strata_labels[np.unique(stratum[where])])
                )
                raise DesignStructureError(
                    f"psu {psu_cols[0]!r} value {example!r} occurs in more than one stratum "
                    f"({strata!r} {in_strata}; {format_rows(where)}): PSUs are not nested in "
                    "strata; pass nest=True if PSU ids are reused across strata",
                    column=psu_cols[0],
                    value=example,
                    rows=where,
                )
        key = stratum * (int(raw.max()) + 1) + raw
        psu_codes, _k = factorize(key)
        has_psu = True
        psu_stratum = np.zeros(int(psu_codes.max()) + 1, np.int64)
        psu_stratum[psu_codes] = stratum
    n_psu_total = int(psu_codes.max()) + 1
    if not has_psu:
        psu_stratum = stratum
    n_psu = np.bincount(psu_stratum, minlength=n_strata).astype(np.float64)

    # fpc -> f = (N - n) / N per stratum (R's onestrat), 1 without fpc
    f = np.ones(n_strata)
    if fpc_first is not None:
        f = _fpc_factor(df[fpc_first], fpc_first, stratum, n_psu, strata_labels)

    lonely = n_psu == 1
    if lonely.any() and lonely_psu == "fail":
        choose = "Choose lonely_psu= one of 'remove', 'certainty', 'adjust', 'average'"
        if strata is None:
            raise DesignStructureError(
                f"the design has a single PSU and no strata: no variance. {choose}"
            )
        idx = np.flatnonzero(lonely)
        labels = ", ".join(repr(x) for x in map(_scalar, strata_labels[idx[:10]]))
        more = f" (and {idx.size - 10} more)" if idx.size > 10 else ""
        rows = np.flatnonzero(lonely[stratum])
        n_lonely = f"{idx.size} stratum" if idx.size == 1 else f"{idx.size} strata"
        raise DesignStructureError(
            f"{n_lonely} of {strata!r} {'has' if idx.size == 1 else 'have'} only one PSU: "
            f"{labels}{more} ({format_rows(rows)}). {choose}",
            column=strata,
            value=_scalar(strata_labels[idx[0]]),
            rows=rows,
        )

    return dict(
        data=df,
        weights_col=weights,
        strata_col=strata,
        psu_col=psu_cols,
        fpc_col=fpc_first,
        lonely_psu=lonely_psu,
        adjust_domain_lonely=adjust_domain_lonely,
        w=w,
        stratum=stratum,
        psu=psu_codes,
        n_strata=n_strata,
        n_psu_total=n_psu_total,
        n_psu=n_psu,
        f=f,
        strata_labels=strata_labels,
        has_psu=has_psu,
    )


def _check_weights(col: pd.Series, name: str) -> np.ndarray:
    if not (pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)):
        sample = col[pd.to_numeric(col, errors="coerce").isna() & col.notna()]
        ex = (
            f" (e.g. {sample.iloc[0]!r} in {format_rows(sample.index[:5].map(col.index.get_loc))})"
            if len(sample)
            else ""
        )
        raise ColumnError(
            f"weights column {name!r} is not numeric (dtype {col.dtype}){ex}",
            column=name,
            value=sample.iloc[0] if len(sample) else None,
        )
    w = col.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.flatnonzero(np.isnan(w))
    if bad.size:
        raise MissingValueError(
            f"weights column {name!r} has {bad.size} missing values ({format_rows(bad)})",
            column=name,
            rows=bad,
        )
    bad = np.flatnonzero(~np.isfinite(w))
    if bad.size:
        raise ColumnError(
            f"weights column {name!r} has {bad.size} infinite values ({format_rows(bad)})",
            column=name,
            value=w[bad[0]].item(),
            rows=bad,
        )
    bad = np.flatnonzero(w < 0)
    if bad.size:
        raise ColumnError(
            f"weights column {name!r} has {bad.size} negative values, e.g. {w[bad[0]].item()!r} "
            f"({format_rows(bad)})",
            column=name,
            value=w[bad[0]].item(),
            rows=bad,
        )
    if not (w > 0).any():
        raise ColumnError(f"weights column {name!r} is zero in every row", column=name, value=0)
    return w


def _fpc_factor(
    col: pd.Series, name: str, stratum: np.ndarray, n_psu: np.ndarray, labels: np.ndarray
) -> np.ndarray:
    """Per-stratum factor f = (N_h - n_h) / N_h as R's ``as.fpc`` + ``onestrat``."""
    if not pd.api.types.is_numeric_dtype(col):
        raise ColumnError(f"fpc column {name!r} is not numeric (dtype {col.dtype})", column=name)
    v = col.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.flatnonzero(np.isnan(v) | (v <= 0))
    if bad.size:
        raise EngineError(
            f"fpc column {name!r} has {bad.size} missing or non-positive values "
            f"({format_rows(bad)})"
        )
    is_popsize = bool((v > 1).any())
    if is_popsize and not (v >= 1).all():
        raise EngineError(
            f"fpc column {name!r} mixes population sizes (> 1) and sampling fractions (< 1)"
        )
    lo = np.full(n_psu.size, np.inf)
    hi = np.full(n_psu.size, -np.inf)
    np.minimum.at(lo, stratum, v)
    np.maximum.at(hi, stratum, v)
    varies = np.flatnonzero(hi - lo > 1e-9 * np.abs(hi))
    if varies.size:
        raise EngineError(
            f"fpc column {name!r} varies within stratum {_scalar(labels[varies[0]])!r}; "
            "it must be "
            "constant within each stratum"
        )
    per = lo
    popsize = per if is_popsize else n_psu / per
    too_big = np.flatnonzero(popsize < n_psu - 1e-9)
    if too_big.size:
        h = too_big[0]
        raise EngineError(
            f"fpc column {name!r} implies more than 100% sampling in stratum "
            f"{_scalar(labels[h])!r}: "
            f"population {popsize[h]:g}, sampled PSUs {int(n_psu[h])}"
        )
    return np.where(np.isinf(popsize), 1.0, (popsize - n_psu) / popsize)
