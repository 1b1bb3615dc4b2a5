"""The report's figures as CSV rows: exactly the aggregated figures shown, never a row per person.

Suppressed groups appear as a row saying so, without a count. When the benchmark is synthetic
demo data, every row says so in the column ``benchmark_data``.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Literal

from leercultuur.quickscan.csvsafe import safe_cell

if TYPE_CHECKING:
    from leercultuur.quickscan.results import IndicatorResult, ScanReport

COLUMNS = (
    "scope", "variable", "group", "indicator", "label", "unit", "estimate", "ci_low", "ci_high",
    "n", "benchmark_group", "benchmark", "benchmark_ci_low", "benchmark_ci_high",
    "difference", "difference_ci_low", "difference_ci_high", "verdict", "change",
    "change_ci_low", "change_ci_high", "note", "benchmark_data",
)  # fmt: skip


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def _row(
    rep: ScanReport, r: IndicatorResult, lang: str, scope: str, variable: str, group: str
) -> dict[str, object]:
    en = lang == "en"
    org, b, d, c = r.organisation, r.benchmark, r.difference, r.change
    return {
        "scope": scope,
        "variable": variable,
        "group": group,
        "indicator": r.id,
        "label": r.label_en if en else r.label_nl,
        "unit": r.unit,
        "estimate": _r(org.estimate) if org else None,
        "ci_low": _r(org.ci_low) if org else None,
        "ci_high": _r(org.ci_high) if org else None,
        "n": org.n if org else None,
        "benchmark_group": (b.group.label_en if en else b.group.label_nl) if b else None,
        "benchmark": _r(b.estimate) if b else None,
        "benchmark_ci_low": _r(b.ci_low) if b else None,
        "benchmark_ci_high": _r(b.ci_high) if b else None,
        "difference": _r(d.estimate) if d else None,
        "difference_ci_low": _r(d.ci_low) if d else None,
        "difference_ci_high": _r(d.ci_high) if d else None,
        "verdict": r.verdict_en if en else r.verdict_nl,
        "change": _r(c.difference.estimate) if c else None,
        "change_ci_low": _r(c.difference.ci_low) if c else None,
        "change_ci_high": _r(c.difference.ci_high) if c else None,
        "note": None,
        "benchmark_data": rep.benchmark.label_en if en else rep.benchmark.label_nl,
    }


def csv_rows(rep: ScanReport, lang: Literal["nl", "en"] = "nl") -> list[dict[str, object]]:
    en = lang == "en"
    whole = "whole organisation" if en else "hele organisatie"
    rows = [_row(rep, r, lang, whole, "", "") for r in rep.indicators]
    for g in rep.groups:
        var = g.variable_label_en if en else g.variable_label_nl
        name = g.label_en if en else g.label_nl
        if g.shown:
            rows += [_row(rep, r, lang, "group" if en else "groep", var, name)
                     for r in g.indicators]  # fmt: skip
        else:
            empty = dict.fromkeys(COLUMNS)
            empty.update(
                scope="group" if en else "groep",
                variable=var,
                group=name,
                note=g.reason_en if en else g.reason_nl,
                benchmark_data=rep.benchmark.label_en if en else rep.benchmark.label_nl,
            )
            rows.append(empty)
    return rows


def csv_text(rep: ScanReport, lang: Literal["nl", "en"] = "nl") -> str:
    """The CSV file (comma-separated, UTF-8, header row)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
    w.writeheader()
    for row in csv_rows(rep, lang):
        # team names are HR's free text: '=HYPERLINK(...)' must stay text in a spreadsheet
        w.writerow({k: safe_cell(v) for k, v in row.items()})
    return buf.getvalue()
