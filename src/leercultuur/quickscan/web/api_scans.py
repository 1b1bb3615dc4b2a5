"""JSON API for HR: scans of the own organisation and their single-use codes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from leercultuur.quickscan import scans
from leercultuur.quickscan.accounts import CurrentUser
from leercultuur.quickscan.web.api_models import CodesOut, ScanDetailOut, ScanOut
from leercultuur.quickscan.web.deps import (
    DbId,
    absolute_url,
    get_database,
    get_settings,
    require_hr,
)

router = APIRouter(tags=["scans"])


class CodesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    count: int = Field(ge=1, le=1_000_000)


def public_links(request: Request, public_id: str) -> dict[str, str]:
    return {"questionnaire_url": absolute_url(request, f"/s/{public_id}")}


@router.get("/scans", response_model=list[ScanOut])
def list_scans(
    request: Request, user: CurrentUser = Depends(require_hr)
) -> list[dict[str, object]]:
    with get_database(request).read() as db:
        return [
            scans.scan_to_dict(s, scans.response_count(db, s)) for s in scans.list_scans(db, user)
        ]


@router.post("/scans", status_code=201, response_model=ScanDetailOut)
def create_scan(
    body: scans.ScanIn, request: Request, user: CurrentUser = Depends(require_hr)
) -> dict[str, object]:
    with get_database(request).write() as db:
        scan = scans.create_scan(db, user, body)
    return {**scans.scan_to_dict(scan, 0), **public_links(request, scan.public_id)}


@router.get("/scans/{scan_id}", response_model=ScanDetailOut)
def get_scan(
    scan_id: DbId, request: Request, user: CurrentUser = Depends(require_hr)
) -> dict[str, object]:
    """The scan and, while it runs, only its total number of responses."""
    with get_database(request).read() as db:
        scan = scans.get_scan(db, user, scan_id)
        count = scans.response_count(db, scan)
    return {**scans.scan_to_dict(scan, count), **public_links(request, scan.public_id)}


@router.post("/scans/{scan_id}/codes", status_code=201, response_model=CodesOut)
def create_codes(
    scan_id: DbId, body: CodesIn, request: Request, user: CurrentUser = Depends(require_hr)
) -> dict[str, object]:
    """A batch of single-use codes. They are shown once: only keyed hashes are kept."""
    settings = get_settings(request)
    limit = settings.max_codes_per_batch
    prepared = scans.prepare_codes(body.count, secret=settings.secret, limit=limit)
    with get_database(request).write() as db:
        scan = scans.get_scan(db, user, scan_id)
        codes = scans.create_codes(
            db, scan, body.count, secret=settings.secret, limit=limit, prepared=prepared
        )
    base = public_links(request, scan.public_id)["questionnaire_url"]
    return {"codes": [{"code": c, "url": f"{base}#code={c}"} for c in codes]}
