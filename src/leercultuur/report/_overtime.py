"""Groups over time: small multiples, one panel per breakdown, every panel on the same axis.

For one indicator: each breakdown's groups as lines over the measured years (all employees as a
dashed reference), with one shared y axis so that panels compare honestly. Suppressed cells are
left out of the lines. The breakdowns with many groups (sector) are left out: their lines would
be unreadable; their figures are in the tables.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt

from leercultuur.monitor import MonitorResult
from leercultuur.report._charts import (
    BLUE,
    INK,
    STYLE,
    Chart,
    _finish,
    _formatter,
    _stamp,
    _wrap,
)
from leercultuur.report._i18n import Lang
from leercultuur.report._labels import Labels
from leercultuur.report._methods_text import synthetic_note

MAX_GROUPS = 7  # breakdowns with more groups are not drawn as lines
COLOURS = ["#1f5a96", "#b34700", "#2e7d32", "#6a3d9a", "#8c564b", "#00838f", "#5d5d5d"]


def overtime_chart(
    result: MonitorResult, indicator: str, *, lang: Lang, out: Path | None = None
) -> Chart | None:
    """Small multiples of the groups of every breakdown over time, or None with too few years."""
    e = result.estimates
    e = e[(e["indicator"] == indicator) & ~e["suppressed"].astype(bool)]
    years = sorted(int(y) for y in e["year"].unique())
    if len(years) < 3:
        return None
    names = Labels(result, lang)
    bds = [
        b.id for b in result.spec.breakdowns
        if 1 < e.loc[e["breakdown"] == b.id, "group"].nunique() <= MAX_GROUPS
    ]  # fmt: skip
    if not bds:
        return None
    unit = str(e["unit"].iloc[0])
    label = names.indicator(indicator)
    tot = e[e["breakdown"] == "all"].sort_values("year")
    sub = e[e["breakdown"].isin(bds)]
    lo, hi = float(sub["estimate"].min()), float(sub["estimate"].max())
    pad = max((hi - lo) * 0.08, 1.0 if unit == "%" else 0.02)
    words = []
    with plt.rc_context(STYLE):
        ncol = min(3, len(bds))
        nrow = -(-len(bds) // ncol)
        fig, axes = plt.subplots(
            nrow, ncol, figsize=(3.4 * ncol, 3.9 * nrow + 0.5), sharey=True, squeeze=False
        )
        for ax in list(axes.ravel())[len(bds) :]:
            ax.set_visible(False)
        for ax, bd in zip(axes.ravel(), bds, strict=False):
            g = sub[sub["breakdown"] == bd]
            for k, grp in enumerate(dict.fromkeys(g["group"].astype(str))):
                d = g[g["group"].astype(str) == grp].sort_values("year")
                name = names.group(bd, grp)
                ax.plot(d["year"], d["estimate"], color=COLOURS[k % len(COLOURS)], lw=1.8,
                        marker="o", ms=3, label=_wrap(name, 22))  # fmt: skip
                words.append(f"{name}: " + ", ".join(
                    f"{int(y)} {v:.1f}" for y, v in zip(d["year"], d["estimate"], strict=True)
                ))  # fmt: skip
            ax.plot(tot["year"], tot["estimate"], color=INK, lw=1, ls="--")
            ax.set_title(names.breakdown(bd), loc="left", fontsize=10, color=BLUE)
            ax.set_ylim(lo - pad, hi + pad)
            ax.yaxis.set_major_formatter(_formatter(unit, lang))
            ax.set_xticks([years[0], years[len(years) // 2], years[-1]])
            ax.tick_params(labelsize=9)
            ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14),
                      ncol=2)  # fmt: skip
        fig.suptitle(label, x=0.01, ha="left", fontsize=11)
        fig.tight_layout(rect=(0, 0.04, 1, 0.97))
        _stamp(fig, synthetic_note(result, lang))
    alt = f"{label}: " + "; ".join(words) + "."
    return _finish(fig, f"overtime-{indicator}", label, alt, out)


__all__ = ["overtime_chart"]
