"""Schemathesis hooks of tests/load/run_schemathesis.py (loaded through SCHEMATHESIS_HOOKS).

One extra check, ``no_other_organisation``: no response to the fuzzer may contain a marker of the
other organisation (its name, its HR user's name, its scan's title, team and public id). The
markers come from the environment variable QS_FOREIGN_MARKERS (a JSON list), written by the run
script after it has set up the two organisations.
"""

from __future__ import annotations

import json
import os
from typing import Any

import schemathesis

MARKERS: list[str] = json.loads(os.environ.get("QS_FOREIGN_MARKERS", "[]"))


@schemathesis.check
def no_other_organisation(ctx: Any, response: Any, case: Any) -> bool | None:
    """No body or header carries a marker of the other organisation."""
    text = response.content.decode("utf-8", "replace").lower()
    headers = " ".join(f"{k}: {v}" for k, v in response.headers.items()).lower()
    found = [m for m in MARKERS if m.lower() in text or m.lower() in headers]
    if found:
        raise AssertionError(f"the response shows data of another organisation: {', '.join(found)}")
    return None
