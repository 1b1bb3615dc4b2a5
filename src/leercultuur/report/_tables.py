"""The article's tables, built from a monitor result (one model for Excel, HTML and snapshots).

* :func:`indicator_tables` - Table 1 per indicator: years across, the estimate with the
  year-on-year marker (``*``/``**`` from the comparisons table), the trend B with its marker and
  the change between first and last year; all employees first, then every breakdown group.
* :func:`subgroup_table` - Table 2: groups down, indicators across, each indicator in its latest
  measured year, with the group-vs-rest marker.
* :func:`association_tables` - the regressions of learning on the stimulating factors.

Suppressed cells (fewer respondents than the publication threshold) keep no value: they show as
``x``. A marker is only shown when neither side of its test is suppressed; a group's trend is
suppressed when any of its years is.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from leercultuur.errors import DataError, check_choice
from leercultuur.monitor import MonitorResult
from leercultuur.report import _i18n as i18n
from leercultuur.report._i18n import Lang
from leercultuur.report._labels import Labels

Method = Literal["design", "classic"]
METHODS: tuple[Method, ...] = ("design", "classic")


@dataclass(frozen=True)
class Cell:
    """One published cell: a value (``None`` when absent or suppressed) and its marker."""

    value: float | None
    marker: str = ""
    suppressed: bool = False

    def text(self, kind: Literal["value", "diff", "slope"], unit: str, lang: Lang) -> str:
        if self.suppressed:
            return i18n.SUPPRESSED
        if self.value is None:
            return ""
        if kind == "value":
            body = i18n.value(self.value, unit, lang)
        elif kind == "slope":
            body = i18n.num(self.value, 2, lang, sign=True) + ("%" if unit == "%" else "")
        else:
            body = i18n.num(self.value, 1 if unit == "%" else 2, lang, sign=True)
        return body + self.marker


EMPTY = Cell(None)


@dataclass(frozen=True)
class Row:
    breakdown: str
    group: str
    label: str
    cells: tuple[Cell, ...]  # one per year of the table
    trend: Cell
    change: Cell

    @property
    def anchor(self) -> str:
        return anchor("est", self.breakdown, self.group)


@dataclass(frozen=True)
class IndicatorTable:
    indicator: str
    label: str
    domain: str
    unit: str
    years: tuple[int, ...]
    rows: tuple[Row, ...]  # all employees first
    has_trend: bool
    footnotes: tuple[str, ...]

    def headers(self, lang: Lang) -> list[str]:
        span = f"{self.years[0]}\u2013{self.years[-1]}"
        return [
            i18n.t("group", lang),
            *map(str, self.years),
            f"{i18n.t('trend_b', lang)}",
            f"{i18n.t('change', lang)} {span}",
        ]

    def to_frame(self, lang: Lang) -> pd.DataFrame:
        """The table as text, as printed (the snapshot tests compare this)."""
        u = self.unit
        data = [
            [
                r.label,
                *(c.text("value", u, lang) for c in r.cells),
                r.trend.text("slope", u, lang),
                r.change.text("diff", u, lang),
            ]
            for r in self.rows
        ]
        return pd.DataFrame(data, columns=self.headers(lang))


def clean(result: MonitorResult) -> MonitorResult:
    """Flags as plain booleans and markers as strings, whatever the tables were read from
    (a missing flag counts as False: not significant, not suppressed)."""

    def fix(df: pd.DataFrame, flags: tuple[str, ...], text: tuple[str, ...]) -> pd.DataFrame:
        new = {
            c: df[c].fillna(False).astype(bool) for c in flags if c in df and df[c].dtype != bool
        }
        new |= {c: df[c].fillna("").astype(str) for c in text if c in df and df[c].isna().any()}
        return df.assign(**new) if new else df

    flags = ("suppressed", "significant")
    fixed = {
        "estimates": fix(result.estimates, flags, ()),
        "comparisons": fix(result.comparisons, flags, ("marker",)),
        "trends": fix(result.trends, flags, ("marker",)),
    }
    if all(fixed[k] is getattr(result, k) for k in fixed):
        return result
    return dataclasses.replace(result, **fixed)


def resolve_method(result: MonitorResult, method: str | None) -> Method:
    """The tests behind the markers: by default the method the result was computed with."""
    have = sorted(
        set(result.comparisons["method"].dropna()) | set(result.trends["method"].dropna())
    )
    if method is None:
        m = result.manifest.get("method")
        method = m if m in METHODS else (have[0] if have else "design")
    check_choice("method", method, METHODS)
    if have and method not in have:
        raise DataError(
            f"the monitor result has no {method!r} tests (it has: {', '.join(have)}); "
            f"run the monitor with that method or leave out --method"
        )
    return "classic" if method == "classic" else "design"


def anchor(*parts: str) -> str:
    return "-".join(p.replace(" ", "_").replace("+", "plus") for p in parts)


def _f(x: object) -> float | None:
    """A float, or None for missing."""
    if x is None or x is pd.NA:
        return None
    v = float(x)  # type: ignore[arg-type]
    return None if math.isnan(v) else v


def _markers(result: MonitorResult, comparison: str, method: Method) -> pd.DataFrame:
    c = result.comparisons
    c = c[(c["comparison"] == comparison) & (c["method"] == method)]
    c = c.assign(marker=c["marker"].fillna("").where(~c["suppressed"].astype(bool), ""))
    return c[["indicator", "breakdown", "group", "year", "marker"]]


def indicator_tables(
    result: MonitorResult, *, lang: Lang = "nl", method: Method | None = None
) -> list[IndicatorTable]:
    """Table 1 for every indicator with estimates, in the spec's order."""
    lang = i18n.check_lang(lang)
    method = resolve_method(result, method)
    result = clean(result)
    spec = result.spec
    est = result.estimates.merge(
        _markers(result, "year_on_year", method),
        on=["indicator", "breakdown", "group", "year"],
        how="left",
    )
    est["marker"] = est["marker"].fillna("")
    # one pass over the tables into plain dicts: cell per (indicator, breakdown, group, year)
    supp = est["suppressed"].astype(bool).to_numpy()
    keys = list(zip(est["indicator"], est["breakdown"], est["group"], strict=True))
    cell_of = {
        (*k, int(y)): Cell(None, "", True) if s_ else Cell(_f(v), str(m))
        for k, y, v, m, s_ in zip(
            keys, est["year"], est["estimate"], est["marker"], supp, strict=True
        )
    }
    any_supp: dict[tuple[str, str, str], bool] = {}
    for k, s_ in zip(keys, supp, strict=True):
        any_supp[k] = any_supp.get(k, False) or bool(s_)
    tr = result.trends
    tr = tr[tr["method"] == method]
    trend_of = {
        k: (_f(sl), "" if mk is None or mk is pd.NA else str(mk), _f(ch))
        for k, sl, mk, ch in zip(
            zip(tr["indicator"], tr["breakdown"], tr["group"], strict=True),
            tr["slope"], tr["marker"], tr["change"], strict=True,
        )
    }  # fmt: skip
    names = Labels(result, lang)
    years_of = est.groupby("indicator")["year"].unique()
    units = est.drop_duplicates("indicator").set_index("indicator")["unit"]
    tables = []
    for ind in spec.indicators:
        if ind.id not in years_of.index:
            continue
        years = tuple(sorted(int(y) for y in years_of[ind.id]))
        unit = str(units[ind.id])
        rows = []
        # the estimates table's order (breakdown, group as the monitor sorted them)
        for key in dict.fromkeys(k for k in keys if k[0] == ind.id):
            _, bd, g = key
            cells = tuple(cell_of.get((*key, y), EMPTY) for y in years)
            trend, change = EMPTY, EMPTY
            if key in trend_of:
                slope, marker, ch = trend_of[key]
                trend = Cell(slope, marker if slope is not None else "", any_supp[key])
                # the change as the table shows it: last minus first displayed (rounded) value
                ch = _shown_change(cells[0], cells[-1], unit) if ch is not None else None
                change = Cell(ch, "", any_supp[key])
            label = names.group(str(bd), str(g))
            if bd != "all":
                label = f"{names.breakdown(str(bd))}: {label}"
            rows.append(Row(str(bd), str(g), label, cells, trend, change))
        rows.sort(key=lambda r: r.breakdown != "all")
        has_trend = rows[0].trend.value is not None
        tables.append(
            IndicatorTable(
                ind.id, ind.label.get(lang), ind.domain, unit, years, tuple(rows), has_trend,
                _footnotes(result, unit, years, has_trend, lang, method),
            )
        )  # fmt: skip
    return tables


def _shown_change(a: Cell, b: Cell, unit: str) -> float | None:
    """``b - a`` from the values as displayed (1 decimal for %, 2 for means), so that a table
    never prints 66,0 -> 70,0 as +3,9."""
    if a.value is None or b.value is None:
        return None
    dec = 1 if unit == "%" else 2
    return round(round(b.value, dec) - round(a.value, dec), dec)


def _footnotes(
    result: MonitorResult, unit: str, years: tuple[int, ...], has_trend: bool, lang: Lang,
    method: Method,
) -> tuple[str, ...]:  # fmt: skip
    s = result.spec
    a = i18n.num(s.alpha, 2, lang)
    d = i18n.num(s.effect_size_threshold, 2, lang)
    n = str(s.publication_threshold)
    test = {
        ("nl", "design"): "toets die rekening houdt met de steekproefopzet: strata en weging",
        ("en", "design"): "design-based test (strata, weights)",
        ("nl", "classic"): "klassieke toets op proportionele gewichten, zoals het artikel",
        ("en", "classic"): "classic test on proportional weights, as in the article",
    }[(lang, method)]
    per = ("%-punt" if lang == "nl" else "percentage points") if unit == "%" else ""
    if lang == "nl":
        notes = [
            f"* p < {a} en Cohen's d < {d}; ** p < {a} en Cohen's d \u2265 {d}; "
            f"bij een jaar: verschil met het vorige gemeten jaar ({test}).",
            f"Trend B: verandering per jaar{' in ' + per if per else ''} (lineaire regressie op "
            f"jaar, {years[0]}\u2013{years[-1]}); het teken bij B volgt dezelfde regel. "
            "Verschil: het laatste min het eerste getoonde (afgeronde) cijfer.",
            f"{i18n.SUPPRESSED}: minder dan {n} respondenten, niet gepubliceerd.",
        ]
        if not has_trend:
            notes.append(
                f"Gemeten in {', '.join(map(str, years))}: te weinig metingen voor een trend; "
                "alleen het verschil tussen de metingen."
            )
    else:
        notes = [
            f"* p < {a} and Cohen's d < {d}; ** p < {a} and Cohen's d \u2265 {d}; "
            f"at a year: change from the previous measured year ({test}).",
            f"Trend B: change per year{' in ' + per if per else ''} (linear regression on year, "
            f"{years[0]}\u2013{years[-1]}); its marker follows the same rule. Change: the last "
            "minus the first displayed (rounded) figure.",
            f"{i18n.SUPPRESSED}: fewer than {n} respondents, not published.",
        ]
        if not has_trend:
            notes.append(
                f"Measured in {', '.join(map(str, years))}: too few measurements for a trend; "
                "only the change between them."
            )
    return tuple(notes)


@dataclass(frozen=True)
class Column:
    indicator: str
    label: str
    unit: str
    year: int


@dataclass(frozen=True)
class SubRow:
    breakdown: str
    group: str
    breakdown_label: str
    label: str
    cells: tuple[Cell, ...]

    @property
    def anchor(self) -> str:
        return anchor("sub", self.breakdown, self.group)


@dataclass(frozen=True)
class SubgroupTable:
    columns: tuple[Column, ...]
    rows: tuple[SubRow, ...]
    footnotes: tuple[str, ...]

    def to_frame(self, lang: Lang) -> pd.DataFrame:
        head = [i18n.t("breakdown", lang), i18n.t("group", lang)]
        head += [f"{c.label} ({c.year})" for c in self.columns]
        data = [
            [r.breakdown_label, r.label]
            + [
                cell.text("value", c.unit, lang)
                for cell, c in zip(r.cells, self.columns, strict=True)
            ]
            for r in self.rows
        ]
        return pd.DataFrame(data, columns=head)


def subgroup_table(
    result: MonitorResult,
    *,
    lang: Lang = "nl",
    method: Method | None = None,
    indicators: list[str] | None = None,
) -> SubgroupTable:
    """Table 2: each group in each indicator's latest measured year, with group-vs-rest markers."""
    lang = i18n.check_lang(lang)
    method = resolve_method(result, method)
    result = clean(result)
    spec = result.spec
    est = result.estimates
    ids = indicators or [i.id for i in spec.indicators]
    latest = est.groupby("indicator")["year"].max()
    cols = tuple(
        Column(i, spec.indicator(i).label.get(lang), _unit(est, i), int(latest[i]))
        for i in ids
        if i in latest.index
    )
    e = est[est["indicator"].isin([c.indicator for c in cols])]
    e = e[e["year"] == e["indicator"].map({c.indicator: c.year for c in cols})]
    e = e.merge(
        _markers(result, "group_vs_rest", method),
        on=["indicator", "breakdown", "group", "year"],
        how="left",
    )
    e["marker"] = e["marker"].fillna("")
    cell_of = {
        (r.breakdown, r.group, r.indicator): Cell(
            None if r.suppressed else _f(r.estimate),
            "" if r.suppressed else str(r.marker),
            bool(r.suppressed),
        )
        for r in e.itertuples(index=False)
    }
    names = Labels(result, lang)
    keys = list(dict.fromkeys(zip(e["breakdown"], e["group"], strict=True)))
    keys.sort(key=lambda k: k[0] != "all")
    rows = tuple(
        SubRow(
            str(bd), str(g), "" if bd == "all" else names.breakdown(str(bd)),
            names.group(str(bd), str(g)),
            tuple(cell_of.get((bd, g, c.indicator), EMPTY) for c in cols),
        )
        for bd, g in keys
    )  # fmt: skip
    s = spec
    a, d = i18n.num(s.alpha, 2, lang), i18n.num(s.effect_size_threshold, 2, lang)
    if lang == "nl":
        notes = (
            f"* p < {a} en Cohen's d < {d}; ** p < {a} en Cohen's d \u2265 {d}: de groep "
            "verschilt van alle andere groepen van dezelfde indeling samen (zelfde jaar).",
            f"{i18n.SUPPRESSED}: minder dan {s.publication_threshold} respondenten, "
            "niet gepubliceerd.",
        )
    else:
        notes = (
            f"* p < {a} and Cohen's d < {d}; ** p < {a} and Cohen's d \u2265 {d}: the group "
            "differs from all other groups of its breakdown together (same year).",
            f"{i18n.SUPPRESSED}: fewer than {s.publication_threshold} respondents, not published.",
        )
    return SubgroupTable(cols, rows, notes)


def _unit(est: pd.DataFrame, ind: str) -> str:
    u = est.loc[est["indicator"] == ind, "unit"]
    return str(u.iloc[0]) if len(u) else "%"


@dataclass(frozen=True)
class AssociationTable:
    outcome: str
    label: str
    years: tuple[int, ...]
    terms: tuple[str, ...]
    term_labels: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]  # per term, per year (coefficient, marker p < alpha)
    n: tuple[int, ...]

    def to_frame(self, lang: Lang) -> pd.DataFrame:
        head = [i18n.t("term", lang), *map(str, self.years)]
        data = [
            [lab, *(c.text("diff", "mean", lang) for c in cs)]
            for lab, cs in zip(self.term_labels, self.cells, strict=True)
        ]
        data.append(["n", *(f"{k:,}".replace(",", "." if lang == "nl" else ",") for k in self.n)])
        return pd.DataFrame(data, columns=head)


def association_tables(result: MonitorResult, *, lang: Lang = "nl") -> list[AssociationTable]:
    """Coefficients (percentage points per unit of the factor) per outcome, years across."""
    spec = result.spec
    a = result.associations
    labels = {i.id: i.label.get(lang) for i in spec.indicators}
    labels["(Intercept)"] = i18n.t("intercept", lang)
    labels |= _control_labels(result, lang)
    out = []
    for outcome in dict.fromkeys(a["outcome"]):
        t = a[a["outcome"] == outcome]
        years = tuple(sorted(int(y) for y in t["year"].unique()))
        terms = tuple(dict.fromkeys(str(x) for x in t["term"]))
        by = {(str(r.term), int(r.year)): r for r in t.itertuples(index=False)}
        cells = tuple(
            tuple(
                EMPTY
                if (term, y) not in by
                else Cell(
                    _f(by[term, y].estimate),
                    "*" if float(by[term, y].p_value) < spec.alpha else "",
                )
                for y in years
            )
            for term in terms
        )
        n = tuple(int(t.loc[t["year"] == y, "n"].max()) for y in years)
        out.append(
            AssociationTable(
                str(outcome), labels.get(str(outcome), str(outcome)), years, terms,
                tuple(labels.get(x, x) for x in terms), cells, n,
            )
        )  # fmt: skip
    return out


def _control_labels(result: MonitorResult, lang: Lang) -> dict[str, str]:
    """Names of the control terms R writes as column + level (``educationmiddle``):
    ``Opleidingsniveau: middelbaar``, from the breakdown whose column the control is."""
    names = Labels(result, lang)
    out: dict[str, str] = {}
    terms = set(str(t) for t in result.associations["term"]) if len(result.associations) else set()
    for b in result.spec.breakdowns:
        if b.column not in result.spec.associations.controls:
            continue
        for term in terms:
            if term.startswith(b.column) and len(term) > len(b.column):
                level = term[len(b.column) :]
                out[term] = f"{b.label.get(lang)}: {names.group(b.id, level).lower()}"
    return out
