"""The Excel workbook (xlsxwriter): the article's tables, ready for analysts.

Sheets: an overview (key findings, contents), one sheet per indicator laid out like the article's
Table 1 (years across; the marker is part of the cell's number format, so the cell keeps its
numeric value), a subgroup sheet like Table 2, the associations, the estimates as a filterable
table (suppressed values left empty) and a methods sheet. Headers are frozen. The Dutch edition
tags its number formats with the Dutch locale (``[$-413]``); Excel shows the decimal separator of
the reader's regional settings.
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
from leercultuur.report._findings import Finding
from leercultuur.report._i18n import Lang
from leercultuur.report._methods_text import REFERENCES, methods_text, provenance
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

    def number(self, kind: str, unit: str, marker: str, *, bold: bool = False) -> Format:
        key = (kind, unit, marker, bold)
        if key not in self.cache:
            suffix = ("%" if unit == "%" and kind in ("value", "slope") else "") + marker
            dec = {"value": 1 if unit == "%" else 2, "slope": 2, "diff": 1 if unit == "%" else 2}
            body = "0." + "0" * dec[kind]
            q = f'"{suffix}"' if suffix else ""
            code = f"{body}{q}" if kind == "value" else f"+{body}{q};-{body}{q};{body}{q}"
            if self.lang == "nl":
                code = "[$-413]" + code
            self.cache[key] = self.wb.add_format(
                {"font_name": "Calibri", "font_size": 10, "num_format": code, "bold": bold}
            )
        return self.cache[key]


def _cell(ws: Worksheet, r: int, c: int, cell: Cell, kind: str, unit: str, f: _Formats,
          bold: bool = False) -> None:  # fmt: skip
    if cell.suppressed:
        ws.write_string(r, c, i18n.SUPPRESSED, f.supp)
    elif cell.value is not None:
        ws.write_number(r, c, cell.value, f.number(kind, unit, cell.marker, bold=bold))


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31]
    k, out = 2, clean
    while out.lower() in used:
        out = f"{clean[: 31 - len(str(k)) - 1]}~{k}"
        k += 1
    used.add(out.lower())
    return out


def _notes(ws: Worksheet, row: int, notes: tuple[str, ...] | list[str], f: _Formats) -> None:
    for k, n in enumerate(notes):
        ws.write_string(row + k, 0, n, f.note)


def _indicator_sheet(ws: Worksheet, t: IndicatorTable, f: _Formats, lang: Lang) -> None:
    ws.write_string(0, 0, t.label, f.title)
    unit = (
        ("Percentage werknemers" if lang == "nl" else "Percentage of employees")
        if t.unit == "%"
        else ("Gemiddelde op de schaal" if lang == "nl" else "Mean on the scale")
    )
    ws.write_string(1, 0, f"{unit} \u00b7 {i18n.domain_label(t.domain, lang)}", f.sub)
    heads = t.headers(lang)
    ws.write_string(HEAD_ROW, 0, i18n.t("breakdown", lang), f.head_left)
    ws.write_string(HEAD_ROW, 1, heads[0], f.head_left)
    for k, h in enumerate(heads[1:], start=2):
        ws.write(HEAD_ROW, k, int(h) if h.isdigit() else h, f.head)
    blabel = {"all": ""}
    ny = len(t.years)
    for k, row in enumerate(t.rows, start=HEAD_ROW + 1):
        bold = row.breakdown == "all"
        lab = row.label.split(": ", 1)[-1] if row.breakdown != "all" else row.label
        bl = blabel.get(row.breakdown, row.label.split(": ", 1)[0])
        ws.write_string(k, 0, bl, f.label_bold if bold else f.label)
        ws.write_string(k, 1, lab, f.label_bold if bold else f.label)
        for j, cell in enumerate(row.cells):
            _cell(ws, k, 2 + j, cell, "value", t.unit, f, bold)
        _cell(ws, k, 2 + ny, row.trend, "slope", t.unit, f, bold)
        _cell(ws, k, 3 + ny, row.change, "diff", t.unit, f, bold)
    _notes(ws, HEAD_ROW + len(t.rows) + 2, t.footnotes, f)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 1 + ny, 8)
    ws.set_column(2 + ny, 3 + ny, 13)
    ws.set_row(HEAD_ROW, 30)
    ws.freeze_panes(HEAD_ROW + 1, 2)


def _subgroup_sheet(ws: Worksheet, t: SubgroupTable, f: _Formats, lang: Lang) -> None:
    ws.write_string(0, 0, i18n.t("subgroups", lang), f.title)
    sub = (
        "Laatste meetjaar per indicator; markering: de groep tegenover de rest van de indeling"
        if lang == "nl"
        else "Latest measured year per indicator; markers: the group against the rest of its "
        "breakdown"
    )
    ws.write_string(1, 0, sub, f.sub)
    ws.write_string(HEAD_ROW, 0, i18n.t("breakdown", lang), f.head_left)
    ws.write_string(HEAD_ROW, 1, i18n.t("group", lang), f.head_left)
    for j, c in enumerate(t.columns, start=2):
        ws.write_string(HEAD_ROW, j, f"{c.label} ({c.year})", f.head)
    for k, row in enumerate(t.rows, start=HEAD_ROW + 1):
        bold = row.breakdown == "all"
        ws.write_string(k, 0, row.breakdown_label, f.label_bold if bold else f.label)
        ws.write_string(k, 1, row.label, f.label_bold if bold else f.label)
        for j, (cell, col) in enumerate(zip(row.cells, t.columns, strict=True), start=2):
            _cell(ws, k, j, cell, "value", col.unit, f, bold)
    _notes(ws, HEAD_ROW + len(t.rows) + 2, t.footnotes, f)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 1 + len(t.columns), 14)
    ws.set_row(HEAD_ROW, 80)
    ws.freeze_panes(HEAD_ROW + 1, 2)


def _association_sheet(
    ws: Worksheet, tables: list[AssociationTable], f: _Formats, lang: Lang
) -> None:
    ws.write_string(0, 0, i18n.t("associations", lang), f.title)
    sub = (
        "Lineaire kansregressie (design-based): %-punt verschil in de uitkomst per eenheid van de "
        "factor; * p < alpha"
        if lang == "nl"
        else "Linear probability regression (design-based): percentage-point difference in the "
        "outcome per unit of the factor; * p < alpha"
    )
    ws.write_string(1, 0, sub, f.sub)
    r = HEAD_ROW
    for t in tables:
        ws.write_string(r, 0, f"{i18n.t('outcome', lang)}: {t.label}", f.h2)
        r += 1
        ws.write_string(r, 0, i18n.t("term", lang), f.head_left)
        for j, y in enumerate(t.years, start=1):
            ws.write_number(r, j, y, f.head)
        for term, cells in zip(t.term_labels, t.cells, strict=True):
            r += 1
            ws.write_string(r, 0, term, f.label)
            for j, cell in enumerate(cells, start=1):
                _cell(ws, r, j, cell, "slope", "mean", f)
        r += 1
        ws.write_string(r, 0, "n", f.label)
        for j, n in enumerate(t.n, start=1):
            ws.write_number(r, j, n, f.label)
        r += 3
    ws.set_column(0, 0, 44)
    ws.set_column(1, 30, 9)


def _data_sheet(ws: Worksheet, result: MonitorResult, f: _Formats) -> None:
    e = result.estimates.copy()
    supp = e["suppressed"].astype(bool)
    e.loc[supp, ["estimate", "se", "ci_low", "ci_high", "n_eff", "deff"]] = float("nan")
    cols = list(e.columns)
    data = e.astype(object).where(e.notna(), None).to_numpy().tolist()
    ws.add_table(
        0, 0, len(data), len(cols) - 1,
        {"data": data, "columns": [{"header": c} for c in cols], "style": "Table Style Light 9"},
    )  # fmt: skip
    ws.freeze_panes(1, 0)
    ws.set_column(0, len(cols) - 1, 12)


def _methods_sheet(ws: Worksheet, result: MonitorResult, f: _Formats, lang: Lang) -> None:
    ws.write_string(0, 0, i18n.t("methods", lang), f.title)
    r = 2
    for head, paras in methods_text(result.spec, lang):
        ws.write_string(r, 0, head, f.h2)
        r += 1
        for p in paras:
            ws.write_string(r, 0, p, f.text)
            ws.set_row(r, 15 * (len(p) // 110 + 1))
            r += 1
        r += 1
    if result.gaps:
        ws.write_string(r, 0, i18n.t("gaps", lang), f.h2)
        for g in result.gaps:
            r += 1
            ws.write_string(r, 0, g, f.text)
        r += 2
    ws.write_string(r, 0, "Literatuur" if lang == "nl" else "References", f.h2)
    for ref in REFERENCES:
        r += 1
        ws.write_string(r, 0, ref, f.text)
    r += 2
    ws.write_string(r, 0, i18n.t("provenance", lang), f.h2)
    for k, v in provenance(result):
        r += 1
        ws.write_string(r, 0, f"{k}: {v}", f.text)
    ws.set_column(0, 0, 120)


def write_workbook(
    result: MonitorResult,
    path: Path,
    *,
    lang: Lang,
    tables: list[IndicatorTable],
    subgroups: SubgroupTable,
    associations: list[AssociationTable],
    found: list[Finding],
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    wb.set_properties({"title": i18n.t("title", lang), "comments": "leercultuur"})
    f = _Formats(wb, lang)
    used: set[str] = set()
    over = wb.add_worksheet(_sheet_name("Overzicht" if lang == "nl" else "Overview", used))
    names = [(t, _sheet_name(t.indicator, used)) for t in tables]
    sub_name = _sheet_name("Groepen" if lang == "nl" else "Groups", used)
    assoc_name = _sheet_name("Samenhang" if lang == "nl" else "Associations", used)
    data_name = _sheet_name("Schattingen" if lang == "nl" else "Estimates", used)
    meth_name = _sheet_name("Methode" if lang == "nl" else "Methods", used)
    for t, name in names:
        _indicator_sheet(wb.add_worksheet(name), t, f, lang)
    _subgroup_sheet(wb.add_worksheet(sub_name), subgroups, f, lang)
    _association_sheet(wb.add_worksheet(assoc_name), associations, f, lang)
    _data_sheet(wb.add_worksheet(data_name), result, f)
    _methods_sheet(wb.add_worksheet(meth_name), result, f, lang)
    # overview: title, findings, contents with links
    over.write_string(0, 0, i18n.t("title", lang), f.title)
    over.write_string(1, 0, i18n.t("subtitle", lang), f.sub)
    r = 3
    over.write_string(r, 0, i18n.t("findings", lang), f.h2)
    for fd in found:
        r += 1
        over.write_string(r, 0, "\u2022 " + fd.text, f.text)
        over.set_row(r, 15 * (len(fd.text) // 120 + 1))
    r += 2
    over.write_string(r, 0, i18n.t("contents", lang), f.h2)
    sheets = [(n, t.label) for t, n in names] + [
        (sub_name, i18n.t("subgroups", lang)),
        (assoc_name, i18n.t("associations", lang)),
        (data_name, "Alle schattingen (tabel)" if lang == "nl" else "All estimates (table)"),
        (meth_name, i18n.t("methods", lang)),
    ]
    for name, label in sheets:
        r += 1
        over.write_url(r, 0, f"internal:'{name}'!A1", f.link, string=f"{label} ({name})")
    over.set_column(0, 0, 130)
    wb.close()
    return path
