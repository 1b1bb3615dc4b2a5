"""One home for the statistical rules every route of the engine shares.

The engine computes a domain mean and its SE along several routes (cell sums of ``_element``,
the two-pass scores of ``_variance``, the sufficient statistics of ``_cells``, the pair and
trend cores); they differ in how they sum, never in the rule. The rules live here, once:

* :func:`domain_degf`: R's ``degf`` of a domain's ``subset()`` design, "PSUs minus strata",
  counting only PSUs (and strata) with a row of non-zero weight in the domain
  (``survey:::degf.survey.design2``: ``length(unique(psu[w != 0])) - length(unique(strata[w
  != 0]))``). Each route counts the PSUs per (domain, stratum) its own way and hands the counts
  here; :func:`row_degf` counts them from per-row domain codes.
* :func:`stratum_factors`: the factor of a stratum's sum of squares of PSU totals,
  ``c_h = f_h n_h / (n_h - 1)`` (``f_h`` the finite-population factor (N_h - n_h) / N_h, 1
  without fpc), R's ``onestrat``; a lonely stratum (one PSU) gets ``f_h`` (its uncentred square
  under ``"adjust"``, zero under ``"remove"``/``"certainty"``) and a stratum sampled completely
  (``f_h`` below 1e-7) nothing. :func:`stratum_weights` gives the pair (c_h, w_h = c_h / n_h)
  of the expanded form ``sum_h c_h sum_i T_hi^2 - w_h S_h^2``.
* :func:`p_from_t`, :func:`p_from_z`, :func:`p_from_f`, :func:`p_from_chisq`: two-sided
  p-values (upper tail for F and chi-square). Non-positive df gives NaN, never a p-value.
* :func:`t_quantile`, :func:`z_quantile`: the quantiles of confidence intervals.
* ``MAX_CANCELLATION``: the precision guard of the routes that expand sums of squares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

# scipy.special, not scipy.stats: the distribution functions below are the ones scipy.stats calls
# (t.sf = stdtr(df, -x), t.ppf = stdtrit, f.sf = fdtrc, chi2.sf = chdtrc), and importing
# scipy.stats costs 0.5-1 s of every command's start-up (issue 14)
from scipy import special

if TYPE_CHECKING:  # pragma: no cover
    from leercultuur.survey._design import Design

# a stratum whose finite-population factor is below this was sampled completely
F_ZERO = 1e-7
# The precision guard of every expanded-sums route (element cells, cell statistics): a result
# is trusted when the magnitude of the terms it was computed from is below this many times the
# result, i.e. it keeps ~12 of 16 digits; else the route hands it to its exact two-pass route.
MAX_CANCELLATION = 1e4


# ----------------------------------------------------------------------------- degrees of freedom
def domain_degf(
    units: np.ndarray, *, axis: int = -1, starts: np.ndarray | None = None
) -> np.ndarray:
    """R's ``degf`` from PSU counts per (domain, stratum): PSUs minus strata that have PSUs.

    ``units`` holds, per (domain, stratum) cell, the number of PSUs with a row of non-zero
    weight in the domain. Dense: strata along ``axis``. Compressed (only the present cells,
    sorted by domain): a 1-d array with ``starts`` the first cell of each domain.
    """
    u = np.asarray(units, dtype=np.float64)
    if starts is not None:
        if not starts.size:
            return np.zeros(0, np.int64)
        return (np.add.reduceat(u, starts) - np.add.reduceat((u > 0) * 1.0, starts)).astype(
            np.int64
        )
    return (u.sum(axis=axis) - (u > 0).sum(axis=axis)).astype(np.int64)


def row_degf(
    design: Design, dom: np.ndarray, n_dom: int, *, nonzero_weight: bool = True
) -> np.ndarray:
    """:func:`domain_degf` of each domain given per-row domain codes ``dom`` (-1: none).

    Counts the distinct PSUs per (domain, stratum) among the rows of non-zero weight (every row
    with ``nonzero_weight=False``, as ``svychisq``'s ``nu``). Returns floats (n_dom,).
    """
    inset = (dom >= 0) & ((design.w != 0) | (not nonzero_weight))
    g = dom[inset]
    P, H = design.n_psu_total, design.n_strata
    key = g * P + design.psu[inset]
    if n_dom * P > 50_000_000:  # flag table too large: hash unique
        u = np.unique(key)
    else:
        seen = np.zeros(n_dom * P, bool)
        seen[key] = True
        u = np.flatnonzero(seen)
    psu_stratum = _psu_stratum(design)
    cell = (u // P) * H + psu_stratum[u % P]
    units = np.bincount(cell, minlength=n_dom * H).reshape(n_dom, H)
    return domain_degf(units).astype(np.float64)


def _psu_stratum(design: Design) -> np.ndarray:
    hit: np.ndarray | None = design._cache.get("psu_stratum")
    if hit is None:
        hit = np.zeros(design.n_psu_total, np.int64)
        hit[design.psu] = design.stratum
        design._cache["psu_stratum"] = hit
    return hit


# ----------------------------------------------------------------------------- strata
def stratum_factors(n_h: Any, f: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(scale, lonely, f_zero)`` per stratum: scale = f n / (n - 1), f for a lonely stratum.

    The lonely-PSU rule decides what a lonely stratum contributes (see :func:`stratum_weights`
    and ``_variance.cell_variance``); ``f_zero`` marks strata sampled completely (no variance).
    """
    n = np.asarray(n_h, dtype=np.float64)
    fa = np.asarray(f, dtype=np.float64)
    lonely = n == 1
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(lonely, fa, fa * n / (n - 1))
    return scale, lonely, fa < F_ZERO


def stratum_weights(design: Design) -> tuple[np.ndarray, np.ndarray]:
    """``(c_h, w_h)`` of the expanded variance ``sum_h c_h sum_i T_hi^2 - w_h S_h^2``.

    Lonely strata: ``w_h = 0`` (no centring); ``c_h = f_h`` under ``"adjust"`` (R 4.1's
    uncentred square), 0 under ``"remove"``/``"certainty"``. Strata sampled completely: 0.
    (``"average"`` and the domain-lonely rule need the cells: ``_variance.cell_variance``.)
    """
    n_h = design.n_psu
    c, lonely, f_zero = stratum_factors(n_h, design.f)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(lonely, 0.0, c / n_h)
    if design.lonely_psu in ("remove", "certainty"):
        c = np.where(lonely, 0.0, c)
    return np.where(f_zero, 0.0, c), np.where(f_zero, 0.0, w)


# ----------------------------------------------------------------------------- p-values
def p_from_t(t: Any, df: Any) -> np.ndarray:
    """Two-sided p-value of t on ``df`` degrees of freedom (NaN where df <= 0 or t is NaN).
    ``df = inf`` gives the normal p-value."""
    dfa = np.asarray(df, float)
    ok = dfa > 0
    with np.errstate(invalid="ignore"):
        return np.where(ok, 2 * special.stdtr(np.where(ok, dfa, 1.0), -np.abs(t)), np.nan)


def p_from_z(z: Any) -> np.ndarray:
    """Two-sided normal p-value."""
    return np.asarray(2 * special.ndtr(-np.abs(np.asarray(z, float))))


def p_from_f(f: Any, ndf: Any, ddf: Any) -> np.ndarray:
    """Upper-tail p-value of F on (ndf, ddf) (NaN where a df is not positive)."""
    n, d = np.asarray(ndf, float), np.asarray(ddf, float)
    ok = (n > 0) & (d > 0)
    with np.errstate(invalid="ignore"):
        upper = special.fdtrc(np.where(ok, n, 1.0), np.where(ok, d, 1.0), np.maximum(f, 0.0))
        return np.where(ok, upper, np.nan)


def p_from_chisq(x2: Any, df: Any) -> np.ndarray:
    """Upper-tail p-value of a chi-square statistic on ``df``."""
    dfa = np.asarray(df, float)
    ok = dfa > 0
    with np.errstate(invalid="ignore"):
        upper = special.chdtrc(np.where(ok, dfa, 1.0), np.maximum(x2, 0.0))
    return np.where(ok, upper, np.nan)


def z_quantile(level: float) -> float:
    """The normal quantile of a two-sided ``level`` interval."""
    return float(special.ndtri(1 - (1 - level) / 2))


def t_ppf(q: Any, df: Any) -> np.ndarray:
    """The ``q`` quantile of t on ``df`` degrees of freedom (NaN where df <= 0; ``df = inf``
    gives the normal quantile), as ``scipy.stats.t.ppf``."""
    dfa = np.asarray(df, float)
    return np.asarray(special.stdtrit(np.where(dfa > 0, dfa, np.nan), q))


def t_quantile(level: float, df: Any) -> np.ndarray:
    """The t quantile of a two-sided ``level`` interval on ``df`` (NaN where df <= 0)."""
    return t_ppf(1 - (1 - level) / 2, df)
