"""The article's Table 1 layout: indicators as rows, years as columns, B and markers.

Table 1a is learning behaviour (participation), Table 1b the stimulating factors; each cell is
the all-employees cell of :func:`leercultuur.report._tables.indicator_tables` (same markers),
printed as the article prints it (percentages without decimals).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from leercultuur.monitor import MonitorResult
from leercultuur.report import _i18n as i18n
from leercultuur.report._i18n import Lang
from leercultuur.report._tables import EMPTY, Cell, IndicatorTable, Method, indicator_tables


@dataclass(frozen=True)
class ArticleRow:
    indicator: str
    label: str
    unit: str
    cells: tuple[Cell, ...]  # one per year of the table (EMPTY where not measured)
    trend: Cell

    def texts(self, lang: Lang) -> list[str]:
        """The row as printed: percentages without decimals (as the article), scale means with
        two; B with one decimal (percentage points) or three (means)."""
        return [*(_article_value(c, self.unit, lang) for c in self.cells),
                _article_trend(self.trend, self.unit, lang)]  # fmt: skip


@dataclass(frozen=True)
class ArticleTable:
    """The article's Table 1 layout: indicators as rows, years as columns, B and markers."""

    key: str  # "learning" or "factors"
    number: str  # "1a"
    title: str
    years: tuple[int, ...]
    rows: tuple[ArticleRow, ...]
    n: tuple[int | None, ...]  # respondents per year (unweighted, all employees)
    footnotes: tuple[str, ...]

    @property
    def has_n(self) -> bool:
        """Whether the result records respondents for any year of the table (every monitor run
        does; a result built by hand may not, and then the row is left out, not shown empty)."""
        return any(k is not None for k in self.n)

    def headers(self, lang: Lang) -> list[str]:
        trend = f"{len(self.years) - 1}-{'year trend' if lang == 'en' else 'jaartrend'} B"
        return ["", *map(str, self.years), trend]

    def to_frame(self, lang: Lang) -> pd.DataFrame:
        data = [[r.label, *r.texts(lang)] for r in self.rows]
        if self.has_n:
            n_label = "Respondents (n)" if lang == "en" else "Respondenten (n)"
            data.append([n_label, *("" if k is None else i18n.num(k, 0, lang) for k in self.n), ""])
        return pd.DataFrame(data, columns=self.headers(lang))


def _article_value(c: Cell, unit: str, lang: Lang) -> str:
    if c.suppressed:
        return i18n.SUPPRESSED
    if c.value is None:
        return ""
    body = i18n.num(c.value, 0, lang) + "%" if unit == "%" else i18n.num(c.value, 2, lang)
    return body + c.marker


def _article_trend(c: Cell, unit: str, lang: Lang) -> str:
    if c.suppressed:
        return i18n.SUPPRESSED
    if c.value is None:
        return ""
    body = i18n.num(c.value, 1, lang) + "%" if unit == "%" else i18n.num(c.value, 3, lang)
    return body + c.marker


_ARTICLE_GROUPS: tuple[tuple[str, str, tuple[str, str], tuple[str, ...]], ...] = (
    ("learning", "1a", ("Leergedrag", "Learning behaviour"), ("participation",)),
    (
        "factors", "1b", ("Stimulerende factoren", "Stimulating factors"),
        ("variation", "autonomy", "support"),
    ),
)  # fmt: skip


def article_tables(
    result: MonitorResult, *, lang: Lang = "nl", method: Method | None = None
) -> list[ArticleTable]:
    """Table 1a (learning behaviour) and 1b (stimulating factors) as the article lays them out,
    from the same cells as :func:`indicator_tables` (all employees' rows)."""
    lang = i18n.check_lang(lang)
    tables = {t.indicator: t for t in indicator_tables(result, lang=lang, method=method)}
    domains = {i.id: i.domain for i in result.spec.indicators}
    known = {d for _, _, _, ds in _ARTICLE_GROUPS for d in ds}
    groups = list(_ARTICLE_GROUPS)
    other = tuple(sorted({domains[i] for i in tables} - known))
    if other:
        groups.append(("other", "1c", ("Overige indicatoren", "Other indicators"), other))
    rows_per_year = result.manifest.get("rows_per_year") or {}
    out = []
    for key, number, title, doms in groups:
        ts = [t for i, t in tables.items() if domains.get(i) in doms]
        if not ts:
            continue
        years = tuple(sorted({y for t in ts for y in t.years}))
        rows = []
        for t in ts:
            cells = dict(zip(t.years, t.rows[0].cells, strict=True))
            rows.append(
                ArticleRow(
                    t.indicator,
                    t.label,
                    t.unit,
                    tuple(cells.get(y, EMPTY) for y in years),
                    t.rows[0].trend,
                )
            )
        n = tuple(int(rows_per_year[str(y)]) if str(y) in rows_per_year else None for y in years)
        span = f"{years[0]}\u2013{years[-1]}"
        ttl = title[lang == "en"]
        ttl += f": {len(years) - 1}-{'year trend' if lang == 'en' else 'jaartrend'} B, {span}"
        notes = _article_notes(result, ts, lang, with_n=any(k is not None for k in n))
        out.append(ArticleTable(key, number, ttl, years, tuple(rows), n, notes))
    return out


def _article_notes(
    result: MonitorResult, ts: list[IndicatorTable], lang: Lang, *, with_n: bool
) -> tuple[str, ...]:
    s = result.spec
    a, d = i18n.num(s.alpha, 2, lang), i18n.num(s.effect_size_threshold, 2, lang)
    two = [t.label for t in ts if not t.has_trend]
    if lang == "en":
        notes = [
            f"* p < {a} and Cohen's d < {d}; ** p < {a} and Cohen's d \u2265 {d}. At a year: the "
            "change from the previous measured year; at B: the trend over the period.",
            "B: change per year (percentage points for percentages), linear regression on year, "
            "computed from the unrounded figures. Percentages are shown without decimals, as in "
            "the article; the tables per indicator give one decimal.",
            "Respondents (n): everyone in that year's file; items asked of half of the sample "
            "(split design since 2022) rest on about half of them.",
        ]
        if not with_n:
            notes.pop()
        if two:
            notes.append(f"Measured in two years only (no trend): {', '.join(two)}.")
    else:
        notes = [
            f"* p < {a} en Cohen's d < {d}; ** p < {a} en Cohen's d \u2265 {d}. Bij een jaar: "
            "de verandering ten opzichte van het vorige meetjaar; bij B: de trend over de periode.",
            "B: verandering per jaar (in procentpunten bij percentages), lineaire regressie op "
            "jaar, berekend op de onafgeronde cijfers. Percentages staan zoals in het artikel "
            "zonder decimalen; de tabellen per indicator geven één decimaal.",
            "Respondenten (n): iedereen in het bestand van dat jaar; vragen die aan de helft van "
            "de steekproef zijn gesteld (split design sinds 2022) berusten op ongeveer de helft.",
        ]
        if not with_n:
            notes.pop()
        if two:
            notes.append(f"Alleen in twee jaren gemeten (geen trend): {', '.join(two)}.")
    return tuple(notes)
