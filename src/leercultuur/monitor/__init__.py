"""The monitor Leercultuur: indicators by year and subgroup, trends, comparisons, effect sizes.

Driven by a declarative spec (``load_spec``; default ``specs/default.yaml``). Results are a
frozen :class:`MonitorResult` of tidy tables (schema in ``docs/outputs.md``).
"""

from leercultuur.monitor._indicators import indicator_values
from leercultuur.monitor._result import (
    ASSOCIATION_COLUMNS,
    COMPARISON_COLUMNS,
    ESTIMATE_COLUMNS,
    TABLES,
    TREND_COLUMNS,
    MonitorResult,
)
from leercultuur.monitor._spec import Breakdown, Indicator, Label, MonitorSpec, load_spec

__all__ = [
    "ASSOCIATION_COLUMNS",
    "COMPARISON_COLUMNS",
    "ESTIMATE_COLUMNS",
    "TABLES",
    "TREND_COLUMNS",
    "Breakdown",
    "Indicator",
    "Label",
    "MonitorResult",
    "MonitorSpec",
    "indicator_values",
    "load_spec",
]
