"""Server-rendered pages: login/logout, invitation and password-reset forms, the admin page.

Every route that uses the database or hashes a password is a plain ``def`` (thread pool); the
form is read by the async :func:`form_data` dependency (see ``web/admission.py``).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from starlette.datastructures import FormData
from starlette.responses import Response

from leercultuur.quickscan.accounts import CurrentUser
from leercultuur.quickscan.errors import (
    NotAuthenticated,
    NotFound,
    QuickscanError,
    TooManyAttempts,
)
from leercultuur.quickscan.models import Organisation, User
from leercultuur.quickscan.web import i18n
from leercultuur.quickscan.web.admission import hashes_passwords
from leercultuur.quickscan.web.deps import (
    DbId,
    absolute_url,
    client_address,
    form_data,
    get_accounts,
    get_database,
    optional_user,
    render,
    require_admin,
)
from leercultuur.quickscan.web.forms import form_str
from leercultuur.quickscan.web.sessions import end_session, session_csrf_token, start_session

router = APIRouter()


@router.get("/")
def home(user: CurrentUser | None = Depends(optional_user)) -> Response:
    if user is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse("/admin" if user.role == "admin" else "/scans", status_code=303)


@router.get("/login")
def login_page(request: Request) -> Response:
    return render(request, "login.html")


@router.post("/login")
@hashes_passwords
def login_submit(request: Request, form: FormData = Depends(form_data)) -> Response:
    try:
        user, token = get_accounts(request).login(
            get_database(request),
            username=form_str(form, "username"),
            password=form_str(form, "password"),
            client=client_address(request),
        )
    except (NotAuthenticated, TooManyAttempts) as exc:
        response = render(request, "login.html", {"error": str(exc)}, exc.status_code)
        if exc.retry_after:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    response = RedirectResponse("/admin" if user.role == "admin" else "/scans", status_code=303)
    start_session(request, response, token, session_csrf_token(request, token))
    return response


@router.post("/logout")
def logout_submit(request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303)
    end_session(request, response)
    return response


@router.get("/invite/{token}")
def invite_page(token: str, request: Request) -> Response:
    with get_database(request).read() as db:
        get_accounts(request).check_token(db, "invite", token, client_address(request))
    return render(request, "set_password.html", {"kind": "invite", "token": token})


@router.post("/invite/{token}")
@hashes_passwords
def invite_submit(token: str, request: Request, form: FormData = Depends(form_data)) -> Response:
    try:
        get_accounts(request).accept_invite(
            get_database(request),
            token=token,
            username=form_str(form, "username"),
            password=form_str(form, "password"),
            client=client_address(request),
        )
    except QuickscanError as exc:
        if exc.status_code >= 500:
            raise
        ctx = {"kind": "invite", "token": token, "error": str(exc)}
        return render(request, "set_password.html", ctx, exc.status_code)
    return render(request, "message.html", {"message": "Your account is ready; please log in."})


@router.get("/reset/{token}")
def reset_page(token: str, request: Request) -> Response:
    with get_database(request).read() as db:
        get_accounts(request).check_token(db, "reset", token, client_address(request))
    return render(request, "set_password.html", {"kind": "reset", "token": token})


@router.post("/reset/{token}")
@hashes_passwords
def reset_submit(token: str, request: Request, form: FormData = Depends(form_data)) -> Response:
    try:
        get_accounts(request).reset_password(
            get_database(request),
            token=token,
            password=form_str(form, "password"),
            client=client_address(request),
        )
    except QuickscanError as exc:
        if exc.status_code >= 500:
            raise
        ctx = {"kind": "reset", "token": token, "error": str(exc)}
        return render(request, "set_password.html", ctx, exc.status_code)
    return render(request, "message.html", {"message": "Your password is changed; please log in."})


@router.get("/admin")
def admin_page(request: Request, _: CurrentUser = Depends(require_admin)) -> Response:
    with get_database(request).read() as db:
        orgs = list(db.scalars(select(Organisation).order_by(Organisation.name)))
        users = list(
            db.scalars(
                select(User).options(selectinload(User.organisation)).order_by(User.username)
            )
        )
    return render(request, "admin.html", {"organisations": orgs, "users": users})


@router.post("/admin/organisations")
def admin_create_org(
    request: Request,
    _: CurrentUser = Depends(require_admin),
    form: FormData = Depends(form_data),
) -> Response:
    name = form_str(form, "name")
    with get_database(request).write() as db:
        get_accounts(request).create_organisation(db, name)
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/organisations/{org_id}/invite")
def admin_invite(
    org_id: DbId, request: Request, _admin: CurrentUser = Depends(require_admin)
) -> Response:
    with get_database(request).write() as db:
        org = db.get(Organisation, org_id)
        if org is None:
            raise NotFound(f"organisation {org_id} not found")
        org_name = org.name
        token, expires = get_accounts(request).invite(db, org_id)
    _ = i18n.translator(i18n.page_lang(request))
    ctx = {
        "title": _("Invitation for {name}", name=org_name),
        "url": absolute_url(request, f"/invite/{token}"),
        "expires": expires,
    }
    return render(request, "link_issued.html", ctx)


@router.post("/admin/users/{user_id}/reset")
def admin_reset(
    user_id: DbId, request: Request, _admin: CurrentUser = Depends(require_admin)
) -> Response:
    with get_database(request).write() as db:
        user = db.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} not found")
        username = user.username
        token, expires = get_accounts(request).issue_reset(db, user_id)
    _ = i18n.translator(i18n.page_lang(request))
    ctx = {
        "title": _("Password reset for {name}", name=username),
        "url": absolute_url(request, f"/reset/{token}"),
        "expires": expires,
    }
    return render(request, "link_issued.html", ctx)
