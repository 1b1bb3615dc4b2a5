"""Operations endpoints: ``/healthz`` for load balancers and process supervisors."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import text
from starlette.responses import JSONResponse, Response

router = APIRouter(tags=["operations"])


@router.get(
    "/healthz",
    responses={
        200: {"description": "The app runs and its database answers."},
        503: {"description": "The database does not answer."},
    },
)
def healthz(request: Request) -> Response:
    """200 when the database answers a trivial query, else 503 (no details, no personal data)."""
    try:
        with request.app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        return JSONResponse(
            {"status": "unavailable"}, status_code=503, headers={"Retry-After": "5"}
        )
    return JSONResponse({"status": "ok"})
