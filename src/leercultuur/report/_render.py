"""Entry points: the Excel workbook, the HTML report with its charts, and everything at once."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leercultuur.errors import DataError, LeercultuurError, check_choice
from leercultuur.monitor import MonitorResult
from leercultuur.report import _i18n as i18n
from leercultuur.report._charts import all_charts
from leercultuur.report._excel import write_workbook
from leercultuur.report._findings import findings
from leercultuur.report._html import render_html
from leercultuur.report._tables import (
    METHODS,
    Method,
    association_tables,
    indicator_tables,
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
    """The edition and the test method; by default the method the result was computed with."""
    lang_ = i18n.check_lang(lang)
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
    return lang_, "classic" if method == "classic" else "design"


def _check_result(result: MonitorResult) -> None:
    if result.estimates.empty:
        raise DataError("the monitor result has no estimates: nothing to report")


def write_excel(
    result: MonitorResult | str | Path,
    path: str | Path,
    *,
    lang: str = "nl",
    method: str | None = None,
) -> Path:
    """The Excel workbook: Table 1 per indicator, Table 2 by group, associations, methods."""
    res = _as_result(result)
    _check_result(res)
    lang_, method_ = _check(lang, method, res)
    return write_workbook(
        res,
        Path(path),
        lang=lang_,
        tables=indicator_tables(res, lang=lang_, method=method_),
        subgroups=subgroup_table(res, lang=lang_, method=method_),
        associations=association_tables(res, lang=lang_),
        found=findings(res, lang=lang_, method=method_),
    )


def write_html(
    result: MonitorResult | str | Path,
    out_dir: str | Path,
    *,
    lang: str = "nl",
    method: str | None = None,
) -> Path:
    """The self-contained HTML report in ``out_dir`` (``report.html``, or ``report-en.html``),
    with every chart also saved as SVG and PNG under ``out_dir/charts``."""
    res = _as_result(result)
    _check_result(res)
    lang_, method_ = _check(lang, method, res)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    charts = all_charts(res, lang=lang_, method=method_, out=out / _charts_dir(lang_))
    html = render_html(
        res,
        lang=lang_,
        tables=indicator_tables(res, lang=lang_, method=method_),
        subgroups=subgroup_table(res, lang=lang_, method=method_, indicators=_headline(res)),
        associations=association_tables(res, lang=lang_),
        found=findings(res, lang=lang_, method=method_),
        charts=charts,
    )
    path = out / ("report.html" if lang_ == "nl" else "report-en.html")
    path.write_text(html, encoding="utf-8")
    return path


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
) -> ReportFiles:
    """Everything: HTML with charts (SVG + PNG), Excel, the findings as JSON, optionally a PDF
    (printed by headless Chromium, which must be installed)."""
    res = _as_result(result)
    _check_result(res)
    lang_, method_ = _check(lang, method, res)
    out = Path(out_dir)
    suffix = "" if lang_ == "nl" else "-en"
    html = write_html(res, out, lang=lang_, method=method_)
    excel = write_excel(res, out / f"monitor{suffix}.xlsx", lang=lang_, method=method_)
    found = findings(res, lang=lang_, method=method_)
    fpath = out / f"findings{suffix}.json"
    fpath.write_text(
        json.dumps([f.to_dict() for f in found], indent=2, ensure_ascii=False), encoding="utf-8"
    )
    charts = tuple(sorted((out / _charts_dir(lang_)).glob("*.*")))
    pdf_path = print_pdf(html, out / f"report{suffix}.pdf") if pdf else None
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
