"""A closed scan with known, varied answers, for the report page and browser tests."""

from __future__ import annotations

from typing import Any

from .conftest import Api, new_submission_id

# Answer codes per item (1 = first answer shown), cycled with different periods so that the
# figures vary between indicators and teams.
CHOICES = {
    "course_2y": (1, 2, 1),
    "learn_tasks": (1, 2, 3, 1),
    "learn_people": (2, 1, 3),
    "var_varied": (3, 4, 2, 3, 1),
    "var_learn_new": (2, 3, 4),
    "var_creative": (1, 2, 3, 4),
    "aut_how": (1, 2, 3),
    "aut_order": (1, 1, 2),
    "aut_pace": (2, 3, 1, 2),
    "aut_solutions": (1, 2),
    "aut_leave": (3, 1, 2),
    "sup_development": (3, 2, 2, 1),
    "age_class": (2, 3, 4, 5, 2, 3),
    "team": (1, 1, 2, 1, 2, 1, 2),
}


def answers(i: int) -> dict[str, int]:
    return {item: codes[i % len(codes)] for item, codes in CHOICES.items()}


def closed_scan_with_answers(
    app: Any, hr: Api, body: dict[str, Any], n: int, *, close: bool = True
) -> dict[str, Any]:
    """Create the scan, let ``n`` employees answer with single-use codes, close it (by HR)."""
    scan = hr.post("/scans", body).json()
    codes = hr.post(f"/scans/{scan['id']}/codes", {"count": n}).json()["codes"]
    employee = Api(app)
    for i, c in enumerate(codes):
        given = answers(i)
        if not body.get("teams"):
            given.pop("team")
        sent = {"code": c["code"], "submission_id": new_submission_id(), "answers": given}
        r = employee.post(f"/s/{scan['public_id']}/responses", sent)
        assert r.status_code in (200, 201), r.text
    if close:
        from leercultuur.quickscan import lifecycle
        from leercultuur.quickscan.models import Scan

        with app.state.sessions() as db:
            row = db.get(Scan, scan["id"])
            lifecycle.close_scan(db, row)
            db.commit()
    return scan
