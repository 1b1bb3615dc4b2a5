"""JSON API: CSRF token, login/logout, invitations, password resets, organisations (admin)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from starlette.responses import JSONResponse, Response

from leercultuur.quickscan.accounts import CurrentUser
from leercultuur.quickscan.errors import NotFound
from leercultuur.quickscan.models import Organisation, User
from leercultuur.quickscan.web.admission import hashes_passwords
from leercultuur.quickscan.web.api_models import (
    CsrfOut,
    LinkOut,
    LoginOut,
    LogoutOut,
    OrganisationOut,
    UserOut,
)
from leercultuur.quickscan.web.deps import (
    DbId,
    absolute_url,
    client_address,
    get_accounts,
    get_database,
    require_admin,
    require_user,
)
from leercultuur.quickscan.web.sessions import end_session, session_csrf_token, start_session

router = APIRouter(tags=["accounts"])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Strict):
    username: str = Field(max_length=254)
    password: str = Field(max_length=1000)


class TokenPasswordIn(Strict):
    token: str = Field(max_length=200)
    password: str = Field(max_length=1000)


class InviteAcceptIn(TokenPasswordIn):
    username: str = Field(max_length=254)


class OrganisationIn(Strict):
    name: str = Field(max_length=200)


def user_dict(user: User | CurrentUser) -> dict[str, object]:
    return {
        "id": user.id,
        "username": user.username,
        "role": user.role,
        "organisation_id": user.organisation_id,
    }


def _link_dict(request: Request, path: str, expires: datetime) -> dict[str, object]:
    return {"url": absolute_url(request, path), "expires_at": expires.isoformat() + "Z"}


@router.get("/csrf", response_model=CsrfOut)
def csrf(request: Request) -> dict[str, str]:
    """The CSRF token to send as X-CSRF-Token with every state-changing call."""
    return {"csrf_token": request.state.csrf_token}


@router.post("/auth/login", responses={200: {"model": LoginOut}})
@hashes_passwords
def login(body: LoginIn, request: Request) -> Response:
    user, token = get_accounts(request).login(
        get_database(request),
        username=body.username,
        password=body.password,
        client=client_address(request),
    )
    csrf_token = session_csrf_token(request, token)
    response = JSONResponse({"user": user_dict(user), "csrf_token": csrf_token})
    start_session(request, response, token, csrf_token)
    return response


@router.post("/auth/logout", responses={200: {"model": LogoutOut}})
def logout(request: Request) -> Response:
    response = JSONResponse({"logged_out": True})
    end_session(request, response)
    return response


@router.get("/auth/me", response_model=UserOut)
def me(user: CurrentUser = Depends(require_user)) -> dict[str, object]:
    return user_dict(user)


@router.post("/auth/accept-invite", status_code=201, response_model=UserOut)
@hashes_passwords
def accept_invite(body: InviteAcceptIn, request: Request) -> dict[str, object]:
    user = get_accounts(request).accept_invite(
        get_database(request),
        token=body.token,
        username=body.username,
        password=body.password,
        client=client_address(request),
    )
    return user_dict(user)


@router.post("/auth/reset-password", response_model=UserOut)
@hashes_passwords
def reset_password(body: TokenPasswordIn, request: Request) -> dict[str, object]:
    user = get_accounts(request).reset_password(
        get_database(request),
        token=body.token,
        password=body.password,
        client=client_address(request),
    )
    return user_dict(user)


@router.get("/admin/organisations", response_model=list[OrganisationOut])
def list_organisations(
    request: Request, _: CurrentUser = Depends(require_admin)
) -> list[dict[str, object]]:
    with get_database(request).read() as db:
        orgs = db.scalars(select(Organisation).order_by(Organisation.id))
        return [{"id": o.id, "name": o.name} for o in orgs]


@router.post("/admin/organisations", status_code=201, response_model=OrganisationOut)
def create_organisation(
    body: OrganisationIn, request: Request, _: CurrentUser = Depends(require_admin)
) -> dict[str, object]:
    with get_database(request).write() as db:
        org = get_accounts(request).create_organisation(db, body.name)
    return {"id": org.id, "name": org.name}


@router.post("/admin/organisations/{org_id}/invites", status_code=201, response_model=LinkOut)
def invite(
    org_id: DbId, request: Request, _: CurrentUser = Depends(require_admin)
) -> dict[str, object]:
    with get_database(request).write() as db:
        if db.get(Organisation, org_id) is None:
            raise NotFound(f"organisation {org_id} not found")
        token, expires = get_accounts(request).invite(db, org_id)
    return {**_link_dict(request, f"/invite/{token}", expires), "token": token}


@router.get("/admin/users", response_model=list[UserOut])
def list_users(
    request: Request, _: CurrentUser = Depends(require_admin)
) -> list[dict[str, object]]:
    with get_database(request).read() as db:
        return [user_dict(u) for u in db.scalars(select(User).order_by(User.id))]


@router.post("/admin/users/{user_id}/password-reset", status_code=201, response_model=LinkOut)
def issue_reset(
    user_id: DbId, request: Request, _: CurrentUser = Depends(require_admin)
) -> dict[str, object]:
    with get_database(request).write() as db:
        if db.get(User, user_id) is None:
            raise NotFound(f"user {user_id} not found")
        token, expires = get_accounts(request).issue_reset(db, user_id)
    return {**_link_dict(request, f"/reset/{token}", expires), "token": token}
