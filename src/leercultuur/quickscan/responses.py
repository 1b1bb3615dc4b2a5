"""Validating and storing one employee's answers: one response per code, idempotent re-submits.

The code (or, for the open link, the headcount cap) is claimed by a conditional UPDATE in the
same transaction as the insert of the response: of two concurrent submissions of one code,
exactly one finds the code unused. A re-submit of the same form (same ``submission_id``) is
recognised and answered as a success without storing anything again.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leercultuur.quickscan import security
from leercultuur.quickscan.db import Database
from leercultuur.quickscan.errors import Conflict, Forbidden, Gone, InvalidInput
from leercultuur.quickscan.items import Item, all_items
from leercultuur.quickscan.models import AccessCode, Answer, OpenSubmission, Response, Scan

Outcome = Literal["stored", "duplicate"]
# the tables, for Core statements on the hot path
RESPONSE = cast(Table, Response.__table__)
ANSWER = cast(Table, Answer.__table__)
OPEN_SUBMISSION = cast(Table, OpenSubmission.__table__)
ACCESS_CODE = cast(Table, AccessCode.__table__)
SCAN = cast(Table, Scan.__table__)
SUBMISSION_ID_LENGTH = (16, 64)
SUBMISSION_ID_CHARS = re.compile(r"[A-Za-z0-9_-]+")


def validate_answers(scan: Scan, answers: Mapping[str, object]) -> dict[str, int]:
    """Check every answer against the scan's questionnaire; one message lists every problem."""
    items: dict[str, Item] = {item.id: item for item in all_items(scan.team_names)}
    problems: list[str] = []
    unknown = sorted(k for k in answers if k not in items)
    if unknown:
        problems.append(f"unknown question(s): {', '.join(unknown)}")
    clean: dict[str, int] = {}
    invalid: set[str] = set()
    for key, item in items.items():
        raw = answers.get(key)
        if raw is None or raw == "":
            continue
        value = _as_int(raw)
        if value is None or value not in item.codes:
            allowed = ", ".join(str(c) for c in item.codes)
            shown = repr(raw) if len(repr(raw)) <= 40 else repr(raw)[:37] + "..."
            problems.append(f"question {key!r}: {shown} is not one of the answers {allowed}")
            invalid.add(key)
            continue
        clean[key] = value
    missing = [k for k, it in items.items() if it.required and k not in clean and k not in invalid]
    if missing:
        problems.append(f"missing answer(s) to required question(s): {', '.join(missing)}")
    if problems:
        raise InvalidInput("; ".join(problems))
    return clean


def _as_int(raw: object) -> int | None:
    """An answer code: an int, or text of at most 4 ASCII digits ('²' or '٣' are no answer)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        if 0 < len(text) <= 4 and text.isascii() and text.isdigit():
            return int(text)
    return None


def check_submission_id(submission_id: str) -> None:
    lo, hi = SUBMISSION_ID_LENGTH
    if not lo <= len(submission_id) <= hi:
        raise InvalidInput(f"submission_id: needs {lo} to {hi} characters")
    if not SUBMISSION_ID_CHARS.fullmatch(submission_id):
        raise InvalidInput("submission_id: only letters A-Z, a-z, digits, '-' and '_' are allowed")


def ensure_open(scan: Scan, today: date | None = None) -> None:
    today = today or date.today()
    if scan.closed_at is not None:
        raise Gone(f"this questionnaire was closed on {scan.closed_at.date().isoformat()}")
    if scan.closes_on < today:
        raise Gone(f"this questionnaire closed on {scan.closes_on.isoformat()}")


@dataclass(frozen=True)
class Prepared:
    """A checked submission, ready to store: clean answers and the keyed submission hash."""

    scan_id: int
    code: str | None
    submission_hash: str
    answers: dict[str, int]


def prepare(
    scan: Scan,
    *,
    code: str | None,
    submission_id: str,
    answers: Mapping[str, object],
    secret: bytes,
) -> Prepared:
    """Check a submission without the database (the scan was read before)."""
    ensure_open(scan)
    check_submission_id(submission_id)
    clean = validate_answers(scan, answers)
    sub_hash = security.keyed_hash(secret, "submission", submission_id)
    return Prepared(scan.id, code or None, sub_hash, clean)


def store(db: Session, scan: Scan, prepared: Prepared, *, secret: bytes) -> Outcome:
    """Claim the code (or an open-link slot) and insert the response: call inside one write
    unit of work; 'duplicate' when this exact submission was stored before (nothing added)."""
    if prepared.code:
        outcome = _claim_code(db, prepared.scan_id, prepared.code, prepared.submission_hash, secret)
    else:
        outcome = _claim_open_slot(db, scan, prepared.submission_hash)
    if outcome == "duplicate":
        db.rollback()
        return outcome
    # Core INSERTs on the tables (no ORM unit of work, no ORM bulk path): this is the hot
    # path of a busy questionnaire
    response_id = secrets.token_hex(16)
    db.execute(insert(RESPONSE).values(id=response_id, scan_id=prepared.scan_id))
    db.execute(
        insert(ANSWER),
        [{"response_id": response_id, "item": k, "value": v} for k, v in prepared.answers.items()],
    )
    return "stored"


def submit_in(
    database: Database,
    scan: Scan,
    *,
    code: str | None,
    submission_id: str,
    answers: Mapping[str, object],
    secret: bytes,
) -> Outcome:
    """Check (no transaction), then store in one short write unit of work."""
    prepared = prepare(scan, code=code, submission_id=submission_id, answers=answers, secret=secret)
    with database.write() as db:
        return store(db, scan, prepared, secret=secret)


def submit(
    db: Session,
    scan: Scan,
    *,
    code: str | None,
    submission_id: str,
    answers: Mapping[str, object],
    secret: bytes,
) -> Outcome:
    """Validate and store one response on a session of its own (scripts and tests)."""
    prepared = prepare(scan, code=code, submission_id=submission_id, answers=answers, secret=secret)
    db.rollback()  # start the claiming transaction afresh (SQLite: BEGIN IMMEDIATE)
    try:
        outcome = store(db, scan, prepared, secret=secret)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return outcome


def _claim_code(db: Session, scan_id: int, code: str, sub_hash: str, secret: bytes) -> Outcome:
    code_hash = security.keyed_hash(secret, "code", security.normalise_code(code))
    claimed = db.execute(
        update(AccessCode)
        .where(
            AccessCode.scan_id == scan_id,
            AccessCode.code_hash == code_hash,
            AccessCode.used.is_(False),
        )
        .values(used=True, submission_hash=sub_hash)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount == 1:  # type: ignore[attr-defined]
        return "stored"
    row = db.scalar(
        select(AccessCode).where(AccessCode.scan_id == scan_id, AccessCode.code_hash == code_hash)
    )
    if row is None:
        raise Forbidden("this code is not valid for this questionnaire; check for typing errors")
    if row.submission_hash == sub_hash:
        return "duplicate"
    raise Conflict("this code has already been used; each code gives one response")


def _claim_open_slot(db: Session, scan: Scan, sub_hash: str) -> Outcome:
    if not scan.open_link:
        raise Forbidden("this questionnaire needs a personal code")
    try:
        db.execute(insert(OPEN_SUBMISSION).values(scan_id=scan.id, submission_hash=sub_hash))
    except IntegrityError:
        return "duplicate"
    codes = ACCESS_CODE.c
    issued = select(func.count()).where(codes.scan_id == scan.id).scalar_subquery()
    c = SCAN.c
    claimed = db.execute(  # open-link answers and issued codes together stay within headcount
        update(SCAN)
        .where(c.id == scan.id, c.open_count + issued < c.headcount)
        .values(open_count=c.open_count + 1)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            f"this questionnaire has reached its maximum of {scan.headcount} responses "
            "through the open link"
        )
    return "stored"
