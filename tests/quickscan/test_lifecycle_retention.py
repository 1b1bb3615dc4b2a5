"""Closing, report availability, benchmark editions and retention, on SQLite and PostgreSQL."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import Session

from leercultuur.quickscan import db as dbmod
from leercultuur.quickscan.benchmark import (
    BenchmarkInvalid,
    current_edition,
    demo_text,
    list_editions,
    load_benchmark,
)
from leercultuur.quickscan.lifecycle import (
    ReportNotAvailable,
    close_scan,
    report_for_scan,
    report_status,
    scan_status,
)
from leercultuur.quickscan.models import (
    AccessCode,
    Answer,
    OpenSubmission,
    Organisation,
    Response,
    Scan,
    ScanTeam,
)
from leercultuur.quickscan.retention import delete_scan, expires_on, purge_expired

from .conftest import VALID_ANSWERS

TODAY = date(2026, 12, 1)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = dbmod.make_engine(db_url)
    dbmod.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with dbmod.session_factory(engine)() as session:
        yield session


def make_scan(
    db: Session, org: Organisation, *, responses: int, closes_on: date, kind: str = "employees",
    headcount: int = 20, name: str = "Scan",
) -> Scan:  # fmt: skip
    scan = Scan(
        organisation_id=org.id, public_id=secrets.token_hex(8), name=name, sector="Q",
        size_class="1-9" if kind == "employer" else "10-49", headcount=headcount,
        languages="nl,en", closes_on=closes_on, min_group_size=5, open_link=True,
        open_count=0, kind=kind, teams=[ScanTeam(position=1, name="Zorg"),
                                        ScanTeam(position=2, name="Administratie")],
    )  # fmt: skip
    db.add(scan)
    db.flush()
    for k in range(responses):
        rid = secrets.token_hex(16)
        db.add(Response(id=rid, scan_id=scan.id))
        db.flush()
        answers = dict(VALID_ANSWERS, course_2y=1 + k % 2, team=1 + (k % 3 == 0), aut_how=1 + k % 3)
        db.add_all(Answer(response_id=rid, item=i, value=v) for i, v in answers.items())
    db.add(AccessCode(scan_id=scan.id, code_hash=secrets.token_hex(32), used=True))
    db.add(OpenSubmission(scan_id=scan.id, submission_hash=secrets.token_hex(32)))
    db.commit()
    return scan


@pytest.fixture
def org(db: Session) -> Organisation:
    o = Organisation(name=f"Org {secrets.token_hex(4)}")
    db.add(o)
    db.commit()
    return o


def test_results_only_for_closed_scans_with_enough_responses(
    db: Session, org: Organisation
) -> None:
    scan = make_scan(db, org, responses=8, closes_on=TODAY + timedelta(days=5))
    assert scan_status(scan, today=TODAY) == "open"
    status = report_status(db, scan, today=TODAY)
    assert (status.available, status.reason, status.responses) == (False, "open", 8)
    with pytest.raises(ReportNotAvailable):
        report_for_scan(db, scan, today=TODAY)
    close_scan(db, scan, now=datetime(2026, 12, 1, 9, 0))
    assert scan_status(scan, today=TODAY) == "closed"
    assert scan.benchmark_edition_id == current_edition(db).id  # pinned at closing
    rep = report_for_scan(db, scan, today=TODAY)
    assert rep.responses == 8 and rep.response_rate == pytest.approx(8 / 20)
    assert rep.closed_on == TODAY
    assert rep.benchmark.edition_id == scan.benchmark_edition_id and rep.benchmark.is_demo
    small = make_scan(db, org, responses=3, closes_on=TODAY - timedelta(days=1))
    assert report_status(db, small, today=TODAY).reason == "too_few_responses"
    with pytest.raises(ReportNotAvailable, match="fewer than 5"):
        report_for_scan(db, small, today=TODAY)


def test_repeat_scan_compares_with_the_previous_closed_scan(db: Session, org: Organisation) -> None:
    first = make_scan(db, org, responses=6, closes_on=TODAY - timedelta(days=400), name="2025")
    second = make_scan(db, org, responses=9, closes_on=TODAY - timedelta(days=2), name="2026")
    rep = report_for_scan(db, second, today=TODAY)
    assert rep.previous_scan_id == first.id
    assert all(r.change is not None for r in rep.indicators)
    assert report_for_scan(db, first, today=TODAY).previous_scan_id is None


def test_employer_self_scan_report(db: Session, org: Organisation) -> None:
    scan = make_scan(db, org, responses=1, closes_on=TODAY - timedelta(days=1), kind="employer",
                     headcount=4)  # fmt: skip
    rep = report_for_scan(db, scan, today=TODAY)
    assert rep.kind == "employer" and rep.comparison.size_class == "1-9"
    assert {r.verdict for r in rep.indicators} == {"single_view"}


def test_an_invalid_benchmark_file_keeps_the_current_edition(db: Session, tmp_path: Path) -> None:
    first = current_edition(db)  # the shipped demo edition
    assert first.is_demo and first.data == "synthetic"
    bad = tmp_path / "bad.json"
    bad.write_text(demo_text().replace('"national"', '"nationaal"', 1))
    with pytest.raises(BenchmarkInvalid, match=r"bad\.json: .*national"):
        load_benchmark(db, bad)
    assert current_edition(db).id == first.id
    newer = tmp_path / "newer.json"
    newer.write_text(demo_text().replace('"created": "', '"created": "x', 1))
    edition = load_benchmark(db, newer)
    assert current_edition(db).id == edition.id != first.id
    assert [e.id for e in list_editions(db)] == [edition.id, first.id]  # editions are kept


def test_deleting_a_scan_leaves_no_row_that_refers_to_it(
    engine: Engine, db: Session, org: Organisation
) -> None:
    keep = make_scan(db, org, responses=6, closes_on=TODAY - timedelta(days=3))
    scan = make_scan(db, org, responses=7, closes_on=TODAY - timedelta(days=3))
    close_scan(db, scan)
    scan_id = scan.id
    response_ids = set(db.scalars(select(Response.id).where(Response.scan_id == scan_id)))
    summary = delete_scan(db, scan)
    db.commit()  # delete_scan flushes only; the caller's unit of work commits
    assert (summary.responses, summary.answers, summary.codes, summary.teams) == (7, 7 * 14, 1, 2)
    # every column of every table that references scan.id or response.id, found by reflection
    with engine.connect() as conn:
        insp = inspect(conn)
        for table in insp.get_table_names():
            for fk in insp.get_foreign_keys(table):
                target = fk["referred_table"]
                if target not in ("scan", "response"):
                    continue
                col = fk["constrained_columns"][0]
                ids = {scan_id} if target == "scan" else response_ids
                rows = conn.execute(text(f'SELECT "{col}" FROM "{table}"')).scalars().all()
                assert not ids & set(rows), (table, col)
        assert (
            conn.execute(text("SELECT count(*) FROM scan WHERE id = :i"), {"i": scan_id}).scalar()
            == 0
        )
    assert db.get(Scan, keep.id) is not None  # other scans untouched
    assert len(db.scalars(select(Response).where(Response.scan_id == keep.id)).all()) == 6


def test_purge_deletes_scans_after_the_retention_period(db: Session, org: Organisation) -> None:
    old = make_scan(db, org, responses=5, closes_on=TODAY - timedelta(days=40))
    recent = make_scan(db, org, responses=5, closes_on=TODAY - timedelta(days=10))
    running = make_scan(db, org, responses=5, closes_on=TODAY + timedelta(days=10))
    closed_early = make_scan(db, org, responses=5, closes_on=TODAY + timedelta(days=100))
    close_scan(db, closed_early, now=datetime(2026, 10, 1))
    ids = (old.id, recent.id, running.id, closed_early.id)
    assert expires_on(old, retention_days=30) == TODAY - timedelta(days=10)
    deleted = purge_expired(db, retention_days=30, today=TODAY)
    db.commit()
    assert deleted == sorted([ids[0], ids[3]])
    remaining = set(db.scalars(select(Scan.id)))
    assert {ids[1], ids[2]} <= remaining and not {ids[0], ids[3]} & remaining
    with pytest.raises(ValueError, match="at least 1"):
        purge_expired(db, retention_days=0)
