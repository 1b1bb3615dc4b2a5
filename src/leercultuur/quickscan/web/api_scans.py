"""JSON API for HR: scans of the own organisation and their single-use codes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from leercultuur.quickscan import scans
from leercultuur.quickscan.models import User
from leercultuur.quickscan.web.deps import DbId, absolute_url, get_db, get_settings, require_hr

router = APIRouter(tags=["scans"])


class CodesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    count: int = Field(ge=1, le=1_000_000)


def public_links(request: Request, public_id: str) -> dict[str, str]:
    return {"questionnaire_url": absolute_url(request, f"/s/{public_id}")}


@router.get("/scans")
def list_scans(
    user: User = Depends(require_hr), db: Session = Depends(get_db)
) -> list[dict[str, object]]:
    return [scans.scan_to_dict(s, scans.response_count(db, s)) for s in scans.list_scans(db, user)]


@router.post("/scans", status_code=201)
def create_scan(
    body: scans.ScanIn,
    request: Request,
    user: User = Depends(require_hr),
    db: Session = Depends(get_db),
) -> dict[str, object]:
    scan = scans.create_scan(db, user, body)
    return {**scans.scan_to_dict(scan, 0), **public_links(request, scan.public_id)}


@router.get("/scans/{scan_id}")
def get_scan(
    scan_id: DbId, request: Request, user: User = Depends(require_hr), db: Session = Depends(get_db)
) -> dict[str, object]:
    """The scan and, while it runs, only its total number of responses."""
    scan = scans.get_scan(db, user, scan_id)
    return {
        **scans.scan_to_dict(scan, scans.response_count(db, scan)),
        **public_links(request, scan.public_id),
    }


@router.post("/scans/{scan_id}/codes", status_code=201)
def create_codes(
    scan_id: DbId,
    body: CodesIn,
    request: Request,
    user: User = Depends(require_hr),
    db: Session = Depends(get_db),
) -> dict[str, object]:
    """A batch of single-use codes. They are shown once: only keyed hashes are kept."""
    settings = get_settings(request)
    scan = scans.get_scan(db, user, scan_id)
    codes = scans.create_codes(
        db, scan, body.count, secret=settings.secret, limit=settings.max_codes_per_batch
    )
    base = public_links(request, scan.public_id)["questionnaire_url"]
    return {"codes": [{"code": c, "url": f"{base}#code={c}"} for c in codes]}
