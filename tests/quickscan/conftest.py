"""Fixtures of the Quickscan tests: a fresh database per test (SQLite file or PostgreSQL schema).

PostgreSQL tests need DATABASE_URL_TEST (CI's .ci/run exports it). Each pytest process (xdist
worker) creates its own uniquely named database and drops it at the end; each test gets its own
schema in it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from leercultuur.quickscan import Settings, create_app
from leercultuur.quickscan.manage import create_admin

PG_ENV = "DATABASE_URL_TEST"
SECRET = "test-secret-" + "x" * 40
ADMIN = ("admin@platform.test", "admin-password-123")
PASSWORD = "hr-password-12345"


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A uniquely named PostgreSQL database for this test process; dropped afterwards."""
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set: no PostgreSQL server for this test")
    name = f"qs_test_{secrets.token_hex(6)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file in tmp_path or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'qs.sqlite3'}"
        return
    base = request.getfixturevalue("pg_database")
    schema = f"t_{secrets.token_hex(6)}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(base)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def make_settings(url: str, tmp_path: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "secret_key": SECRET,
        "database_url": url,
        "data_dir": tmp_path,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
        "max_body_bytes": 16 * 1024,
    }
    values.update(extra)
    return Settings(**values)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    s = make_settings(db_url, tmp_path)
    create_admin(s, username=ADMIN[0], password=ADMIN[1])
    return s


@pytest.fixture
def app(settings: Settings) -> Any:
    return create_app(settings)


def new_client(app: Any) -> TestClient:
    return TestClient(app, base_url="http://testserver")


class Api:
    """A TestClient that speaks the JSON API with its CSRF token."""

    def __init__(self, app: Any) -> None:
        self.client = new_client(app)
        self.csrf = self.client.get("/api/v1/csrf").json()["csrf_token"]

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get("/api/v1" + path, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf, **kw.pop("headers", {})}
        return self.client.post("/api/v1" + path, json=json, headers=headers, **kw)

    def login(self, username: str, password: str) -> Any:
        r = self.post("/auth/login", {"username": username, "password": password})
        assert r.status_code == 200, r.text
        self.csrf = r.json()["csrf_token"]
        return r


def scan_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Voorjaar 2026",
        "sector": "Q",
        "size_class": "50-99",
        "headcount": 60,
        "languages": ["nl", "en"],
        "closes_on": (date.today() + timedelta(days=14)).isoformat(),
        "teams": ["Zorg", "Administratie"],
        "open_link": False,
    }
    body.update(overrides)
    return body


VALID_ANSWERS = {
    "course_2y": 1,
    "learn_tasks": 1,
    "learn_people": 2,
    "var_varied": 3,
    "var_learn_new": 4,
    "var_creative": 2,
    "aut_how": 1,
    "aut_order": 2,
    "aut_pace": 3,
    "aut_solutions": 1,
    "aut_leave": 2,
    "sup_development": 3,
    "age_class": 5,
    "team": 2,
}


def new_submission_id() -> str:
    return secrets.token_urlsafe(24)


@pytest.fixture
def admin_api(app: Any) -> Api:
    api = Api(app)
    api.login(*ADMIN)
    return api


def make_hr(admin_api: Api, app: Any, org_name: str, username: str) -> tuple[Api, int]:
    """A new organisation with one HR user (invited by the admin); returns (logged-in api, org)."""
    org = admin_api.post("/admin/organisations", {"name": org_name})
    assert org.status_code == 201, org.text
    org_id = org.json()["id"]
    invite = admin_api.post(f"/admin/organisations/{org_id}/invites")
    assert invite.status_code == 201, invite.text
    hr = Api(app)
    r = hr.post(
        "/auth/accept-invite",
        {"token": invite.json()["token"], "username": username, "password": PASSWORD},
    )
    assert r.status_code == 201, r.text
    hr.login(username, PASSWORD)
    return hr, org_id


@pytest.fixture
def hr_a(admin_api: Api, app: Any) -> Api:
    return make_hr(admin_api, app, "Zorggroep Noord", "hr@noord.test")[0]


@pytest.fixture
def hr_b(admin_api: Api, app: Any) -> Api:
    return make_hr(admin_api, app, "Bouwbedrijf Zuid", "hr@zuid.test")[0]
