"""JSON API for employees: the questionnaire of a scan and submitting one response."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse

from leercultuur.quickscan import responses, scans
from leercultuur.quickscan.errors import NotFound
from leercultuur.quickscan.items import questionnaire
from leercultuur.quickscan.throttle import guarded_submit
from leercultuur.quickscan.web.api_models import QuestionnaireOut, SubmitOut
from leercultuur.quickscan.web.deps import client_address, get_database, get_settings
from leercultuur.quickscan.web.privacy import privacy_notice

router = APIRouter(tags=["questionnaire"])


class ResponseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str | None = Field(default=None, max_length=100)
    submission_id: str = Field(min_length=16, max_length=64)
    answers: dict[str, Any] = Field(max_length=100)


@router.get("/s/{public_id}", response_model=QuestionnaireOut)
def get_questionnaire(
    public_id: str, request: Request, lang: Literal["nl", "en"] = "nl"
) -> dict[str, object]:
    """The questions (wording and answer codes) and the privacy notice, in one language."""
    with get_database(request).read() as db:
        scan = scans.scan_by_public_id(db, public_id)
    responses.ensure_open(scan)
    if lang not in scan.language_list:
        raise NotFound(f"this questionnaire is not available in language {lang!r}")
    return {
        "name": scan.name,
        "languages": scan.language_list,
        "needs_code": not scan.open_link,
        "privacy_notice": privacy_notice(lang, scan.min_group_size),
        "blocks": [
            {"id": b.id, "title": b.title(lang), "items": [i.to_dict(lang) for i in b.items]}
            for b in questionnaire(scan.team_names)
        ],
    }


@router.post(
    "/s/{public_id}/responses",
    status_code=201,
    responses={
        201: {"model": SubmitOut, "description": 'Stored: {"status": "stored"}'},
        200: {
            "model": SubmitOut,
            "description": 'This submission_id was stored before: {"status": "duplicate"}',
        },
    },
)
def submit_response(public_id: str, body: ResponseIn, request: Request) -> JSONResponse:
    """Store one response. A repeat of the same submission_id answers 200 and stores nothing.

    503 with Retry-After when the server is busy: nothing was stored; send the same body again.
    """
    database = get_database(request)
    with database.read() as db:
        scan = scans.scan_by_public_id(db, public_id)
    outcome = guarded_submit(
        request.app.state.respondent_limits,
        client_address(request),
        database,
        scan,
        code=body.code,
        submission_id=body.submission_id,
        answers=body.answers,
        secret=get_settings(request).secret,
    )
    status = 201 if outcome == "stored" else 200
    return JSONResponse({"status": outcome}, status_code=status)
