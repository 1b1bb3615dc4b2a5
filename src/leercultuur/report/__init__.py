"""The monitor, published: Excel workbook, offline HTML report with written findings and charts.

Works from the monitor's result objects only (:class:`leercultuur.monitor.MonitorResult`, or a
result directory written by ``MonitorResult.save``)::

    from leercultuur.report import render_report, findings
    files = render_report("leercultuur-demo/result", "leercultuur-report", lang="nl")
    for f in findings(result, lang="en"):
        print(f.text, f.sources)

Dutch by default, English with ``lang="en"``. Needs the ``report`` extra (matplotlib,
xlsxwriter, jinja2); nothing else in the package imports those.
"""

from leercultuur.report._findings import Finding, Source, findings
from leercultuur.report._i18n import LANGS, Lang
from leercultuur.report._render import (
    ReportError,
    ReportFiles,
    render_report,
    write_excel,
    write_html,
)
from leercultuur.report._tables import (
    METHODS,
    Method,
    association_tables,
    indicator_tables,
    subgroup_table,
)

__all__ = [
    "LANGS",
    "METHODS",
    "Finding",
    "Lang",
    "Method",
    "ReportError",
    "ReportFiles",
    "Source",
    "association_tables",
    "findings",
    "indicator_tables",
    "render_report",
    "subgroup_table",
    "write_excel",
    "write_html",
]
