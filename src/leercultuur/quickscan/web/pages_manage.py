"""HR pages that change a scan (edit, close, delete), the own password, and the privacy page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from leercultuur.quickscan import lifecycle, retention, scans
from leercultuur.quickscan.accounts import CurrentUser
from leercultuur.quickscan.errors import Gone, InvalidInput, NotAuthenticated
from leercultuur.quickscan.models import Scan
from leercultuur.quickscan.scan_edit import EditRefused, ScanEdit, update_scan
from leercultuur.quickscan.web import i18n
from leercultuur.quickscan.web.admission import hashes_passwords
from leercultuur.quickscan.web.deps import (
    DbId,
    form_data,
    get_accounts,
    get_database,
    get_settings,
    render,
    require_hr,
    require_user,
)
from leercultuur.quickscan.web.form_errors import refusal_text, validation_text
from leercultuur.quickscan.web.forms import form_str
from leercultuur.quickscan.web.middleware import SESSION_COOKIE
from leercultuur.quickscan.web.pages_scans import scan_form_values
from leercultuur.quickscan.web.privacy import privacy_sections

router = APIRouter()


def _open_scan(db: Session, user: CurrentUser, scan_id: int) -> Scan:
    scan = scans.get_scan(db, user, scan_id)
    if lifecycle.scan_status(scan) != "open":
        raise Gone(f"scan {scan.id} is closed and can no longer be changed")
    return scan


def _edit_context(scan: Scan, responses: int, error: str | None = None) -> dict[str, object]:
    return {
        "scan": scan,
        "sectors": scans.SECTORS,
        "sector_names": scans.SECTOR_NAMES,
        "size_classes": scans.SIZE_CLASSES,
        "teams_locked": responses > 0,
        "error": error,
    }


@router.get("/scans/{scan_id}/edit")
def edit_page(scan_id: DbId, request: Request, user: CurrentUser = Depends(require_hr)) -> Response:
    with get_database(request).read() as db:
        scan = _open_scan(db, user, scan_id)
        ctx = _edit_context(scan, scans.response_count(db, scan))
    return render(request, "scan_edit.html", ctx)


@router.post("/scans/{scan_id}/edit")
def edit_submit(
    scan_id: DbId,
    request: Request,
    form: FormData = Depends(form_data),
    user: CurrentUser = Depends(require_hr),
) -> Response:
    database = get_database(request)
    error: str | None = None
    try:
        data = ScanEdit.model_validate(scan_form_values(form))
    except ValidationError as exc:
        error = validation_text(exc, i18n.translator(i18n.page_lang(request)))
    if error is None:
        try:
            with database.write() as db:
                scan = _open_scan(db, user, scan_id)
                update_scan(db, scan, data, responses=scans.response_count(db, scan))
        except EditRefused as exc:
            error = refusal_text(exc, i18n.translator(i18n.page_lang(request)))
    if error is None:
        return RedirectResponse(f"/scans/{scan_id}", status_code=303)
    with database.read() as db:
        scan = _open_scan(db, user, scan_id)
        ctx = _edit_context(scan, scans.response_count(db, scan), error)
    return render(request, "scan_edit.html", ctx, 422)


def _confirm_context(request: Request, scan: Scan, what: str, responses: int) -> dict[str, object]:
    _ = i18n.translator(i18n.page_lang(request))
    if what == "close":
        return {
            "scan": scan,
            "title": _("Close the scan now"),
            "explain": [
                _(
                    "After closing, nobody can answer any more, no new codes can be made, and the "
                    "scan cannot be opened again.",
                ),
                _(
                    "The scan has {n} responses; a report needs at least {min}.",
                    n=responses,
                    min=scan.min_group_size,
                ),
            ],
            "action": f"/scans/{scan.id}/close",
            "confirm_label": _("Yes, close this scan"),
            "button": _("Close the scan"),
            "button_class": "",
        }
    return {
        "scan": scan,
        "title": _("Delete the scan"),
        "explain": [
            _(
                "This deletes the scan \u201c{name}\u201d with all {n} responses, all codes and "
                "its report for good. It cannot be undone.",
                name=scan.name,
                n=responses,
            ),
            _("Download the report first if you want to keep it."),
        ],
        "action": f"/scans/{scan.id}/delete",
        "confirm_label": _("Yes, delete this scan and all its answers"),
        "button": _("Delete for good"),
        "button_class": "danger",
    }


def _confirmed(form: FormData) -> bool:
    return form_str(form, "confirm", default="") == "yes"


def _confirm_page(
    request: Request, user: CurrentUser, scan_id: int, action: str, *, error: bool = False
) -> Response:
    """The confirmation page of closing (open scans only) or deleting a scan; with ``error``
    the 422 answer to a form sent without the tick."""
    load = _open_scan if action == "close" else scans.get_scan
    with get_database(request).read() as db:
        scan = load(db, user, scan_id)
        ctx = _confirm_context(request, scan, action, scans.response_count(db, scan))
    if not error:
        return render(request, "scan_confirm.html", ctx)
    _ = i18n.translator(i18n.page_lang(request))
    ctx["error"] = _("Please tick the box to confirm.")
    return render(request, "scan_confirm.html", ctx, 422)


@router.get("/scans/{scan_id}/close")
def close_page(
    scan_id: DbId, request: Request, user: CurrentUser = Depends(require_hr)
) -> Response:
    return _confirm_page(request, user, scan_id, "close")


@router.post("/scans/{scan_id}/close")
def close_submit(
    scan_id: DbId,
    request: Request,
    form: FormData = Depends(form_data),
    user: CurrentUser = Depends(require_hr),
) -> Response:
    if not _confirmed(form):
        return _confirm_page(request, user, scan_id, "close", error=True)
    with get_database(request).write() as db:
        lifecycle.close_scan(db, _open_scan(db, user, scan_id))
    return RedirectResponse(f"/scans/{scan_id}", status_code=303)


@router.get("/scans/{scan_id}/delete")
def delete_page(
    scan_id: DbId, request: Request, user: CurrentUser = Depends(require_hr)
) -> Response:
    return _confirm_page(request, user, scan_id, "delete")


@router.post("/scans/{scan_id}/delete")
def delete_submit(
    scan_id: DbId,
    request: Request,
    form: FormData = Depends(form_data),
    user: CurrentUser = Depends(require_hr),
) -> Response:
    if not _confirmed(form):
        return _confirm_page(request, user, scan_id, "delete", error=True)
    with get_database(request).write() as db:
        retention.delete_scan(db, scans.get_scan(db, user, scan_id))
    return RedirectResponse("/scans", status_code=303)


@router.get("/account/password")
def password_page(request: Request, user: CurrentUser = Depends(require_user)) -> Response:
    return render(request, "password.html")


@router.post("/account/password")
@hashes_passwords
def password_submit(
    request: Request,
    form: FormData = Depends(form_data),
    user: CurrentUser = Depends(require_user),
) -> Response:
    _ = i18n.translator(i18n.page_lang(request))
    new = form_str(form, "new")
    if new != form_str(form, "repeat"):
        return render(request, "password.html", {"error": _("The two new passwords differ.")}, 422)
    try:
        get_accounts(request).change_password(
            get_database(request),
            user.id,
            current=form_str(form, "current"),
            new=new,
            keep_session=request.cookies.get(SESSION_COOKIE),
        )
    except NotAuthenticated:
        error = _("The current password is not right.")
        return render(request, "password.html", {"error": error}, 403)
    except InvalidInput:
        error = _("The new password needs at least 12 characters and must differ from the old one.")
        return render(request, "password.html", {"error": error}, 422)
    return render(request, "password.html", {"done": True})


@router.get("/privacy")
def privacy_page(request: Request) -> Response:
    settings = get_settings(request)
    lang = i18n.page_lang(request)
    days = int(getattr(settings, "retention_days", 365))
    notice = privacy_sections(lang, None, retention_days=days)
    return render(request, "privacy.html", {"notice": notice})
