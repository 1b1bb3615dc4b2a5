"""The monitor's statistics helpers: p-values, effect sizes and markers, each from the survey
engine's one definition (``leercultuur.survey``: ``p_from_t``, ``p_from_z``, ``cohens_d``,
``cohens_h``), shared by the cell route (``_compare``, ``_trends``) and ``_generic``."""

from __future__ import annotations

import numpy as np

from leercultuur.monitor._spec import MonitorSpec
from leercultuur.survey import cohens_d, cohens_h, p_from_t, p_from_z


def p_normal(z: np.ndarray) -> np.ndarray:
    """Two-sided normal p-value."""
    return p_from_z(z)


def p_t(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Two-sided t p-value (NaN where df <= 0)."""
    return p_from_t(t, df)


def effect_sizes(
    m1: np.ndarray,
    m2: np.ndarray,
    sw1: np.ndarray,
    sw2: np.ndarray,
    v1: np.ndarray,
    v2: np.ndarray,
    pct: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Cohen's d and h (``leercultuur.survey.cohens_d``/``cohens_h``). Percentages (shares):
    d with the pooled weighted share, h; means: d with the pooled weighted population SD from
    the variances ``v1``, ``v2`` and weighted sizes ``sw1``, ``sw2``; h is NaN."""
    with np.errstate(invalid="ignore"):
        d_pct = cohens_d(m1, m2, w1=sw1, w2=sw2)
        d_mean = cohens_d(m1, m2, sd1=np.sqrt(v1), sd2=np.sqrt(v2), w1=sw1, w2=sw2)
    return np.where(pct, d_pct, d_mean), np.where(pct, cohens_h(m1, m2), np.nan)


def markers(p: np.ndarray, d: np.ndarray, spec: MonitorSpec) -> tuple[np.ndarray, np.ndarray]:
    """Significant (p < alpha) and the marker: "**" also large (|d| >= threshold), "*"."""
    sig = p < spec.alpha
    big = np.abs(d) >= spec.effect_size_threshold
    marker = np.where(sig & big, "**", np.where(sig, "*", ""))
    return sig, marker
