"""Associations: design-based regression of each learning indicator on the stimulating factors.

Per year, R ``svyglm(outcome ~ predictors + controls, subset(design, year == y))`` (gaussian:
a linear probability model for 0/1 outcomes, coefficients x 100 = percentage points).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from leercultuur.monitor._indicators import IndicatorFrame
from leercultuur.monitor._result import ASSOCIATION_COLUMNS
from leercultuur.monitor._spec import MonitorSpec
from leercultuur.survey import Design


def associations(
    designs: Sequence[tuple[Design, list[str]]],
    frame: IndicatorFrame,
    spec: MonitorSpec,
    data: pd.DataFrame,
) -> tuple[pd.DataFrame, list[str]]:
    """The associations table and gaps (what could not be estimated, and why)."""
    try:
        from leercultuur.survey import regress  # type: ignore[attr-defined]
    except ImportError:
        return pd.DataFrame(columns=ASSOCIATION_COLUMNS), [
            "associations: not computed in this build (design-based regression not available)"
        ]
    raise NotImplementedError(regress)  # replaced when the regression lands
