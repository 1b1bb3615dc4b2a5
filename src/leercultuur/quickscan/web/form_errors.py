"""Form errors in the reader's language, naming the field by its label (no field codes)."""

from __future__ import annotations

from pydantic import ValidationError

from leercultuur.quickscan.scan_edit import EditRefused
from leercultuur.quickscan.web.i18n import Translate

FIELD_LABELS = {
    "name": "Name",
    "sector": "Sector (SBI section)",
    "size_class": "Size class (employees)",
    "headcount": "Headcount (number of employees invited)",
    "languages": "Languages of the questionnaire",
    "closes_on": "Closing date",
    "min_group_size": "Minimum group size for results (at least 5)",
    "teams": "Teams (optional, one per line)",
    "kind": "Who answers",
}
REFUSALS = {
    "date_past": "The closing date lies in the past.",
    "min_down": "The minimum group size can only go up: employees were promised at least {min}.",
    "headcount_low": "The headcount cannot be lower than the {n} responses already received.",
    "teams_locked": "Teams cannot change once answers have come in.",
}


def _problem(err: dict[str, object], _: Translate) -> str:
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") if isinstance(err.get("ctx"), dict) else {}
    assert isinstance(ctx, dict)
    if kind in {"missing", "string_too_short"}:
        return _("please fill this in")
    if kind in {"greater_than_equal", "greater_than"}:
        return _("must be at least {n}", n=ctx.get("ge", ctx.get("gt", "")))
    if kind in {"less_than_equal", "less_than"}:
        return _("must be at most {n}", n=ctx.get("le", ctx.get("lt", "")))
    if kind in {"int_parsing", "int_from_float"}:
        return _("must be a whole number")
    if kind.startswith("date"):
        return _("is not a valid date")
    if kind in {"literal_error", "enum"}:
        return _("choose one of the options")
    if kind == "too_short":
        return _("choose at least one")
    if kind in {"too_long", "string_too_long"}:
        return _("is too long")
    return str(err.get("msg", "")).removeprefix("Value error, ")


def validation_text(exc: ValidationError, _: Translate) -> str:
    """Every problem of the form at once: 'Closing date: is not a valid date; ...'."""
    parts = []
    for err in exc.errors():
        loc = err.get("loc") or ()
        field = str(loc[0]) if loc else ""
        label = _(FIELD_LABELS[field]) if field in FIELD_LABELS else ""
        problem = _problem(dict(err), _)
        parts.append(f"{label}: {problem}" if label else problem)
    return "; ".join(parts)


def refusal_text(exc: EditRefused, _: Translate) -> str:
    return _(REFUSALS[exc.key], **exc.values) if exc.key in REFUSALS else str(exc)
