"""Server-rendered questionnaire: privacy notice first, then the questions, then thanks."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from leercultuur.quickscan import responses, scans
from leercultuur.quickscan.errors import (
    Conflict,
    Forbidden,
    Gone,
    InvalidInput,
    QuickscanError,
    ServiceBusy,
    TooManyAttempts,
)
from leercultuur.quickscan.items import Language, all_items, questionnaire
from leercultuur.quickscan.models import Organisation, Scan
from leercultuur.quickscan.throttle import guarded_submit
from leercultuur.quickscan.web.deps import (
    client_address,
    form_data,
    get_database,
    get_settings,
    render,
    render_cached,
)
from leercultuur.quickscan.web.forms import form_str
from leercultuur.quickscan.web.privacy import privacy_sections

router = APIRouter()
QUESTIONS_PATH = re.compile(r"/s/[^/]+/questions")
FORM_FIELDS = {"csrf_token", "code", "submission_id", "lang"}
UI = {
    "nl": {
        "start": "Naar de vragen",
        "submit": "Versturen",
        "code": "Uw persoonlijke code",
        "progress": "Beantwoord",
        "thanks": "Dank u wel! Uw antwoorden zijn opgeslagen.",
        "optional": "(niet verplicht)",
        "privacy": "Privacy",
        "errors": "Controleer uw antwoorden",
        "busy": "Het is nu erg druk. Uw antwoorden zijn nog niet opgeslagen, maar staan hieronder "
        "nog ingevuld. Wacht een paar seconden en klik dan opnieuw op Versturen.",
        "busy_resend": "Het is nu erg druk. Uw antwoorden zijn nog niet opgeslagen; deze pagina "
        "bewaart ze. Wacht een paar seconden en klik dan op Opnieuw versturen.",
        "busy_title": "Even geduld",
        "busy_button": "Opnieuw versturen",
    },
    "en": {
        "start": "Go to the questions",
        "submit": "Send",
        "code": "Your personal code",
        "progress": "Answered",
        "thanks": "Thank you! Your answers have been stored.",
        "optional": "(optional)",
        "privacy": "Privacy",
        "errors": "Please check your answers",
        "busy": "It is very busy right now. Your answers have not been stored yet, but they are "
        "still filled in below. Please wait a few seconds, then press Send again.",
        "busy_resend": "It is very busy right now. Your answers have not been stored yet; this "
        "page keeps them. Please wait a few seconds, then press Send again.",
        "busy_title": "One moment, please",
        "busy_button": "Send again",
    },
}


def _lang(scan: Scan, requested: str | None) -> Language:
    langs = scan.language_list
    if requested in langs:
        return "en" if requested == "en" else "nl"
    return "en" if langs[0] == "en" else "nl"


def _context(
    scan: Scan, lang: Language, *, organisation: str | None = None, retention_days: int = 365
) -> dict[str, object]:
    return {
        "scan": scan,
        "lang": lang,
        "ui": UI[lang],
        "notice": privacy_sections(
            lang, scan.min_group_size, organisation=organisation, retention_days=retention_days
        ),
        "blocks": questionnaire(scan.team_names),
        "n_items": len(all_items(scan.team_names)),
    }


EMPLOYEE_ERRORS: dict[type[QuickscanError], dict[str, str]] = {
    Conflict: {
        "nl": "Deze code is al gebruikt of de vragenlijst is vol.",
        "en": "This code has already been used, or the questionnaire is full.",
    },
    Forbidden: {
        "nl": "Deze code hoort niet bij deze vragenlijst. Controleer de code op typefouten.",
        "en": "This code does not belong to this questionnaire. Please check it for typos.",
    },
    Gone: {"nl": "Deze vragenlijst is gesloten.", "en": "This questionnaire has closed."},
    TooManyAttempts: {
        "nl": "Te veel pogingen vanaf uw netwerk. Probeer het over een kwartier opnieuw.",
        "en": "Too many attempts from your network. Please try again in a quarter of an hour.",
    },
}


def employee_message(
    exc: QuickscanError, scan: Scan, lang: Language, answers: Mapping[str, object]
) -> str:
    """The error in the employee's language; unanswered questions are named by their text."""
    if isinstance(exc, InvalidInput):
        missing = [
            item.text(lang)
            for item in all_items(scan.team_names)
            if item.required and not answers.get(item.id)
        ]
        if missing:
            lead = "Beantwoord nog: " if lang == "nl" else "Please also answer: "
            return lead + " / ".join(missing)
        return "Een antwoord is ongeldig." if lang == "nl" else "An answer is not valid."
    for kind, text in EMPLOYEE_ERRORS.items():
        if isinstance(exc, kind):
            return text[lang]
    return str(exc)


@router.get("/s/{public_id}")
def intro(public_id: str, request: Request, lang: str | None = None) -> Response:
    with get_database(request).read() as db:
        scan = scans.scan_by_public_id(db, public_id)
        org = db.get(Organisation, scan.organisation_id)
        organisation = org.name if org is not None else None
    responses.ensure_open(scan)
    ctx = _context(
        scan,
        _lang(scan, lang),
        organisation=organisation,
        retention_days=getattr(get_settings(request), "retention_days", 365),
    )
    return render(request, "survey_intro.html", ctx)


@router.get("/s/{public_id}/questions")
def questions(public_id: str, request: Request, lang: str | None = None) -> Response:
    with get_database(request).read() as db:
        scan = scans.scan_by_public_id(db, public_id)
    responses.ensure_open(scan)
    chosen = _lang(scan, lang)
    return render_cached(
        request,
        "survey_form.html",
        _page_key(scan, chosen),
        lambda: {**_context(scan, chosen), "values": {}, "code": ""},
        fills={"submission_id": secrets.token_urlsafe(24)},
    )


@router.post("/s/{public_id}/questions")
def submit(public_id: str, request: Request, form: FormData = Depends(form_data)) -> Response:
    """Store the answers (read the scan, check, one short write). Busy: 503, answers kept."""
    database = get_database(request)
    with database.read() as db:
        scan = scans.scan_by_public_id(db, public_id)
    lang = _lang(scan, form_str(form, "lang", default="nl"))
    answers = {k: v for k, v in form.items() if k not in FORM_FIELDS}
    code = form_str(form, "code", default="").strip() or None
    submission_id = form_str(form, "submission_id", default="")
    try:
        guarded_submit(
            request.app.state.respondent_limits,
            client_address(request),
            database,
            scan,
            code=code,
            submission_id=submission_id,
            answers=answers,
            secret=get_settings(request).secret,
        )
    except QuickscanError as exc:
        ctx = _context(scan, lang)
        ctx.update(
            submission_id=submission_id or secrets.token_urlsafe(24),
            values={k: str(v) for k, v in answers.items()},
            code=code or "",
        )
        if isinstance(exc, ServiceBusy):
            ctx.update(busy=UI[lang]["busy"])
            response = render(request, "survey_form.html", ctx, exc.status_code)
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        ctx.update(error=employee_message(exc, scan, lang, answers))
        response = render(request, "survey_form.html", ctx, exc.status_code)
        if exc.retry_after:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return render_cached(
        request, "survey_done.html", _page_key(scan, lang), lambda: _context(scan, lang)
    )


def _page_key(scan: Scan, lang: Language) -> tuple[object, ...]:
    """Everything of a scan the questionnaire and thank-you pages show (render_cached)."""
    return (scan.id, scan.public_id, lang, scan.name, scan.open_link, tuple(scan.team_names))


async def busy_page(request: Request, exc: ServiceBusy) -> Response | None:
    """The 503 page of a questionnaire submission refused before its scan could be read.

    It carries every posted field as a hidden input, so 'Send again' re-posts the same answers
    (and the same submission_id: a retry is never stored twice). None for other requests.
    """
    if request.method != "POST" or not QUESTIONS_PATH.fullmatch(request.url.path):
        return None
    form = await request.form()
    lang: Language = "en" if form.get("lang") == "en" else "nl"
    fields = [(k, v) for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"]
    text = {
        "title": UI[lang]["busy_title"],
        "body": UI[lang]["busy_resend"],
        "button": UI[lang]["busy_button"],
    }
    ctx = {"text": text, "fields": fields, "action": request.url.path, "lang": lang}
    response = render(request, "survey_busy.html", ctx, exc.status_code)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response
