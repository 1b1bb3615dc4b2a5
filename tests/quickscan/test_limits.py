"""Respondent-side limits: codes and open-link answers within the headcount, wrong codes and
open-link answers per client address, large code batches as a CSV download."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any

from leercultuur.quickscan import create_app
from leercultuur.quickscan.manage import create_admin

from .conftest import (
    ADMIN,
    VALID_ANSWERS,
    Api,
    make_hr,
    make_settings,
    new_submission_id,
    scan_body,
)


def _answer(emp: Api, pid: str, code: str | None = None) -> Any:
    body: dict[str, Any] = {"submission_id": new_submission_id(), "answers": VALID_ANSWERS}
    if code:
        body["code"] = code
    return emp.post(f"/s/{pid}/responses", body)


def test_codes_never_exceed_the_headcount(hr_a: Api) -> None:
    scan = hr_a.post("/scans", scan_body(headcount=2)).json()
    r = hr_a.post(f"/scans/{scan['id']}/codes", {"count": 7})
    assert r.status_code == 422
    assert "exceed the headcount of 2" in r.json()["detail"]
    assert hr_a.post(f"/scans/{scan['id']}/codes", {"count": 2}).status_code == 201
    r = hr_a.post(f"/scans/{scan['id']}/codes", {"count": 1})
    assert r.status_code == 422 and "at most 0 more" in r.json()["detail"]


def test_open_link_and_codes_together_stay_within_the_headcount(app: Any, hr_a: Api) -> None:
    scan = hr_a.post("/scans", scan_body(headcount=3, open_link=True)).json()
    codes = hr_a.post(f"/scans/{scan['id']}/codes", {"count": 2}).json()["codes"]
    emp = Api(app)
    assert _answer(emp, scan["public_id"]).status_code == 201  # 2 codes + 1 open = 3
    assert _answer(emp, scan["public_id"]).status_code == 409
    for c in codes:
        assert _answer(emp, scan["public_id"], c["code"]).status_code == 201
    assert hr_a.get(f"/scans/{scan['id']}").json()["response_count"] == 3


def test_one_address_cannot_use_up_every_open_link_place(tmp_path: Path) -> None:
    s = make_settings(f"sqlite:///{tmp_path / 'l.sqlite3'}", tmp_path, open_link_address_max=3)
    create_admin(s, username=ADMIN[0], password=ADMIN[1])
    app = create_app(s)
    admin = Api(app)
    admin.login(*ADMIN)
    hr, _ = make_hr(admin, app, "Org", "hr@org.test")
    scan = hr.post("/scans", scan_body(headcount=50, open_link=True)).json()
    emp = Api(app)
    assert [_answer(emp, scan["public_id"]).status_code for _ in range(3)] == [201] * 3
    r = _answer(emp, scan["public_id"])
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert hr.get(f"/scans/{scan['id']}").json()["response_count"] == 3


def test_wrong_codes_are_limited_per_address(tmp_path: Path) -> None:
    s = make_settings(f"sqlite:///{tmp_path / 'c.sqlite3'}", tmp_path, code_address_max=4)
    create_admin(s, username=ADMIN[0], password=ADMIN[1])
    app = create_app(s)
    admin = Api(app)
    admin.login(*ADMIN)
    hr, _ = make_hr(admin, app, "Org", "hr@org.test")
    scan = hr.post("/scans", scan_body()).json()
    good = hr.post(f"/scans/{scan['id']}/codes", {"count": 1}).json()["codes"][0]["code"]
    emp = Api(app)
    wrong = "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG"
    assert [_answer(emp, scan["public_id"], wrong).status_code for _ in range(4)] == [403] * 4
    r = _answer(emp, scan["public_id"], good)  # even a good code waits: no oracle
    assert r.status_code == 429 and "retry-after" in r.headers
    form = {**{k: str(v) for k, v in VALID_ANSWERS.items()}, "code": wrong}
    form.update(csrf_token=emp.csrf, submission_id=new_submission_id(), lang="en")
    r = emp.client.post(f"/s/{scan['public_id']}/questions", data=form)
    assert r.status_code == 429 and "Too many attempts" in r.text


def test_a_large_code_batch_is_a_csv_download_made_quickly(app: Any, hr_a: Api) -> None:
    scan = hr_a.post("/scans", scan_body(headcount=5003)).json()
    t0 = time.perf_counter()
    r = hr_a.client.post(
        f"/scans/{scan['id']}/codes", data={"count": "5000", "csrf_token": hr_a.csrf}
    )
    took = time.perf_counter() - t0
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["code", "url"] and len(rows) == 5001
    assert rows[1][1].endswith("#code=" + rows[1][0])
    assert len(r.content) < 600_000 and took < 10, (len(r.content), took)
    page = hr_a.client.post(
        f"/scans/{scan['id']}/codes", data={"count": "3", "csrf_token": hr_a.csrf}
    )
    assert page.status_code == 200 and page.text.count('class="letter"') == 3
