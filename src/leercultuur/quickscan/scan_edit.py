"""Changing a scan after it was created: what HR may change, and when.

While a scan is open HR may correct its name, closing date, headcount, sector, size class and
languages. The minimum group size may only go up (employees were promised at least the size
they read in the privacy notice), and teams may change only while nobody has answered (answers
refer to a team by its position). A closed scan cannot be changed.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from leercultuur.quickscan.errors import InvalidInput
from leercultuur.quickscan.items import LANGUAGES, Language
from leercultuur.quickscan.models import Scan, ScanTeam
from leercultuur.quickscan.scans import MAX_TEAMS, MIN_GROUP_FLOOR, ScanIn, SectorCode, SizeClass


class EditRefused(InvalidInput):
    """An edit the rules do not allow; ``key`` and ``values`` let the pages say it in words."""

    def __init__(self, key: str, message: str, **values: object) -> None:
        super().__init__(message)
        self.key = key
        self.values = values


class ScanEdit(BaseModel):
    """The fields of the edit form (all of them, as the form shows them)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    sector: SectorCode
    size_class: SizeClass
    headcount: int = Field(ge=1, le=1_000_000)
    languages: list[Language] = Field(min_length=1)
    closes_on: date
    min_group_size: int = Field(ge=MIN_GROUP_FLOOR, le=10_000)
    teams: list[str] = Field(default_factory=list, max_length=MAX_TEAMS)

    @field_validator("teams")
    @classmethod
    def _teams(cls, teams: list[str]) -> list[str]:
        return ScanIn._teams(teams)  # type: ignore[operator]

    @field_validator("languages")
    @classmethod
    def _languages(cls, langs: list[Language]) -> list[Language]:
        return [lang for lang in LANGUAGES if lang in langs]


def update_scan(
    db: Session, scan: Scan, data: ScanEdit, *, responses: int, today: date | None = None
) -> None:
    """Apply the edit (the caller checked that the scan is open) inside the caller's unit of
    work; flushes only."""
    today = today or date.today()
    if data.closes_on < today:
        raise EditRefused("date_past", f"closes_on: {data.closes_on.isoformat()} lies in the past")
    if data.min_group_size < scan.min_group_size:
        raise EditRefused(
            "min_down",
            f"min_group_size: {data.min_group_size} is below the {scan.min_group_size} promised "
            "to the employees; it can only go up",
            min=scan.min_group_size,
        )
    received = max(responses, scan.open_count)
    if data.headcount < received:
        raise EditRefused(
            "headcount_low",
            f"headcount: {data.headcount} is below the {received} responses already received",
            n=received,
        )
    if data.teams != scan.team_names:
        if responses:
            raise EditRefused("teams_locked", "teams cannot change once answers have come in")
        scan.teams.clear()
        db.flush()
        scan.teams.extend(ScanTeam(position=i, name=t) for i, t in enumerate(data.teams, 1))
    scan.name = data.name
    scan.sector = data.sector
    scan.size_class = data.size_class
    scan.headcount = data.headcount
    scan.languages = ",".join(data.languages)
    scan.closes_on = data.closes_on
    scan.min_group_size = data.min_group_size
    db.flush()
