"""The HR pages through HTML forms: language, list, edit, close, delete, password, privacy."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient

from .conftest import PASSWORD, VALID_ANSWERS, Api, make_hr, new_submission_id, scan_body
from .test_pages import _login, _token


class _Labels(HTMLParser):
    """Collects form controls and the ids their labels point at (or wrap)."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[tuple[str, dict[str, str | None]]] = []
        self.label_for: set[str] = set()
        self.in_label = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "label":
            self.in_label += 1
            if a.get("for"):
                self.label_for.add(str(a["for"]))
        if tag in {"input", "select", "textarea"} and a.get("type") not in {"hidden", "submit"}:
            self.controls.append((tag, {**a, "_wrapped": "1" if self.in_label else None}))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.in_label -= 1


def unlabelled(html: str) -> list[dict[str, str | None]]:
    p = _Labels()
    p.feed(html)
    return [
        a
        for _, a in p.controls
        if not a["_wrapped"] and a.get("id") not in p.label_for and not a.get("aria-label")
    ]


def _hr_pages(admin_api: Api, app: Any, org: str = "Org", user: str = "hr@org.test") -> TestClient:
    make_hr(admin_api, app, org, user)
    client = TestClient(app)
    _login(client, user, PASSWORD)
    return client


def _create(client: TestClient, **fields: str) -> int:
    page = client.get("/scans")
    data = {
        "csrf_token": _token(page.text),
        "name": "Najaar",
        "sector": "C",
        "size_class": "10-49",
        "headcount": "12",
        "languages": ["nl", "en"],
        "closes_on": (date.today() + timedelta(days=10)).isoformat(),
        "min_group_size": "5",
        "teams": "Productie\nKantoor",
        **fields,
    }
    r = client.post("/scans", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


def _answer(app: Any, admin_hr: Api, scan_id: int, n: int) -> None:
    codes = admin_hr.post(f"/scans/{scan_id}/codes", {"count": n}).json()["codes"]
    public = admin_hr.get(f"/scans/{scan_id}").json()["public_id"]
    employee = Api(app)
    for c in codes:
        body = {"code": c["code"], "submission_id": new_submission_id(), "answers": VALID_ANSWERS}
        assert employee.post(f"/s/{public}/responses", body).status_code in (200, 201)


def test_language_switch_is_remembered_and_follows_the_browser(admin_api: Api, app: Any) -> None:
    hr = _hr_pages(admin_api, app)
    assert "No scans yet." in hr.get("/scans").text  # no preference, no Accept-Language: English
    nl = hr.get("/scans", params={"lang": "nl"})
    assert '<html lang="nl">' in nl.text and "Nog geen scans." in nl.text
    assert "Nieuwe scan" in nl.text and "Uitloggen" in nl.text
    assert hr.cookies.get("qs_lang") == "nl"
    assert "Nog geen scans." in hr.get("/scans").text  # remembered
    assert "No scans yet." in hr.get("/scans", params={"lang": "en"}).text
    fresh = TestClient(app)
    login = fresh.get("/login", headers={"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.5"})
    assert "Gebruikersnaam" in login.text
    # the switch is a pair of plain links, the current language marked for assistive technology
    assert '<a href="?lang=en" lang="en" hreflang="en">English</a>' in nl.text
    assert '<span aria-current="true" lang="nl">Nederlands</span>' in nl.text


def test_list_shows_status_responses_and_rate(admin_api: Api, app: Any) -> None:
    hr = _hr_pages(admin_api, app)
    scan_id = _create(hr)
    api = Api(app)
    api.login("hr@org.test", PASSWORD)
    _answer(app, api, scan_id, 3)
    page = hr.get("/scans")
    row = re.search(r"<tr>\s*<th scope=\"row\".*?</tr>", page.text, re.S).group(0)  # type: ignore[union-attr]
    assert "Najaar" in row and "status-open" in row and ">Open<" in row
    assert "3 of 12" in row and "25%" in row and "after closing" in row
    nl = hr.get("/scans", params={"lang": "nl"}).text
    assert "3 van 12" in nl and ">Loopt<" in nl and "na sluiting" in nl
    assert not unlabelled(page.text), unlabelled(page.text)


def test_edit_a_running_scan(admin_api: Api, app: Any) -> None:
    hr = _hr_pages(admin_api, app)
    scan_id = _create(hr)
    form = hr.get(f"/scans/{scan_id}/edit")
    assert form.status_code == 200 and 'value="Najaar"' in form.text
    assert not unlabelled(form.text), unlabelled(form.text)
    later = (date.today() + timedelta(days=30)).isoformat()
    base = {
        "csrf_token": _token(form.text),
        "name": "Najaar 2026",
        "sector": "C",
        "size_class": "10-49",
        "headcount": "14",
        "languages": ["nl"],
        "closes_on": later,
        "min_group_size": "6",
        "teams": "Productie\nKantoor\nLogistiek",
    }
    ok = hr.post(f"/scans/{scan_id}/edit", data=base, follow_redirects=False)
    assert ok.status_code == 303
    page = hr.get(f"/scans/{scan_id}").text
    assert "Najaar 2026" in page and f"closes on {later}" in page and "0 of 14" in page
    lower = hr.post(f"/scans/{scan_id}/edit", data={**base, "min_group_size": "5"})
    assert lower.status_code == 422 and "can only go up" in lower.text
    api = Api(app)
    api.login("hr@org.test", PASSWORD)
    _answer(app, api, scan_id, 1)
    locked = hr.get(f"/scans/{scan_id}/edit").text
    assert "Teams cannot change once answers have come in." in locked
    teams = hr.post(f"/scans/{scan_id}/edit", data={**base, "teams": "Productie"})
    assert teams.status_code == 422
    assert '<p role="alert" class="error">Teams cannot change' in teams.text
    past = hr.post(f"/scans/{scan_id}/edit", data={**base, "closes_on": "2020-01-01"})
    assert past.status_code == 422 and "The closing date lies in the past." in past.text
    bad = hr.post(
        f"/scans/{scan_id}/edit",
        params={"lang": "nl"},
        data={**base, "headcount": "veel", "min_group_size": "2", "name": ""},
    )
    assert bad.status_code == 422
    assert "Aantal medewerkers (dat wordt uitgenodigd): moet een heel getal zijn" in bad.text
    assert (
        "Minimale groepsgrootte voor uitkomsten (ten minste 5): moet ten minste 5 zijn" in bad.text
    )
    assert "Naam: vul dit in" in bad.text
    assert "min_group_size" not in bad.text.split("<form", 1)[0]  # no field codes shown
    assert api.get(f"/scans/{scan_id}").json()["teams"] == ["Productie", "Kantoor", "Logistiek"]


def test_close_by_hr_then_no_codes_and_no_running_text(admin_api: Api, app: Any) -> None:
    hr = _hr_pages(admin_api, app)
    scan_id = _create(hr)
    page = hr.get(f"/scans/{scan_id}").text
    assert "While the scan runs" in page and "Create code letters" in page
    confirm = hr.get(f"/scans/{scan_id}/close")
    assert "cannot be opened again" in confirm.text
    token = _token(confirm.text)
    refused = hr.post(f"/scans/{scan_id}/close", data={"csrf_token": token})
    assert refused.status_code == 422 and "tick the box" in refused.text
    done = hr.post(
        f"/scans/{scan_id}/close",
        data={"csrf_token": token, "confirm": "yes"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    closed = hr.get(f"/scans/{scan_id}").text
    assert "status-closed" in closed and "Closed" in closed
    assert "While the scan runs" not in closed and "runs" not in closed
    assert "Create code letters" not in closed and "/codes" not in closed
    assert "Edit the scan" not in closed
    codes = hr.post(f"/scans/{scan_id}/codes", data={"csrf_token": token, "count": "1"})
    assert codes.status_code == 410
    assert hr.get(f"/scans/{scan_id}/edit").status_code == 410
    dutch = hr.get(f"/scans/{scan_id}", params={"lang": "nl"}).text
    assert "Gesloten" in dutch and "geen nieuwe codes" in dutch


def test_scan_past_its_closing_date_is_closed(admin_api: Api, app: Any) -> None:
    hr = _hr_pages(admin_api, app)
    scan_id = _create(hr)
    from leercultuur.quickscan.models import Scan

    with app.state.sessions() as db:
        db.get(Scan, scan_id).closes_on = date.today() - timedelta(days=1)
        db.commit()
    page = hr.get(f"/scans/{scan_id}").text
    assert "status-closed" in page and "While the scan runs" not in page
    assert "Create code letters" not in page
    assert ">Closed<" in hr.get("/scans").text


def test_delete_needs_confirmation_and_removes_the_scan(admin_api: Api, app: Any) -> None:
    hr = _hr_pages(admin_api, app)
    scan_id = _create(hr)
    other = _hr_pages(admin_api, app, "Other", "hr@other.test")
    assert other.get(f"/scans/{scan_id}/delete").status_code == 404  # not another org's scan
    confirm = hr.get(f"/scans/{scan_id}/delete")
    assert "cannot be undone" in confirm.text and "Najaar" in confirm.text
    token = _token(confirm.text)
    refused = hr.post(f"/scans/{scan_id}/delete", data={"csrf_token": token})
    assert refused.status_code == 422
    assert hr.get(f"/scans/{scan_id}").status_code == 200
    gone = hr.post(
        f"/scans/{scan_id}/delete",
        data={"csrf_token": token, "confirm": "yes"},
        follow_redirects=False,
    )
    assert (gone.status_code, gone.headers["location"]) == (303, "/scans")
    assert hr.get(f"/scans/{scan_id}").status_code == 404
    assert "No scans yet." in hr.get("/scans").text


def test_change_own_password(admin_api: Api, app: Any) -> None:
    hr = _hr_pages(admin_api, app)
    second = TestClient(app)
    _login(second, "hr@org.test", PASSWORD)
    form = hr.get("/account/password")
    assert not unlabelled(form.text)
    token = _token(form.text)
    new = "a-new-password-4567"
    wrong = hr.post(
        "/account/password",
        data={"csrf_token": token, "current": "nope-nope-nope", "new": new, "repeat": new},
    )
    assert wrong.status_code == 403 and "current password is not right" in wrong.text
    differ = hr.post(
        "/account/password",
        data={"csrf_token": token, "current": PASSWORD, "new": new, "repeat": new + "x"},
    )
    assert differ.status_code == 422
    short = hr.post(
        "/account/password",
        data={"csrf_token": token, "current": PASSWORD, "new": "short", "repeat": "short"},
    )
    assert short.status_code == 422
    ok = hr.post(
        "/account/password",
        data={"csrf_token": token, "current": PASSWORD, "new": new, "repeat": new},
    )
    assert ok.status_code == 200 and "Your password is changed" in ok.text
    assert hr.get("/scans").status_code == 200  # this session stays
    assert second.get("/scans", follow_redirects=False).status_code == 303  # the other ended
    fresh = TestClient(app)
    page = fresh.get("/login")
    old = fresh.post(
        "/login",
        data={"csrf_token": _token(page.text), "username": "hr@org.test", "password": PASSWORD},
    )
    assert old.status_code == 401
    _login(TestClient(app), "hr@org.test", new)


def test_privacy_page_in_both_languages(app: Any) -> None:
    client = TestClient(app)
    en = client.get("/privacy", params={"lang": "en"}).text
    assert "Who is responsible" in en and "Your rights" in en and "365 days" in en
    nl = client.get("/privacy", params={"lang": "nl"}).text
    assert "Wie is verantwoordelijk" in nl and "Uw rechten" in nl and "365 dagen" in nl


def test_questionnaire_shows_the_full_notice_with_the_employer(admin_api: Api, app: Any) -> None:
    hr, _ = make_hr(admin_api, app, "Bakkerij Jansen", "hr@jansen.test")
    scan = hr.post("/scans", scan_body()).json()
    intro = TestClient(app).get(f"/s/{scan['public_id']}", params={"lang": "nl"}).text
    assert "Bakkerij Jansen (uw werkgever)" in intro
    assert "<h3>Uw rechten</h3>" in intro and "Autoriteit Persoonsgegevens" in intro


def test_create_form_errors_are_shown_in_words(admin_api: Api, app: Any) -> None:
    hr = _hr_pages(admin_api, app)
    page = hr.get("/scans", params={"lang": "nl"})
    r = hr.post(
        "/scans",
        data={
            "csrf_token": _token(page.text),
            "name": "X",
            "sector": "C",
            "size_class": "10-49",
            "headcount": "12",
            "languages": ["nl"],
            "closes_on": "2020-01-01",
            "min_group_size": "5",
        },
    )
    assert r.status_code == 422
    assert '<p role="alert" class="error">De sluitingsdatum ligt in het verleden.</p>' in r.text
    assert "Nog geen scans." in r.text  # the list and the form are shown again
