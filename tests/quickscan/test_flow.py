"""The whole flow through the JSON API, on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from leercultuur.quickscan.models import AccessCode, Answer, Response

from .conftest import (
    ADMIN,
    PASSWORD,
    VALID_ANSWERS,
    Api,
    make_hr,
    new_submission_id,
    scan_body,
)


def test_whole_flow_admin_to_employee_to_count(admin_api: Api, app: Any) -> None:
    hr, org_id = make_hr(admin_api, app, "Zorggroep Noord", "HR@Noord.test")
    me = hr.get("/auth/me").json()
    assert me == {
        "id": me["id"],
        "username": "hr@noord.test",
        "role": "hr",
        "organisation_id": org_id,
    }

    created = hr.post("/scans", scan_body())
    assert created.status_code == 201, created.text
    scan = created.json()
    assert scan["min_group_size"] == 10  # the default
    assert scan["teams"] == ["Zorg", "Administratie"]
    assert scan["response_count"] == 0
    assert scan["questionnaire_url"] == f"http://testserver/s/{scan['public_id']}"

    codes = hr.post(f"/scans/{scan['id']}/codes", {"count": 3}).json()["codes"]
    assert len(codes) == 3
    assert all(len(c["code"]) == 34 and c["code"].count("-") == 6 for c in codes)
    assert codes[0]["url"] == f"{scan['questionnaire_url']}#code={codes[0]['code']}"

    employee = Api(app)
    q = employee.get(f"/s/{scan['public_id']}", params={"lang": "en"})
    assert q.status_code == 200
    body = q.json()
    assert body["needs_code"] is True
    assert [b["id"] for b in body["blocks"]] == [
        "nonformal",
        "informal",
        "variation",
        "autonomy",
        "supervisor",
        "background",
    ]
    team = body["blocks"][-1]["items"][-1]
    assert team["id"] == "team"
    assert team["options"] == [{"code": 1, "label": "Zorg"}, {"code": 2, "label": "Administratie"}]
    assert "at least 10 people" in " ".join(body["privacy_notice"])

    for c in codes[:2]:
        r = employee.post(
            f"/s/{scan['public_id']}/responses",
            {
                "code": c["code"].lower(),
                "submission_id": new_submission_id(),
                "answers": VALID_ANSWERS,
            },
        )
        assert r.status_code == 201, r.text
        assert r.json() == {"status": "stored"}

    status = hr.get(f"/scans/{scan['id']}").json()
    assert status["response_count"] == 2
    assert status["status"] == "open"
    assert [s["response_count"] for s in hr.get("/scans").json()] == [2]

    with app.state.sessions() as db:
        stored = db.scalars(select(Answer).order_by(Answer.item)).all()
        assert len(stored) == 2 * len(VALID_ANSWERS)
        assert {(a.item, a.value) for a in stored} == set(VALID_ANSWERS.items())
        assert db.scalar(select(Response.scan_id).limit(1)) == scan["id"]
        assert sorted(c.used for c in db.scalars(select(AccessCode))) == [False, True, True]


def test_logout_ends_the_session_on_the_server(admin_api: Api, app: Any) -> None:
    hr, _ = make_hr(admin_api, app, "Org", "hr@org.test")
    cookie = hr.client.cookies.get("qs_session")
    assert hr.get("/auth/me").status_code == 200
    assert hr.post("/auth/logout").status_code == 200
    assert hr.get("/auth/me").status_code == 401
    # replaying the old cookie does not bring the session back
    thief = Api(app)
    thief.client.cookies.set("qs_session", cookie)
    r = thief.get("/auth/me")
    assert r.status_code == 401
    assert r.json() == {"detail": "please log in first"}


def test_login_gives_a_new_session_each_time(app: Any) -> None:
    api = Api(app)
    api.login(*ADMIN)
    first = api.client.cookies.get("qs_session")
    old_csrf = api.csrf
    api.login(*ADMIN)
    assert api.client.cookies.get("qs_session") != first
    assert api.csrf != old_csrf


def test_wrong_password_is_refused(app: Any) -> None:
    api = Api(app)
    r = api.post("/auth/login", {"username": ADMIN[0], "password": "not-the-password"})
    assert r.status_code == 401
    assert r.json() == {"detail": "wrong username or password"}
    assert "qs_session" not in api.client.cookies


def test_invite_link_works_once(admin_api: Api, app: Any) -> None:
    org_id = admin_api.post("/admin/organisations", {"name": "Org"}).json()["id"]
    token = admin_api.post(f"/admin/organisations/{org_id}/invites").json()["token"]
    api = Api(app)
    body = {"token": token, "username": "a@org.test", "password": PASSWORD}
    assert api.post("/auth/accept-invite", body).status_code == 201
    again = api.post("/auth/accept-invite", {**body, "username": "b@org.test"})
    assert again.status_code == 403
    assert again.json() == {"detail": "this invitation has already been used"}


def test_password_reset_link_from_admin(admin_api: Api, app: Any) -> None:
    hr, _ = make_hr(admin_api, app, "Org", "hr@org.test")
    user_id = hr.get("/auth/me").json()["id"]
    issued = admin_api.post(f"/admin/users/{user_id}/password-reset").json()
    assert issued["url"] == f"http://testserver/reset/{issued['token']}"
    anon = Api(app)
    short = anon.post("/auth/reset-password", {"token": issued["token"], "password": "short"})
    assert short.status_code == 422
    assert short.json() == {"detail": "password: has 5 characters; at least 12 are needed"}
    ok = anon.post(
        "/auth/reset-password", {"token": issued["token"], "password": "a-new-password-1"}
    )
    assert ok.status_code == 200
    # the reset ends the user's existing sessions
    assert hr.get("/auth/me").status_code == 401
    fresh = Api(app)
    assert (
        fresh.post("/auth/login", {"username": "hr@org.test", "password": PASSWORD}).status_code
        == 401
    )
    fresh.login("hr@org.test", "a-new-password-1")
    reuse = anon.post(
        "/auth/reset-password", {"token": issued["token"], "password": "another-password-2"}
    )
    assert reuse.status_code == 403
