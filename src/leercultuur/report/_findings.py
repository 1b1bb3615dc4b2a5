"""Key findings written like the article, each traceable to the table rows it rests on.

Sentences are about people ("Het aandeel werknemers dat ...", "Laagopgeleide werknemers blijven
... achter"), hedged by effect size ("licht" when Cohen's d is below the spec's threshold) and by
evidence: a trend break is only claimed when the change of slope at the break year is significant
*and* has held for at least two later measured years; otherwise the finding says it is too early
to speak of a trend break. One finding per group, naming at most three indicators (the largest
gaps) with a link to the group's row in Table 2; the spec's risk groups are always reported.

Every :class:`Finding` lists its ``sources`` (table, row, key) and the ``indicators`` it names.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from leercultuur.monitor import MonitorResult
from leercultuur.report import _i18n as i18n
from leercultuur.report._i18n import Lang
from leercultuur.report._labels import Labels, cap, lower_first
from leercultuur.report._tables import Method, anchor, clean, resolve_method

FindingKind = Literal[
    "trend",
    "two_years",
    "risk_group",
    "lagging_group",
    "more_groups",
    "diverging_trend",
    "suppressed",
]
MAX_NAMED = 3  # indicators named in one finding
MAX_OTHER_GROUPS = 5  # lagging groups (besides the risk groups) with a finding of their own
MIN_YEARS_AFTER_BREAK = 2  # a trend break must hold for this many later measured years


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
    indicators: tuple[str, ...] = ()  # the indicators the text names (at most three)

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


def _comma(subject: str, lang: Lang) -> str:
    """A Dutch subject that ends in a relative clause takes a comma before the verb
    (``Het aandeel werknemers dat een cursus volgde, is ...``)."""
    if lang == "nl" and any(f" {w} " in subject for w in ("dat", "die", "wie")):
        return subject + ","
    return subject


def _and(items: list[str], lang: Lang) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (" and " if lang == "en" else " en ") + items[-1]


class _Writer:
    """Shared lookups of one result in one edition."""

    def __init__(self, result: MonitorResult, lang: Lang, method: Method) -> None:
        self.result, self.lang, self.method = result, lang, method
        self.en = lang == "en"
        self.spec = result.spec
        self.names = Labels(result, lang)
        est = result.estimates
        self.units = est.drop_duplicates("indicator").set_index("indicator")["unit"].to_dict()
        self.all = est[est["breakdown"] == "all"].set_index(["indicator", "year"])["estimate"]
        self.last = est.groupby("indicator")["year"].max()
        self.thr = self.spec.effect_size_threshold
        c = result.comparisons
        self.comp = c[(c["method"] == method) & ~c["suppressed"].astype(bool)]

    def val(self, ind: str, year: int) -> str:
        v = self.all.get((ind, year), np.nan)
        return i18n.value(float(v), self.units.get(ind, "%"), self.lang)

    def small(self, d: float) -> bool:
        return bool(abs(d) < self.thr)

    def w(self, nl: str, en: str) -> str:
        return en if self.en else nl


def findings(
    result: MonitorResult, *, lang: Lang = "nl", method: Method | None = None
) -> list[Finding]:
    """The written key findings, in reading order (markers and tests of ``method``; by default
    the method the result was computed with)."""
    lang = i18n.check_lang(lang)
    method = resolve_method(result, method)
    result = clean(result)
    wr = _Writer(result, lang, method)
    spec = result.spec
    have = set(result.estimates["indicator"])
    heads = [i.id for i in spec.indicators if i.headline and i.id in have]
    heads = heads or [i.id for i in spec.indicators if i.id in have][:4]
    tr = result.trends
    tr = tr[(tr["method"] == method) & (tr["breakdown"] == "all")]
    out: list[Finding] = []
    for ind in heads:
        row = tr[tr["indicator"] == ind].iloc[:1]
        if row.empty:
            continue
        out.append(_indicator(wr, ind, row) if row["slope"].notna().iloc[0] else _two(wr, ind, row))
    out += _groups(wr)
    out += _diverging(wr, heads)
    out += _suppressed(wr)
    return out


def _yoy(wr: _Writer, ind: str, year: int) -> pd.DataFrame:
    c = wr.comp
    return c[
        (c["comparison"] == "year_on_year") & (c["breakdown"] == "all")
        & (c["indicator"] == ind) & (c["year"] == year)
    ]  # fmt: skip


def _indicator(wr: _Writer, ind: str, tr: pd.DataFrame) -> Finding:
    """Level in the latest year and its change, the trend over the period, and the trend break."""
    r = tr.iloc[0]
    u = wr.units.get(ind, "%")
    subject = _comma(wr.names.subject(ind), wr.lang)
    first, last = int(r["first_year"]), int(r["last_year"])
    years = sorted(int(y) for y in wr.all.loc[ind].index)
    prev = years[-2] if len(years) > 1 else None
    sentences = []
    sources = _src("trends", tr)
    yoy = _yoy(wr, ind, last) if prev is not None else pd.DataFrame()
    if len(yoy):
        c = yoy.iloc[0]
        sources += _src("comparisons", yoy)
    if prev is not None and len(yoy) and bool(c["significant"]):
        up = float(c["difference"]) > 0
        licht = wr.w("licht ", "slightly ") if wr.small(float(c["d"])) else ""
        verb = wr.w("gestegen" if up else "gedaald", "rose" if up else "fell")
        sentences.append(
            wr.w(
                f"{subject} is in {last} {licht}{verb} ten opzichte van {prev}: van "
                f"{wr.val(ind, prev)} naar {wr.val(ind, last)}.",
                f"{subject} {verb}{' slightly' if licht else ''} in {last} compared with "
                f"{prev}: from {wr.val(ind, prev)} to {wr.val(ind, last)}.",
            )
        )
    elif prev is not None:
        sentences.append(
            wr.w(
                f"{subject} was in {last} {wr.val(ind, last)}, vrijwel gelijk aan {prev} "
                f"({wr.val(ind, prev)}).",
                f"{subject} was {wr.val(ind, last)} in {last}, about the same as in {prev} "
                f"({wr.val(ind, prev)}).",
            )
        )
    span = f"{first}\u2013{last}"
    slope = i18n.slope(float(r["slope"]), u, wr.lang)
    per = wr.w("per jaar", "per year")
    if bool(r["significant"]):
        up = float(r["slope"]) > 0
        licht = wr.w("licht ", "slightly ") if wr.small(float(r["d"])) else ""
        trend = wr.w("stijgend" if up else "dalend", "rising" if up else "falling")
        sentences.append(
            wr.w(
                f"De trend over {span} is {licht}{trend} (B = {slope} {per}; "
                f"{wr.val(ind, first)} in {first}).",
                f"The trend over {span} is {licht}{trend} (B = {slope} {per}; "
                f"{wr.val(ind, first)} in {first}).",
            )
        )
    else:
        sentences.append(
            wr.w(
                f"De trend over {span} is vlak: geen significante verandering (B = {slope} {per}).",
                f"The trend over {span} is flat: no significant change (B = {slope} {per}).",
            )
        )
    brk = _break(wr, ind, r, years)
    if brk:
        sentences.append(brk)
    return Finding("trend", " ".join(sentences), sources, ind, anchor("ind", ind), (ind,))


def _break(wr: _Writer, ind: str, r: pd.Series, years: list[int]) -> str:
    """The article's caution: a break is only claimed when the slope change is significant and
    the new direction has held for at least two later measured years. Said only when the latest
    years go against the trend (or the slope change is significant)."""
    if pd.isna(r.get("break_year")) or pd.isna(r.get("slope_change")):
        return ""
    k = int(r["break_year"])
    after = [y for y in years if y > k]
    sig = float(r["slope_change_p"]) < wr.spec.alpha
    change = float(r["slope_change"])
    turn = np.sign(change) != np.sign(float(r["slope"])) and len(after) > 0
    if not (sig or turn):
        return ""
    # held: at least two later measured years, each a significant year-on-year change in the
    # new direction (a single good year, or a flat year after it, is not yet a break)
    yoy = wr.comp[
        (wr.comp["comparison"] == "year_on_year") & (wr.comp["breakdown"] == "all")
        & (wr.comp["indicator"] == ind) & (wr.comp["year"] > k)
    ]  # fmt: skip
    steps = {int(y): (bool(sg), float(df)) for y, sg, df in
             zip(yoy["year"], yoy["significant"], yoy["difference"], strict=True)}  # fmt: skip
    held = len(after) >= MIN_YEARS_AFTER_BREAK and all(
        steps.get(y, (False, 0.0))[0] and np.sign(steps[y][1]) == np.sign(change) for y in after
    )
    if sig and held:
        ch = i18n.slope(change, wr.units.get(ind, "%"), wr.lang)
        return wr.w(
            f"De trend is sinds {k} omgebogen: de helling veranderde met {ch} per jaar, en dat "
            f"houdt {len(after)} jaar aan.",
            f"The trend has turned since {k}: the slope changed by {ch} per year, and this has "
            f"held for {len(after)} years.",
        )
    return wr.w(
        "Het is nog te vroeg om van een trendbreuk te spreken.",
        "It is too early to speak of a trend break.",
    )


def _two(wr: _Writer, ind: str, tr: pd.DataFrame) -> Finding:
    """Too few measurements for a trend: the two levels and whether they differ."""
    r = tr.iloc[0]
    subject = _comma(wr.names.subject(ind), wr.lang)
    y0, y1 = int(r["first_year"]), int(r["last_year"])
    yoy = _yoy(wr, ind, y1)
    sources = _src("trends", tr) + _src("comparisons", yoy)
    sig = bool(yoy["significant"].iloc[0]) if len(yoy) else False
    if sig:
        c = yoy.iloc[0]
        up = float(c["difference"]) > 0
        licht = wr.w("licht ", "slightly ") if wr.small(float(c["d"])) else ""
        how = wr.w(
            f"{licht}{'hoger' if up else 'lager'} dan in {y0} ({wr.val(ind, y0)})",
            f"{licht}{'higher' if up else 'lower'} than in {y0} ({wr.val(ind, y0)})",
        )
    else:
        how = wr.w(
            f"ongeveer gelijk aan {y0} ({wr.val(ind, y0)})",
            f"about the same as in {y0} ({wr.val(ind, y0)})",
        )
    text = wr.w(
        f"{subject} was in {y1} {wr.val(ind, y1)}, {how}. De vraag is alleen in {y0} en {y1} "
        "gesteld: te weinig metingen voor een trend.",
        f"{subject} was {wr.val(ind, y1)} in {y1}, {how}. The question was asked in {y0} and "
        f"{y1} only: too few measurements for a trend.",
    )
    return Finding("two_years", text, sources, ind, anchor("ind", ind), (ind,))


def _groups(wr: _Writer) -> list[Finding]:
    """One finding per group: the risk groups always, then the groups that lag with a
    relatively large effect (most such gaps first), each naming its three largest gaps."""
    spec = wr.spec
    c = wr.comp
    c = c[(c["comparison"] == "group_vs_rest") & c["indicator"].isin(wr.units)]
    c = c[c["year"] == c["indicator"].map(wr.last)]
    lag = c[c["significant"].astype(bool) & (c["difference"] < 0)]
    est = wr.result.estimates
    present = set(zip(est["breakdown"].astype(str), est["group"].astype(str), strict=True))
    risks = [tuple(r.split(":", 1)) for r in spec.risk_groups]
    risks = [(b, g) for b, g in risks if (b, g) in present]
    out = [_group(wr, b, g, lag, c, risk=True) for b, g in risks]
    large = lag[lag["d"].abs() >= wr.thr]
    counts = large.groupby(["breakdown", "group"], sort=False)["d"].agg(["size", "min"])
    counts = counts.sort_values(["size", "min"], ascending=[False, True])
    others = [k for k in counts.index if k not in set(risks)]
    out += [_group(wr, str(b), str(g), lag, c, risk=False) for b, g in others[:MAX_OTHER_GROUPS]]
    rest = others[MAX_OTHER_GROUPS:]
    if rest:
        names = [wr.names.people(str(b), str(g)) for b, g in rest]
        shown = _and(names[:4], wr.lang) + (
            wr.w(" en anderen", " and others") if len(rest) > 4 else ""
        )
        out.append(
            Finding(
                "more_groups",
                wr.w(
                    f"Andere groepen blijven ook achter met een relatief groot effect, onder meer "
                    f"{shown}; zie tabel 2.",
                    f"Other groups also lag with a relatively large effect, among them {shown}; "
                    "see table 2.",
                ),
                _src("comparisons", large[[(str(b), str(g)) in set(rest) for b, g in
                                           zip(large["breakdown"], large["group"], strict=True)]]),
                None, "subgroups",
            )
        )  # fmt: skip
    if not risks and not others:
        out.append(
            Finding(
                "lagging_group",
                wr.w(
                    "Geen groep blijft in het laatste meetjaar met een relatief groot effect "
                    f"(Cohen's d \u2265 {i18n.num(wr.thr, 2, wr.lang)}) achter bij de rest.",
                    "No group lags behind the rest with a relatively large effect (Cohen's d "
                    f"\u2265 {i18n.num(wr.thr, 2, wr.lang)}) in the latest measured year.",
                ),
                (),
            )
        )
    return out


def _group(
    wr: _Writer, bd: str, g: str, lag: pd.DataFrame, comp: pd.DataFrame, *, risk: bool
) -> Finding:
    mine = lag[(lag["breakdown"] == bd) & (lag["group"] == g)].sort_values("d")
    tested = comp[(comp["breakdown"] == bd) & (comp["group"] == g)]
    who = cap(wr.names.people(bd, g))
    kind: FindingKind = "risk_group" if risk else "lagging_group"
    link = anchor("sub", bd, g)
    if tested.empty:
        text = wr.w(
            f"{who} zijn met minder dan {wr.spec.publication_threshold} respondenten te weinig "
            "voor gepubliceerde cijfers.",
            f"{who} are too few (fewer than {wr.spec.publication_threshold} respondents) for "
            "published figures.",
        )
        return Finding(kind, text, (), None, link)
    if mine.empty:
        text = wr.w(
            f"{who} blijven in het laatste meetjaar op geen enkele indicator significant achter "
            "bij de andere werknemers.",
            f"{who} do not lag significantly behind the other employees on any indicator in the "
            "latest measured year.",
        )
        return Finding(kind, text, _src("comparisons", tested), None, link)
    top = mine.iloc[:MAX_NAMED]
    parts = []
    for _, r in top.iterrows():
        ind = str(r["indicator"])
        d = i18n.diff(float(r["difference"]), wr.units.get(ind, "%"), wr.lang)
        light = wr.w(", licht", ", slight") if wr.small(float(r["d"])) else ""
        parts.append(f"'{lower_first(wr.names.indicator(ind))}' ({d}{light})")
    all_small = all(wr.small(float(x)) for x in mine["d"])
    year = int(top["year"].max())
    licht = wr.w(" licht", " slightly") if all_small else ""
    first = wr.w(
        f"{who} blijven in {year}{licht} achter bij de andere werknemers, het duidelijkst bij "
        f"{_and(parts, wr.lang)}.",
        f"{who} lag{licht} behind the other employees in {year}, most clearly on "
        f"{_and(parts, wr.lang)}.",
    )
    m = len(tested["indicator"].unique())
    second = wr.w(
        f"De achterstand geldt voor {len(mine)} van de {m} indicatoren; zie tabel 2.",
        f"The gap holds for {len(mine)} of the {m} indicators; see table 2.",
    )
    ids = tuple(str(i) for i in top["indicator"])
    return Finding(kind, f"{first} {second}", _src("comparisons", mine), None, link, ids)


MAX_DIVERGING = 3  # groups named per indicator


def _diverging(wr: _Writer, heads: list[str]) -> list[Finding]:
    """Groups whose trend differs significantly from the rest's, per headline indicator; groups
    with a suppressed year are left out."""
    est = wr.result.estimates
    hidden = set(
        zip(
            *(
                est.loc[est["suppressed"].astype(bool), c]
                for c in ("indicator", "breakdown", "group")
            ),
            strict=True,
        )
    )
    tr = wr.result.trends
    t = tr[
        (tr["method"] == wr.method)
        & (tr["breakdown"] != "all")
        & tr["indicator"].isin(heads)
        & (tr["diff_vs_rest_p"] < wr.spec.alpha)
    ]
    keep = [k not in hidden for k in zip(t["indicator"], t["breakdown"], t["group"], strict=True)]
    t = t.loc[np.asarray(keep, dtype=bool)]
    out = []
    for ind in [h for h in heads if h in set(t["indicator"])]:
        ti = t[t["indicator"] == ind]
        ti = ti.reindex(ti["diff_vs_rest"].abs().sort_values(ascending=False).index)
        shown = ti.iloc[:MAX_DIVERGING]
        u = wr.units.get(ind, "%")
        per = wr.w("per jaar", "per year")
        parts = [
            f"{wr.names.people(str(r['breakdown']), str(r['group']))} "
            f"({i18n.slope(float(r['diff_vs_rest']), u, wr.lang)} {per})"
            for _, r in shown.iterrows()
        ]
        more = len(ti) - len(shown)
        tail = (
            wr.w(f"; nog {more} groepen in de tabellen", f"; {more} more in the tables")
            if more > 0
            else ""
        )
        name = lower_first(wr.names.indicator(ind))
        text = wr.w(
            f"De ontwikkeling van '{name}' verloopt bij {_and(parts, wr.lang)} anders dan bij de "
            f"andere werknemers (verschil in trend B){tail}.",
            f"The development of '{name}' differs for {_and(parts, wr.lang)} from that of the "
            f"other employees (difference in trend B){tail}.",
        )
        out.append(
            Finding("diverging_trend", text, _src("trends", shown), ind, anchor("ind", ind), (ind,))
        )
    return out


def _suppressed(wr: _Writer) -> list[Finding]:
    est = wr.result.estimates
    s = est[est["suppressed"].astype(bool)]
    if s.empty:
        return []
    groups = list(
        dict.fromkeys(zip(s["breakdown"].astype(str), s["group"].astype(str), strict=True))
    )
    names = _and([wr.names.people(b, g) for b, g in groups[:3]], wr.lang)
    more = wr.w(f" en {len(groups) - 3} andere groepen", f" and {len(groups) - 3} other groups")
    names += more if len(groups) > 3 else ""
    n = wr.spec.publication_threshold
    text = wr.w(
        f"Schattingen op minder dan {n} respondenten worden niet gepubliceerd (weergegeven als "
        f"{i18n.SUPPRESSED}): {len(s)} van de {len(est)} cellen, bij {names}.",
        f"Estimates resting on fewer than {n} respondents are not published (shown as "
        f"{i18n.SUPPRESSED}): {len(s)} of {len(est)} cells, for {names}.",
    )
    return [Finding("suppressed", text, _src("estimates", s))]
