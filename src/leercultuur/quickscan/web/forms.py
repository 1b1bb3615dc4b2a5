"""Small helpers for reading HTML form data."""

from __future__ import annotations

from starlette.datastructures import FormData

from leercultuur.quickscan.errors import InvalidInput


def form_str(form: FormData, name: str, *, default: str | None = None) -> str:
    value = form.get(name)
    if value is None:
        if default is not None:
            return default
        raise InvalidInput(f"{name}: missing")
    if not isinstance(value, str):
        raise InvalidInput(f"{name}: expected text, got a file")
    return value


def form_list(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str)]
