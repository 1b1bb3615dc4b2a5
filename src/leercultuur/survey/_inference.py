"""Design-based tests: group vs rest, year on year, t test and chi-square (R ``svychisq``).

Both are the linearised difference of two domain means (or shares) with its covariance, which is
exactly R's ``svyglm(y ~ D, subset)`` / ``svyttest(y ~ D, subset)`` with ``D`` the group (or later
year) dummy: the estimate is the coefficient of ``D``, the SE its sandwich SE, t on
``degf(subset) - 1`` df. The R calls behind the golden values are in
``tests/golden/part2/golden_part2.R``.

* ``group_vs_rest``: for every value of ``within`` (e.g. year) and every group of ``by``, the group
  against all other groups of ``by`` together, in the rows with ``var`` and ``by`` non-missing
  (R: ``subset(des, year == wv & !is.na(var) & !is.na(by))``).
* ``year_on_year``: every pair of consecutive years in which ``var`` was measured, later minus
  earlier (R: ``subset(des, year %in% c(t0, t1) & !is.na(var) [& by == g])``). With strata that
  nest years (stacked yearly files, strata = year x stratum) the covariance is zero and the SE is
  ``sqrt(se1^2 + se2^2)``, the independent-samples test; with other designs the covariance counts.
* ``ttest``: R ``svyttest(var ~ by, design)`` for a two-group ``by``.
* ``chisq`` / ``chisq_within``: R ``svychisq(~row + col, design)`` (Rao-Scott F, first order,
  Wald) and the classic Pearson test on proportional weights; ``chisq_within`` does every subset
  (e.g. each year) in one pass. Goldens: ``tests/golden/part2/golden_part2_tests.R``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import pandas as pd

from leercultuur.errors import check_level
from leercultuur.survey._domains import MissingBy, _column_codes, group_codes
from leercultuur.survey._effects import Kind
from leercultuur.survey._errors import EngineError, OptionValueError, check_choice
from leercultuur.survey._pairs import (
    PairStats,
    classic_test,
    consecutive_core,
    domain_cov,
    pair_core,
    response,
)
from leercultuur.survey._rules import p_from_chisq, p_from_f, p_from_t, row_degf, t_quantile

if TYPE_CHECKING:  # pragma: no cover
    from leercultuur.survey._design import Design

_MAX_CELLS = 16_000_000  # float64 cells (128 MB) of the score matrix per pass


def _as_list(x: str | Sequence[str] | None) -> list[str]:
    if x is None:
        return []
    return [x] if isinstance(x, str) else list(x)


def _stat_block(ps: PairStats, level: float, kind: Kind) -> dict[str, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        t = ps.diff / ps.se
        q = t_quantile(level, ps.df)
    classic = classic_test(ps, kind)
    return {
        "difference": ps.diff,
        "se": ps.se,
        "t": t,
        "df": ps.df,
        "p_value": p_from_t(t, ps.df),
        "ci_low": ps.diff - q * ps.se,
        "ci_high": ps.diff + q * ps.se,
        "d": ps.d,
        "d_se": ps.d_se,
        "h": ps.h,
        "h_se": ps.h_se,
        "statistic_classic": classic[0],
        "p_value_classic": classic[1],
    }


def group_vs_rest(
    design: Design,
    var: str,
    *,
    by: str,
    within: str | Sequence[str] | None = None,
    kind: Kind = "mean",
    category: Any = None,
    na_rm: bool = True,
    missing_by: MissingBy = "error",
    level: float = 0.95,
) -> pd.DataFrame:
    """Each group of ``by`` against the rest of ``by``, per value of ``within``, in one pass.

    Columns: the ``within`` columns, ``by`` (the group), ``estimate_group``, ``estimate_rest``,
    ``difference`` (group minus rest), ``se``, ``t``, ``df``, ``p_value``, ``ci_low``/``ci_high``
    (t on ``df``; R's ``confint.svyglm`` would use normal quantiles), ``d``, ``d_se``, ``h``,
    ``h_se`` (h only for proportions), ``statistic_classic``/``p_value_classic`` (the classic
    test on proportional weights, see ``classic_test``: X2 for shares, pooled t for means; for
    comparison with published figures only), ``n_group``, ``n_rest`` (unweighted rows). One row
    per (within, group) present. ``kind="proportion"`` compares the share of ``category``.

    A group that makes up all rows of its ``within`` (no rest) gets NaN statistics; a share of 0
    or 1 on both sides gives NaN d (0/0), never a made-up number.
    """
    check_level(level)
    if not isinstance(by, str):
        raise OptionValueError("group_vs_rest: by= takes one column name")
    wcols = _as_list(within)
    if by in wcols:
        raise OptionValueError(f"group_vs_rest: {by!r} cannot be both by= and within=")
    outer, wlab = group_codes(design, wcols, "group_vs_rest within", missing_by)
    gcode, glab = group_codes(design, [by], "group_vs_rest by", missing_by)
    scope = (outer >= 0) & (gcode >= 0)
    y = response(
        design, var, kind=kind, category=category, na_rm=na_rm, role="group_vs_rest", scope=scope
    )
    G = len(glab)
    outer = np.where(gcode >= 0, outer, -1)
    # All groups in one pass, in chunks of columns so that the n x 3K score matrix stays small
    # (about 128 MB) with many groups on large files.
    step = max(1, _MAX_CELLS // (3 * len(y)))
    parts = []
    for start in range(0, G, step):
        cols = np.arange(start, min(G, start + step))
        side_a = gcode[:, None] == cols[None, :]
        side_b = (gcode >= 0)[:, None] & ~side_a
        parts.append(pair_core(design, y, outer, len(wlab), side_a, side_b, kind, same_union=True))
    ps = (
        parts[0]
        if len(parts) == 1
        else PairStats(
            *(
                np.concatenate([getattr(q, f.name) for q in parts], axis=1)
                for f in fields(PairStats)
            )
        )
    )
    n_out = len(wlab)
    oi = np.repeat(np.arange(n_out), G)
    gi = np.tile(np.arange(G), n_out)
    keep = ps.n_a.ravel() > 0
    out = wlab.iloc[oi[keep]].reset_index(drop=True) if wcols else pd.DataFrame(index=range(0))
    if not wcols:
        out = pd.DataFrame(index=range(int(keep.sum())))
    out[by] = glab[by].to_numpy()[gi[keep]]
    out["estimate_group"] = ps.est_a.ravel()[keep]
    out["estimate_rest"] = ps.est_b.ravel()[keep]
    for name, arr in _stat_block(ps, level, kind).items():
        out[name] = arr.ravel()[keep]
    out["n_group"] = ps.n_a.ravel()[keep].astype(np.int64)
    out["n_rest"] = ps.n_b.ravel()[keep].astype(np.int64)
    _warn_empty(out["n_rest"].to_numpy() == 0, f"group_vs_rest on {var!r} by {by!r}")
    return out


def _warn_empty(empty: np.ndarray, what: str) -> None:
    import warnings

    if empty.any():
        warnings.warn(
            f"{what}: {int(empty.sum())} comparisons have no rows on one side; their statistics "
            "are NaN",
            stacklevel=3,
        )


def year_on_year(
    design: Design,
    var: str,
    *,
    year: str,
    by: str | Sequence[str] | None = None,
    kind: Kind = "mean",
    category: Any = None,
    na_rm: bool = True,
    missing_by: MissingBy = "error",
    level: float = 0.95,
) -> pd.DataFrame:
    """Each measured year against the previous measured year (per group of ``by``), one pass.

    A year counts as measured when ``var`` has a non-missing value in it (anywhere in the
    design's domain), so 2020 -> 2022 is a pair when 2021 was not asked. Columns: the ``by``
    columns, ``year_from``, ``year_to``, ``estimate_from``, ``estimate_to``, ``difference`` (to
    minus from), ``se``, ``t``, ``df``, ``p_value``, ``ci_low``, ``ci_high``, ``d``, ``d_se``,
    ``h``, ``h_se``, ``statistic_classic``, ``p_value_classic`` (classic test on proportional
    weights, as in ``group_vs_rest``), ``n_from``, ``n_to``.
    """
    check_level(level)
    bcols = _as_list(by)
    if year in bcols:
        raise OptionValueError(f"year_on_year: {year!r} cannot be both year= and by=")
    outer, blab = group_codes(design, bcols, "year_on_year by", missing_by)
    ycode, ylab = group_codes(design, [year], "year_on_year year", missing_by)
    scope = (outer >= 0) & (ycode >= 0)
    y = response(
        design, var, kind=kind, category=category, na_rm=na_rm, role="year_on_year", scope=scope
    )
    measured_mask = np.bincount(ycode[scope & ~np.isnan(y)], minlength=len(ylab)) > 0
    measured = np.flatnonzero(measured_mask)
    if measured.size < 2:
        raise EngineError(
            f"year_on_year: {var!r} is measured in {measured.size} year(s) of {year!r}; "
            "need at least two"
        )
    years = ylab[year].to_numpy()
    outer = np.where(ycode >= 0, outer, -1)
    position = np.full(len(ylab) + 1, -1, np.int64)
    position[measured] = np.arange(measured.size)
    ps = consecutive_core(design, y, outer, len(blab), position[ycode], measured.size, kind)
    n_out, P = ps.diff.shape
    oi = np.repeat(np.arange(n_out), P)
    pi = np.tile(np.arange(P), n_out)
    out = blab.iloc[oi].reset_index(drop=True) if bcols else pd.DataFrame(index=range(n_out * P))
    out["year_from"] = years[measured[:-1]][pi]
    out["year_to"] = years[measured[1:]][pi]
    out["estimate_from"] = ps.est_b.ravel()
    out["estimate_to"] = ps.est_a.ravel()
    for name, arr in _stat_block(ps, level, kind).items():
        out[name] = arr.ravel()
    out["n_from"] = ps.n_b.ravel().astype(np.int64)
    out["n_to"] = ps.n_a.ravel().astype(np.int64)
    empty = ((out["n_from"] == 0) | (out["n_to"] == 0)).to_numpy()
    _warn_empty(empty, f"year_on_year on {var!r}")
    return out


# ----------------------------------------------------------------------------- t test
@dataclass(frozen=True)
class TTestResult:
    """Design-based two-group t test, as R ``svyttest(var ~ by, design)``."""

    variable: str
    by: str
    levels: tuple[Any, Any]  # (first, second): difference = second minus first
    estimates: tuple[float, float]
    difference: float
    se: float
    t: float
    df: float  # degf of the rows used - 1
    p_value: float
    n: tuple[int, int]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def ttest(
    design: Design, var: str, *, by: str, na_rm: bool = False, missing_by: MissingBy = "error"
) -> TTestResult:
    """Difference in means of ``var`` between the two groups of ``by`` (second minus first).

    Equals R ``svyttest(var ~ by, design)``: the coefficient of the group dummy in
    ``svyglm(var ~ by)``, t on ``degf - 1`` df of the rows used. Rows with a missing ``var``:
    an error unless ``na_rm=True`` (then out of the domain; R's svyglm drops them).
    """
    gcode, glab = group_codes(design, [by], "ttest by", missing_by)
    y = response(
        design, var, kind="mean", category=None, na_rm=na_rm, role="ttest", scope=gcode >= 0
    )
    present = np.flatnonzero(np.bincount(gcode[(gcode >= 0) & ~np.isnan(y)], minlength=len(glab)))
    if present.size != 2:
        shown = ", ".join(repr(v) for v in glab[by].to_numpy()[present][:10])
        raise EngineError(
            f"ttest: by {by!r} must have exactly two groups among the rows with {var!r}; "
            f"it has {present.size}: {shown}"
        )
    first, second = present
    side_a = (gcode == second)[:, None]
    side_b = (gcode == first)[:, None]
    outer = np.where(gcode >= 0, 0, -1)
    ps = pair_core(design, y, outer, 1, side_a, side_b, "mean", same_union=True)
    t = float(ps.diff[0, 0] / ps.se[0, 0])
    labels = glab[by].to_numpy()
    return TTestResult(
        variable=var,
        by=by,
        levels=(labels[first], labels[second]),
        estimates=(float(ps.est_b[0, 0]), float(ps.est_a[0, 0])),
        difference=float(ps.diff[0, 0]),
        se=float(ps.se[0, 0]),
        t=t,
        df=float(ps.df[0, 0]),
        p_value=float(p_from_t(np.array(t), ps.df[0, 0])),
        n=(int(ps.n_b[0, 0]), int(ps.n_a[0, 0])),
    )


# ----------------------------------------------------------------------------- chi-square
ChisqMethod = Literal["F", "chisq", "wald", "classic"]
CHISQ_METHODS: tuple[str, ...] = get_args(ChisqMethod)


@dataclass(frozen=True)
class ChisqResult:
    """Test of association of two categorical variables (R ``svychisq`` and classic Pearson).

    ``method="F"``: Rao-Scott second order, ``statistic`` = F on (``ndf``, ``ddf``).
    ``method="chisq"``: Rao-Scott first order; as R reports it, ``statistic`` is the unadjusted
    Pearson X2 (on the table scaled to ``n``) while ``p_value`` uses X2 / mean(design effects) on
    ``df``. ``method="wald"``: design-based Wald F on (``ndf``, ``ddf``) (R ``"Wald"``).
    ``method="classic"``: Pearson X2 on weights scaled to mean 1 over the complete rows (SPSS with
    normalised weights), chi-square on ``df``.
    """

    row: str
    col: str
    method: str
    statistic: float
    p_value: float
    ndf: float | None
    ddf: float | None
    df: float | None
    n: int  # rows of the design, incl. rows with a missing value (R's N)
    n_complete: int
    row_levels: tuple[Any, ...]
    col_levels: tuple[Any, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _table_levels(design: Design, var: str, inside: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    codes, uniques = _column_codes(design, var)
    present = np.flatnonzero(np.bincount(codes[inside & (codes >= 0)], minlength=uniques.size))
    if present.size < 2:
        shown = ", ".join(repr(v) for v in uniques[present])
        raise EngineError(
            f"chisq: {var!r} has {present.size} category ({shown or 'none'}) in the design's rows; "
            "a test of association needs at least two"
        )
    remap = np.full(uniques.size + 1, -1, np.int64)
    remap[present] = np.arange(present.size)
    return np.where(codes >= 0, remap[codes], -1), list(uniques[present])


def _chisq_core(
    design: Design,
    rc: np.ndarray,
    cc: np.ndarray,
    nr: int,
    nc: int,
    dom: np.ndarray,
    G: int,
    method: str,
) -> dict[str, np.ndarray]:
    """svychisq for every domain at once (codes 0..nr-1 / 0..nc-1, -1 missing; dom -1: out).

    Every domain must have all nr x nc margins present among its complete rows. Returns (G,)
    arrays: statistic, p_value, ndf, ddf, df, n, n_complete.
    """
    inside = dom >= 0
    d0 = np.where(inside, dom, 0)
    complete = inside & (rc >= 0) & (cc >= 0)
    C, K = nr * nc, (nr - 1) * (nc - 1)
    N = np.bincount(d0[inside], minlength=G).astype(float)
    n_complete = np.bincount(d0[complete], minlength=G).astype(float)
    cell = np.where(complete, rc + nr * cc, 0)  # rows vary fastest, as R's interaction()
    w = np.where(complete, design.w, 0.0)
    tot = np.bincount(d0 * C + cell, weights=w, minlength=G * C).reshape(G, C)
    W = tot.sum(axis=1)
    P = tot / W[:, None]
    grid_r, grid_c = np.arange(C) % nr, np.arange(C) // nr
    Pr = P.reshape(G, nc, nr).sum(axis=1)
    Pc = P.reshape(G, nc, nr).sum(axis=2)
    E = Pr[:, grid_r] * Pc[:, grid_c]
    x2_unit = np.sum((P - E) ** 2 / E, axis=1)  # X2 of tables scaled to a total of 1
    nan = np.full(G, np.nan)
    out = {"n": N, "n_complete": n_complete, "ndf": nan, "ddf": nan, "df": nan}
    if method == "classic":
        stat = n_complete * x2_unit
        return out | {"statistic": stat, "p_value": p_from_chisq(stat, K), "df": np.full(G, K)}
    nu = row_degf(design, dom, G, nonzero_weight=False)
    onehot = np.zeros((len(w), C))
    onehot[np.flatnonzero(complete), cell[complete]] = 1.0
    cdom = np.where(complete, dom, -1)
    if method == "wald":
        use = (grid_r > 0) & (grid_c > 0)
        tr_, tc_ = Pr * W[:, None], Pc * W[:, None]
        Y = tot - tr_[:, grid_r] * tc_[:, grid_c] / W[:, None]
        r_hot = onehot.reshape(len(w), nc, nr).sum(axis=1)  # row dummies
        c_hot = onehot.reshape(len(w), nc, nr).sum(axis=2)  # column dummies
        Wr = W[d0][:, None]
        Zy = (
            onehot
            - r_hot[:, grid_r] * tc_[d0][:, grid_c] / Wr
            - c_hot[:, grid_c] * tr_[d0][:, grid_r] / Wr
            + complete[:, None] * tr_[d0][:, grid_r] * tc_[d0][:, grid_c] / Wr**2
        ) * w[:, None]
        V = domain_cov(design, Zy[:, use], cdom, G)
        Yu = Y[:, use]
        stat = np.einsum("gk,gk->g", Yu, _solve(V, Yu[:, :, None])[:, :, 0]) / K
        p = p_from_f(stat, K, nu)
        return out | {"statistic": stat, "p_value": p, "ndf": np.full(G, K), "ddf": nu}
    X1 = np.column_stack(
        [np.ones(C)]
        + [(grid_r == i).astype(float) for i in range(1, nr)]
        + [(grid_c == j).astype(float) for j in range(1, nc)]
    )
    X12 = np.column_stack(
        [(grid_r == i) & (grid_c == j) for j in range(1, nc) for i in range(1, nr)]
    ).astype(float)
    Cmat = X12 - X1 @ np.linalg.lstsq(X1, X12, rcond=None)[0]
    iD = np.where(P == 0, 0.0, 1.0 / np.where(P == 0, 1.0, P))
    denom = np.einsum("ck,gc,cl->gkl", Cmat, iD, Cmat) / N[:, None, None]
    Z = (onehot - P[d0] * complete[:, None]) * (w / W[d0])[:, None]
    numr = domain_cov(design, (Z * iD[d0]) @ Cmat, cdom, G)
    delta = _solve(denom, numr)
    tr = np.einsum("gii->g", delta)
    x2 = N * x2_unit
    if method == "F":
        d0f = tr**2 / np.einsum("gij,gji->g", delta, delta)
        stat = x2 / tr
        ddf = d0f * nu
        p = p_from_f(stat, d0f, ddf)
        return out | {"statistic": stat, "p_value": p, "ndf": d0f, "ddf": ddf}
    p = p_from_chisq(x2 / (tr / K), K)
    return out | {"statistic": x2, "p_value": p, "df": np.full(G, K)}


def _solve(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Batched solve; a singular system gives NaN for its domain instead of an exception."""
    ok = np.linalg.cond(A) < 1 / np.finfo(float).eps
    out = np.full(B.shape, np.nan)
    if ok.any():
        out[ok] = np.linalg.solve(A[ok], B[ok])
    return out


def chisq(design: Design, row: str, col: str, *, method: ChisqMethod = "F") -> ChisqResult:
    """Test of independence of ``row`` and ``col``, as R ``svychisq(~row + col, design)``.

    Rows with a missing value in either variable leave the table but count in R's ``n`` (the
    Pearson statistic is scaled to all rows of the design); ``nu`` is PSUs minus strata of the
    design's rows. Methods: see ``ChisqResult``.
    """
    from leercultuur.survey._design import _require_columns

    check_choice("method", method, CHISQ_METHODS)
    _require_columns(design.data, [row, col], "chisq")
    if row == col:
        raise OptionValueError("chisq: row and col must be different variables")
    inside = design.in_domain
    rc, rlev = _table_levels(design, row, inside)
    cc, clev = _table_levels(design, col, inside)
    complete = inside & (rc >= 0) & (cc >= 0)
    for var, codes, levels in ((row, rc, rlev), (col, cc, clev)):
        cnt = np.bincount(codes[complete], minlength=len(levels))
        if (cnt == 0).any():
            raise EngineError(
                f"chisq: category {levels[int(np.argmin(cnt))]!r} of {var!r} occurs only in rows "
                f"where {col if var == row else row!r} is missing"
            )
    res = _chisq_core(design, rc, cc, len(rlev), len(clev), np.where(inside, 0, -1), 1, method)
    if not np.isfinite(res["statistic"][0]):
        raise EngineError(f"chisq: the table of {row!r} x {col!r} is degenerate")

    def opt(name: str) -> float | None:
        v = float(res[name][0])
        return None if np.isnan(v) else v

    return ChisqResult(
        row=row,
        col=col,
        method=method,
        statistic=float(res["statistic"][0]),
        p_value=float(res["p_value"][0]),
        ndf=opt("ndf"),
        ddf=opt("ddf"),
        df=opt("df"),
        n=int(res["n"][0]),
        n_complete=int(res["n_complete"][0]),
        row_levels=tuple(rlev),
        col_levels=tuple(clev),
    )


def chisq_within(
    design: Design,
    row: str,
    col: str,
    *,
    within: str | Sequence[str],
    method: ChisqMethod = "F",
    missing_by: MissingBy = "error",
) -> pd.DataFrame:
    """``chisq`` for every value of ``within`` (e.g. year) in one pass, as R's
    ``svychisq(~row + col, subset(des, within == v))`` per value.

    Columns: the ``within`` columns, ``statistic``, ``p_value``, ``ndf``, ``ddf``, ``df``, ``n``,
    ``n_complete``. Categories are those present in each subset (as R's ``factor()`` there). A
    subset whose table has fewer than two categories on a side, or a category only in rows where
    the other variable is missing, gets NaN and a warning.
    """
    import warnings

    check_choice("method", method, CHISQ_METHODS)
    if row == col:
        raise OptionValueError("chisq_within: row and col must be different variables")
    wcols = _as_list(within)
    if not wcols or {row, col} & set(wcols):
        raise OptionValueError("chisq_within: within= needs columns other than row and col")
    dom, labels = group_codes(design, wcols, "chisq_within within", missing_by)
    from leercultuur.survey._design import _require_columns

    _require_columns(design.data, [row, col], "chisq_within")
    G = len(labels)
    rcode, runiq = _column_codes(design, row)
    ccode, cuniq = _column_codes(design, col)
    inside = dom >= 0
    d0 = np.where(inside, dom, 0)

    def presence(codes: np.ndarray, size: int, rows: np.ndarray) -> np.ndarray:
        flags = np.zeros((G, size), bool)
        flags[d0[rows], codes[rows]] = True
        return flags

    rp = presence(rcode, runiq.size, inside & (rcode >= 0))
    cp = presence(ccode, cuniq.size, inside & (ccode >= 0))
    comp = inside & (rcode >= 0) & (ccode >= 0)
    rk = presence(rcode, runiq.size, comp)
    ck = presence(ccode, cuniq.size, comp)
    bad = (rp.sum(1) < 2) | (cp.sum(1) < 2) | (rp & ~rk).any(1) | (cp & ~ck).any(1)
    cols = {k: np.full(G, np.nan) for k in ("statistic", "p_value", "ndf", "ddf", "df")}
    cols["n"] = np.bincount(d0[inside], minlength=G).astype(float)
    cols["n_complete"] = np.bincount(d0[comp], minlength=G).astype(float)
    patterns, which = np.unique(np.hstack([rp, cp]), axis=0, return_inverse=True)
    for k in range(len(patterns)):  # one pass per distinct category layout (usually one)
        gs = np.flatnonzero((which.ravel() == k) & ~bad)
        if not gs.size:
            continue
        rmap = np.where(rp[gs[0]], np.cumsum(rp[gs[0]]) - 1, -1)
        cmap = np.where(cp[gs[0]], np.cumsum(cp[gs[0]]) - 1, -1)
        newid = np.full(G, -1)
        newid[gs] = np.arange(gs.size)
        sub = np.where(inside, newid[d0], -1)
        rc = np.where(rcode >= 0, rmap[np.maximum(rcode, 0)], -1)
        cc = np.where(ccode >= 0, cmap[np.maximum(ccode, 0)], -1)
        res = _chisq_core(
            design, rc, cc, int(rp[gs[0]].sum()), int(cp[gs[0]].sum()), sub, gs.size, method
        )
        for name in cols:
            cols[name][gs] = res[name]
    if bad.any():
        warnings.warn(
            f"chisq_within: {int(bad.sum())} subsets of {wcols} have a degenerate table of "
            f"{row!r} x {col!r} (fewer than two categories, or a category only with the other "
            "variable missing); their statistics are NaN",
            stacklevel=2,
        )
    out = labels.reset_index(drop=True)
    for name, arr in cols.items():
        out[name] = arr
    out["n"] = out["n"].astype(np.int64)
    out["n_complete"] = out["n_complete"].astype(np.int64)
    return out
