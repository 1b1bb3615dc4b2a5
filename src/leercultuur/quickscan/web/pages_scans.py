"""Server-rendered pages for HR: scans, their response count, printable code letters."""

from __future__ import annotations

from datetime import date, timedelta

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.responses import Response

from leercultuur.quickscan import scans
from leercultuur.quickscan.accounts import CurrentUser
from leercultuur.quickscan.csvsafe import csv_response
from leercultuur.quickscan.errors import InvalidInput
from leercultuur.quickscan.web.api_scans import public_links
from leercultuur.quickscan.web.deps import (
    DbId,
    form_data,
    get_database,
    get_settings,
    render,
    require_hr,
)
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


@router.get("/scans")
def scans_page(request: Request, user: CurrentUser = Depends(require_hr)) -> Response:
    with get_database(request).read() as db:
        rows = [(s, scans.response_count(db, s)) for s in scans.list_scans(db, user)]
    ctx = {
        "rows": rows,
        "sectors": scans.SECTORS,
        "size_classes": scans.SIZE_CLASSES,
        "default_close": (date.today() + timedelta(days=28)).isoformat(),
    }
    return render(request, "scans.html", ctx)


@router.post("/scans")
def scans_create(
    request: Request,
    user: CurrentUser = Depends(require_hr),
    form: FormData = Depends(form_data),
) -> Response:
    teams = [t.strip() for t in form_str(form, "teams", default="").splitlines() if t.strip()]
    raw = {
        "name": form_str(form, "name"),
        "sector": form_str(form, "sector"),
        "size_class": form_str(form, "size_class"),
        "headcount": form_str(form, "headcount"),
        "languages": form_list(form, "languages"),
        "closes_on": form_str(form, "closes_on"),
        "min_group_size": form_str(form, "min_group_size", default="10"),
        "open_link": form_str(form, "open_link", default="") == "on",
        "teams": teams,
    }
    try:
        data = scans.ScanIn.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInput(validation_message(exc)) from None
    with get_database(request).write() as db:
        scan = scans.create_scan(db, user, data)
    return RedirectResponse(f"/scans/{scan.id}", status_code=303)


@router.get("/scans/{scan_id}")
def scan_page(scan_id: DbId, request: Request, user: CurrentUser = Depends(require_hr)) -> Response:
    with get_database(request).read() as db:
        scan = scans.get_scan(db, user, scan_id)
        count = scans.response_count(db, scan)
        issued = scans.issued_codes(db, scan.id)
    ctx = {
        "scan": scan,
        "count": count,
        "url": public_links(request, scan.public_id)["questionnaire_url"],
        "max_codes": get_settings(request).max_codes_per_batch,
        "max_letters": get_settings(request).max_letters_per_page,
        "issued": issued,
    }
    return render(request, "scan.html", ctx)


@router.post("/scans/{scan_id}/codes")
def scan_codes(
    scan_id: DbId,
    request: Request,
    user: CurrentUser = Depends(require_hr),
    form: FormData = Depends(form_data),
) -> Response:
    settings = get_settings(request)
    count_text = form_str(form, "count").strip()
    if not (count_text.isascii() and count_text.isdigit() and len(count_text) <= 9):
        raise InvalidInput(f"count: {count_text[:20]!r} is not a whole number from 1 to 999999999")
    count, limit = int(count_text), settings.max_codes_per_batch
    prepared = scans.prepare_codes(count, secret=settings.secret, limit=limit)
    with get_database(request).write() as db:
        scan = scans.get_scan(db, user, scan_id)
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
