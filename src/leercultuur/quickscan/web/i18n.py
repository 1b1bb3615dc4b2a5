"""Language of the HR pages: Dutch or English, chosen like the questionnaire's (``?lang=``).

The page text is written in English in the templates as ``{{ _("...") }}``; ``hr_nl.yaml`` holds
the Dutch for every such text (a test checks that none is missing). The choice comes from the
``lang`` query parameter (then remembered in a cookie), else the cookie, else the browser's
Accept-Language, else English.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from fastapi import Request
from starlette.responses import Response

from leercultuur.quickscan.items import LANGUAGES, Language

LANG_COOKIE = "qs_lang"
CATALOG = Path(__file__).with_name("hr_nl.yaml")
Translate = Callable[..., str]


@lru_cache(maxsize=1)
def dutch() -> dict[str, str]:
    """English page text -> Dutch page text."""
    data = yaml.safe_load(CATALOG.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in data.items()}


def _as_language(value: str | None) -> Language | None:
    if value is None:
        return None
    value = value.strip().lower()[:2]
    return "nl" if value == "nl" else "en" if value == "en" else None


def accept_language(header: str | None) -> Language | None:
    """The first of nl/en in the browser's Accept-Language, by its q-values."""
    if not header:
        return None
    ranked: list[tuple[float, int, Language]] = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        lang = _as_language(tag)
        if lang is not None and q > 0:
            ranked.append((-q, i, lang))
    return min(ranked)[2] if ranked else None


def requested_lang(request: Request) -> Language | None:
    """The language asked for in this request's ``?lang=`` (None when absent or unknown)."""
    return _as_language(request.query_params.get("lang"))


def page_lang(request: Request) -> Language:
    """The HR pages' language for this request."""
    return (
        requested_lang(request)
        or _as_language(request.cookies.get(LANG_COOKIE))
        or accept_language(request.headers.get("accept-language"))
        or "en"
    )


def translator(lang: str) -> Translate:
    """``_("English text", name=value)``: the text in ``lang``, with ``{name}`` filled in."""
    table = dutch() if lang == "nl" else {}

    def _(text: str, **values: Any) -> str:
        out = table.get(text, text)
        return out.format(**values) if values else out

    return _


def remember_lang(request: Request, response: Response) -> None:
    """Keep an explicit ``?lang=`` choice in a cookie (a preference, not a secret)."""
    lang = requested_lang(request)
    if lang is not None and lang in LANGUAGES and request.cookies.get(LANG_COOKIE) != lang:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", path="/", httponly=True
        )


def pick(obj: Any, name: str, lang: str) -> Any:
    """``obj.name_nl`` or ``obj.name_en`` (the core's results carry both languages)."""
    return getattr(obj, f"{name}_{'nl' if lang == 'nl' else 'en'}")
