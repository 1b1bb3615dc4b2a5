"""CLI commands of the synth group (registered by leercultuur.cli._app)."""

from __future__ import annotations

import time
from pathlib import Path

import typer


def synth(
    out: Path = typer.Option(..., "--out", help="Folder for the yearly files nea_<year>.<fmt>."),
    years: str = typer.Option(
        "2012-2022", "--years", help="Years: a range 2012-2022 or 2020,2022."
    ),
    fmt: str = typer.Option("sav", "--format", help="File format: sav (SPSS) or parquet."),
    seed: int | None = typer.Option(None, "--seed", help="Random seed (default: the fixed seed)."),
) -> None:
    """Write a synthetic NEA: one raw file per year in the real files' layout."""
    from leercultuur.errors import check_choice
    from leercultuur.synth import DEFAULT_SEED, FORMATS, GENERATOR_VERSION, parse_years, write_synth

    check_choice("--format", fmt, FORMATS)
    todo = parse_years(years)
    t0 = time.perf_counter()
    done = write_synth(out, years=todo, fmt=fmt, seed=DEFAULT_SEED if seed is None else seed)  # type: ignore[arg-type]
    for path, rows, secs in done:
        typer.echo(f"{path}  {rows:>7,} rows  {secs:5.1f} s")
    total = sum(r for _, r, _ in done)
    typer.echo(
        f"synthetic NEA {GENERATOR_VERSION}: {len(done)} files, {total:,} respondents, "
        f"{time.perf_counter() - t0:.1f} s"
    )


def register(app: typer.Typer) -> None:
    """Add this group's commands to the main app."""
    app.command("synth")(synth)
