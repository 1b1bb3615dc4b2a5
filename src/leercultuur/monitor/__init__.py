"""The monitor Leercultuur: indicators by year and subgroup, trends, comparisons, effect sizes.

Driven by a declarative spec (``load_spec``; default ``specs/default.yaml``). Results are a
frozen :class:`MonitorResult` of tidy tables (schema in ``docs/outputs.md``).
"""

from typing import TYPE_CHECKING, Any

from leercultuur.monitor._indicators import indicator_values
from leercultuur.monitor._result import (
    ASSOCIATION_COLUMNS,
    COMPARISON_COLUMNS,
    ESTIMATE_COLUMNS,
    TABLES,
    TREND_COLUMNS,
    MonitorResult,
)
from leercultuur.monitor._sectors import SBI_SECTIONS
from leercultuur.monitor._spec import Breakdown, Indicator, Label, MonitorSpec, load_spec

if TYPE_CHECKING:  # pragma: no cover
    from leercultuur.monitor._export import (
        BenchmarkFile,
        IndicatorBenchmark,
        benchmark_schema,
        export_benchmark,
    )
    from leercultuur.monitor._export import Cell as BenchmarkCell
    from leercultuur.monitor._pipeline import check_codebook_design, output_check, run_monitor
    from leercultuur.monitor._spec import default_spec_text


def __getattr__(name: str) -> Any:
    """The heavy public names, imported on first use (the CLI starts without them)."""
    if name in ("check_codebook_design", "output_check", "run_monitor"):
        from leercultuur.monitor import _pipeline

        return getattr(_pipeline, name)
    if name in ("benchmark_schema", "export_benchmark", "BenchmarkFile", "IndicatorBenchmark"):
        from leercultuur.monitor import _export

        return getattr(_export, name)
    if name == "BenchmarkCell":  # one cell of the benchmark file (a figure or a suppression)
        from leercultuur.monitor._export import Cell

        return Cell
    if name == "default_spec_text":
        from leercultuur.monitor._spec import default_spec_text

        return default_spec_text
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ASSOCIATION_COLUMNS",
    "COMPARISON_COLUMNS",
    "ESTIMATE_COLUMNS",
    "SBI_SECTIONS",
    "TABLES",
    "TREND_COLUMNS",
    "BenchmarkCell",
    "BenchmarkFile",
    "Breakdown",
    "Indicator",
    "IndicatorBenchmark",
    "Label",
    "MonitorResult",
    "MonitorSpec",
    "benchmark_schema",
    "check_codebook_design",
    "default_spec_text",
    "export_benchmark",
    "indicator_values",
    "load_spec",
    "output_check",
    "run_monitor",
]
