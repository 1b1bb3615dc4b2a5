"""Creating scans: defaults, the minimum group size floor, clear messages for bad input."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from leercultuur.quickscan.accounts import utcnow
from leercultuur.quickscan.models import OneTimeToken, Scan

from .conftest import PASSWORD, Api, scan_body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"min_group_size": 4},
            "invalid input: min_group_size: Input should be greater than or equal to 5",
        ),
        (
            {"sector": "Z"},
            "invalid input: sector: Input should be 'A', 'B', 'C', 'D', 'E', 'F', "
            "'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', 'P', 'Q', 'R' or 'S'",
        ),
        (
            {"size_class": "10-50"},
            "invalid input: size_class: Input should be '1-9', '10-49', "
            "'50-99', '100-249' or '250+'",
        ),
        ({"headcount": 0}, "invalid input: headcount: Input should be greater than or equal to 1"),
        ({"languages": ["de"]}, "invalid input: languages.0: Input should be 'nl' or 'en'"),
        (
            {"teams": ["A", "B", "A"]},
            "invalid input: teams: Value error, team names must be unique; repeated: A",
        ),
        (
            {"closes_on": (date.today() - timedelta(days=1)).isoformat()},
            f"closes_on: {date.today() - timedelta(days=1)} lies in the past",
        ),
        ({"colour": "red"}, "invalid input: colour: unknown field"),
    ],
    ids=[
        "group-size-below-5",
        "sector",
        "size-class",
        "headcount",
        "language",
        "dup-teams",
        "past-closing",
        "unknown-field",
    ],
)
def test_bad_scan_input_is_refused_with_a_clear_message(
    hr_a: Api, app: Any, overrides: dict[str, Any], message: str
) -> None:
    r = hr_a.post("/scans", scan_body(**overrides))
    assert r.status_code == 422, r.text
    assert r.json() == {"detail": message}
    with app.state.sessions() as db:
        assert db.scalar(select(func.count()).select_from(Scan)) == 0


def test_defaults_and_the_database_floor_of_the_group_size(hr_a: Api, app: Any) -> None:
    body = scan_body()
    del body["languages"], body["teams"], body["open_link"]
    scan = hr_a.post("/scans", body).json()
    assert (scan["min_group_size"], scan["languages"], scan["teams"], scan["open_link"]) == (
        10,
        ["nl"],
        [],
        True,
    )
    with app.state.sessions() as db, pytest.raises(IntegrityError):
        db.execute(update(Scan).values(min_group_size=4))
        db.commit()


def test_code_batches_are_limited(hr_a: Api) -> None:
    scan = hr_a.post("/scans", scan_body()).json()
    r = hr_a.post(f"/scans/{scan['id']}/codes", {"count": 5001})
    assert (r.status_code, r.json()) == (422, {"detail": "count: 5001 is outside 1..5000"})
    r = hr_a.post(f"/scans/{scan['id']}/codes", {"count": 0})
    assert r.status_code == 422


def test_no_codes_for_a_closed_scan(hr_a: Api, app: Any) -> None:
    scan = hr_a.post("/scans", scan_body()).json()
    closed = date.today() - timedelta(days=1)
    with app.state.sessions() as db:
        db.execute(update(Scan).values(closes_on=closed))
        db.commit()
    r = hr_a.post(f"/scans/{scan['id']}/codes", {"count": 3})
    assert (r.status_code, r.json()) == (
        410,
        {"detail": f"scan {scan['id']} closed on {closed}; no new codes"},
    )
    assert hr_a.get(f"/scans/{scan['id']}").json()["status"] == "closed"


def test_expired_invitation_is_refused(admin_api: Api, app: Any) -> None:
    org_id = admin_api.post("/admin/organisations", {"name": "Org"}).json()["id"]
    token = admin_api.post(f"/admin/organisations/{org_id}/invites").json()["token"]
    with app.state.sessions() as db:
        db.execute(update(OneTimeToken).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.commit()
    r = Api(app).post(
        "/auth/accept-invite", {"token": token, "username": "x@org.test", "password": PASSWORD}
    )
    assert r.status_code == 403
    assert r.json() == {
        "detail": "this invitation has expired; ask the platform admin for a new one"
    }
