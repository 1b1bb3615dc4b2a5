"""Authorisation matrix: a user of one organisation gets 403/404 for every object of another."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from leercultuur.quickscan.models import AccessCode, OneTimeToken, Organisation

from .conftest import Api, make_hr, scan_body


@pytest.fixture
def world(admin_api: Api, app: Any) -> dict[str, Any]:
    hr_a, org_a = make_hr(admin_api, app, "Zorggroep Noord", "hr@noord.test")
    hr_b, _ = make_hr(admin_api, app, "Bouwbedrijf Zuid", "hr@zuid.test")
    scan_a = hr_a.post("/scans", scan_body()).json()
    user_a = hr_a.get("/auth/me").json()["id"]
    return {"hr_a": hr_a, "hr_b": hr_b, "org_a": org_a, "scan_a": scan_a, "user_a": user_a}


def _counts(app: Any) -> tuple[int, int, int]:
    with app.state.sessions() as db:
        return tuple(  # type: ignore[return-value]
            db.scalar(select(func.count()).select_from(t)) or 0
            for t in (Organisation, OneTimeToken, AccessCode)
        )


def test_hr_of_another_organisation_gets_404_for_every_scan_object(
    world: dict[str, Any], app: Any
) -> None:
    hr_b: Api = world["hr_b"]
    sid = world["scan_a"]["id"]
    before = _counts(app)
    cases = [
        ("GET", f"/api/v1/scans/{sid}", None),
        ("POST", f"/api/v1/scans/{sid}/codes", {"count": 5}),
        ("GET", f"/scans/{sid}", None),
        ("POST", f"/scans/{sid}/codes", None),
    ]
    for method, path, body in cases:
        if method == "GET":
            r = hr_b.client.get(path)
        elif body is not None:
            r = hr_b.client.post(path, json=body, headers={"X-CSRF-Token": hr_b.csrf})
        else:
            r = hr_b.client.post(path, data={"csrf_token": hr_b.csrf, "count": "5"})
        assert r.status_code == 404, (method, path, r.status_code)
        assert f"scan {sid} not found" in r.text
    assert hr_b.get("/scans").json() == []
    assert _counts(app) == before
    # the owner still gets them
    assert world["hr_a"].get(f"/scans/{sid}").status_code == 200


def test_hr_gets_403_for_every_admin_object(world: dict[str, Any], app: Any) -> None:
    hr_b: Api = world["hr_b"]
    org_a, user_a = world["org_a"], world["user_a"]
    before = _counts(app)
    api_cases = [
        ("GET", "/admin/organisations", None),
        ("POST", "/admin/organisations", {"name": "Sneaky BV"}),
        ("POST", f"/admin/organisations/{org_a}/invites", None),
        ("GET", "/admin/users", None),
        ("POST", f"/admin/users/{user_a}/password-reset", None),
    ]
    for method, path, body in api_cases:
        r = hr_b.get(path) if method == "GET" else hr_b.post(path, body)
        assert r.status_code == 403, (method, path)
        assert r.json() == {"detail": "this needs a platform admin account"}
    form = {"csrf_token": hr_b.csrf, "name": "Sneaky BV"}
    assert hr_b.client.get("/admin").status_code == 403
    for path in [
        "/admin/organisations",
        f"/admin/organisations/{org_a}/invite",
        f"/admin/users/{user_a}/reset",
    ]:
        assert hr_b.client.post(path, data=form).status_code == 403, path
    assert _counts(app) == before


def test_admin_has_no_access_to_scans(world: dict[str, Any], admin_api: Api) -> None:
    sid = world["scan_a"]["id"]
    assert admin_api.get(f"/scans/{sid}").status_code == 403
    assert admin_api.get("/scans").status_code == 403
    assert admin_api.post("/scans", scan_body()).status_code == 403
    assert admin_api.client.get(f"/scans/{sid}").status_code == 403


def test_anonymous_gets_401_on_the_api_and_the_login_page_on_pages(
    world: dict[str, Any], app: Any
) -> None:
    anon = Api(app)
    sid = world["scan_a"]["id"]
    for path in ["/scans", f"/scans/{sid}", "/admin/users", "/auth/me"]:
        r = anon.get(path)
        assert (r.status_code, r.json()) == (401, {"detail": "please log in first"}), path
    for path in ["/scans", f"/scans/{sid}", "/admin"]:
        r = anon.client.get(path, follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (303, "/login"), path
    r = anon.post(f"/scans/{sid}/codes", {"count": 1})
    assert r.status_code == 401


def test_invite_binds_the_new_user_to_the_inviting_organisation(world: dict[str, Any]) -> None:
    me_b = world["hr_b"].get("/auth/me").json()
    assert me_b["organisation_id"] != world["org_a"]
