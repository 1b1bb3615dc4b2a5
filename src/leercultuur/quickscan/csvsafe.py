"""CSV exports that a spreadsheet cannot turn into formulas (CSV / formula injection).

A free-text cell (organisation, team or scan name, a code, an answer label) that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula by Excel, LibreOffice
and Google Sheets (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``). Such cells get a leading
apostrophe (the OWASP advice), which spreadsheets show as plain text. Numbers written as numbers
(int/float) stay untouched, so a negative figure is not mangled.

Use ``csv_response`` (or ``write_rows``) for every CSV the Quickscan sends.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from starlette.responses import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: object) -> object:
    """The value as a spreadsheet-safe cell: text that could start a formula gets a ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    text = str(value).replace("\x00", "")
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_rows(out: io.StringIO, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write a header and rows, every cell through ``safe_cell``, quoting where needed."""
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    write_rows(out, header, rows)
    return out.getvalue()


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> Response:
    """A download (UTF-8 with BOM so Excel reads the accents) with a safe ASCII file name."""
    safe_name = (
        "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in filename)
        or "export.csv"
    )
    body = "\ufeff" + csv_text(header, rows)
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{safe_name}"'},
    )
