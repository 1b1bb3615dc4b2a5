"""Key findings written from a monitor result, each traceable to the table rows it rests on.

Which indicators rose or fell significantly over the whole period and by how much (trend B and
the change between the first and last year), the latest year-on-year changes, whether a trend
break at the spec's break year is supported, which groups lag with a relatively large effect
(group vs rest, d >= the spec's threshold) and how many cells were suppressed. Suppressed tests
never produce a finding. Every :class:`Finding` lists its ``sources``: the table, the row number
in that table and the row's key.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from leercultuur.monitor import MonitorResult
from leercultuur.report import _i18n as i18n
from leercultuur.report._i18n import Lang
from leercultuur.report._tables import Method, anchor, clean, resolve_method

FindingKind = Literal[
    "trend",
    "stable",
    "two_years",
    "latest_change",
    "trend_break",
    "lagging_group",
    "diverging_trend",
    "suppressed",
]
MAX_LAGGING = 8  # groups listed; the tables hold the rest


@dataclass(frozen=True)
class Source:
    """One table row a finding rests on."""

    table: Literal["estimates", "comparisons", "trends"]
    row: int  # index label of the row in the result's table (its 0-based position as loaded)
    indicator: str
    breakdown: str
    group: str
    year: int | None = None


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    text: str
    sources: tuple[Source, ...]
    indicator: str | None = None
    anchor: str | None = None  # HTML id of the report section that shows it

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _src(
    table: Literal["estimates", "comparisons", "trends"], df: pd.DataFrame
) -> tuple[Source, ...]:
    year = "year" if "year" in df.columns else "last_year"
    out = []
    for i, r in df.iterrows():
        y = None if pd.isna(r[year]) else int(r[year])
        key = (str(r["indicator"]), str(r["breakdown"]), str(r["group"]))
        out.append(Source(table, int(cast(int, i)), *key, year=y))
    return tuple(out)


def findings(
    result: MonitorResult, *, lang: Lang = "nl", method: Method | None = None
) -> list[Finding]:
    """The written key findings, in reading order (markers and tests of ``method``; by default
    the method the result was computed with)."""
    lang = i18n.check_lang(lang)
    method = resolve_method(result, method)
    result = clean(result)
    spec = result.spec
    labels = {i.id: i.label.get(lang) for i in spec.indicators}
    heads = [i.id for i in spec.indicators if i.headline] or list(labels)
    est = result.estimates
    units = est.drop_duplicates("indicator").set_index("indicator")["unit"].to_dict()
    first = est[est["breakdown"] == "all"].set_index(["indicator", "year"])["estimate"]
    tr = result.trends
    tr = tr[(tr["method"] == method) & (tr["breakdown"] == "all") & tr["indicator"].isin(labels)]
    tr = tr.assign(_o=tr["indicator"].map({k: n for n, k in enumerate(labels)})).sort_values("_o")
    out: list[Finding] = []
    en = lang == "en"

    def val(ind: str, year: int) -> str:
        return i18n.value(float(first.get((ind, year), np.nan)), units.get(ind, "%"), lang)

    def d_text(d: float) -> str:
        return f"Cohen's d {i18n.num(d, 2, lang)}"

    has_slope = tr["slope"].notna()
    for _, r in tr[has_slope & tr["significant"].astype(bool)].iterrows():
        ind, u = str(r["indicator"]), units.get(str(r["indicator"]), "%")
        up = float(r["slope"]) > 0
        verb = ("rose" if up else "fell") if en else ("steeg" if up else "daalde")
        span = f"{int(r['first_year'])}\u2013{int(r['last_year'])}"
        per = i18n.slope(float(r["slope"]), u, lang)
        text = (
            f"{labels[ind]} {verb} significantly: {per} per year over {span} "
            if en
            else f"{labels[ind]} {verb} significant: {per} per jaar over {span} "
        )
        text += (
            f"({'from' if en else 'van'} {val(ind, int(r['first_year']))} "
            f"{'to' if en else 'naar'} {val(ind, int(r['last_year']))}, "
            f"{i18n.diff(float(r['change']), u, lang)}; {d_text(float(r['d']))}; "
            f"{i18n.pvalue(float(r['p_value']), lang)})."
        )
        out.append(
            Finding("trend", text, _src("trends", tr.loc[[r.name]]), ind, anchor("ind", ind))
        )
    flat = tr[has_slope & ~tr["significant"].astype(bool)]
    if len(flat):
        names = ", ".join(labels[str(i)] for i in flat["indicator"])
        text = (
            f"No significant trend over the period: {names}."
            if en
            else f"Geen significante trend over de periode: {names}."
        )
        out.append(Finding("stable", text, _src("trends", flat)))
    out += _two_years(result, tr[~has_slope], labels, units, val, lang, method)
    out += _latest_changes(result, heads, labels, units, lang, method)
    out += _breaks(result, tr, heads, labels, units, lang)
    out += _lagging(result, labels, units, lang, method)
    out += _diverging(result, heads, labels, units, lang, method)
    out += _suppressed(result, lang)
    return out


def _yoy(result: MonitorResult, method: Method) -> pd.DataFrame:
    c = result.comparisons
    return c[
        (c["comparison"] == "year_on_year")
        & (c["method"] == method)
        & (c["breakdown"] == "all")
        & ~c["suppressed"].astype(bool)
    ]


def _change_text(r: pd.Series, label: str, u: str, lang: Lang) -> str:
    en = lang == "en"
    a, b = i18n.value(float(r["estimate_b"]), u, lang), i18n.value(float(r["estimate_a"]), u, lang)
    up = float(r["difference"]) > 0
    y0, y1 = int(r["year_from"]), int(r["year"])
    d = i18n.num(float(r["d"]), 2, lang)
    stats = (
        f"{i18n.diff(float(r['difference']), u, lang)}; Cohen's d {d}"
        f"; {i18n.pvalue(float(r['p_value']), lang)}"
    )
    if en:
        verb = "rose" if up else "fell"
        return f"In {y1}, {label.lower()[:1] + label[1:]} {verb} from {a} ({y0}) to {b} ({stats})."
    verb = "steeg" if up else "daalde"
    return f"In {y1} {verb} {label[:1].lower() + label[1:]} van {a} ({y0}) naar {b} ({stats})."


def _two_years(result, tr2, labels, units, val, lang, method) -> list[Finding]:  # type: ignore[no-untyped-def]
    """Indicators with too few years for a trend: the change between the measurements."""
    yoy = _yoy(result, method)
    out = []
    for _, r in tr2.iterrows():
        ind = str(r["indicator"])
        c = yoy[(yoy["indicator"] == ind) & (yoy["year"] == r["last_year"])]
        years = f"{int(r['first_year'])} {'and' if lang == 'en' else 'en'} {int(r['last_year'])}"
        sig = bool(c["significant"].iloc[0]) if len(c) else False
        ch = i18n.diff(float(r["change"]), units.get(ind, "%"), lang)
        if lang == "en":
            text = (
                f"{labels[ind]}: measured in {years} only, too few years for a trend; "
                f"{val(ind, int(r['first_year']))} and {val(ind, int(r['last_year']))} "
                f"({ch}, {'a significant' if sig else 'not a significant'} change)."
            )
        else:
            text = (
                f"{labels[ind]}: alleen gemeten in {years}, te weinig jaren voor een trend; "
                f"{val(ind, int(r['first_year']))} en {val(ind, int(r['last_year']))} "
                f"({ch}, {'een' if sig else 'geen'} significant verschil)."
            )
        src = _src("trends", tr2.loc[[r.name]]) + _src("comparisons", c)
        out.append(Finding("two_years", text, src, ind, anchor("ind", ind)))
    return out


def _latest_changes(result, heads, labels, units, lang, method) -> list[Finding]:  # type: ignore[no-untyped-def]
    """Significant changes in the latest year against the previous measured year."""
    yoy = _yoy(result, method)
    yoy = yoy[yoy["indicator"].isin(heads) & yoy["significant"].astype(bool)]
    last = result.estimates.groupby("indicator")["year"].max()
    yoy = yoy[yoy["year"] == yoy["indicator"].map(last)]
    # two-year indicators already have their change written
    two = result.trends[result.trends["slope"].isna() & (result.trends["breakdown"] == "all")]
    yoy = yoy[~yoy["indicator"].isin(two["indicator"])]
    return [
        Finding(
            "latest_change",
            _change_text(r, labels[str(r["indicator"])], units.get(str(r["indicator"]), "%"), lang),
            _src("comparisons", yoy.loc[[i]]),
            str(r["indicator"]),
            anchor("ind", str(r["indicator"])),
        )
        for i, r in yoy.iterrows()
    ]


def _breaks(result, tr, heads, labels, units, lang) -> list[Finding]:  # type: ignore[no-untyped-def]
    """Whether a change of slope at the break year is supported, per headline indicator."""
    alpha = result.spec.alpha
    b = tr[tr["indicator"].isin(heads) & tr["slope_change"].notna() & tr["break_year"].notna()]
    out = []
    for _, r in b.iterrows():
        ind, k = str(r["indicator"]), int(r["break_year"])
        p = float(r["slope_change_p"])
        ch = i18n.slope(float(r["slope_change"]), units.get(ind, "%"), lang)
        pv = i18n.pvalue(p, lang)
        if lang == "en":
            text = (
                f"{labels[ind]}: a trend break in {k} is supported (slope changed by {ch} per "
                f"year; {pv})."
                if p < alpha
                else f"{labels[ind]}: no evidence of a trend break in {k} (slope change {ch} per "
                f"year; {pv})."
            )
        else:
            text = (
                f"{labels[ind]}: een trendbreuk in {k} wordt ondersteund (de helling veranderde "
                f"met {ch} per jaar; {pv})."
                if p < alpha
                else f"{labels[ind]}: geen aanwijzing voor een trendbreuk in {k} "
                f"(verandering van de helling {ch} per jaar; {pv})."
            )
        out.append(
            Finding("trend_break", text, _src("trends", b.loc[[r.name]]), ind, anchor("ind", ind))
        )
    return out


def _lagging(result, labels, units, lang, method) -> list[Finding]:  # type: ignore[no-untyped-def]
    """Groups behind the rest of their breakdown with a relatively large effect, latest year."""
    spec = result.spec
    c = result.comparisons
    last = result.estimates.groupby("indicator")["year"].max()
    c = c[
        (c["comparison"] == "group_vs_rest")
        & (c["method"] == method)
        & ~c["suppressed"].astype(bool)
        & c["significant"].astype(bool)
        & (c["difference"] < 0)
        & (c["d"].abs() >= spec.effect_size_threshold)
        & c["indicator"].isin(labels)
    ]
    c = c[c["year"] == c["indicator"].map(last)]
    blabels = {b.id: b.label.get(lang) for b in spec.breakdowns}
    order = {k: n for n, k in enumerate(labels)}
    groups = c.groupby(["breakdown", "group"], sort=False)
    ranked = sorted(groups, key=lambda kv: (-len(kv[1]), float(kv[1]["d"].min())))
    thr = i18n.num(spec.effect_size_threshold, 2, lang)
    out = []
    for (bd, g), t in ranked[:MAX_LAGGING]:
        t = t.assign(_o=t["indicator"].map(order)).sort_values("_o")
        who = f"{blabels.get(str(bd), bd)}: {i18n.group_label(str(bd), str(g), lang)}"
        parts = []
        for _, r in t.iterrows():
            ind = str(r["indicator"])
            dif = i18n.diff(float(r["difference"]), units.get(ind, "%"), lang)
            name = labels[ind][:1].lower() + labels[ind][1:]
            parts.append(f"{name} ({dif}, d = {i18n.num(float(r['d']), 2, lang)})")
        year = int(t["year"].max())
        if lang == "en":
            text = f"{who} lags behind the other groups in {year} on " + "; ".join(parts) + "."
        else:
            text = (
                f"{who} blijft in {year} achter bij de andere groepen op " + "; ".join(parts) + "."
            )
        out.append(
            Finding("lagging_group", text, _src("comparisons", t.drop(columns="_o")), None,
                    anchor("sub", str(bd), str(g)))
        )  # fmt: skip
    if not out:
        text = (
            f"No group lags behind the rest of its breakdown with a relatively large effect "
            f"(Cohen's d \u2265 {thr}) in the latest year."
            if lang == "en"
            else f"Geen groep blijft in het laatste jaar met een relatief groot effect "
            f"(Cohen's d \u2265 {thr}) achter bij de rest van de indeling."
        )
        out.append(Finding("lagging_group", text, ()))
    elif len(ranked) > MAX_LAGGING:
        more = len(ranked) - MAX_LAGGING
        text = (
            f"{more} more groups lag with d \u2265 {thr}; see the subgroup table."
            if lang == "en"
            else f"Nog {more} groepen blijven achter met d \u2265 {thr}; zie de tabel per groep."
        )
        out.append(Finding("lagging_group", text, ()))
    return out


MAX_DIVERGING = 4  # groups named per indicator


def _diverging(result, heads, labels, units, lang, method) -> list[Finding]:  # type: ignore[no-untyped-def]
    """Groups whose trend differs significantly from the rest's (slope difference), per headline
    indicator; groups with a suppressed year are left out."""
    spec = result.spec
    tr = result.trends
    est = result.estimates
    hidden = set(
        zip(
            *(
                est.loc[est["suppressed"].astype(bool), c]
                for c in ("indicator", "breakdown", "group")
            ),
            strict=True,
        )
    )
    t = tr[
        (tr["method"] == method)
        & (tr["breakdown"] != "all")
        & tr["indicator"].isin(heads)
        & (tr["diff_vs_rest_p"] < spec.alpha)
    ]
    keep = [k not in hidden for k in zip(t["indicator"], t["breakdown"], t["group"], strict=True)]
    t = t.loc[np.asarray(keep, dtype=bool)]
    blabels = {b.id: b.label.get(lang) for b in spec.breakdowns}
    out = []
    for ind in [h for h in heads if h in set(t["indicator"])]:
        ti = t[t["indicator"] == ind]
        ti = ti.reindex(ti["diff_vs_rest"].abs().sort_values(ascending=False).index)
        shown = ti.iloc[:MAX_DIVERGING]
        u = units.get(ind, "%")
        per = "per year" if lang == "en" else "per jaar"
        parts = [
            f"{blabels.get(str(r['breakdown']), r['breakdown'])}: "
            f"{i18n.group_label(str(r['breakdown']), str(r['group']), lang)} "
            f"({i18n.slope(float(r['diff_vs_rest']), u, lang)} {per}; "
            f"{i18n.pvalue(float(r['diff_vs_rest_p']), lang)})"
            for _, r in shown.iterrows()
        ]
        more = len(ti) - len(shown)
        tail = (f"; +{more} more" if lang == "en" else f"; nog {more}") if more > 0 else ""
        if lang == "en":
            text = (
                f"{labels[ind]}: the trend of these groups differs significantly from the rest of "
                f"their breakdown (slope difference): " + "; ".join(parts) + tail + "."
            )
        else:
            text = (
                f"{labels[ind]}: de trend van deze groepen wijkt significant af van die van de "
                f"rest van hun indeling (verschil in helling): " + "; ".join(parts) + tail + "."
            )
        out.append(Finding("diverging_trend", text, _src("trends", shown), ind, anchor("ind", ind)))
    return out


def _suppressed(result: MonitorResult, lang: Lang) -> list[Finding]:
    est = result.estimates
    s = est[est["suppressed"].astype(bool)]
    if s.empty:
        return []
    spec = result.spec
    blabels = {b.id: b.label.get(lang) for b in spec.breakdowns}
    groups = list(dict.fromkeys(zip(s["breakdown"], s["group"], strict=True)))
    names = ", ".join(
        f"{blabels.get(str(b), b)}: {i18n.group_label(str(b), str(g), lang)}" for b, g in groups[:5]
    )
    more = f" (+{len(groups) - 5})" if len(groups) > 5 else ""
    n = spec.publication_threshold
    text = (
        f"{len(s)} of {len(est)} estimates rest on fewer than {n} respondents and are not "
        f"published (shown as {i18n.SUPPRESSED}): {names}{more}."
        if lang == "en"
        else f"{len(s)} van de {len(est)} schattingen berusten op minder dan {n} respondenten en "
        f"worden niet gepubliceerd (weergegeven als {i18n.SUPPRESSED}): {names}{more}."
    )
    return [Finding("suppressed", text, _src("estimates", s))]
