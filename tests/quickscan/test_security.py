"""CSRF on every state change, nothing changes on GET, security headers, cookies, secrets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, inspect, select, text

from leercultuur.quickscan import Settings
from leercultuur.quickscan.models import Base, User
from leercultuur.quickscan.web.app import route_table

from .conftest import ADMIN, VALID_ANSWERS, Api, make_hr, new_submission_id, scan_body

EXPECTED_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}
# Every GET route of the app; each only reads. A new GET route must be added here on purpose.
READ_ONLY_GETS = {
    "/",
    "/login",
    "/invite/{token}",
    "/reset/{token}",
    "/admin",
    "/scans",
    "/scans/{scan_id}",
    "/scans/{scan_id}/edit",
    "/scans/{scan_id}/close",
    "/scans/{scan_id}/delete",
    "/scans/{scan_id}/report",
    "/scans/{scan_id}/report.html",
    "/scans/{scan_id}/report.pdf",
    "/scans/{scan_id}/report.csv",
    "/account/password",
    "/privacy",
    "/s/{public_id}",
    "/s/{public_id}/questions",
    "/api/v1/csrf",
    "/api/v1/auth/me",
    "/api/v1/admin/organisations",
    "/api/v1/admin/users",
    "/api/v1/scans",
    "/api/v1/scans/{scan_id}",
    "/api/v1/s/{public_id}",
    "/openapi.json",
    "/healthz",
}


def _row_counts(app: Any) -> dict[str, int]:
    with app.state.sessions() as db:
        return {
            t.name: db.execute(select(func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables
            if t.name != "throttle"  # rate-limit bookkeeping: a bad link counts even on GET
        }


def _post_routes() -> list[str]:
    return [path for method, path in route_table() if method == "POST"]


def test_routes_use_only_get_and_post_and_gets_are_the_known_read_only_set() -> None:
    routes = route_table()
    assert {m for m, _ in routes} == {"GET", "POST"}
    assert {p for m, p in routes if m == "GET"} == READ_ONLY_GETS
    assert len(_post_routes()) == 24
    # no route, page or API, returns an individual response
    assert not [p for m, p in routes if m == "GET" and "response" in p]


@pytest.mark.parametrize("variant", ["no-token", "wrong-token", "cross-origin"])
def test_every_post_route_refuses_a_missing_or_bad_csrf_token(
    app: Any, hr_a: Api, variant: str
) -> None:
    scan = hr_a.post("/scans", scan_body(open_link=True)).json()
    before = _row_counts(app)
    for path in _post_routes():
        url = (
            path.replace("{scan_id}", str(scan["id"]))
            .replace("{public_id}", scan["public_id"])
            .replace("{org_id}", "1")
            .replace("{user_id}", "1")
            .replace("{token}", "x")
        )
        headers: dict[str, str] = {}
        if variant == "wrong-token":
            headers["X-CSRF-Token"] = hr_a.csrf[:-2] + "zz"
        if variant == "cross-origin":
            headers = {"X-CSRF-Token": hr_a.csrf, "Origin": "https://evil.example"}
        r = hr_a.client.post(url, json={}, headers=headers)
        assert r.status_code == 403, (url, r.status_code, r.text)
        assert ("CSRF token missing or invalid" in r.text) or ("cross-origin" in r.text), url
    assert _row_counts(app) == before


def test_garbage_csrf_cookie_and_header_are_refused_cleanly(app: Any) -> None:
    client = TestClient(app)
    r = client.post(
        "/api/v1/auth/login",
        json={"username": "a", "password": "b"},
        headers={"X-CSRF-Token": "é".encode(), "Cookie": "qs_csrf=é.é".encode()},
    )
    assert r.status_code == 403
    assert r.json()["detail"].startswith("CSRF token missing or invalid")


def test_csrf_token_of_another_session_is_refused(app: Any, hr_a: Api, hr_b: Api) -> None:
    r = hr_a.client.post("/api/v1/scans", json=scan_body(), headers={"X-CSRF-Token": hr_b.csrf})
    assert r.status_code == 403
    assert hr_a.get("/scans").json() == []


def test_get_requests_change_nothing(app: Any, hr_a: Api, admin_api: Api) -> None:
    scan = hr_a.post("/scans", scan_body(open_link=True)).json()
    before = _row_counts(app)
    pid, sid = scan["public_id"], scan["id"]
    for path in [
        "/",
        "/login",
        "/scans",
        f"/scans/{sid}",
        f"/s/{pid}",
        f"/s/{pid}/questions",
        "/api/v1/scans",
        f"/api/v1/scans/{sid}",
        f"/api/v1/s/{pid}",
        "/api/v1/auth/me",
        "/invite/x",
        "/reset/x",
    ]:
        assert hr_a.client.get(path).status_code < 500
    for path in ["/admin", "/api/v1/admin/users", "/api/v1/admin/organisations"]:
        assert admin_api.client.get(path).status_code == 200
    assert _row_counts(app) == before


def test_security_headers_on_every_page(app: Any, hr_a: Api) -> None:
    scan = hr_a.post("/scans", scan_body(open_link=True)).json()
    anon = TestClient(app)
    pages = [
        (anon, "/login"),
        (anon, f"/s/{scan['public_id']}"),
        (anon, f"/s/{scan['public_id']}/questions"),
        (anon, "/invite/nope"),
        (anon, "/no/such/page"),
        (anon, "/openapi.json"),
        (anon, "/static/style.css"),
        (anon, "/api/v1/csrf"),
        (hr_a.client, "/scans"),
        (hr_a.client, f"/scans/{scan['id']}"),
    ]
    for client, path in pages:
        r = client.get(path, follow_redirects=False)
        for key, value in EXPECTED_HEADERS.items():
            assert r.headers.get(key) == value, (path, key)
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp, path
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp, path
    assert anon.get("/scans").headers["cache-control"] == "no-store"
    r = anon.post(
        "/api/v1/auth/login", content=b"x" * 20_000, headers={"content-type": "application/json"}
    )
    assert r.status_code == 413 and r.headers["x-frame-options"] == "DENY"


def test_cookies_are_httponly_samesite_and_secure_behind_tls(app: Any) -> None:
    client = TestClient(app, base_url="https://testserver")
    token = client.get("/api/v1/csrf").json()["csrf_token"]
    r = client.post(
        "/api/v1/auth/login",
        json={"username": ADMIN[0], "password": ADMIN[1]},
        headers={"X-CSRF-Token": token},
    )
    cookies = r.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("qs_session="))
    csrf = next(c for c in cookies if c.startswith("qs_csrf="))
    for c in (session, csrf):
        assert "HttpOnly" in c and "Secure" in c and "Path=/" in c
    assert "samesite=lax" in session.lower() and "samesite=strict" in csrf.lower()
    assert r.headers["strict-transport-security"].startswith("max-age=")
    plain = TestClient(app).get("/login")
    assert "Secure" not in plain.headers["set-cookie"]


def test_passwords_are_argon2id_and_codes_are_never_stored_in_plain_text(
    app: Any, admin_api: Api, db_url: str
) -> None:
    hr, _ = make_hr(admin_api, app, "Org", "hr@org.test")
    scan = hr.post("/scans", scan_body()).json()
    codes = [c["code"] for c in hr.post(f"/scans/{scan['id']}/codes", {"count": 3}).json()["codes"]]
    emp = Api(app)
    emp.post(
        f"/s/{scan['public_id']}/responses",
        {"code": codes[0], "submission_id": new_submission_id(), "answers": VALID_ANSWERS},
    )
    with app.state.sessions() as db:
        hashes = db.scalars(select(User.password_hash)).all()
        assert all(h.startswith("$argon2id$") for h in hashes)
        dump = []
        for table in Base.metadata.sorted_tables:
            for row in db.execute(select(table)).all():
                dump.extend(str(v) for v in row)
    text_dump = " ".join(dump).upper()
    for code in codes:
        assert code not in text_dump and code.replace("-", "") not in text_dump


def test_responses_store_no_time_ip_agent_or_code(app: Any) -> None:
    insp = inspect(app.state.engine)
    assert [c["name"] for c in insp.get_columns("response")] == ["id", "scan_id"]
    assert [c["name"] for c in insp.get_columns("answer")] == ["response_id", "item", "value"]
    assert not [
        fk for fk in insp.get_foreign_keys("access_code") if fk["referred_table"] == "response"
    ]


def test_default_secret_is_refused_outside_development(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="public development default, which is refused"):
        Settings(environment="production", data_dir=tmp_path)
    with pytest.raises(ValidationError, match="has 5 characters; at least 32 are needed"):
        Settings(environment="production", secret_key="short", data_dir=tmp_path)
    dev = Settings(data_dir=tmp_path, database_url=None)
    assert dev.uses_dev_secret
    assert dev.resolved_database_url() == f"sqlite:///{tmp_path / 'quickscan.sqlite3'}"
    pg = Settings(data_dir=tmp_path, database_url="postgres://qs@db.internal/quickscan")
    assert pg.resolved_database_url() == "postgresql+psycopg://qs@db.internal/quickscan"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    from leercultuur.quickscan.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
