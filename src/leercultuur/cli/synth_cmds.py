"""CLI commands of the synth group (registered by leercultuur.cli._app)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this group's commands to the main app."""
