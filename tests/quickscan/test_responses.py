"""One response per code, idempotent double submits, concurrency, the open-link cap, bad input."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from leercultuur.quickscan import responses
from leercultuur.quickscan.errors import Conflict
from leercultuur.quickscan.models import AccessCode, Answer, OpenSubmission, Response, Scan

from .conftest import VALID_ANSWERS, Api, new_submission_id, scan_body


def _scan_with_codes(hr: Api, n: int = 2, **overrides: Any) -> tuple[dict[str, Any], list[str]]:
    scan = hr.post("/scans", scan_body(**overrides)).json()
    codes = hr.post(f"/scans/{scan['id']}/codes", {"count": n}).json()["codes"]
    return scan, [c["code"] for c in codes]


def _submit(api: Api, scan: dict[str, Any], **body: Any) -> Any:
    payload = {"submission_id": new_submission_id(), "answers": VALID_ANSWERS, **body}
    return api.post(f"/s/{scan['public_id']}/responses", payload)


def _counts(app: Any) -> tuple[int, int]:
    with app.state.sessions() as db:
        return (
            db.scalar(select(func.count()).select_from(Response)) or 0,
            db.scalar(select(func.count()).select_from(Answer)) or 0,
        )


def test_code_reuse_is_refused(hr_a: Api, app: Any) -> None:
    scan, codes = _scan_with_codes(hr_a)
    emp = Api(app)
    assert _submit(emp, scan, code=codes[0]).status_code == 201
    again = _submit(Api(app), scan, code=codes[0])
    assert again.status_code == 409
    assert again.json() == {
        "detail": "this code has already been used; each code gives one response"
    }
    assert _counts(app) == (1, len(VALID_ANSWERS))


def test_unknown_code_is_refused(hr_a: Api, app: Any) -> None:
    scan, _ = _scan_with_codes(hr_a)
    r = _submit(Api(app), scan, code="AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG")
    assert r.status_code == 403
    assert r.json()["detail"].startswith("this code is not valid for this questionnaire")
    assert _counts(app) == (0, 0)


def test_a_code_of_another_scan_is_refused(hr_a: Api, app: Any) -> None:
    scan1, codes1 = _scan_with_codes(hr_a)
    scan2, _ = _scan_with_codes(hr_a)
    assert _submit(Api(app), scan2, code=codes1[0]).status_code == 403
    assert _submit(Api(app), scan1, code=codes1[0]).status_code == 201


def test_double_submit_is_idempotent(hr_a: Api, app: Any) -> None:
    scan, codes = _scan_with_codes(hr_a)
    emp = Api(app)
    sid = new_submission_id()
    first = _submit(emp, scan, code=codes[0], submission_id=sid)
    second = _submit(emp, scan, code=codes[0], submission_id=sid)
    assert (first.status_code, first.json()) == (201, {"status": "stored"})
    assert (second.status_code, second.json()) == (200, {"status": "duplicate"})
    assert _counts(app) == (1, len(VALID_ANSWERS))
    assert hr_a.get(f"/scans/{scan['id']}").json()["response_count"] == 1


def test_open_link_double_submit_and_headcount_cap(hr_a: Api, app: Any) -> None:
    scan = hr_a.post("/scans", scan_body(open_link=True, headcount=2)).json()
    emp = Api(app)
    sid = new_submission_id()
    assert _submit(emp, scan, submission_id=sid).status_code == 201
    assert _submit(emp, scan, submission_id=sid).json() == {"status": "duplicate"}
    assert _submit(emp, scan).status_code == 201
    full = _submit(emp, scan)
    assert full.status_code == 409
    assert full.json() == {
        "detail": "this questionnaire has reached its maximum of 2 responses through the open link"
    }
    assert _counts(app)[0] == 2
    with app.state.sessions() as db:
        assert db.scalar(select(func.count()).select_from(OpenSubmission)) == 2


def test_code_scan_refuses_answers_without_code(hr_a: Api, app: Any) -> None:
    scan, _ = _scan_with_codes(hr_a)
    r = _submit(Api(app), scan)
    assert (r.status_code, r.json()) == (
        403,
        {"detail": "this questionnaire needs a personal code"},
    )


@pytest.mark.parametrize(
    ("via", "same_submission", "expected"),
    [
        ("code", False, ["conflict", "stored"]),
        ("code", True, ["duplicate", "stored"]),
        ("open-link-cap-1", False, ["conflict", "stored"]),
        ("open-link-cap-1", True, ["duplicate", "stored"]),
    ],
)
def test_two_concurrent_submits_store_exactly_one(
    hr_a: Api, app: Any, via: str, same_submission: bool, expected: list[str]
) -> None:
    if via == "code":
        scan, codes = _scan_with_codes(hr_a)
        code: str | None = codes[0]
    else:
        scan = hr_a.post("/scans", scan_body(open_link=True, headcount=1)).json()
        code = None
    secret = app.state.settings.secret
    barrier = threading.Barrier(2)
    shared_id = new_submission_id()
    outcomes: list[str] = []

    def worker() -> None:
        with app.state.sessions() as db:
            row = db.scalar(select(Scan).where(Scan.public_id == scan["public_id"]))
            db.commit()  # release SQLite's lock before both threads race
            barrier.wait()
            sid = shared_id if same_submission else new_submission_id()
            try:
                outcomes.append(
                    responses.submit(
                        db, row, code=code, submission_id=sid, answers=VALID_ANSWERS, secret=secret
                    )
                )
            except Conflict:
                outcomes.append("conflict")

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == expected
    assert _counts(app) == (1, len(VALID_ANSWERS))


def test_closed_scan_accepts_nothing(hr_a: Api, app: Any) -> None:
    scan, codes = _scan_with_codes(hr_a)
    yesterday = date.today() - timedelta(days=1)
    with app.state.sessions() as db:
        db.execute(update(Scan).values(closes_on=yesterday))
        db.commit()
    r = _submit(Api(app), scan, code=codes[0])
    assert (r.status_code, r.json()) == (
        410,
        {"detail": f"this questionnaire closed on {yesterday}"},
    )
    assert _counts(app) == (0, 0)
    with app.state.sessions() as db:
        assert db.scalars(select(AccessCode.used)).all() == [False, False]


@pytest.mark.parametrize(
    ("answers", "extra", "status", "message"),
    [
        (
            {**VALID_ANSWERS, "var_varied": 7},
            {},
            422,
            "question 'var_varied': 7 is not one of the answers 1, 2, 3, 4",
        ),
        (
            {**VALID_ANSWERS, "team": 3},
            {},
            422,
            "question 'team': 3 is not one of the answers 1, 2",
        ),
        (
            {k: v for k, v in VALID_ANSWERS.items() if k not in {"aut_pace", "course_2y"}},
            {},
            422,
            "missing answer(s) to required question(s): course_2y, aut_pace",
        ),
        ({**VALID_ANSWERS, "salary": 3}, {}, 422, "unknown question(s): salary"),
        (
            {**VALID_ANSWERS, "course_2y": True},
            {},
            422,
            "question 'course_2y': True is not one of the answers 1, 2",
        ),
        (VALID_ANSWERS, {"ip_address": "1.2.3.4"}, 422, "invalid input: ip_address: unknown field"),
        (
            VALID_ANSWERS,
            {"submission_id": "short"},
            422,
            "invalid input: submission_id: String should have at least 16 characters",
        ),
    ],
    ids=[
        "out-of-range",
        "no-such-team",
        "missing-required",
        "unknown-item",
        "bool",
        "unknown-field",
        "short-submission-id",
    ],
)
def test_invalid_answers_get_a_clear_4xx_and_store_nothing(
    hr_a: Api, app: Any, answers: dict[str, Any], extra: dict[str, Any], status: int, message: str
) -> None:
    scan, codes = _scan_with_codes(hr_a)
    r = _submit(Api(app), scan, code=codes[0], answers=answers, **extra)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert detail == message
    assert _counts(app) == (0, 0)
    with app.state.sessions() as db:
        assert db.scalars(select(AccessCode.used)).all() == [False, False]


def test_oversized_payload_is_refused(hr_a: Api, app: Any) -> None:
    scan, codes = _scan_with_codes(hr_a)
    r = _submit(Api(app), scan, code=codes[0], answers={**VALID_ANSWERS, "x" * 20_000: 1})
    assert r.status_code == 413
    assert r.json() == {"detail": "request body larger than the limit of 16384 bytes"}
    assert _counts(app) == (0, 0)


def test_streamed_oversized_payload_is_refused(hr_a: Api, app: Any) -> None:
    scan, _ = _scan_with_codes(hr_a)
    emp = Api(app)

    def chunks() -> Any:
        for _ in range(40):
            yield b" " * 1024

    r = emp.client.post(
        f"/api/v1/s/{scan['public_id']}/responses",
        content=chunks(),
        headers={"X-CSRF-Token": emp.csrf, "content-type": "application/json"},
    )
    assert r.status_code == 413
    assert r.json() == {"detail": "request body larger than the limit of 16384 bytes"}
