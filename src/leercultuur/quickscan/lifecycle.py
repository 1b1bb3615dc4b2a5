"""A scan's life: open, closed (by HR or at its closing date), its report, and the data behind it.

Results exist only for closed scans (no differencing between n and n+1 responses while a scan
runs) with at least the scan's minimum number of responses; an employer self-scan needs its one
response. A scan closed by HR stays closed.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leercultuur.quickscan.benchmark import current_edition, loaded
from leercultuur.quickscan.errors import Conflict
from leercultuur.quickscan.harmonise import BACKGROUND, TO_MONITOR, harmonised_row
from leercultuur.quickscan.models import Answer, BenchmarkEdition, Response, Scan
from leercultuur.quickscan.results import ScanData, ScanReport, build_scan_report

ScanStatus = Literal["open", "closed"]
ReportReason = Literal["ok", "open", "too_few_responses", "no_responses"]


def _utcnow() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC).replace(tzinfo=None)


def scan_status(scan: Scan, *, today: date | None = None) -> ScanStatus:
    today = today or date.today()
    if scan.closed_at is not None or scan.closes_on < today:
        return "closed"
    return "open"


def closed_on(scan: Scan) -> date:
    """The day the scan closed: when HR closed it, else its closing date."""
    if scan.closed_at is not None:
        return min(scan.closed_at.date(), scan.closes_on)
    return scan.closes_on


def close_scan(db: Session, scan: Scan, *, now: _dt.datetime | None = None) -> None:
    """Close a scan now (idempotent) and pin the current benchmark edition. Flushes only: call it
    inside the caller's unit of work (which commits)."""
    if scan.closed_at is None:
        scan.closed_at = now or _utcnow()
    if scan.benchmark_edition_id is None:
        scan.benchmark_edition_id = current_edition(db).id
    db.flush()


def response_count(db: Session, scan: Scan) -> int:
    return int(db.scalar(select(func.count()).where(Response.scan_id == scan.id)) or 0)


@dataclass(frozen=True)
class ReportStatus:
    available: bool
    reason: ReportReason
    responses: int
    minimum: int
    message_nl: str
    message_en: str


def report_status(db: Session, scan: Scan, *, today: date | None = None) -> ReportStatus:
    n = response_count(db, scan)
    minimum = 1 if scan.kind == "employer" else scan.min_group_size
    if scan_status(scan, today=today) == "open":
        return ReportStatus(
            False, "open", n, minimum,
            "De uitkomsten komen beschikbaar zodra de scan gesloten is.",
            "The results become available once the scan is closed.",
        )  # fmt: skip
    if n == 0:
        return ReportStatus(
            False, "no_responses", n, minimum,
            "De scan is gesloten zonder antwoorden; er zijn geen uitkomsten.",
            "The scan closed without answers; there are no results.",
        )  # fmt: skip
    if n < minimum:
        return ReportStatus(
            False, "too_few_responses", n, minimum,
            f"Er zijn minder dan {minimum} antwoorden; om de anonimiteit te beschermen zijn er "
            "geen uitkomsten.",
            f"There are fewer than {minimum} answers; to protect anonymity there are no results.",
        )  # fmt: skip
    return ReportStatus(True, "ok", n, minimum, "", "")


class ReportNotAvailable(Conflict):
    def __init__(self, status: ReportStatus) -> None:
        super().__init__(status.message_en)
        self.status = status


def load_scan_data(db: Session, scan: Scan) -> ScanData:
    """The scan's responses as harmonised monitor items plus background answers (server side
    only; never shown or exported per person)."""
    rows: dict[str, dict[str, int]] = {}
    for response_id, item, value in db.execute(
        select(Answer.response_id, Answer.item, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.scan_id == scan.id)
    ):
        rows.setdefault(response_id, {})[item] = int(value)
    for (response_id,) in db.execute(select(Response.id).where(Response.scan_id == scan.id)):
        rows.setdefault(response_id, {})
    ordered = [rows[k] for k in sorted(rows)]
    monitor_cols = [name for name, _ in TO_MONITOR.values()]
    records = []
    for answers in ordered:
        rec: dict[str, float] = dict.fromkeys(monitor_cols, np.nan)
        rec.update(harmonised_row(answers))
        for var in BACKGROUND:
            rec[var] = float(answers[var]) if var in answers else np.nan
        records.append(rec)
    frame = pd.DataFrame.from_records(records, columns=[*monitor_cols, *BACKGROUND])
    return ScanData(
        scan_id=scan.id,
        name=scan.name,
        kind="employer" if scan.kind == "employer" else "employees",
        sector=scan.sector,
        size_class=scan.size_class,
        headcount=scan.headcount,
        minimum=scan.min_group_size,
        closed_on=closed_on(scan),
        teams=tuple(scan.team_names),
        responses=frame.astype(np.float64),
    )


def previous_scan(db: Session, scan: Scan, *, today: date | None = None) -> Scan | None:
    """The organisation's latest earlier closed scan of the same kind that has a report."""
    mine = closed_on(scan)
    best: Scan | None = None
    for other in db.scalars(
        select(Scan).where(
            Scan.organisation_id == scan.organisation_id, Scan.id != scan.id, Scan.kind == scan.kind
        )
    ):
        if scan_status(other, today=today) != "closed" or closed_on(other) >= mine:
            continue
        if not report_status(db, other, today=today).available:
            continue
        if best is None or closed_on(other) > closed_on(best):
            best = other
    return best


def report_for_scan(db: Session, scan: Scan, *, today: date | None = None) -> ScanReport:
    """The report of a closed scan with enough responses; pins the benchmark edition it uses
    (a write: call it inside a unit of work that commits; flushes only).

    Raises :class:`ReportNotAvailable` (409) with the status otherwise."""
    status = report_status(db, scan, today=today)
    if not status.available:
        raise ReportNotAvailable(status)
    edition = (
        db.get(BenchmarkEdition, scan.benchmark_edition_id)
        if scan.benchmark_edition_id is not None
        else None
    )
    if edition is None:
        edition = current_edition(db)
        scan.benchmark_edition_id = edition.id
        db.flush()
    prev = None if scan.kind == "employer" else previous_scan(db, scan, today=today)
    return build_scan_report(
        load_scan_data(db, scan),
        loaded(edition),
        previous=None if prev is None else load_scan_data(db, prev),
    )
