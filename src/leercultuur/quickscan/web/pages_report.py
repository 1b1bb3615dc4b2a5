"""The organisation's report (closed scans with enough answers) and its downloads.

HTML page, self-contained HTML file, PDF (headless Chromium) and CSV of the aggregated figures
shown. All routes are plain ``def``: the database work, the statistics and the PDF run in the
thread pool, never on the event loop.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from markupsafe import Markup
from starlette.responses import Response

from leercultuur.quickscan import lifecycle, scans
from leercultuur.quickscan.accounts import CurrentUser
from leercultuur.quickscan.web import i18n, report_view
from leercultuur.quickscan.web.deps import (
    TEMPLATES,
    DbId,
    get_database,
    render,
    require_hr,
)
from leercultuur.quickscan.web.pdf import html_to_pdf

router = APIRouter()
STATIC = Path(__file__).resolve().parents[1] / "static"


def report_context(report: Any, lang: str, *, standalone: bool) -> dict[str, Any]:
    """Everything the report templates need, for the page and for the downloads."""
    views = report_view.dimension_views(report, lang)
    sources = report_view.cited_sources(views)
    groups: dict[str, list[Any]] = {}
    for g in report.groups:
        groups.setdefault(g.variable, []).append(g)
    headline = [i for i in report.indicators if i.headline]
    return {
        "r": report,
        "lang": lang,
        "views": views,
        "sources": sources,
        "source_no": report_view.source_numbers(sources),
        "chart": report_view.profile_svg(report, lang),
        "chart_narrow": report_view.profile_svg(report, lang, narrow=True),
        "groups": groups,
        "headline": headline,
        "standalone": standalone,
        "rv": report_view,
        "pick": i18n.pick,
        "_": i18n.translator(lang),
    }


def _filename(report: Any, ext: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", report.scan_name).strip("-")[:60] or "scan"
    return f"quickscan-{stem}-{report.closed_on.isoformat()}.{ext}"


def standalone_html(report: Any, lang: str) -> str:
    """The report as one HTML file: CSS inline, chart inline, no script, no outside request."""
    ctx = report_context(report, lang, standalone=True)
    css = (STATIC / "style.css").read_text(encoding="utf-8")
    ctx["inline_css"] = Markup(css.replace("</", "<\\/"))
    return TEMPLATES.get_template("report_file.html").render(ctx)


def _report(request: Request, user: CurrentUser, scan_id: int) -> Any:
    """The scan's report. The statistics run in a read unit (no write lock); only a closed scan
    whose benchmark edition is not pinned yet (closed by its date) gets one short write first."""
    database = get_database(request)
    with database.read() as db:
        scan = scans.get_scan(db, user, scan_id)
        pin = scan.benchmark_edition_id is None and lifecycle.scan_status(scan) == "closed"
    if pin:
        with database.write() as db:
            lifecycle.close_scan(db, scans.get_scan(db, user, scan_id))  # idempotent: pins
    with database.read() as db:
        return lifecycle.report_for_scan(db, scans.get_scan(db, user, scan_id))


@router.get("/scans/{scan_id}/report")
def report_page(
    scan_id: DbId, request: Request, user: CurrentUser = Depends(require_hr)
) -> Response:
    lang = i18n.page_lang(request)
    try:
        report = _report(request, user, scan_id)
    except lifecycle.ReportNotAvailable as exc:
        status = getattr(exc, "status", None)
        message = i18n.pick(status, "message", lang) if status is not None else str(exc)
        ctx = {"status": exc.status_code, "message": message}
        return render(request, "error.html", ctx, exc.status_code)
    return render(request, "report.html", report_context(report, lang, standalone=False))


@router.get("/scans/{scan_id}/report.html")
def report_file(
    scan_id: DbId, request: Request, user: CurrentUser = Depends(require_hr)
) -> Response:
    report = _report(request, user, scan_id)
    html = standalone_html(report, i18n.page_lang(request))
    headers = {"Content-Disposition": f'attachment; filename="{_filename(report, "html")}"'}
    return Response(html, media_type="text/html; charset=utf-8", headers=headers)


@router.get("/scans/{scan_id}/report.pdf")
def report_pdf(
    scan_id: DbId, request: Request, user: CurrentUser = Depends(require_hr)
) -> Response:
    report = _report(request, user, scan_id)
    pdf = html_to_pdf(standalone_html(report, i18n.page_lang(request)))
    headers = {"Content-Disposition": f'attachment; filename="{_filename(report, "pdf")}"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.get("/scans/{scan_id}/report.csv")
def report_csv(
    scan_id: DbId, request: Request, user: CurrentUser = Depends(require_hr)
) -> Response:
    report = _report(request, user, scan_id)
    text = report_view.csv_text(report.csv_rows(i18n.page_lang(request)))
    headers = {"Content-Disposition": f'attachment; filename="{_filename(report, "csv")}"'}
    return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8", headers=headers)
