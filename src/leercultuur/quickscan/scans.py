"""Scans and their distribution (open link, single-use codes); queries are organisation-scoped."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, joinedload, selectinload

from leercultuur.monitor import SBI_SECTIONS
from leercultuur.quickscan import security
from leercultuur.quickscan.accounts import CurrentUser
from leercultuur.quickscan.errors import Gone, InvalidInput, NotFound, check_text
from leercultuur.quickscan.items import LANGUAGES, Language
from leercultuur.quickscan.models import AccessCode, Response, Scan, ScanTeam

SectorCode = Literal[
    "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S"
]
SizeClass = Literal["1-9", "10-49", "50-99", "100-249", "250+"]
ScanKind = Literal["employees", "employer"]
SECTORS: tuple[str, ...] = get_args(SectorCode)
SIZE_CLASSES: tuple[str, ...] = get_args(SizeClass)
# The SBI sections' names (Dutch, English) for the scan form: HR knows its sector by name, not
# by letter. The monitor's names, as in its report.
SECTOR_NAMES = SBI_SECTIONS
MIN_GROUP_FLOOR = 5
MAX_TEAMS = 100


def _dutch_only() -> list[Language]:
    return ["nl"]


class ScanIn(BaseModel):
    """What HR fills in to create a scan."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    sector: SectorCode
    size_class: SizeClass
    headcount: int = Field(ge=1, le=1_000_000)
    languages: list[Language] = Field(default_factory=_dutch_only, min_length=1)
    closes_on: date
    min_group_size: int = Field(default=10, ge=MIN_GROUP_FLOOR, le=10_000)
    open_link: bool = True
    teams: list[str] = Field(default_factory=list, max_length=MAX_TEAMS)
    # "employer": the employer self-scan of a firm with 1-9 employees (one person answers)
    kind: ScanKind = "employees"

    @field_validator("name")
    @classmethod
    def _name(cls, name: str) -> str:
        return check_text("name", name)

    @field_validator("teams")
    @classmethod
    def _teams(cls, teams: list[str]) -> list[str]:
        cleaned = [check_text("team", " ".join(t.split())) for t in teams]
        if any(not t or len(t) > 100 for t in cleaned):
            raise ValueError("every team name needs 1 to 100 characters")
        dupes = sorted({t for t in cleaned if cleaned.count(t) > 1})
        if dupes:
            raise ValueError(f"team names must be unique; repeated: {', '.join(dupes)}")
        return cleaned

    @field_validator("languages")
    @classmethod
    def _languages(cls, langs: list[Language]) -> list[Language]:
        return [lang for lang in LANGUAGES if lang in langs]

    @model_validator(mode="after")
    def _employer_is_small(self) -> ScanIn:
        if self.kind == "employer" and self.size_class != "1-9":
            raise ValueError(
                f"kind: the employer self-scan is for firms of 1-9 employees, not {self.size_class}"
            )
        return self


def scan_to_dict(scan: Scan, response_count: int) -> dict[str, object]:
    return {
        "id": scan.id,
        "public_id": scan.public_id,
        "name": scan.name,
        "sector": scan.sector,
        "size_class": scan.size_class,
        "headcount": scan.headcount,
        "languages": scan.language_list,
        "closes_on": scan.closes_on.isoformat(),
        "min_group_size": scan.min_group_size,
        "open_link": scan.open_link,
        "teams": scan.team_names,
        "kind": scan.kind,
        "status": "open" if scan.closed_at is None and scan.closes_on >= date.today() else "closed",
        "response_count": response_count,
    }


def create_scan(db: Session, user: CurrentUser, data: ScanIn) -> Scan:
    if data.closes_on < date.today():
        raise InvalidInput(f"closes_on: {data.closes_on.isoformat()} lies in the past")
    assert user.organisation_id is not None
    scan = Scan(
        organisation_id=user.organisation_id,
        public_id=security.new_public_id(),
        name=data.name,
        sector=data.sector,
        size_class=data.size_class,
        headcount=data.headcount,
        languages=",".join(data.languages),
        closes_on=data.closes_on,
        min_group_size=data.min_group_size,
        open_link=data.open_link,
        open_count=0,
        kind=data.kind,
        teams=[ScanTeam(position=i, name=t) for i, t in enumerate(data.teams, 1)],
    )
    db.add(scan)
    db.flush()
    return scan


def list_scans(db: Session, user: CurrentUser) -> list[Scan]:
    return list(
        db.scalars(
            select(Scan)
            .where(Scan.organisation_id == user.organisation_id)
            .options(selectinload(Scan.teams))
            .order_by(Scan.id)
        )
    )


def get_scan(db: Session, user: CurrentUser, scan_id: int) -> Scan:
    """The scan if it belongs to the user's organisation; otherwise 404 (existence not revealed)."""
    if not 1 <= scan_id <= MAX_DB_ID:
        raise NotFound(f"scan {scan_id} not found")
    scan = db.scalar(
        select(Scan)
        .where(Scan.id == scan_id, Scan.organisation_id == user.organisation_id)
        .options(selectinload(Scan.teams))
    )
    if scan is None:
        raise NotFound(f"scan {scan_id} not found")
    return scan


PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
MAX_DB_ID = 2**31 - 1  # INTEGER columns: larger ids cannot exist (and would fail the query)


def scan_by_public_id(db: Session, public_id: str) -> Scan:
    if not PUBLIC_ID.fullmatch(public_id):  # NUL bytes, odd characters: no such link
        raise NotFound("this questionnaire link is not valid")
    # one query (a join) instead of two: this runs on every respondent's GET and POST
    scan = (
        db.scalars(select(Scan).where(Scan.public_id == public_id).options(joinedload(Scan.teams)))
        .unique()
        .one_or_none()
    )
    if scan is None:
        raise NotFound("this questionnaire link is not valid")
    return scan


def response_count(db: Session, scan: Scan) -> int:
    """The only figure HR sees while a scan runs: the total number of responses."""
    return int(db.scalar(select(func.count()).where(Response.scan_id == scan.id)) or 0)


def issued_codes(db: Session, scan_id: int) -> int:
    return int(db.scalar(select(func.count()).where(AccessCode.scan_id == scan_id)) or 0)


def prepare_codes(count: int, *, secret: bytes, limit: int) -> list[tuple[str, str]]:
    """(code, keyed hash) pairs, made before any transaction (5,000 take ~0.2 s of CPU)."""
    if not 1 <= count <= limit:
        raise InvalidInput(f"count: {count} is outside 1..{limit}")
    codes = [security.new_access_code() for _ in range(count)]
    return [(c, security.keyed_hash(secret, "code", security.normalise_code(c))) for c in codes]


def create_codes(
    db: Session,
    scan: Scan,
    count: int,
    *,
    secret: bytes,
    limit: int,
    prepared: list[tuple[str, str]] | None = None,
) -> list[str]:
    """A batch of single-use codes: returned once in plain text, stored only as keyed hashes.

    Codes plus open-link answers never exceed the headcount (HR's page once said "7 of 2
    employees"). Pass ``prepared`` (from :func:`prepare_codes`, made outside the unit of work)
    so the write unit only checks the headcount and runs one multi-row INSERT.
    """
    if scan.closes_on < date.today():
        raise Gone(f"scan {scan.id} closed on {scan.closes_on.isoformat()}; no new codes")
    if scan.closed_at is not None:
        raise Gone(
            f"scan {scan.id} was closed on {scan.closed_at.date().isoformat()}; no new codes"
        )
    pairs = prepared if prepared is not None else prepare_codes(count, secret=secret, limit=limit)
    locked = db.execute(  # PostgreSQL: one batch per scan at a time; SQLite: BEGIN IMMEDIATE
        select(Scan.open_count, Scan.headcount).where(Scan.id == scan.id).with_for_update()
    ).one()
    issued = issued_codes(db, scan.id)
    room = locked.headcount - issued - locked.open_count
    if len(pairs) > room:
        raise InvalidInput(
            f"count: {len(pairs)} more codes would exceed the headcount of {locked.headcount} "
            f"({issued} codes issued, {locked.open_count} answers through the open link); "
            f"at most {max(room, 0)} more can be made"
        )
    db.execute(
        insert(AccessCode), [{"scan_id": scan.id, "code_hash": h, "used": False} for _, h in pairs]
    )
    return [c for c, _ in pairs]
