"""Charts with matplotlib (Agg): trend lines with CI bands, subgroup comparisons, associations.

Every chart is returned as an inline-ready SVG (text kept as text, so it is searchable and
small; ``role="img"`` and an ``aria-label`` with the chart's data in words) and written to disk as
SVG and PNG for reuse. Output is deterministic: fixed hash salt per chart, no dates.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from leercultuur.monitor import MonitorResult
from leercultuur.report import _i18n as i18n
from leercultuur.report._i18n import Lang
from leercultuur.report._labels import Labels
from leercultuur.report._methods_text import synthetic_note

# Colour-blind safe, >= 4.5:1 contrast on white for lines and text.
INK = "#1a1a1a"
BLUE = "#1f5a96"
BAND = "#9ec3e6"
ORANGE = "#b34700"
GREY = "#6b6b6b"
STYLE: Any = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial"],
    "font.size": 10,
    "axes.edgecolor": GREY,
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#e3e3e3",
    "grid.linewidth": 0.8,
    "xtick.color": INK,
    "ytick.color": INK,
    "svg.fonttype": "none",
    "figure.dpi": 100,
}
PNG_DPI = 144


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    alt: str  # the chart's content in words (screen readers, aria-label)
    svg: str  # inline SVG, without XML prolog


def _decimals(v: float) -> int:
    return 0 if abs(v - round(v)) < 1e-9 else 1 if abs(v * 10 - round(v * 10)) < 1e-9 else 2


def _formatter(unit: str, lang: Lang) -> FuncFormatter:
    """Tick labels in the edition's number format (decimal comma in Dutch)."""
    if unit == "%":
        return FuncFormatter(lambda v, _: i18n.num(v, _decimals(v), lang) + "%")
    if unit == "mean":  # two decimals, three where ticks are closer than 0.01
        return FuncFormatter(
            lambda v, _: i18n.num(v, 2 if abs(v * 100 - round(v * 100)) < 1e-9 else 3, lang)
        )
    return FuncFormatter(lambda v, _: i18n.num(v, _decimals(v), lang))


MIN_TEXT_PX = 11.5  # the smallest chart text on screen, in CSS pixels


def _min_width(svg: str) -> float:
    """The width (CSS px) at which the chart's smallest text is :data:`MIN_TEXT_PX`."""
    vb = re.search(r'viewBox="[\d.\s-]*?\s([\d.]+)\s[\d.]+"', svg)
    sizes = [float(x) for x in re.findall(r"font(?:-size)?:\s*([\d.]+)px", svg)]
    sizes += [float(x) for x in re.findall(r"font:\s*(?:bold\s+|italic\s+)*([\d.]+)px", svg)]
    if not vb or not sizes:
        return 0.0
    return float(vb.group(1)) * MIN_TEXT_PX / min(sizes)


def _stamp(fig: Figure, note: str, *, top: bool = False) -> None:
    """The synthetic-data warning on the chart itself (it travels with the PNG and SVG); at the
    top right where the bottom holds a legend."""
    if note:
        chars = max(30, int(fig.get_figwidth() * 14))  # what fits at 8 pt bold
        y, va = (0.995, "top") if top else (0.005, "bottom")
        fig.text(0.995, y, _wrap(note, chars), ha="right", va=va, fontsize=8,
                 color=ORANGE, fontweight="bold")  # fmt: skip


def _finish(fig: Figure, chart_id: str, title: str, alt: str, out: Path | None) -> Chart:
    with plt.rc_context({**STYLE, "svg.hashsalt": chart_id}):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            (out / f"{chart_id}.svg").write_text(buf.getvalue(), encoding="utf-8")
            fig.savefig(out / f"{chart_id}.png", dpi=PNG_DPI)
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    min_w = _min_width(svg)
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg, count=1)
    # ids unique within the page: several SVGs are inlined into one document
    p = chart_id
    svg = svg.replace(' id="', f' id="{p}-').replace("url(#", f"url(#{p}-")
    svg = svg.replace('href="#', f'href="#{p}-')
    # the page has the title as a heading already: the inline copy leaves it out
    svg = re.sub(rf'<g id="{p}-chart-title">\s*<text.*?</text>\s*</g>', "", svg, flags=re.S)
    label = escape(alt, quote=True)
    svg = svg.replace(
        "<svg",
        f'<svg role="img" aria-label="{label}" class="chart" focusable="false" '
        f'style="--min-w: {min_w:.0f}px"',
        1,
    )
    # the <title> element names the chart for tooltips and assistive technology
    head = f"<title>{escape(title)}</title>"
    svg = re.sub(r"(<svg[^>]*>)", lambda m: m.group(1) + head, svg, count=1)
    return Chart(chart_id, title, alt, svg)


def trend_chart(
    result: MonitorResult, indicator: str, *, lang: Lang, out: Path | None = None
) -> Chart:
    """All employees over the years: estimate, 95% CI band, suppressed years left out."""
    spec = result.spec
    label = spec.indicator(indicator).label.get(lang)
    e = result.estimates
    e = e[(e["indicator"] == indicator) & (e["breakdown"] == "all")].sort_values("year")
    e = e[~e["suppressed"].astype(bool)]
    unit = str(e["unit"].iloc[0]) if len(e) else "%"
    years = e["year"].to_numpy(int)
    y, lo, hi = (e[c].to_numpy(float) for c in ("estimate", "ci_low", "ci_high"))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.4, 3.3))
        # fixed margins (inches / figure size): no layout pass, so one draw per saved file
        fig.subplots_adjust(
            left=0.8 / 6.4, right=1 - 0.7 / 6.4, top=1 - 0.4 / 3.3, bottom=0.8 / 3.3
        )
        if len(years) >= 3:
            ax.fill_between(
                years, lo, hi, color=BAND, alpha=0.7, lw=0, label=i18n.t("ci_band", lang)
            )
            ax.plot(
                years, y, color=BLUE, lw=2.2, marker="o", ms=4.5, label=i18n.t("estimate", lang)
            )
        else:
            ax.errorbar(
                years, y, yerr=[y - lo, hi - y], color=BLUE, fmt="o", ms=6, capsize=5, lw=1.8,
                label=f"{i18n.t('estimate', lang)} ({i18n.t('ci_band', lang)})",
            )  # fmt: skip
            if len(years):
                ax.set_xlim(years.min() - 1, years.max() + 1)
                ax.set_xticks(years)
        for xv, yv in zip(years[-1:], y[-1:], strict=True):
            ax.annotate(
                i18n.value(float(yv), unit, lang), (xv, yv), xytext=(6, 6),
                textcoords="offset points", color=INK, fontsize=9, fontweight="bold",
            )  # fmt: skip
        if len(years) >= 3:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(_formatter(unit, lang))
        # a y range of at least 4 points (or a tenth of a scale's range): small changes are not
        # blown up into dramatic ones
        scale = spec.indicator(indicator).scale
        floor, top = (0.0, 100.0) if unit == "%" else (scale if scale else (-np.inf, np.inf))
        min_pad = 2.0 if unit == "%" else (0.05 * (top - floor) if scale else 0.0)
        if len(y):
            pad = max(min_pad, (np.nanmax(hi) - np.nanmin(lo)) * 0.3)
            ax.set_ylim(max(floor, np.nanmin(lo) - pad), min(top, np.nanmax(hi) + pad))
        ax.legend(frameon=False, fontsize=8.5, loc="upper left", bbox_to_anchor=(0, -0.1), ncol=2)
        ax.set_title(label, loc="left", fontsize=11, color=INK).set_gid("chart-title")
        _stamp(fig, synthetic_note(result, lang))
    points = "; ".join(
        f"{yr}: {i18n.value(float(v), unit, lang)}" for yr, v in zip(years, y, strict=True)
    )
    alt = (
        f"{i18n.t('chart_trend', lang)} {label.lower()}, {i18n.t('estimate', lang).lower()} "
        f"{'per year' if lang == 'en' else 'per jaar'}: {points}."
    )
    return _finish(fig, f"trend-{indicator}", label, alt, out)


def subgroup_chart(
    result: MonitorResult,
    breakdown: str,
    indicators: Sequence[str],
    *,
    lang: Lang,
    method: str = "design",
    out: Path | None = None,
    xlims: dict[str, tuple[float, float]] | None = None,
) -> Chart:
    """Each group's estimate with CI in the latest year, one panel per indicator; ``xlims``
    gives every breakdown's panel of an indicator the same axis (see :func:`shared_limits`).

    The dashed line is all employees; groups significantly below/above the rest are orange/blue;
    suppressed groups show as ``x``."""
    spec = result.spec
    names = Labels(result, lang)
    blabel = spec.breakdown(breakdown).label.get(lang)
    e, c = result.estimates, result.comparisons
    last = e.groupby("indicator")["year"].max()
    c = c[(c["comparison"] == "group_vs_rest") & (c["method"] == method)]
    inds = [i for i in indicators if i in last.index]
    groups = list(dict.fromkeys(e.loc[e["breakdown"] == breakdown, "group"].astype(str)))
    n = max(len(inds), 1)
    words = []
    with plt.rc_context(STYLE):
        ncol = min(3, n)
        nrow = -(-n // ncol)
        label_w = 0.075 * max(len(names.group(breakdown, g)) for g in groups)
        width = 2.7 * ncol + label_w + 0.4
        axes_h, title_h, ticks_h, top_h, legend_h = 0.3 * len(groups) + 0.15, 0.6, 0.3, 0.35, 0.4
        height = nrow * (axes_h + title_h + ticks_h) + top_h + legend_h
        fig, axes = plt.subplots(nrow, ncol, figsize=(width, height), sharey=True, squeeze=False)
        # fixed margins in inches: no layout pass, so one draw per saved file
        fig.subplots_adjust(
            left=(label_w + 0.25) / width, right=1 - 0.2 / width,
            top=1 - (top_h + title_h) / height, bottom=(legend_h + ticks_h) / height,
            hspace=(title_h + ticks_h) / axes_h, wspace=0.12,
        )  # fmt: skip
        flat = list(axes.ravel())
        for ax in flat[len(inds) :]:
            ax.set_visible(False)
        pos = {g: k for k, g in enumerate(groups)}
        for ax, ind in zip(flat, inds, strict=False):
            ax.tick_params(axis="y", labelsize=8.5)
            yr = int(last[ind])
            sel = (e["indicator"] == ind) & (e["year"] == yr)
            g = e[sel & (e["breakdown"] == breakdown) & ~e["suppressed"].astype(bool)]
            tot = e[sel & (e["breakdown"] == "all")]
            cc = c[(c["indicator"] == ind) & (c["breakdown"] == breakdown) & (c["year"] == yr)]
            sig = cc.set_index("group")["significant"].astype(bool).to_dict()
            diff = cc.set_index("group")["difference"].to_dict()
            unit = str(g["unit"].iloc[0]) if len(g) else "%"
            ys = g["group"].astype(str).map(pos).to_numpy(float)
            col = [
                (ORANGE if diff.get(k, 0) < 0 else BLUE) if sig.get(k, False) else GREY
                for k in g["group"].astype(str)
            ]
            est = g["estimate"].to_numpy(float)
            ax.hlines(ys, g["ci_low"], g["ci_high"], colors=col, lw=2)
            ax.scatter(est, ys, c=col, s=28, zorder=3)
            if len(tot):
                ax.axvline(float(tot["estimate"].iloc[0]), color=INK, lw=1, ls="--")
            for k in e.loc[
                sel & (e["breakdown"] == breakdown) & e["suppressed"].astype(bool), "group"
            ]:
                ax.annotate(
                    f"{i18n.SUPPRESSED} (n < {spec.publication_threshold})", (0.02, pos[str(k)]),
                    xycoords=("axes fraction", "data"), va="center", fontsize=8, color=GREY,
                )  # fmt: skip
            ax.xaxis.set_major_formatter(_formatter(unit, lang))
            ax.xaxis.set_major_locator(MaxNLocator(4))
            if xlims and ind in xlims:
                ax.set_xlim(*xlims[ind])
            title = spec.indicator(ind).label.get(lang)
            ax.set_title(_wrap(title, 26) + f"\n({yr})", fontsize=8.5, loc="left", color=INK)
            words.append(
                f"{title} ({yr}): "
                + ", ".join(
                    names.group(breakdown, str(k)) + " " + i18n.value(float(v), unit, lang)
                    for k, v in zip(g["group"], est, strict=True)
                )
            )
        ax0 = axes[0][0]
        ax0.set_yticks(range(len(groups)))
        ax0.set_yticklabels([names.group(breakdown, g) for g in groups], fontsize=8.5)
        ax0.set_ylim(len(groups) - 0.5, -0.5)
        fig.suptitle(blabel, x=0.01, y=1 - 0.08 / height, ha="left", va="top", fontsize=11)
        fig.legend(handles=_legend(lang), loc="lower center", ncol=4, frameon=False, fontsize=8)
        _stamp(fig, synthetic_note(result, lang), top=True)
    alt = f"{blabel}: " + "; ".join(words) + "."
    return _finish(fig, f"groups-{breakdown}", blabel, alt, out)


def association_chart(
    result: MonitorResult, *, lang: Lang, out: Path | None = None
) -> Chart | None:
    """Coefficients of the stimulating factors with 95% CI, latest year, one panel per outcome."""
    a = result.associations
    spec = result.spec
    preds = [p for p in spec.associations.predictors]
    if a.empty or not preds:
        return None
    labels = {i.id: i.label.get(lang) for i in spec.indicators}
    outcomes = list(dict.fromkeys(a["outcome"].astype(str)))
    title = i18n.t("associations", lang)
    words = []
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            1, len(outcomes), figsize=(2.6 * len(outcomes) + 2.4, 0.45 * len(preds) + 1.75),
            sharey=True, squeeze=False,
        )  # fmt: skip
        for ax, o in zip(axes[0], outcomes, strict=True):
            t = a[a["outcome"] == o]
            t = t[(t["year"] == t["year"].max()) & t["term"].isin(preds)]
            t = t.set_index("term").reindex(preds)
            est, se = t["estimate"].to_numpy(float), t["se"].to_numpy(float)
            ys = np.arange(len(preds))
            ax.hlines(ys, est - 1.96 * se, est + 1.96 * se, colors=BLUE, lw=2)
            ax.scatter(est, ys, color=BLUE, s=28, zorder=3)
            ax.axvline(0, color=INK, lw=1)
            yr = int(t["year"].max()) if t["year"].notna().any() else ""
            ax.set_title(_wrap(labels.get(o, o), 28) + f"\n({yr})", fontsize=8.5, loc="left")
            ax.set_xlabel(i18n.t("per_unit", lang), fontsize=8.5)
            ax.xaxis.set_major_formatter(_formatter("pp", lang))
            words.append(
                f"{labels.get(o, o)} ({yr}): "
                + ", ".join(
                    f"{labels.get(p, p)} {i18n.num(float(v), 1, lang, sign=True)}"
                    for p, v in zip(preds, est, strict=True)
                )
            )
        axes[0][0].set_yticks(range(len(preds)))
        axes[0][0].set_yticklabels([_wrap(labels.get(p, p), 30) for p in preds], fontsize=8.5)
        axes[0][0].set_ylim(len(preds) - 0.5, -0.5)
        fig.tight_layout(rect=(0, 0.35 / fig.get_figheight(), 1, 1))
        _stamp(fig, synthetic_note(result, lang))
    alt = f"{title} ({i18n.t('per_unit', lang)}): " + "; ".join(words) + "."
    return _finish(fig, "associations", title, alt, out)


def shared_limits(
    result: MonitorResult, indicators: Sequence[str]
) -> dict[str, tuple[float, float]]:
    """One axis per indicator for every breakdown's panel: the range of all published groups'
    intervals in the latest year, widened to at least 20 points (percentages) or a fifth of the
    scale, so that a one-point gap between men and women does not look like a chasm."""
    e = result.estimates
    e = e[~e["suppressed"].astype(bool) & (e["breakdown"] != "all")]
    last = result.estimates.groupby("indicator")["year"].max()
    out = {}
    for ind in indicators:
        if ind not in last.index:
            continue
        g = e[(e["indicator"] == ind) & (e["year"] == last[ind])]
        if g.empty:
            continue
        lo, hi = float(g["ci_low"].min()), float(g["ci_high"].max())
        pct = str(g["unit"].iloc[0]) == "%"
        scale = result.spec.indicator(ind).scale
        floor, top = (0.0, 100.0) if pct else (scale if scale else (lo, hi))
        span = max(hi - lo, 20.0 if pct else (top - floor) / 5)
        mid = (lo + hi) / 2
        a, b = max(floor, mid - span * 0.55), min(top, mid + span * 0.55)
        out[ind] = (a, b)
    return out


def _legend(lang: Lang) -> list[Line2D]:
    en = lang == "en"
    dot = {"marker": "o", "ls": "", "ms": 6}
    words = [
        (ORANGE, "lower than the rest" if en else "lager dan de rest"),
        (BLUE, "higher than the rest" if en else "hoger dan de rest"),
        (GREY, "no significant difference" if en else "geen significant verschil"),
    ]
    handles = [Line2D([], [], color=c, label=w, **dot) for c, w in words]  # type: ignore[arg-type]
    label = "all employees" if en else "alle werknemers"
    return [*handles, Line2D([], [], color=INK, ls="--", lw=1, label=label)]


def _wrap(text: str, width: int) -> str:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    return "\n".join([*lines, cur])


def all_charts(
    result: MonitorResult, *, lang: Lang, method: str = "design", out: Path | None = None
) -> dict[str, Chart]:
    """Every chart of the report, keyed by id."""
    spec = result.spec
    have = set(pd.unique(result.estimates["indicator"]))
    heads = [i.id for i in spec.indicators if i.headline and i.id in have]
    heads = heads or [i.id for i in spec.indicators if i.id in have][:4]
    charts = [
        trend_chart(result, i.id, lang=lang, out=out) for i in spec.indicators if i.id in have
    ]
    bds = set(pd.unique(result.estimates["breakdown"]))
    xlims = shared_limits(result, heads)
    charts += [
        subgroup_chart(result, b.id, heads, lang=lang, method=method, out=out, xlims=xlims)
        for b in spec.breakdowns
        if b.id in bds
    ]
    from leercultuur.report._overtime import overtime_chart

    for ind in heads:
        chart = overtime_chart(result, ind, lang=lang, out=out)
        if chart is not None:
            charts.append(chart)
    assoc = association_chart(result, lang=lang, out=out)
    if assoc is not None:
        charts.append(assoc)
    return {c.id: c for c in charts}
