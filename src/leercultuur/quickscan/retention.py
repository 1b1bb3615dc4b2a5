"""Retention: a scan deleted with everything that belongs to it, on request or after a period.

Deletion is complete: answers, responses, single-use codes, open-link submission keys, teams and
the scan itself, in the caller's transaction (explicit deletes, child tables first, so it does
not depend on the database enforcing ON DELETE CASCADE). Scans are deleted automatically a
configurable number of days after they closed (``QUICKSCAN_RETENTION_DAYS``;
``leercultuur quickscan purge``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from leercultuur.quickscan.lifecycle import closed_on, scan_status
from leercultuur.quickscan.models import (
    AccessCode,
    Answer,
    OpenSubmission,
    Response,
    Scan,
    ScanTeam,
)


@dataclass(frozen=True)
class DeletionSummary:
    scan_id: int
    responses: int
    answers: int
    codes: int
    open_submissions: int
    teams: int


def delete_scan(db: Session, scan: Scan) -> DeletionSummary:
    """Delete the scan and every row that belongs to it. Flushes only: call it inside the
    caller's unit of work, which commits (or rolls back on error: nothing is deleted)."""
    scan_id = scan.id
    responses = select(Response.id).where(Response.scan_id == scan_id).scalar_subquery()
    n_answers = db.execute(
        delete(Answer).where(Answer.response_id.in_(responses)),
        execution_options={"synchronize_session": False},
    ).rowcount  # type: ignore[attr-defined]
    counts = []
    for model in (Response, AccessCode, OpenSubmission, ScanTeam):
        counts.append(
            db.execute(
                delete(model).where(model.scan_id == scan_id),
                execution_options={"synchronize_session": False},
            ).rowcount  # type: ignore[attr-defined]
        )
    db.execute(
        delete(Scan).where(Scan.id == scan_id),
        execution_options={"synchronize_session": False},
    )
    if scan in db:  # the deleted scan (and its teams, by cascade) must not linger in the session
        db.expunge(scan)
    return DeletionSummary(scan_id, counts[0], int(n_answers), counts[1], counts[2], counts[3])


def expires_on(scan: Scan, *, retention_days: int) -> date:
    """The day a scan is deleted automatically (counted from the day it closed)."""
    return closed_on(scan) + timedelta(days=retention_days)


def purge_expired(db: Session, *, retention_days: int, today: date | None = None) -> list[int]:
    """Delete every closed scan whose retention period has passed; returns their ids (flushes
    only; the caller commits)."""
    if retention_days < 1:
        raise ValueError(f"retention_days: {retention_days}; it must be at least 1")
    today = today or date.today()
    # a scan closed on day d is kept through d + retention_days
    candidates = list(db.scalars(select(Scan).where(Scan.closes_on < today).order_by(Scan.id)))
    candidates += list(
        db.scalars(
            select(Scan)
            .where(Scan.closes_on >= today, Scan.closed_at.is_not(None))
            .order_by(Scan.id)
        )
    )
    deleted = []
    for scan in candidates:
        if (
            scan_status(scan, today=today) == "closed"
            and expires_on(scan, retention_days=retention_days) < today
        ):
            deleted.append(delete_scan(db, scan).scan_id)
    return sorted(deleted)
