"""Server-rendered pages for HR: scans, their response count, printable code letters."""

from __future__ import annotations

from datetime import date, timedelta

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from leercultuur.quickscan import scans
from leercultuur.quickscan.csvsafe import csv_response
from leercultuur.quickscan.errors import InvalidInput
from leercultuur.quickscan.models import User
from leercultuur.quickscan.web.api_scans import public_links
from leercultuur.quickscan.web.deps import DbId, get_db, get_settings, render, require_hr
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
def scans_page(
    request: Request, user: User = Depends(require_hr), db: Session = Depends(get_db)
) -> Response:
    rows = [(s, scans.response_count(db, s)) for s in scans.list_scans(db, user)]
    ctx = {
        "rows": rows,
        "sectors": scans.SECTORS,
        "size_classes": scans.SIZE_CLASSES,
        "default_close": (date.today() + timedelta(days=28)).isoformat(),
    }
    return render(request, "scans.html", ctx)


@router.post("/scans")
async def scans_create(
    request: Request, user: User = Depends(require_hr), db: Session = Depends(get_db)
) -> Response:
    form = await request.form()
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
    scan = scans.create_scan(db, user, data)
    return RedirectResponse(f"/scans/{scan.id}", status_code=303)


@router.get("/scans/{scan_id}")
def scan_page(
    scan_id: DbId, request: Request, user: User = Depends(require_hr), db: Session = Depends(get_db)
) -> Response:
    scan = scans.get_scan(db, user, scan_id)
    ctx = {
        "scan": scan,
        "count": scans.response_count(db, scan),
        "url": public_links(request, scan.public_id)["questionnaire_url"],
        "max_codes": get_settings(request).max_codes_per_batch,
        "max_letters": get_settings(request).max_letters_per_page,
        "issued": scans.issued_codes(db, scan.id),
    }
    return render(request, "scan.html", ctx)


@router.post("/scans/{scan_id}/codes")
async def scan_codes(
    scan_id: DbId, request: Request, user: User = Depends(require_hr), db: Session = Depends(get_db)
) -> Response:
    form = await request.form()
    settings = get_settings(request)
    scan = scans.get_scan(db, user, scan_id)
    count_text = form_str(form, "count").strip()
    if not (count_text.isascii() and count_text.isdigit() and len(count_text) <= 9):
        raise InvalidInput(f"count: {count_text[:20]!r} is not a whole number from 1 to 999999999")
    codes = scans.create_codes(
        db, scan, int(count_text), secret=settings.secret, limit=settings.max_codes_per_batch
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
    letters = await run_in_threadpool(lambda: [(c, qr_svg(f"{base}#code={c}")) for c in codes])
    return render(request, "codes.html", {"scan": scan, "letters": letters, "url": base})
