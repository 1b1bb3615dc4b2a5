"""Effect sizes (Cohen's d and h) with the scores of their SEs, multiplicity, independent tests.

One home for each definition; every route (the pair cores of ``_pairs``, the trend's d in
``_trend``, the monitor's cell route) computes d and h through the functions here.

* Cohen's d for means: ``(m1 - m2) / s_p`` with the pooled *weighted population* variance
  ``s_p^2 = (W1 v1 + W2 v2) / (W1 + W2)`` (``v`` = sum w (y - m)^2 / W, ``W`` = sum of weights):
  :func:`pooled_var_means`.
* Cohen's d for proportions: ``(p1 - p2) / sqrt(pbar (1 - pbar))`` with
  ``pbar = (W1 p1 + W2 p2) / (W1 + W2)``, the weighted share of both samples together:
  :func:`pooled_var_shares`.
* Cohen's h: ``2 asin(sqrt(p1)) - 2 asin(sqrt(p2))`` (Cohen 1988, ch. 6): :func:`h_value`.
  **Clipping, decided once:** a share the engine estimates can leave [0, 1] only by rounding
  (a centred sum may give 1 + 2e-16); such a value is taken as the bound. A value further
  than ``SHARE_TOLERANCE`` outside [0, 1] is not a share, and its h is NaN, never a number
  made up by clipping.
* SEs by the delta method on the linearised scores, which carries the covariance of the two
  estimates when they come from the same sample (group vs rest):
  ``z_d = z_diff / s - d / (2 s^2) z_{s^2}`` (:func:`d_score_coefficients`) and
  ``z_h = z_1 h'(p1) - z_2 h'(p2)`` with ``h'(p) = 1 / sqrt(p (1 - p))`` (:func:`h_slope`);
  the scores then go through ``domain_variance`` like any estimator.
* Benjamini-Hochberg as R ``p.adjust(method="BH")`` (missing p-values stay missing and do not
  count in the family size).

References: J. Cohen (1988), Statistical Power Analysis for the Behavioral Sciences, 2nd ed.,
ch. 2 (d) and ch. 6 (h); D. A. Binder (1983), On the variances of asymptotically normal
estimators from complex surveys, Int. Stat. Review 51 (linearisation / delta method for
functions of survey totals); Y. Benjamini and Y. Hochberg (1995), JRSS B 57.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from leercultuur.errors import check_level
from leercultuur.survey._errors import OptionValueError
from leercultuur.survey._rules import p_from_t, p_from_z, t_quantile, z_quantile

Kind = Literal["mean", "proportion"]
KIND_OPTIONS: tuple[str, ...] = get_args(Kind)

# a share further than this outside [0, 1] is not a share (h is NaN); closer: rounding
SHARE_TOLERANCE = 1e-9


def as_share(p: Any) -> np.ndarray:
    """``p`` with rounding outside [0, 1] clipped to the bound; NaN further outside."""
    a = np.asarray(p, float)
    ok = (a >= -SHARE_TOLERANCE) & (a <= 1 + SHARE_TOLERANCE)
    return np.where(ok, np.clip(a, 0.0, 1.0), np.nan)


def h_value(p1: Any, p2: Any) -> np.ndarray:
    """Cohen's h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p2)) (shares clipped as :func:`as_share`)."""
    return np.asarray(2 * np.arcsin(np.sqrt(as_share(p1))) - 2 * np.arcsin(np.sqrt(as_share(p2))))


def h_slope(p: Any) -> np.ndarray:
    """dh/dp = 1 / sqrt(p (1 - p)), 0 where it is not finite (p of 0 or 1: no SE of h then)."""
    v = np.asarray(p, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _safe_inv(np.sqrt(v * (1 - v)))


def h_defined(p1: Any, p2: Any) -> np.ndarray:
    """Where h's SE exists: both shares strictly between 0 and 1."""
    a, b = np.asarray(p1, float), np.asarray(p2, float)
    with np.errstate(invalid="ignore"):
        return (a * (1 - a) > 0) & (b * (1 - b) > 0)


def pooled_var_means(w1: Any, v1: Any, w2: Any, v2: Any) -> np.ndarray:
    """Pooled weighted population variance (W1 v1 + W2 v2) / (W1 + W2)."""
    a, b = np.asarray(w1, float), np.asarray(w2, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray((a * np.asarray(v1, float) + b * np.asarray(v2, float)) / (a + b))


def pooled_share(w1: Any, p1: Any, w2: Any, p2: Any) -> np.ndarray:
    """The weighted share of both samples together, (W1 p1 + W2 p2) / (W1 + W2)."""
    a, b = np.asarray(w1, float), np.asarray(w2, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray((a * np.asarray(p1, float) + b * np.asarray(p2, float)) / (a + b))


def pooled_var_shares(w1: Any, p1: Any, w2: Any, p2: Any) -> np.ndarray:
    """pbar (1 - pbar) of :func:`pooled_share`: the variance behind d for proportions."""
    pbar = pooled_share(w1, p1, w2, p2)
    return pbar * (1 - pbar)


def d_value(diff: Any, s2: Any) -> np.ndarray:
    """Cohen's d = diff / sqrt(s2) (NaN where s2 is 0 and diff is 0; inf never made finite)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.asarray(diff, float) / np.sqrt(np.asarray(s2, float)))


def d_score_coefficients(diff: Any, s2: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(c1, c2)`` of the scores of d: ``z_d = c1 z_diff - c2 z_{s^2}``, finite everywhere
    (0 where d is not defined), so row-level passes need no NaN care."""
    s = np.asarray(s2, float)
    d = d_value(diff, s)
    with np.errstate(divide="ignore", invalid="ignore"):
        c1 = _safe_inv(np.sqrt(s))
        c2 = np.where(np.isfinite(d) & (s > 0), d / (2 * s), 0.0)
    return c1, c2


def _safe_inv(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((x != 0) & np.isfinite(x), 1.0 / x, 0.0)


# ----------------------------------------------------------------------------- public helpers
def cohens_h(p1: Any, p2: Any) -> Any:
    """Cohen's h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p2)), element-wise.

    Shares outside [0, 1] by rounding only (1e-9) are clipped to the bound; further outside: NaN.
    """
    return h_value(p1, p2)


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
    if sd1 is None and sd2 is None:
        return d_value(e1 - e2, pooled_var_shares(a, e1, b, e2))
    if sd1 is None or sd2 is None:
        raise OptionValueError("cohens_d: give both sd1 and sd2 (means) or neither (proportions)")
    s1, s2 = np.asarray(sd1, float), np.asarray(sd2, float)
    return d_value(e1 - e2, pooled_var_means(a, s1**2, b, s2**2))


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
            raise OptionValueError("p_adjust_bh: p-values must lie between 0 and 1")
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
        raise OptionValueError("compare_independent: standard errors must not be negative")
    diff = e2 - e1
    se = np.hypot(s1, s2)  # sqrt(se1^2 + se2^2) without underflow
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = diff / se
    if df is None:
        p = p_from_z(stat)
        q: Any = z_quantile(level)
    else:
        dfa = np.asarray(df, float)
        p = p_from_t(stat, dfa)
        q = t_quantile(level, dfa)
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
