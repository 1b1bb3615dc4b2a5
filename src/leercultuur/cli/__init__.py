"""Command-line adapter: ``leercultuur ...``.

Each group of commands lives in its own module and is registered here. Errors a user can cause
(``LeercultuurError``, bad options) are printed as one clear message and exit with status 2, never
as a traceback.
"""

from __future__ import annotations

from leercultuur.cli._app import app, main

__all__ = ["app", "main"]
