"""The HTML report: one self-contained, offline file (CSS inline, charts as inline SVG).

A Content-Security-Policy meta tag forbids every external resource, so the page cannot load
anything from a network even by mistake. Tables have captions and ``<th scope>`` headers,
charts have ``role="img"`` with their data in words, and the page has a skip link, landmarks and
a heading outline.
"""

from __future__ import annotations

import base64
import functools
import io
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from leercultuur import __version__
from leercultuur.monitor import MonitorResult
from leercultuur.report import _i18n as i18n
from leercultuur.report._article import ArticleTable
from leercultuur.report._charts import Chart
from leercultuur.report._findings import Finding
from leercultuur.report._i18n import Lang
from leercultuur.report._labels import Labels
from leercultuur.report._methods_text import (
    REFERENCES,
    known_gaps,
    methods_text,
    provenance,
    report_date,
    source_line,
    synthetic_note,
)
from leercultuur.report._tables import (
    AssociationTable,
    Cell,
    IndicatorTable,
    Row,
    SubgroupTable,
)

_EXTRA: dict[str, tuple[str, str]] = {
    "skip": ("Naar de inhoud", "Skip to content"),
    "kicker": ("Rapportage", "Report"),
    "to_table": ("\u2192 tabel", "\u2192 table"),
    "references": ("Literatuur", "References"),
    "subgroups_intro": (
        "Per indeling: elke groep in het laatste meetjaar met haar 95%-betrouwbaarheidsinterval; "
        "de stippellijn is het cijfer voor alle werknemers. Oranje: significant lager dan de "
        "andere groepen samen; blauw: significant hoger.",
        "Per breakdown: each group in the latest measured year with its 95% confidence "
        "interval; the dashed line is the figure for all employees. Orange: significantly lower "
        "than the other groups together; blue: significantly higher.",
    ),
    "intro": ("Inleiding", "Introduction"),
    "conclusions": ("Conclusies", "Conclusions"),
    "colophon": ("Colofon", "Colophon"),
    "definitions": ("Definities van de indicatoren", "Definitions of the indicators"),
    "appendix": (
        "Bijlage: markeringen die verschillen tussen de twee toetsen",
        "Appendix: markers that differ between the two tests",
    ),
    "article_tables": ("Tabel 1: alle werknemers", "Table 1: all employees"),
    "details_title": ("Tabellen per indicator", "Tables per indicator"),
    "to_rest": ("alle groepen in tabel 2", "all groups in table 2"),
    "associations_intro": (
        "Hoe hangt leren samen met de stimulerende factoren? Coëfficiënten van een lineaire "
        "kansregressie die rekening houdt met de steekproefopzet: het verschil in procentpunten in "
        "de uitkomst per eenheid van de "
        "factor, gecorrigeerd voor de andere factoren en de controlevariabelen. Samenhang is "
        "geen oorzaak.",
        "How is learning associated with the stimulating factors? Coefficients of a "
        "design-based linear probability regression: the difference in percentage points in the "
        "outcome per unit of the factor, adjusted for the other factors and the controls. "
        "Association is not causation.",
    ),
    "footer": (
        "Gemaakt met leercultuur {v}. Cijfers onder {n} respondenten zijn niet gepubliceerd.",
        "Made with leercultuur {v}. Figures below {n} respondents are not published.",
    ),
}
_TAGS: dict[str, tuple[str, str]] = {
    "trend": ("Trend", "Trend"),
    "two_years": ("Twee metingen", "Two measurements"),
    "risk_group": ("Risicogroep", "Risk group"),
    "lagging_group": ("Achterstand", "Lagging group"),
    "more_groups": ("Achterstand", "Lagging groups"),
    "diverging_trend": ("Afwijkende trend", "Diverging trend"),
    "suppressed": ("Niet gepubliceerd", "Not published"),
}


def _texts(lang: Lang, result: MonitorResult) -> dict[str, str]:
    keys = [
        "title", "subtitle", "findings", "contents", "indicators", "subgroups", "associations",
        "methods", "all_groups", "gaps", "provenance",
    ]  # fmt: skip
    out = {k: i18n.t(k, lang) for k in keys}
    out.update({k: v[lang == "en"] for k, v in _EXTRA.items()})
    out["footer"] = out["footer"].format(v=__version__, n=result.spec.publication_threshold)
    if synthetic_note(result, lang):  # no claim that the figures come from the NEA
        out["subtitle"] = (
            "Learning culture in the Netherlands: participation in learning and stimulating "
            "factors, employees; synthetic data shaped like the Netherlands Working Conditions "
            "Survey (NEA)"
            if lang == "en"
            else "Leercultuur in Nederland: deelname aan leren en stimulerende factoren, "
            "werknemers; synthetische gegevens naar het model van de Nationale Enquête "
            "Arbeidsomstandigheden (NEA)"
        )
    return out


# Characters the report uses: Latin-1 plus the typography of the text (thin space, dashes,
# quotes, bullet, arrow, minus, <=, >=, square root).
_FONT_CHARS = [
    *range(0x20, 0x7F), *range(0xA0, 0x100), 0x2009, 0x2012, 0x2013, 0x2014, 0x2018, 0x2019,
    0x201C, 0x201D, 0x2022, 0x2026, 0x2192, 0x2212, 0x221A, 0x2264, 0x2265,
]  # fmt: skip


@functools.cache
def font_css() -> str:
    """@font-face rules embedding DejaVu Sans (the charts' font, shipped with matplotlib) as
    subset WOFF data URLs, so page and charts look the same on every machine, offline."""
    import matplotlib
    from fontTools import subset

    rules = []
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for file, weight in (("DejaVuSans.ttf", 400), ("DejaVuSans-Bold.ttf", 700)):
        opts = subset.Options()
        opts.flavor = "woff"
        opts.layout_features = ["kern", "liga"]
        opts.drop_tables += ["FFTM"]
        font = subset.load_font(str(folder / file), opts)
        sub = subset.Subsetter(opts)
        sub.populate(unicodes=_FONT_CHARS)
        sub.subset(font)
        buf = io.BytesIO()
        font.save(buf)
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        rules.append(
            '@font-face { font-family: "DejaVu Sans"; font-style: normal; '
            f'font-weight: {weight}; src: url(data:font/woff;base64,{data}) format("woff"); }}'
        )
    return "\n".join(rules)


def _marker_title(marker: str, result: MonitorResult, lang: Lang) -> str:
    a = i18n.num(result.spec.alpha, 2, lang)
    d = i18n.num(result.spec.effect_size_threshold, 2, lang)
    if lang == "en":
        size = (
            f"small effect (d < {d})"
            if marker == "*"
            else f"relatively large effect (d \u2265 {d})"
        )
        return f"significant (p < {a}), {size}"
    size = f"klein effect (d < {d})" if marker == "*" else f"relatief groot effect (d \u2265 {d})"
    return f"significant (p < {a}), {size}"


class _CellWriter:
    def __init__(self, result: MonitorResult, lang: Lang) -> None:
        self.lang = lang
        self.titles = {m: _marker_title(m, result, lang) for m in ("*", "**")}
        n = result.spec.publication_threshold
        self.supp = (
            f"fewer than {n} respondents: not published"
            if lang == "en"
            else f"minder dan {n} respondenten: niet gepubliceerd"
        )

    def td(self, cell: Cell, kind: str, unit: str, cls: str = "", mk_title: str = "") -> str:
        c = f' class="{cls}"' if cls else ""
        if cell.suppressed:
            cls2 = f"{cls} supp".strip()
            abbr = f'<abbr class="supp" title="{self.supp}">{i18n.SUPPRESSED}</abbr>'
            return f'<td class="{cls2}">{abbr}</td>'
        if cell.value is None:
            return f"<td{c}></td>"
        body = Cell(cell.value).text(kind, unit, self.lang)  # type: ignore[arg-type]
        mk = ""
        if cell.marker:
            title = escape(mk_title or self.titles.get(cell.marker, ""))
            mk = f'<abbr class="mk" title="{title}">{cell.marker}</abbr>'
        return f"<td{c}>{escape(body)}{mk}</td>"


def _indicator_table(
    t: IndicatorTable, rows: Sequence[Row], caption: str, w: _CellWriter, lang: Lang, prefix: str
) -> Markup:
    heads = t.headers(lang)
    out = [
        '<div class="table-scroll" role="region" tabindex="0" '
        f'aria-label="{escape(caption)}"><table>',
        f"<caption>{escape(caption)}</caption><thead><tr>",
    ]
    out += [f'<th scope="col">{escape(h)}</th>' for h in heads]
    out.append("</tr></thead><tbody>")
    current = "all"
    for r in rows:
        label = r.label
        if r.breakdown != "all":  # a row-group header per breakdown, groups without the prefix
            head, label = r.label.split(": ", 1)
            if r.breakdown != current:
                out.append(
                    f'<tr><th scope="rowgroup" colspan="{len(heads)}">{escape(head)}</th></tr>'
                )
                current = r.breakdown
        cls = ' class="all"' if r.breakdown == "all" else ""
        out.append(f'<tr id="{prefix}-{r.anchor}"{cls}><th scope="row">{escape(label)}</th>')
        out += [w.td(c, "value", t.unit) for c in r.cells]
        out.append(w.td(r.trend, "slope", t.unit, "trend"))
        out.append(w.td(r.change, "diff", t.unit))
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return Markup("".join(out))


def _article_table(t: ArticleTable, w: _CellWriter, lang: Lang) -> Markup:
    cap = f"{i18n.t('table_of', lang)} {t.number}. {t.title}"
    heads = t.headers(lang)
    out = [
        f'<div class="table-scroll" role="region" tabindex="0" aria-label="{escape(cap)}">',
        f'<table class="article"><caption>{escape(cap)}</caption><thead><tr>',
        '<th scope="col">Indicator</th>',
    ]
    out += [f'<th scope="col">{escape(h)}</th>' for h in heads[1:]]
    out.append("</tr></thead><tbody>")
    for r in t.rows:
        out.append(f'<tr><th scope="row"><a href="#ind-{r.indicator}">{escape(r.label)}</a></th>')
        for text in r.texts(lang)[:-1]:
            out.append(_marked_td(text, w))
        out.append(_marked_td(r.texts(lang)[-1], w, "trend"))
        out.append("</tr>")
    if t.has_n:
        n_label = "Respondents (n)" if lang == "en" else "Respondenten (n)"
        out.append(f'<tr class="n"><th scope="row">{n_label}</th>')
        out += [f"<td>{'' if k is None else i18n.num(k, 0, lang)}</td>" for k in t.n]
        out.append("<td></td></tr>")
    out.append("</tbody></table></div>")
    return Markup("".join(out))


def _marked_td(text: str, w: _CellWriter, cls: str = "") -> str:
    """A printed article cell (``52%*``) with its marker as an explained abbreviation."""
    c = f' class="{cls}"' if cls else ""
    body = text.rstrip("*")
    mk = text[len(body) :]
    if mk:
        title = escape(w.titles.get(mk, ""))
        return f'<td{c}>{escape(body)}<abbr class="mk" title="{title}">{mk}</abbr></td>'
    return f"<td{c}>{escape(body)}</td>"


def _subgroup_table(t: SubgroupTable, w: _CellWriter, lang: Lang) -> Markup:
    cap = (
        "Tabel 2. Groepen werknemers: laatste meetjaar, elke groep tegenover de andere groepen "
        "van dezelfde indeling"
        if lang == "nl"
        else "Table 2. Groups of employees: latest measured year, each group against the other "
        "groups of its breakdown"
    )
    out = [
        f'<div class="table-scroll" role="region" tabindex="0" aria-label="{escape(cap)}">',
        f"<table><caption>{escape(cap)}</caption><thead><tr>",
        f'<th scope="col">{i18n.t("group", lang)}</th>',
    ]
    out += [f'<th scope="col">{escape(c.label)} ({c.year})</th>' for c in t.columns]
    out.append("</tr></thead>")
    current = None
    for r in t.rows:
        if r.breakdown != current:
            if current is not None:
                out.append("</tbody>")
            out.append("<tbody>")
            if r.breakdown != "all":
                out.append(
                    f'<tr><th scope="rowgroup" colspan="{len(t.columns) + 1}">'
                    f"{escape(r.breakdown_label)}</th></tr>"
                )
            current = r.breakdown
        cls = ' class="all"' if r.breakdown == "all" else ""
        out.append(f'<tr id="{r.anchor}"{cls}><th scope="row">{escape(r.label)}</th>')
        out += [w.td(c, "value", col.unit) for c, col in zip(r.cells, t.columns, strict=True)]
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return Markup("".join(out))


def _association_table(a: AssociationTable, w: _CellWriter, lang: Lang, alpha: str) -> Markup:
    cap = f"{i18n.t('outcome', lang)}: {a.label}"
    out = [
        f'<div class="table-scroll" role="region" tabindex="0" aria-label="{escape(cap)}">',
        f"<table><caption>{escape(cap)}</caption><thead><tr>",
        f'<th scope="col">{i18n.t("term", lang)}</th>',
    ]
    out += [f'<th scope="col">{y}</th>' for y in a.years]
    out.append("</tr></thead><tbody>")
    for lab, cells in zip(a.term_labels, a.cells, strict=True):
        out.append(f'<tr><th scope="row">{escape(lab)}</th>')
        out += [w.td(c, "slope", "mean", mk_title=f"p < {alpha}") for c in cells]
        out.append("</tr>")
    out.append('<tr><th scope="row">n</th>')
    out += [f"<td>{i18n.num(n, 0, lang)}</td>" for n in a.n]
    out.append("</tr></tbody></table></div>")
    return Markup("".join(out))


def _definitions(result: MonitorResult, lang: Lang) -> Markup:
    from leercultuur.report._definitions import definitions_table

    return definitions_table(result, lang)


def _appendix(result: MonitorResult, lang: Lang, names: Labels) -> Markup:
    from leercultuur.report._definitions import marker_appendix

    return marker_appendix(result, lang, names)


def _subgroup_notes(result: MonitorResult, lang: Lang, names: Labels) -> list[str]:
    """Table 2's footnotes beyond the markers: the combined groups and the CBS education levels."""
    out = []
    for b in result.spec.breakdowns:
        for c in b.combine:
            parts = ", ".join(names.group(b.id, g).lower() for g in c.of)
            out.append(
                f"{c.label.get(lang)}: {parts} together."
                if lang == "en"
                else f"{c.label.get(lang)}: {parts} samen."
            )
    if any(b.id == "education" for b in result.spec.breakdowns):
        out.append(
            "Education level as CBS defines it: low = primary education, vmbo, the first three "
            "years of havo/vwo and mbo level 1; middle = upper havo/vwo and mbo levels 2-4; high "
            "= hbo and university (wo)."
            if lang == "en"
            else "Opleidingsniveau volgens de CBS-indeling: laag = basisonderwijs, vmbo, de eerste "
            "drie leerjaren van havo en vwo en mbo-niveau 1; middelbaar = de bovenbouw van havo "
            "en vwo en mbo-niveau 2 tot en met 4; hoog = hbo en wo."
        )
    return out


_CAPTIONS: dict[str, tuple[str, str]] = {
    "overtime": (
        "{label}: de groepen door de tijd, per indeling één paneel op dezelfde schaal.",
        "{label}: the groups over time, one panel per breakdown on the same scale.",
    ),
    "trend": (
        "{label}: schatting per jaar (lijn) met 95%-betrouwbaarheidsinterval (band).",
        "{label}: estimate per year (line) with 95% confidence interval (band).",
    ),
    "groups": (
        "{label}: elke groep in het laatste meetjaar met 95%-betrouwbaarheidsinterval; de "
        "getallen staan in de tabel per groep.",
        "{label}: each group in the latest measured year with 95% confidence interval; the "
        "numbers are in the table by group.",
    ),
    "associations": (
        "{label}: coëfficiënten met 95%-betrouwbaarheidsinterval, laatste meetjaar.",
        "{label}: coefficients with 95% confidence interval, latest measured year.",
    ),
}


def _caption(kind: str, num: int, label: str, lang: Lang) -> str:
    """A short visible caption; the chart's data in words is its aria-label."""
    word = "Figuur" if lang == "nl" else "Figure"
    return f"{word} {num}. " + _CAPTIONS[kind][lang == "en"].format(label=label)


def render_html(
    result: MonitorResult,
    *,
    lang: Lang,
    tables: list[IndicatorTable],
    subgroups: SubgroupTable,
    associations: list[AssociationTable],
    found: list[Finding],
    charts: dict[str, Chart],
    article: Sequence[ArticleTable] = (),
    texts: dict[str, Markup] | None = None,
) -> str:
    """The report as one HTML string. ``texts`` are the researcher's own sections (intro,
    conclusions, colophon) as safe HTML."""
    pkg = resources.files("leercultuur.report").joinpath("templates")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(pkg.joinpath("report.html.j2").read_text(encoding="utf-8"))
    css = font_css() + "\n" + pkg.joinpath("report.css").read_text(encoding="utf-8")
    w = _CellWriter(result, lang)
    domains: dict[str, dict[str, Any]] = {}
    for t in tables:
        d = domains.setdefault(
            t.domain, {"id": t.domain, "label": i18n.domain_label(t.domain, lang), "entries": []}
        )
        chart = charts.get(f"trend-{t.indicator}")
        num = len([x for dd in domains.values() for x in dd["entries"]]) + 1
        cap = f"{i18n.t('table_of', lang)} A{num}. {t.label}"
        d["entries"].append(
            {
                "id": t.indicator,
                "label": t.label,
                "svg": Markup(chart.svg) if chart else "",
                "caption": _caption("trend", num, t.label, lang) if chart else "",
                "table": _indicator_table(t, t.rows[:1], cap, w, lang, f"ind-{t.indicator}"),
                "groups": _indicator_table(
                    t,
                    t.rows,
                    f"{cap} \u2014 {i18n.t('all_groups', lang).lower()}",
                    w,
                    lang,
                    f"grp-{t.indicator}",
                ),
                "notes": t.footnotes,
            }
        )
    num = len(tables)
    group_charts = []
    for k, c in charts.items():
        if k.startswith("groups-"):
            num += 1
            group_charts.append(
                {"svg": Markup(c.svg), "caption": _caption("groups", num, c.title, lang)}
            )
    time_charts = []
    for k, c in charts.items():
        if k.startswith("overtime-"):
            num += 1
            time_charts.append(
                {"svg": Markup(c.svg), "caption": _caption("overtime", num, c.title, lang)}
            )
    ac = charts.get("associations")
    years = sorted({y for t in tables for y in t.years})
    created = report_date(result)
    source = source_line(result, lang)
    meta = " \u00b7 ".join(x for x in (source, f"leercultuur {__version__}", created) if x)
    synthetic = synthetic_note(result, lang)
    names = Labels(result, lang)
    definitions_html = _definitions(result, lang)
    appendix_html = _appendix(result, lang, names)
    return template.render(
        lang=lang,
        t=_texts(lang, result),
        css=Markup(css),
        software=f"leercultuur {__version__}",
        year_span=f"{years[0]}\u2013{years[-1]}" if years else "",
        meta=meta,
        findings=[
            {"kind": f.kind, "text": f.text, "anchor": f.anchor, "tag": _TAGS[f.kind][lang == "en"]}
            for f in found
        ],
        subgroup_extra=_subgroup_notes(result, lang, names),
        definitions=definitions_html,
        appendix=appendix_html,
        domains=list(domains.values()),
        article=[_article_table(a, w, lang) for a in article],
        article_notes=[a.footnotes for a in article],
        synthetic=synthetic,
        texts={k: (texts or {}).get(k, "") for k in ("intro", "conclusions", "colophon")},
        group_charts=group_charts,
        time_charts=time_charts,
        subgroup_table=_subgroup_table(subgroups, w, lang),
        subgroup_notes=subgroups.footnotes,
        associations=[
            _association_table(a, w, lang, i18n.num(result.spec.alpha, 2, lang))
            for a in associations
        ],
        association_chart=(
            {"svg": Markup(ac.svg), "caption": _caption("associations", num + 1, ac.title, lang)}
            if ac
            else None
        ),
        methods=methods_text(result.spec, lang, result=result),
        gaps=known_gaps(result, lang),
        references=REFERENCES,
        provenance=provenance(result, lang),
    )
