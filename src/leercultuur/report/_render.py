"""Entry points: the Excel workbook, the HTML report with its charts, and everything at once."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leercultuur.errors import DataError, LeercultuurError
from leercultuur.monitor import MonitorResult
from leercultuur.report import _i18n as i18n
from leercultuur.report._article import ArticleTable, article_tables
from leercultuur.report._charts import all_charts
from leercultuur.report._excel import write_workbook
from leercultuur.report._findings import Finding, findings
from leercultuur.report._html import render_html
from leercultuur.report._markdown import editorial_texts
from leercultuur.report._tables import (
    AssociationTable,
    IndicatorTable,
    Method,
    SubgroupTable,
    association_tables,
    clean,
    indicator_tables,
    resolve_method,
    subgroup_table,
)

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")


class ReportError(LeercultuurError, RuntimeError):
    """The report cannot be written (e.g. PDF asked without a browser to print it)."""


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`render_report` wrote."""

    html: Path
    excel: Path
    charts: tuple[Path, ...]
    findings: Path
    pdf: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "html": str(self.html),
            "excel": str(self.excel),
            "charts": [str(p) for p in self.charts],
            "findings": str(self.findings),
            "pdf": None if self.pdf is None else str(self.pdf),
        }


def _as_result(result: MonitorResult | str | Path) -> MonitorResult:
    if isinstance(result, MonitorResult):
        return result
    return MonitorResult.load(result)


def _check(lang: str, method: str | None, result: MonitorResult) -> tuple[i18n.Lang, Method]:
    return i18n.check_lang(lang), resolve_method(result, method)


def _check_result(result: MonitorResult) -> None:
    if result.estimates.empty:
        raise DataError("the monitor result has no estimates: nothing to report")


@dataclass(frozen=True)
class _Parts:
    """Everything both outputs need, computed once."""

    tables: list[IndicatorTable]
    subgroups: SubgroupTable  # every indicator (Excel)
    headline: SubgroupTable  # headline indicators (HTML)
    associations: list[AssociationTable]
    found: list[Finding]
    article: list[ArticleTable]


def _parts(res: MonitorResult, lang: i18n.Lang, method: Method) -> _Parts:
    return _Parts(
        tables=indicator_tables(res, lang=lang, method=method),
        subgroups=subgroup_table(res, lang=lang, method=method),
        headline=subgroup_table(res, lang=lang, method=method, indicators=_headline(res)),
        associations=association_tables(res, lang=lang),
        found=findings(res, lang=lang, method=method),
        article=article_tables(res, lang=lang, method=method),
    )


def _prepare(
    result: MonitorResult | str | Path, lang: str, method: str | None
) -> tuple[MonitorResult, i18n.Lang, Method]:
    res = clean(_as_result(result))
    _check_result(res)
    lang_, method_ = _check(lang, method, res)
    return res, lang_, method_


def _excel(res: MonitorResult, path: Path, lang: i18n.Lang, parts: _Parts) -> Path:
    return write_workbook(
        res, path, lang=lang, tables=parts.tables, subgroups=parts.subgroups,
        associations=parts.associations, found=parts.found, article=parts.article,
    )  # fmt: skip


def _html(
    res: MonitorResult, out: Path, lang: i18n.Lang, method: Method, parts: _Parts,
    text_dir: Path | None = None,
) -> Path:  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    charts = all_charts(res, lang=lang, method=method, out=out / _charts_dir(lang))
    html = render_html(
        res, lang=lang, tables=parts.tables, subgroups=parts.headline,
        associations=parts.associations, found=parts.found, charts=charts,
        article=parts.article, texts=editorial_texts(text_dir, lang),
    )  # fmt: skip
    path = out / ("report.html" if lang == "nl" else "report-en.html")
    path.write_text(html, encoding="utf-8")
    return path


def write_excel(
    result: MonitorResult | str | Path,
    path: str | Path,
    *,
    lang: str = "nl",
    method: str | None = None,
) -> Path:
    """The Excel workbook: Table 1 per indicator, Table 2 by group, associations, methods.

    ``method`` picks the tests behind the markers (``design`` or ``classic``); by default the
    method the result was computed with."""
    res, lang_, method_ = _prepare(result, lang, method)
    return _excel(res, Path(path), lang_, _parts(res, lang_, method_))


def write_html(
    result: MonitorResult | str | Path,
    out_dir: str | Path,
    *,
    lang: str = "nl",
    method: str | None = None,
) -> Path:
    """The self-contained HTML report in ``out_dir`` (``report.html``, or ``report-en.html``),
    with every chart also saved as SVG and PNG under ``out_dir/charts`` (``charts-en``)."""
    res, lang_, method_ = _prepare(result, lang, method)
    return _html(res, Path(out_dir), lang_, method_, _parts(res, lang_, method_))


def _headline(res: MonitorResult) -> list[str]:
    have = set(res.estimates["indicator"])
    heads = [i.id for i in res.spec.indicators if i.headline and i.id in have]
    return heads or [i.id for i in res.spec.indicators if i.id in have]


def render_report(
    result: MonitorResult | str | Path,
    out_dir: str | Path,
    *,
    lang: str = "nl",
    method: str | None = None,
    pdf: bool = False,
    text_dir: str | Path | None = None,
) -> ReportFiles:
    """Everything: HTML with charts (SVG + PNG), Excel, the findings as JSON, optionally a PDF
    (printed by headless Chromium, which must be installed). ``text_dir`` holds the
    researcher's ``intro.md``, ``conclusions.md`` and ``colophon.md`` (each optional)."""
    res, lang_, method_ = _prepare(result, lang, method)
    out = Path(out_dir)
    tdir = None if text_dir is None else Path(text_dir)
    if tdir is not None and not tdir.is_dir():
        raise ReportError(f"--text {str(tdir)!r} is not a folder (it should hold intro.md, ...)")
    parts = _parts(res, lang_, method_)
    suffix = "" if lang_ == "nl" else "-en"
    html = _html(res, out, lang_, method_, parts, tdir)
    excel = _excel(res, out / f"monitor{suffix}.xlsx", lang_, parts)
    fpath = out / f"findings{suffix}.json"
    fpath.write_text(
        json.dumps([f.to_dict() for f in parts.found], indent=2, ensure_ascii=False),
        encoding="utf-8",
    )
    charts = tuple(sorted((out / _charts_dir(lang_)).glob("*.*")))
    pdf_path = None
    if pdf:
        # the printed edition: every table expanded (no closed <details>)
        printable = out / f".report{suffix}-print.html"
        text = html.read_text(encoding="utf-8").replace("<details>", "<details open>")
        printable.write_text(text.replace("<html lang=", '<html class="print" lang=', 1), "utf-8")
        try:
            pdf_path = print_pdf(printable, out / f"report{suffix}.pdf")
        finally:
            printable.unlink(missing_ok=True)
    return ReportFiles(html=html, excel=excel, charts=charts, findings=fpath, pdf=pdf_path)


def find_chromium() -> str | None:
    for name in CHROMIUM:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html: Path, pdf: Path, *, timeout: float = 120) -> Path:
    """Print the HTML report to PDF with headless Chromium (no network: the page is offline)."""
    exe = find_chromium()
    if exe is None:
        raise ReportError(
            "a PDF needs Chromium (looked for: " + ", ".join(CHROMIUM) + "); install it "
            "(Debian: apt-get install chromium) or leave out --pdf and print the HTML report"
        )
    with tempfile.TemporaryDirectory() as profile:
        cmd = [
            exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            f"--user-data-dir={profile}", "--no-pdf-header-footer",
            f"--print-to-pdf={pdf.resolve()}", html.resolve().as_uri(),
        ]  # fmt: skip
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ReportError(
                f"Chromium did not print {str(html)!r} within {timeout:.0f} s"
            ) from None
    if proc.returncode != 0 or not pdf.exists():
        raise ReportError(
            f"Chromium could not print {str(html)!r} to PDF (exit {proc.returncode}): "
            f"{proc.stderr.strip()[-500:]}"
        )
    return pdf


def _charts_dir(lang: i18n.Lang) -> str:
    return "charts" if lang == "nl" else "charts-en"
