"""The report page and its downloads through the app (figures come from the core's ScanReport)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from leercultuur.quickscan import lifecycle
from leercultuur.quickscan.models import Scan
from leercultuur.quickscan.web import report_view

from .conftest import PASSWORD, Api, make_hr, scan_body
from .report_setup import closed_scan_with_answers
from .test_pages import _login


def _setup(admin_api: Api, app: Any, **overrides: Any) -> tuple[TestClient, dict[str, Any]]:
    hr, _ = make_hr(admin_api, app, "Werkplaats De Vijl", "hr@vijl.test")
    body = scan_body(headcount=14, min_group_size=5, teams=["Werkplaats", "Kantoor"])
    body.update(overrides)
    scan = closed_scan_with_answers(app, hr, body, 12)
    pages = TestClient(app)
    _login(pages, "hr@vijl.test", PASSWORD)
    return pages, scan


def _report(app: Any, scan_id: int) -> Any:
    with app.state.sessions() as db:
        return lifecycle.report_for_scan(db, db.get(Scan, scan_id))


def test_report_page_shows_every_figure_of_the_report(admin_api: Api, app: Any) -> None:
    pages, scan = _setup(admin_api, app)
    report = _report(app, scan["id"])
    for lang in ("en", "nl"):
        page = pages.get(f"/scans/{scan['id']}/report", params={"lang": lang})
        assert page.status_code == 200, page.text
        text = page.text
        assert "<svg" in text and 'role="img"' in text
        assert "synthetic demo data" in text and "synthetische demonstratiegegevens" in text
        assert f"{report.responses} " in text
        for ind in report.indicators:
            if ind.organisation is None:
                continue
            org = ind.organisation
            assert report_view.number(org.estimate, ind.unit, lang) in text, ind.id
            assert report_view.interval(org.ci_low, org.ci_high, ind.unit, lang) in text, ind.id
            if ind.benchmark is not None:
                b = ind.benchmark
                assert report_view.interval(b.ci_low, b.ci_high, ind.unit, lang) in text
            if ind.difference is not None:
                d = ind.difference
                shown = report_view.interval(d.ci_low, d.ci_high, ind.unit, lang, signed=True)
                assert shown in text, ind.id
            assert getattr(ind, f"verdict_{lang}") in text.replace("&#39;", "'")
        for dim in report.dimensions:
            assert report_view.verdict_label(dim.verdict, lang) in text
            if len(dim.indicator_ids) > 1:
                assert getattr(dim, f"verdict_{lang}") in text.replace("&#39;", "'")
        assert getattr(report.comparison, f"reason_{lang}") in text.replace("&#39;", "'")
        assert "*" not in re.sub(r"<[^>]+>", "", text.split("<main", 1)[1])  # no bare stars
    for group in report.groups:
        if not group.shown:
            page = pages.get(f"/scans/{scan['id']}/report", params={"lang": "en"}).text
            assert group.reason_en in page.replace("&#39;", "'")


def test_synthetic_benchmark_loaded_by_the_admin_is_labelled_as_demo_data(
    admin_api: Api, app: Any, settings: Any, tmp_path: Any
) -> None:
    """Found by the browser walk-through: the demo figures loaded with `leercultuur quickscan
    load-benchmark` (as README says) gave a report without the demo warning, which only the
    edition the app installs by itself had."""
    from leercultuur.quickscan.benchmark import demo_text
    from leercultuur.quickscan.manage import load_benchmark

    file = tmp_path / "benchmark.json"
    file.write_text(demo_text().replace('"leercultuur synth', '"loaded: leercultuur synth', 1))
    assert load_benchmark(settings, str(file))[3]  # synthetic, and not the shipped edition
    pages, scan = _setup(admin_api, app)
    report = _report(app, scan["id"])
    assert not report.benchmark.is_demo and report.benchmark.data == "synthetic"
    for lang, words in [("nl", "demonstratie"), ("en", "made up for demonstration")]:
        page = pages.get(f"/scans/{scan['id']}/report", params={"lang": lang}).text
        assert 'class="demo"' in page and words in page, lang
    download = pages.get(f"/scans/{scan['id']}/report.html").text
    assert 'class="demo"' in download


def test_report_only_for_closed_scans_of_the_own_organisation(admin_api: Api, app: Any) -> None:
    hr, _ = make_hr(admin_api, app, "Open BV", "hr@open.test")
    scan = closed_scan_with_answers(app, hr, scan_body(), 6, close=False)
    pages = TestClient(app)
    _login(pages, "hr@open.test", PASSWORD)
    assert pages.get(f"/scans/{scan['id']}/report").status_code == 409
    assert pages.get(f"/scans/{scan['id']}/report.csv").status_code == 409
    assert "Open the report" not in pages.get(f"/scans/{scan['id']}").text
    other, closed = _setup(admin_api, app)
    assert pages.get(f"/scans/{closed['id']}/report").status_code == 404
    assert other.get(f"/scans/{closed['id']}/report").status_code == 200


def test_csv_holds_exactly_the_aggregated_figures(admin_api: Api, app: Any) -> None:
    pages, scan = _setup(admin_api, app, teams=["=1+1", "Kantoor"])
    report = _report(app, scan["id"])
    r = pages.get(f"/scans/{scan['id']}/report.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    text = r.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    expected = report.csv_rows("en")
    assert len(rows) == len(expected) < 200
    assert len(rows) < report.responses * 20  # aggregated: not a row per person or answer
    for got, want in zip(rows, expected, strict=True):
        for key, value in want.items():
            shown = report_view.csv_safe(value)
            assert got[key] == ("" if shown is None else str(shown)), (key, got[key], shown)
    assert not [c for row in rows for c in row.values() if c and c[0] in "=+@"]


def test_downloaded_html_is_self_contained(admin_api: Api, app: Any) -> None:
    pages, scan = _setup(admin_api, app)
    r = pages.get(f"/scans/{scan['id']}/report.html", params={"lang": "nl"})
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    html = r.text
    assert "<style>" in html and "<svg" in html and '<html lang="nl">' in html
    assert "<script" not in html and 'rel="stylesheet"' not in html
    assert not re.findall(r'(?:src|href)="(?!#|data:)[^"]*"', html)  # only links within the page
    assert "synthetische demonstratiegegevens" in html


@pytest.mark.parametrize("kind", ["employer"])
def test_employer_self_scan_is_labelled_as_one_persons_view(
    admin_api: Api, app: Any, kind: str
) -> None:
    hr, _ = make_hr(admin_api, app, "Kapsalon Els", "hr@els.test")
    body = scan_body(kind=kind, size_class="1-9", headcount=1, teams=[])
    scan = closed_scan_with_answers(app, hr, body, 1)
    pages = TestClient(app)
    _login(pages, "hr@els.test", PASSWORD)
    page = pages.get(f"/scans/{scan['id']}/report")
    assert page.status_code == 200, page.text
    assert "One person" in page.text and "Breakdowns" not in page.text
    nl = pages.get(f"/scans/{scan['id']}/report", params={"lang": "nl"}).text
    assert "Het beeld van één persoon." in nl


def test_report_of_a_scan_closed_by_its_date_pins_the_benchmark(admin_api: Api, app: Any) -> None:
    from datetime import date, timedelta

    hr, _ = make_hr(admin_api, app, "Datum BV", "hr@datum.test")
    body = scan_body(headcount=14, min_group_size=5, teams=["Werkplaats", "Kantoor"])
    scan = closed_scan_with_answers(app, hr, body, 10, close=False)
    with app.state.sessions() as db:
        row = db.get(Scan, scan["id"])
        row.closes_on = date.today() - timedelta(days=1)
        db.commit()
        assert row.benchmark_edition_id is None and row.closed_at is None
    pages = TestClient(app)
    _login(pages, "hr@datum.test", PASSWORD)
    assert "Open the report" in pages.get("/scans").text
    page = pages.get(f"/scans/{scan['id']}/report", params={"lang": "en"})
    assert page.status_code == 200 and "Profile of all dimensions" in page.text
    with app.state.sessions() as db:
        assert db.get(Scan, scan["id"]).benchmark_edition_id is not None


def test_repeat_scan_shows_the_change_since_the_previous_one(admin_api: Api, app: Any) -> None:
    from datetime import timedelta

    hr, _ = make_hr(admin_api, app, "Herhaal BV", "hr@herhaal.test")
    body = scan_body(headcount=14, min_group_size=5, teams=["Werkplaats", "Kantoor"])
    first = closed_scan_with_answers(app, hr, {**body, "name": "Eerste meting"}, 10)
    with app.state.sessions() as db:  # the first scan closed a year ago
        row = db.get(Scan, first["id"])
        row.closed_at = row.closed_at - timedelta(days=365)
        db.commit()
    second = closed_scan_with_answers(app, hr, {**body, "name": "Tweede meting"}, 12)
    report = _report(app, second["id"])
    changes = [i.change for i in report.indicators if i.change is not None]
    assert changes, "the core found no previous scan"
    pages = TestClient(app)
    _login(pages, "hr@herhaal.test", PASSWORD)
    for lang in ("en", "nl"):
        text = pages.get(f"/scans/{second['id']}/report", params={"lang": lang}).text
        for change in changes:
            assert getattr(change, f"text_{lang}") in text.replace("&#39;", "'")
