"""The server-rendered pages: admin, HR and employee flows through HTML forms."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from .conftest import ADMIN, PASSWORD

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _token(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "no CSRF field in the page"
    return match.group(1)


def _login(client: TestClient, username: str, password: str) -> None:
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"csrf_token": _token(page.text), "username": username, "password": password},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def test_admin_hr_and_employee_through_the_pages(app: Any) -> None:
    admin = TestClient(app)
    _login(admin, *ADMIN)
    page = admin.get("/admin")
    assert "No organisations yet." in page.text
    admin.post("/admin/organisations", data={"csrf_token": _token(page.text), "name": "Org <b>"})
    page = admin.get("/admin")
    assert "Org &lt;b&gt;" in page.text  # autoescaped
    invite = admin.post("/admin/organisations/1/invite", data={"csrf_token": _token(page.text)})
    url = re.search(r'value="(http://testserver/invite/[^"]+)"', invite.text).group(1)  # type: ignore[union-attr]

    hr = TestClient(app)
    form = hr.get(url.removeprefix("http://testserver"))
    assert "Create your HR account" in form.text
    done = hr.post(
        url.removeprefix("http://testserver"),
        data={"csrf_token": _token(form.text), "username": "hr@org.test", "password": PASSWORD},
    )
    assert "Your account is ready" in done.text
    _login(hr, "hr@org.test", PASSWORD)
    scans = hr.get("/scans")
    assert "No scans yet." in scans.text
    closes = (date.today() + timedelta(days=10)).isoformat()
    created = hr.post(
        "/scans",
        data={
            "csrf_token": _token(scans.text),
            "name": "Najaar",
            "sector": "C",
            "size_class": "10-49",
            "headcount": "25",
            "languages": ["nl", "en"],
            "closes_on": closes,
            "min_group_size": "5",
            "teams": "Productie\nKantoor\n",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    scan_page = hr.get(created.headers["location"])
    assert "<strong>0 of 25</strong> (0%)" in scan_page.text
    assert "Open link" not in scan_page.text
    letters = hr.post(
        created.headers["location"] + "/codes",
        data={"csrf_token": _token(scan_page.text), "count": "2"},
    )
    codes = re.findall(r'<p class="code">([0-9A-Z-]+)</p>', letters.text)
    assert len(codes) == 2 and letters.text.count("<svg") == 2
    url_shown = re.search(r'<strong class="url">(http://testserver/s/[^<]+)</strong>', letters.text)
    public_url = url_shown.group(1)  # type: ignore[union-attr]
    path = public_url.removeprefix("http://testserver")

    employee = TestClient(app)
    intro = employee.get(path, params={"lang": "en"})
    assert "This questionnaire is anonymous." in intro.text
    assert "at least 5 people" in intro.text
    questions = employee.get(path + "/questions", params={"lang": "en"})
    assert '<label for="code">Your personal code</label>' in questions.text
    assert "Is your work varied?" in questions.text and "Productie" in questions.text
    # accessible: every question is a fieldset with a legend, every radio sits in its label
    assert questions.text.count('<fieldset class="item"') == 16
    assert questions.text.count("<legend>") == 16
    radios = questions.text.count('type="radio"')
    assert radios == questions.text.count('<label class="option"><input type="radio"') == 53
    assert '<html lang="en">' in questions.text
    fields = dict(
        re.findall(r'name="(submission_id|lang|csrf_token)" value="([^"]+)"', questions.text)
    )
    partial = {**fields, "code": codes[0], "course_2y": "1", "var_varied": "3"}
    bad = employee.post(path + "/questions", data=partial)
    assert bad.status_code == 422
    assert "Please also answer: Do you learn a lot or a little from the tasks" in bad.text
    assert 'name="var_varied" value="3" checked required>' in bad.text  # answers kept
    assert 'name="learn_tasks" value="1" required>' in bad.text
    answers = {
        "course_2y": "1",
        "learn_tasks": "1",
        "learn_people": "2",
        "var_varied": "3",
        "var_learn_new": "2",
        "var_creative": "1",
        "aut_how": "1",
        "aut_order": "1",
        "aut_pace": "2",
        "aut_solutions": "3",
        "aut_leave": "1",
        "sup_development": "2",
        "team": "1",
    }
    ok = employee.post(path + "/questions", data={**fields, "code": codes[0], **answers})
    assert ok.status_code == 200
    assert "Thank you! Your answers have been stored." in ok.text
    again = employee.post(path + "/questions", data={**fields, "code": codes[0], **answers})
    assert "Thank you!" in again.text  # same submission: idempotent
    other = TestClient(app).get(path + "/questions", params={"lang": "nl"})
    nl_fields = dict(
        re.findall(r'name="(submission_id|lang|csrf_token)" value="([^"]+)"', other.text)
    )
    reuse = TestClient(app, cookies=other.cookies).post(
        path + "/questions", data={**nl_fields, "code": codes[0], **answers}
    )
    assert reuse.status_code == 409
    assert "Controleer uw antwoorden:</strong> Deze code is al gebruikt" in reuse.text
    assert "<strong>1 of 25</strong> (4%)" in hr.get(created.headers["location"]).text

    logout = hr.post("/logout", data={"csrf_token": _token(scans.text)}, follow_redirects=False)
    assert (logout.status_code, logout.headers["location"]) == (303, "/login")
    assert hr.get("/scans", follow_redirects=False).status_code == 303
