"""The Excel workbook (xlsxwriter): the article's tables, ready for analysts and publishers.

Sheets: an overview (key findings, contents), Table 1 (1a learning behaviour, 1b stimulating
factors, as the article), one sheet per indicator (years across, every group), Table 2 by group,
the associations, the estimates as a filterable table (suppressed values left empty) and a
methods sheet. Every number is a number; its marker (``*``/``**``) is text in the narrow column
beside it, so it survives copying into Word. Sheet names and headers are in the edition's
language. Every sheet is set up for print (A4 landscape, fit to the page width, header rows
repeated, page numbers) and, on synthetic data, says so on the sheet and in the page header. The
Dutch edition tags its number formats with the Dutch locale (``[$-413]``); Excel shows the
decimal separator of the reader's regional settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from leercultuur.monitor import MonitorResult
from leercultuur.report import _i18n as i18n
from leercultuur.report._article import ArticleTable
from leercultuur.report._findings import Finding
from leercultuur.report._i18n import Lang
from leercultuur.report._labels import Labels
from leercultuur.report._methods_text import (
    REFERENCES,
    known_gaps,
    methods_text,
    provenance,
    synthetic_note,
)
from leercultuur.report._tables import (
    AssociationTable,
    Cell,
    IndicatorTable,
    SubgroupTable,
)

HEAD_ROW = 3  # 0-based row of the column headers on the table sheets


class _Formats:
    """Workbook formats, created once per distinct (kind, unit, marker)."""

    def __init__(self, wb: Workbook, lang: Lang) -> None:
        self.wb, self.lang = wb, lang
        self.cache: dict[tuple[Any, ...], Format] = {}
        base = {"font_name": "Calibri", "font_size": 10}
        self.title = wb.add_format({**base, "bold": True, "font_size": 14})
        self.sub = wb.add_format({**base, "italic": True, "font_color": "#444444"})
        self.head = wb.add_format(
            {**base, "bold": True, "bottom": 1, "text_wrap": True, "valign": "bottom",
             "bg_color": "#E8EEF5", "align": "center"}
        )  # fmt: skip
        self.head_left = wb.add_format(
            {**base, "bold": True, "bottom": 1, "valign": "bottom", "bg_color": "#E8EEF5"}
        )
        self.label = wb.add_format(base)
        self.label_bold = wb.add_format({**base, "bold": True})
        self.note = wb.add_format({**base, "font_size": 9, "font_color": "#444444"})
        self.text = wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.h2 = wb.add_format({**base, "bold": True, "font_size": 12})
        self.supp = wb.add_format({**base, "align": "right", "font_color": "#555555"})
        self.link = wb.add_format({**base, "font_color": "#1F5A96", "underline": 1})
        self.warn = wb.add_format({**base, "bold": True, "font_color": "#B34700"})
        self.mark = wb.add_format({**base, "font_color": "#B34700", "bold": True, "align": "left"})

    def number(self, kind: str, unit: str, marker: str = "", *, bold: bool = False) -> Format:
        key = (kind, unit, marker, bold)
        if key not in self.cache:
            pct = unit == "%" and kind in ("value", "slope", "whole", "slope1")
            suffix = ("%" if pct else "") + marker
            dec = {"value": 1 if unit == "%" else 2, "slope": 2, "diff": 1 if unit == "%" else 2,
                   "whole": 0, "slope1": 1}  # fmt: skip
            body = "0." + "0" * dec[kind] if dec[kind] else "0"
            q = f'"{suffix}"' if suffix else ""
            plain = kind in ("value", "whole")
            code = f"{body}{q}" if plain else f"+{body}{q};-{body}{q};{body}{q}"
            if self.lang == "nl":
                code = "[$-413]" + code
            self.cache[key] = self.wb.add_format(
                {"font_name": "Calibri", "font_size": 10, "num_format": code, "bold": bold}
            )
        return self.cache[key]


def _cell(ws: Worksheet, r: int, c: int, cell: Cell, kind: str, unit: str, f: _Formats,
          bold: bool = False) -> None:  # fmt: skip
    """The number at (r, c) and its marker as text at (r, c + 1)."""
    if cell.suppressed:
        ws.write_string(r, c, i18n.SUPPRESSED, f.supp)
    elif cell.value is not None:
        ws.write_number(r, c, cell.value, f.number(kind, unit, bold=bold))
        if cell.marker:
            ws.write_string(r, c + 1, cell.marker, f.mark)


def _print_setup(ws: Worksheet, note: str, lang: Lang, head_row: int | None = HEAD_ROW) -> None:
    """A4 landscape, fit to the page width, header rows repeated, page numbers; the synthetic
    data warning on the sheet (row 3) and in the page header."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.6)
    if head_row is not None:
        ws.repeat_rows(0, head_row)
    page = "Pagina &P van &N" if lang == "nl" else "Page &P of &N"
    ws.set_footer(f"&L&8&A&R&8{page}")
    if note:
        ws.set_header(f'&C&8&"Calibri,Bold"{note}')


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in name)[:31].rstrip()
    k, out = 2, clean
    while out.lower() in used:
        out = f"{clean[: 31 - len(str(k)) - 1]}~{k}"
        k += 1
    used.add(out.lower())
    return out


def _notes(ws: Worksheet, row: int, notes: tuple[str, ...] | list[str], f: _Formats) -> None:
    for k, n in enumerate(notes):
        ws.write_string(row + k, 0, n, f.note)


def _indicator_sheet(
    ws: Worksheet, t: IndicatorTable, f: _Formats, lang: Lang, note: str, title: str
) -> None:
    ws.write_string(0, 0, title, f.title)
    unit = (
        ("Percentage werknemers" if lang == "nl" else "Percentage of employees")
        if t.unit == "%"
        else ("Gemiddelde op de schaal" if lang == "nl" else "Mean on the scale")
    )
    ws.write_string(1, 0, f"{unit} \u00b7 {i18n.domain_label(t.domain, lang)}", f.sub)
    if note:
        ws.write_string(2, 0, note, f.warn)
    heads = t.headers(lang)
    ws.write_string(HEAD_ROW, 0, i18n.t("breakdown", lang), f.head_left)
    ws.write_string(HEAD_ROW, 1, heads[0], f.head_left)
    # every number has a narrow marker column to its right
    for k, h in enumerate(heads[1:]):
        ws.write(HEAD_ROW, 2 + 2 * k, int(h) if h.isdigit() else h, f.head)
        ws.write_string(HEAD_ROW, 3 + 2 * k, "", f.head)
    blabel = {"all": ""}
    ny = len(t.years)
    for k, row in enumerate(t.rows, start=HEAD_ROW + 1):
        bold = row.breakdown == "all"
        lab = row.label.split(": ", 1)[-1] if row.breakdown != "all" else row.label
        bl = blabel.get(row.breakdown, row.label.split(": ", 1)[0])
        ws.write_string(k, 0, bl, f.label_bold if bold else f.label)
        ws.write_string(k, 1, lab, f.label_bold if bold else f.label)
        for j, cell in enumerate(row.cells):
            _cell(ws, k, 2 + 2 * j, cell, "value", t.unit, f, bold)
        _cell(ws, k, 2 + 2 * ny, row.trend, "slope", t.unit, f, bold)
        _cell(ws, k, 4 + 2 * ny, row.change, "diff", t.unit, f, bold)
    _notes(ws, HEAD_ROW + len(t.rows) + 2, t.footnotes, f)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 30)
    for j in range(ny + 2):
        ws.set_column(2 + 2 * j, 2 + 2 * j, 8 if j < ny else 11)
        ws.set_column(3 + 2 * j, 3 + 2 * j, 2.6)
    ws.set_row(HEAD_ROW, 30)
    ws.freeze_panes(HEAD_ROW + 1, 2)
    _print_setup(ws, note, lang)


def _subgroup_sheet(ws: Worksheet, t: SubgroupTable, f: _Formats, lang: Lang, note: str) -> None:
    ws.write_string(
        0, 0, ("Tabel 2. " if lang == "nl" else "Table 2. ") + i18n.t("subgroups", lang), f.title
    )
    sub = (
        "Laatste meetjaar per indicator; markering: de groep tegenover de rest van de indeling"
        if lang == "nl"
        else "Latest measured year per indicator; markers: the group against the rest of its "
        "breakdown"
    )
    ws.write_string(1, 0, sub, f.sub)
    if note:
        ws.write_string(2, 0, note, f.warn)
    ws.write_string(HEAD_ROW, 0, i18n.t("breakdown", lang), f.head_left)
    ws.write_string(HEAD_ROW, 1, i18n.t("group", lang), f.head_left)
    for j, c in enumerate(t.columns):
        ws.write_string(HEAD_ROW, 2 + 2 * j, f"{c.label} ({c.year})", f.head)
        ws.write_string(HEAD_ROW, 3 + 2 * j, "", f.head)
    for k, row in enumerate(t.rows, start=HEAD_ROW + 1):
        bold = row.breakdown == "all"
        ws.write_string(k, 0, row.breakdown_label, f.label_bold if bold else f.label)
        ws.write_string(k, 1, row.label, f.label_bold if bold else f.label)
        for j, (cell, col) in enumerate(zip(row.cells, t.columns, strict=True)):
            _cell(ws, k, 2 + 2 * j, cell, "value", col.unit, f, bold)
    _notes(ws, HEAD_ROW + len(t.rows) + 2, t.footnotes, f)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 30)
    for j in range(len(t.columns)):
        ws.set_column(2 + 2 * j, 2 + 2 * j, 13)
        ws.set_column(3 + 2 * j, 3 + 2 * j, 2.6)
    ws.set_row(HEAD_ROW, 80)
    ws.freeze_panes(HEAD_ROW + 1, 2)
    _print_setup(ws, note, lang)


def _association_sheet(
    ws: Worksheet, tables: list[AssociationTable], f: _Formats, lang: Lang, note: str
) -> None:
    ws.write_string(0, 0, i18n.t("associations", lang), f.title)
    sub = (
        "Lineaire kansregressie die rekening houdt met de steekproefopzet: %-punt verschil in de "
        "uitkomst per eenheid van de factor; * p < alpha"
        if lang == "nl"
        else "Linear probability regression (design-based): percentage-point difference in the "
        "outcome per unit of the factor; * p < alpha"
    )
    ws.write_string(1, 0, sub, f.sub)
    if note:
        ws.write_string(2, 0, note, f.warn)
    r = HEAD_ROW
    for t in tables:
        ws.write_string(r, 0, f"{i18n.t('outcome', lang)}: {t.label}", f.h2)
        r += 1
        ws.write_string(r, 0, i18n.t("term", lang), f.head_left)
        for j, y in enumerate(t.years):
            ws.write_number(r, 1 + 2 * j, y, f.head)
            ws.write_string(r, 2 + 2 * j, "", f.head)
        for term, cells in zip(t.term_labels, t.cells, strict=True):
            r += 1
            ws.write_string(r, 0, term, f.label)
            for j, cell in enumerate(cells):
                _cell(ws, r, 1 + 2 * j, cell, "slope", "mean", f)
        r += 1
        ws.write_string(r, 0, "n", f.label)
        for j, n in enumerate(t.n):
            ws.write_number(r, 1 + 2 * j, n, f.label)
        r += 3
    ws.set_column(0, 0, 44)
    for j in range(12):
        ws.set_column(1 + 2 * j, 1 + 2 * j, 9)
        ws.set_column(2 + 2 * j, 2 + 2 * j, 2.6)
    _print_setup(ws, note, lang, head_row=None)


def _article_sheet(
    ws: Worksheet, tables: list[ArticleTable], f: _Formats, lang: Lang, note: str
) -> None:
    """Table 1a and 1b as the article prints them (whole percentages), markers beside."""
    ws.write_string(0, 0, "Tabel 1" if lang == "nl" else "Table 1", f.title)
    ws.write_string(
        1, 0, "Alle werknemers, per jaar" if lang == "nl" else "All employees, per year", f.sub
    )
    if note:
        ws.write_string(2, 0, note, f.warn)
    r = HEAD_ROW
    width = 0
    for t in tables:
        ws.write_string(r, 0, f"{i18n.t('table_of', lang)} {t.number}. {t.title}", f.h2)
        r += 1
        heads = t.headers(lang)
        ws.write_string(r, 0, "Indicator", f.head_left)
        for j, h in enumerate(heads[1:]):
            ws.write(r, 1 + 2 * j, int(h) if h.isdigit() else h, f.head)
            ws.write_string(r, 2 + 2 * j, "", f.head)
        width = max(width, len(heads))
        for row in t.rows:
            r += 1
            ws.write_string(r, 0, row.label, f.label)
            pct = row.unit == "%"
            for j, cell in enumerate(row.cells):  # the value itself, shown as the article rounds
                _cell(ws, r, 1 + 2 * j, cell, "whole" if pct else "value", row.unit, f)
            end = 1 + 2 * len(row.cells)
            _cell(ws, r, end, row.trend, "slope1" if pct else "slope", row.unit, f)
        if t.has_n:
            r += 1
            ws.write_string(r, 0, "Respondenten (n)" if lang == "nl" else "Respondents (n)", f.note)
            for j, n in enumerate(t.n):
                if n is not None:
                    ws.write_number(r, 1 + 2 * j, n, f.note)
        r += 2
        _notes(ws, r, t.footnotes, f)
        r += len(t.footnotes) + 2
    ws.set_column(0, 0, 46)
    for j in range(width):
        ws.set_column(1 + 2 * j, 1 + 2 * j, 7)
        ws.set_column(2 + 2 * j, 2 + 2 * j, 2.6)
    _print_setup(ws, note, lang, head_row=None)


_DATA_HEADS: dict[str, tuple[str, str]] = {
    "indicator": ("Indicator", "Indicator"),
    "year": ("Jaar", "Year"),
    "breakdown": ("Indeling", "Breakdown"),
    "group": ("Groep", "Group"),
    "unit": ("Eenheid", "Unit"),
    "estimate": ("Schatting", "Estimate"),
    "se": ("Standaardfout", "Standard error"),
    "ci_low": ("95%-interval ondergrens", "95% interval lower"),
    "ci_high": ("95%-interval bovengrens", "95% interval upper"),
    "n": ("Respondenten (n)", "Respondents (n)"),
    "n_eff": ("Effectieve n", "Effective n"),
    "deff": ("Design-effect", "Design effect"),
    "df": ("Vrijheidsgraden", "Degrees of freedom"),
    "suppressed": ("Niet gepubliceerd", "Not published"),
}


def _data_sheet(ws: Worksheet, result: MonitorResult, f: _Formats, lang: Lang) -> None:
    """Every estimate, with readable names (the codes are in the result's estimates.csv)."""
    names = Labels(result, lang)
    e = result.estimates.copy()
    supp = e["suppressed"].astype(bool)
    e.loc[supp, ["estimate", "se", "ci_low", "ci_high", "n_eff", "deff"]] = float("nan")
    e["indicator"] = [names.indicator(str(i)) for i in e["indicator"]]
    e["group"] = [
        names.group(str(b), str(g)) for b, g in zip(e["breakdown"], e["group"], strict=True)
    ]
    e["breakdown"] = ["" if b == "all" else names.breakdown(str(b)) for b in e["breakdown"]]
    e["unit"] = ["%" if u == "%" else ("gemiddelde" if lang == "nl" else "mean") for u in e["unit"]]
    yes, no = ("ja", "nee") if lang == "nl" else ("yes", "no")
    e["suppressed"] = [yes if s_ else no for s_ in supp]
    if lang == "nl":
        _DATA_HEADS["deff"] = ("Designeffect", "Design effect")
    cols = list(e.columns)
    heads = [_DATA_HEADS.get(c, (c, c))[lang == "en"] for c in cols]
    data = e.astype(object).where(e.notna(), None).to_numpy().tolist()
    ws.add_table(
        0, 0, len(data), len(cols) - 1,
        {"data": data, "columns": [{"header": h} for h in heads], "style": "Table Style Light 9"},
    )  # fmt: skip
    ws.freeze_panes(1, 0)
    ws.set_column(0, 0, 40)
    ws.set_column(1, len(cols) - 1, 12)
    _print_setup(ws, synthetic_note(result, lang), lang, head_row=0)


def _methods_sheet(ws: Worksheet, result: MonitorResult, f: _Formats, lang: Lang) -> None:
    note = synthetic_note(result, lang)
    ws.write_string(0, 0, i18n.t("methods", lang), f.title)
    r = 2
    if note:
        ws.write_string(1, 0, note, f.warn)
    for head, paras in methods_text(result.spec, lang, result=result):
        ws.write_string(r, 0, head, f.h2)
        r += 1
        for p in paras:
            ws.write_string(r, 0, p, f.text)
            ws.set_row(r, 15 * (len(p) // 110 + 1))
            r += 1
        r += 1
    ws.write_string(r, 0, i18n.t("gaps", lang), f.h2)
    for g in known_gaps(result, lang):
        r += 1
        ws.write_string(r, 0, g, f.text)
    r += 2
    ws.write_string(r, 0, "Literatuur" if lang == "nl" else "References", f.h2)
    for ref in REFERENCES:
        r += 1
        ws.write_string(r, 0, ref, f.text)
    r += 2
    ws.write_string(r, 0, i18n.t("provenance", lang), f.h2)
    for k, v in provenance(result, lang):
        r += 1
        ws.write_string(r, 0, f"{k}: {v}", f.text)
    ws.set_column(0, 0, 120)
    _print_setup(ws, note, lang, head_row=None)


def _sheet_title(t: IndicatorTable, k: int, lang: Lang) -> str:
    return f"{i18n.t('table_of', lang)} A{k}. {t.label}"


def write_workbook(
    result: MonitorResult,
    path: Path,
    *,
    lang: Lang,
    tables: list[IndicatorTable],
    subgroups: SubgroupTable,
    associations: list[AssociationTable],
    found: list[Finding],
    article: list[ArticleTable] | None = None,
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    wb.set_properties({"title": i18n.t("title", lang), "comments": "leercultuur"})
    f = _Formats(wb, lang)
    note = synthetic_note(result, lang)
    used: set[str] = set()
    over = wb.add_worksheet(_sheet_name("Overzicht" if lang == "nl" else "Overview", used))
    t1_name = _sheet_name("Tabel 1" if lang == "nl" else "Table 1", used) if article else ""
    names = [(t, _sheet_name(f"A{k} {t.label}", used)) for k, t in enumerate(tables, start=1)]
    sub_name = _sheet_name("Tabel 2 Groepen" if lang == "nl" else "Table 2 Groups", used)
    assoc_name = _sheet_name("Samenhang" if lang == "nl" else "Associations", used)
    data_name = _sheet_name("Schattingen" if lang == "nl" else "Estimates", used)
    meth_name = _sheet_name("Methode" if lang == "nl" else "Methods", used)
    if article:
        _article_sheet(wb.add_worksheet(t1_name), article, f, lang, note)
    for k, (t, name) in enumerate(names, start=1):
        _indicator_sheet(wb.add_worksheet(name), t, f, lang, note, _sheet_title(t, k, lang))
    _subgroup_sheet(wb.add_worksheet(sub_name), subgroups, f, lang, note)
    _association_sheet(wb.add_worksheet(assoc_name), associations, f, lang, note)
    _data_sheet(wb.add_worksheet(data_name), result, f, lang)
    _methods_sheet(wb.add_worksheet(meth_name), result, f, lang)
    # overview: title, findings, contents with links
    over.write_string(0, 0, i18n.t("title", lang), f.title)
    over.write_string(1, 0, i18n.t("subtitle", lang), f.sub)
    if note:
        over.write_string(2, 0, note, f.warn)
    r = 3
    over.write_string(r, 0, i18n.t("findings", lang), f.h2)
    for fd in found:
        r += 1
        over.write_string(r, 0, "\u2022 " + fd.text, f.text)
        over.set_row(r, 15 * (len(fd.text) // 120 + 1))
    r += 2
    over.write_string(r, 0, i18n.t("contents", lang), f.h2)
    sheets = ([(t1_name, "Tabel 1: alle werknemers" if lang == "nl" else "Table 1: all employees")]
              if article else [])  # fmt: skip
    sheets += [(n, t.label) for t, n in names] + [
        (sub_name, i18n.t("subgroups", lang)),
        (assoc_name, i18n.t("associations", lang)),
        (data_name, "Alle schattingen (tabel)" if lang == "nl" else "All estimates (table)"),
        (meth_name, i18n.t("methods", lang)),
    ]
    for name, label in sheets:
        r += 1
        over.write_url(r, 0, f"internal:'{name}'!A1", f.link, string=label)
    over.set_column(0, 0, 130)
    _print_setup(over, note, lang, head_row=None)
    wb.close()
    return path
