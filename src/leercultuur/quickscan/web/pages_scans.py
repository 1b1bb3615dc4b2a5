"""Server-rendered pages for HR: the scans, a scan's page, printable code letters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from leercultuur.quickscan import lifecycle, scans
from leercultuur.quickscan.accounts import CurrentUser
from leercultuur.quickscan.csvsafe import csv_response
from leercultuur.quickscan.errors import Gone, InvalidInput
from leercultuur.quickscan.models import Scan
from leercultuur.quickscan.web import i18n
from leercultuur.quickscan.web.api_scans import public_links
from leercultuur.quickscan.web.deps import (
    DbId,
    form_data,
    get_database,
    get_settings,
    render,
    require_hr,
)
from leercultuur.quickscan.web.form_errors import REFUSALS, validation_text
from leercultuur.quickscan.web.forms import form_list, form_str

router = APIRouter()


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code (no script, no external request; fits the strict CSP)."""
    svg = segno.make(url, error="m").svg_inline(scale=3, omitsize=False)
    return Markup(svg)


def validation_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        parts.append(f"{loc}: {err['msg']}" if loc else err["msg"])
    return "; ".join(parts)


@dataclass(frozen=True)
class ScanRow:
    """One line of the HR list: what a scan is and how far it has got."""

    scan: Scan
    status: str
    responses: int
    rate: float
    report: bool


def scan_row(db: Session, scan: Scan) -> ScanRow:
    count = scans.response_count(db, scan)
    report = lifecycle.report_status(db, scan)
    return ScanRow(
        scan=scan,
        status=lifecycle.scan_status(scan),
        responses=count,
        rate=count / scan.headcount if scan.headcount else 0.0,
        report=report.available,
    )


def scan_form_values(form: FormData) -> dict[str, object]:
    """The scan fields of a create or edit form, as the models expect them."""
    teams = [t.strip() for t in form_str(form, "teams", default="").splitlines() if t.strip()]
    return {
        "name": form_str(form, "name"),
        "sector": form_str(form, "sector"),
        "size_class": form_str(form, "size_class"),
        "headcount": form_str(form, "headcount"),
        "languages": form_list(form, "languages"),
        "closes_on": form_str(form, "closes_on"),
        "min_group_size": form_str(form, "min_group_size", default="10"),
        "teams": teams,
    }


def _list_context(request: Request, user: CurrentUser) -> dict[str, object]:
    with get_database(request).read() as db:
        rows = [scan_row(db, s) for s in scans.list_scans(db, user)]
    return {
        "rows": rows,
        "sectors": scans.SECTORS,
        "sector_names": scans.SECTOR_NAMES,
        "size_classes": scans.SIZE_CLASSES,
        "default_close": (date.today() + timedelta(days=28)).isoformat(),
    }


@router.get("/scans")
def scans_page(request: Request, user: CurrentUser = Depends(require_hr)) -> Response:
    return render(request, "scans.html", _list_context(request, user))


@router.post("/scans")
def scans_create(
    request: Request,
    form: FormData = Depends(form_data),
    user: CurrentUser = Depends(require_hr),
) -> Response:
    _ = i18n.translator(i18n.page_lang(request))
    raw = scan_form_values(form)
    raw["open_link"] = form_str(form, "open_link", default="") == "on"
    raw["kind"] = form_str(form, "kind", default="employees")
    error: str | None = None
    try:
        data = scans.ScanIn.model_validate(raw)
    except ValidationError as exc:
        error = validation_text(exc, _)
    else:
        if data.closes_on < date.today():
            error = _(REFUSALS["date_past"])
    if error is not None:
        ctx = {**_list_context(request, user), "error": error}
        return render(request, "scans.html", ctx, 422)
    with get_database(request).write() as db:
        scan = scans.create_scan(db, user, data)
    return RedirectResponse(f"/scans/{scan.id}", status_code=303)


@router.get("/scans/{scan_id}")
def scan_page(scan_id: DbId, request: Request, user: CurrentUser = Depends(require_hr)) -> Response:
    with get_database(request).read() as db:
        scan = scans.get_scan(db, user, scan_id)
        row = scan_row(db, scan)
        report_status = lifecycle.report_status(db, scan)
        issued = scans.issued_codes(db, scan.id)
    ctx = {
        "scan": scan,
        "row": row,
        "report_status": report_status,
        "url": public_links(request, scan.public_id)["questionnaire_url"],
        "max_codes": get_settings(request).max_codes_per_batch,
        "closed_on": None if row.status == "open" else lifecycle.closed_on(scan),
        "expires_on": _expires_on(request, scan),
        "max_letters": get_settings(request).max_letters_per_page,
        "issued": issued,
    }
    return render(request, "scan.html", ctx)


def _expires_on(request: Request, scan: Scan) -> date | None:
    from leercultuur.quickscan import retention

    if lifecycle.scan_status(scan) == "open":
        return None
    days = int(getattr(get_settings(request), "retention_days", 365))
    return retention.expires_on(scan, retention_days=days)


@router.post("/scans/{scan_id}/codes")
def scan_codes(
    scan_id: DbId,
    request: Request,
    form: FormData = Depends(form_data),
    user: CurrentUser = Depends(require_hr),
) -> Response:
    settings = get_settings(request)
    count_text = form_str(form, "count").strip()
    if not (count_text.isascii() and count_text.isdigit() and len(count_text) <= 9):
        raise InvalidInput(f"count: {count_text[:20]!r} is not a whole number from 1 to 999999999")
    count, limit = int(count_text), settings.max_codes_per_batch
    prepared = scans.prepare_codes(count, secret=settings.secret, limit=limit)
    with get_database(request).write() as db:
        scan = scans.get_scan(db, user, scan_id)
        if lifecycle.scan_status(scan) != "open":
            raise Gone(f"scan {scan.id} is closed; no new codes")
        codes = scans.create_codes(
            db, scan, count, secret=settings.secret, limit=limit, prepared=prepared
        )
    base = public_links(request, scan.public_id)["questionnaire_url"]
    if len(codes) > settings.max_letters_per_page:
        # A QR code takes ~20 ms: 5,000 letters were 100 s of work and a 16.7 MB page. A large
        # batch comes as a CSV download (for a mail merge); letters come in pages of at most
        # max_letters_per_page codes.
        return csv_response(
            f"codes-scan-{scan.id}.csv",
            ["code", "url"],
            ([c, f"{base}#code={c}"] for c in codes),
        )
    letters = [(c, qr_svg(f"{base}#code={c}")) for c in codes]
    return render(request, "codes.html", {"scan": scan, "letters": letters, "url": base})
