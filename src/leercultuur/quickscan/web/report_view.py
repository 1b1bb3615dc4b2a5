"""How a ScanReport is shown: numbers in the reader's language, the profile chart, the CSV.

Pure functions of the frozen report (``leercultuur.quickscan.results.ScanReport``); nothing here
touches the database. The chart is an inline SVG with presentation attributes only (no script,
no style attribute, no external reference), so it passes the app's strict CSP and works in the
self-contained download and the PDF.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from leercultuur.quickscan import tips as tipsmod
from leercultuur.quickscan.web.i18n import pick, translator

ORG_COLOUR = "#0b4f6c"
BENCH_COLOUR = "#a34700"
SCALES = {"variation": (1.0, 4.0), "autonomy": (1.0, 3.0)}
VERDICT_LABELS = {
    "higher": "Clearly higher",
    "comparable": "Comparable",
    "lower": "Clearly lower",
    "too_few": "Too few answers to say",
    "single_view": "One person's view",
}
CSV_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")


def number(value: float | None, unit: str, lang: str, *, signed: bool = False) -> str:
    """A figure as people read it: 47% or 2.84 (2,84 in Dutch); en dash for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "\u2013"
    digits = 1 if unit == "%" else 2
    text = f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    if lang == "nl":
        text = text.replace(".", ",")
    text = text.replace("-", "\u2212")
    return text + ("%" if unit == "%" and not signed else "")


def interval(low: float, high: float, unit: str, lang: str, *, signed: bool = False) -> str:
    """'38.2% to 56.0%' / '38,2% tot 56,0%'."""
    word = "tot" if lang == "nl" else "to"
    return (
        f"{number(low, unit, lang, signed=signed)} {word} {number(high, unit, lang, signed=signed)}"
    )


def difference_unit(unit: str, lang: str) -> str:
    if unit == "%":
        return " procentpunt" if lang == "nl" else " percentage points"
    return ""


def verdict_label(verdict: str, lang: str) -> str:
    return translator(lang)(VERDICT_LABELS.get(verdict, verdict))


# -- the profile chart -----------------------------------------------------------------------
@dataclass(frozen=True)
class ChartRow:
    label: str
    unit: str
    lo: float
    hi: float
    org: Any  # Figure | None
    bench: Any  # BenchmarkFigure | None


def _scale(indicator: Any) -> tuple[float, float]:
    if indicator.unit == "%":
        return 0.0, 100.0
    if indicator.dimension in SCALES:
        return SCALES[indicator.dimension]
    values = [
        v
        for f in (indicator.organisation, indicator.benchmark)
        if f is not None
        for v in (f.ci_low, f.ci_high)
    ]
    return (math.floor(min(values)), math.ceil(max(values))) if values else (0.0, 1.0)


def chart_rows(report: Any, lang: str) -> list[ChartRow]:
    """One row per headline indicator, in the order of the dimensions."""
    by_id = {i.id: i for i in report.indicators}
    rows = []
    for dim in report.dimensions:
        for ind_id in dim.indicator_ids:
            ind = by_id.get(ind_id)
            if ind is None or not ind.headline:
                continue
            lo, hi = _scale(ind)
            rows.append(
                ChartRow(
                    pick(ind, "label", lang), ind.unit, lo, hi, ind.organisation, ind.benchmark
                )
            )
    return rows


def profile_svg(report: Any, lang: str, *, narrow: bool = False) -> Markup:
    """Organisation vs benchmark per headline indicator, each with its 95% interval.

    Every row has its own scale (percentages 0-100%, scale means from the lowest to the highest
    answer), printed at both ends of the row.
    """
    _ = translator(lang)
    rows = chart_rows(report, lang)
    # wide: the label left of its row; narrow (phones): the label above its row
    width, label_w, pad, row_h, top = (360, 0, 40, 62, 34) if narrow else (720, 220, 46, 46, 34)
    plot_w = width - label_w - 2 * pad
    sfx = "n" if narrow else "w"
    height = top + row_h * len(rows) + 16
    parts: list[str] = []
    title = _("Profile: your organisation and the benchmark, with 95% intervals")
    desc = _(
        "Each row is one indicator on its own scale. A dark circle marks your organisation, an "
        "orange diamond the benchmark; the lines around them are the 95% intervals. The table "
        "below the chart gives the same figures."
    )
    parts.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="chart-title-{sfx} chart-desc-{sfx}" '
        f'class="profile profile-{"narrow" if narrow else "wide"}">'
        f'<title id="chart-title-{sfx}">{escape(title)}</title>'
        f'<desc id="chart-desc-{sfx}">{escape(desc)}</desc>'
    )
    lx = label_w + pad
    legend_x = 8 if narrow else lx
    # legend
    parts.append(
        f'<circle cx="{legend_x + 6}" cy="14" r="6" fill="{ORG_COLOUR}"/>'
        f'<text x="{legend_x + 18}" y="19" font-size="13" fill="#1b1b1b">'
        f"{escape(_('Your organisation'))}</text>"
        f'<path d="M {legend_x + 186} 8 l 6 6 l -6 6 l -6 -6 z" fill="{BENCH_COLOUR}"/>'
        f'<text x="{legend_x + 198}" y="19" font-size="13" fill="#1b1b1b">'
        f"{escape(_('Benchmark'))}</text>"
    )
    for i, row in enumerate(rows):
        y = top + row_h * i + row_h / 2 + (9 if narrow else 0)
        label_y = y - 20 if narrow else y + 4
        span = (row.hi - row.lo) or 1.0

        def x(v: float, row: ChartRow = row, span: float = span) -> float:
            return lx + plot_w * (min(max(v, row.lo), row.hi) - row.lo) / span

        if i % 2 == 0:
            parts.append(
                f'<rect x="0" y="{top + row_h * i:.1f}" width="{width}" height="{row_h}" '
                f'fill="#f1f4f6"/>'
            )
        lines = _wrap(row.label, 48 if narrow else 30)
        first_y = label_y - (16 if narrow else 8) * (len(lines) - 1)
        tspans = "".join(
            f'<tspan x="8" y="{first_y + 16 * k:.1f}">{escape(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        parts.append(
            f'<text font-size="13" fill="#1b1b1b">{tspans}</text>'
            f'<line x1="{lx}" x2="{lx + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#9aa5ad" '
            f'stroke-width="1"/>'
            f'<text x="{lx - 6}" y="{y + 4:.1f}" font-size="11" fill="#444" text-anchor="end">'
            f"{escape(number(row.lo, row.unit, lang) if row.unit != '%' else '0%')}</text>"
            f'<text x="{lx + plot_w + 6}" y="{y + 4:.1f}" font-size="11" fill="#444">'
            f"{escape(number(row.hi, row.unit, lang) if row.unit != '%' else '100%')}</text>"
        )
        if row.bench is not None:
            by = y + 7
            parts.append(
                f'<line x1="{x(row.bench.ci_low):.1f}" x2="{x(row.bench.ci_high):.1f}" '
                f'y1="{by:.1f}" y2="{by:.1f}" stroke="{BENCH_COLOUR}" stroke-width="3"/>'
                f'<path d="M {x(row.bench.estimate):.1f} {by - 6:.1f} l 6 6 l -6 6 l -6 -6 z" '
                f'fill="{BENCH_COLOUR}"/>'
            )
        if row.org is not None:
            oy = y - 7
            if row.org.ci_high > row.org.ci_low:
                parts.append(
                    f'<line x1="{x(row.org.ci_low):.1f}" x2="{x(row.org.ci_high):.1f}" '
                    f'y1="{oy:.1f}" y2="{oy:.1f}" stroke="{ORG_COLOUR}" stroke-width="3"/>'
                )
            parts.append(
                f'<circle cx="{x(row.org.estimate):.1f}" cy="{oy:.1f}" r="6" fill="{ORG_COLOUR}"/>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def _wrap(text: str, width: int) -> list[str]:
    """Words into lines of at most ``width`` characters (two lines at most, then an ellipsis)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])[: width - 1] + "\u2026"]
    return lines or [""]


# -- tips and sources ------------------------------------------------------------------------
@dataclass(frozen=True)
class DimensionView:
    result: Any  # DimensionResult
    tips: tipsmod.DimensionTips
    indicators: tuple[Any, ...]
    feedback: str


def dimension_views(report: Any, lang: str) -> list[DimensionView]:
    by_id = {i.id: i for i in report.indicators}
    out = []
    for dim in report.dimensions:
        t = tipsmod.tips_for(dim.id, "nl" if lang == "nl" else "en")
        inds = tuple(by_id[i] for i in dim.indicator_ids if i in by_id)
        out.append(DimensionView(dim, t, inds, t.feedback_for(dim.verdict)))
    return out


def cited_sources(views: Iterable[DimensionView]) -> list[tipsmod.Source]:
    """Every source the shown tips cite (and what a 'via' source refers to), in first-use order."""
    all_sources = tipsmod.sources()
    seen: dict[str, tipsmod.Source] = {}
    for view in views:
        for tip in view.tips.tips:
            for src in tip.sources:
                seen.setdefault(src.key, src)
                if src.via:
                    seen.setdefault(src.via, all_sources[src.via])
    return list(seen.values())


def source_numbers(sources: Sequence[tipsmod.Source]) -> dict[str, int]:
    return {s.key: i for i, s in enumerate(sources, 1)}


# -- CSV -------------------------------------------------------------------------------------
def csv_safe(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (OWASP)."""
    if isinstance(value, str) and value.startswith(CSV_DANGEROUS):
        return "'" + value
    return value


def csv_text(rows: Sequence[dict[str, object]]) -> str:
    """The report's aggregated rows as CSV (UTF-8 with BOM for spreadsheets), guarded."""
    buf = io.StringIO()
    if not rows:
        return "\ufeff"
    fields: list[str] = []
    for row in rows:
        fields.extend(k for k in row if k not in fields)
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\r\n")
    writer.writerow({f: csv_safe(f) for f in fields})
    for row in rows:
        writer.writerow({k: csv_safe(v) for k, v in row.items()})
    return "\ufeff" + buf.getvalue()
