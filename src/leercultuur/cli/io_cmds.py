"""CLI commands of the io group: ``validate`` and ``codebook draft|diff``.

Registered by leercultuur.cli._app. A failed validation prints the full report on stdout, then
raises the report's ``ValidationError`` so that the CLI prints the failing problems on stderr and
exits with status 2 (no traceback).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

codebook_app = typer.Typer(
    name="codebook",
    help="Codebook tools: draft one from a data file, diff two editions of a file.",
    no_args_is_help=True,
)


def validate_cmd(
    data: list[Path] | None = typer.Argument(
        None, help="Data files (.sav, .zsav, .dta, .csv, .csv.gz, .parquet) or a folder."
    ),
    codebook: Path | None = typer.Option(
        None, "--codebook", "-c", help="Codebook YAML (default: the synthetic-NEA codebook)."
    ),
    strict: bool = typer.Option(False, "--strict", help="Fail on warnings too."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Check data files against the codebook and print every problem at once."""
    from leercultuur.errors import DataError
    from leercultuur.io import load_codebook, validate

    if not data:  # checked here: a typer usage error would print a traceback (see _app.main)
        raise DataError("validate: give one or more data files (.sav, .dta, .csv, .parquet)")
    cb = load_codebook(codebook)
    report = validate(data, codebook=cb)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        typer.echo(report.format())
    report.raise_if_failed(strict=strict)


@codebook_app.command("draft")
def draft_cmd(
    files: list[Path] = typer.Argument(
        ...,
        help="Data files (all years) or a folder of yearly files whose labels seed the codebook.",
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here (else stdout)."),
    year: int | None = typer.Option(
        None,
        "--year",
        help="Edition year of a one-year file without a year column (else from its name).",
    ),
) -> None:
    """Write a starting codebook: recognised variables get the default spec's names; every
    guess is marked `# TODO check:`."""
    from leercultuur.io import draft_codebook

    text = draft_codebook(list(files), year=year)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}")


@codebook_app.command("diff")
def diff_cmd(
    old: Path = typer.Argument(..., help="Older edition."),
    new: Path = typer.Argument(..., help="Newer edition."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """List renamed, added, dropped and recoded variables between two editions."""
    from leercultuur.io import diff_files

    result = diff_files(old, new)
    typer.echo(json.dumps(result.to_dict(), indent=2) if as_json else result.format())


def register(app: typer.Typer) -> None:
    """Add this group's commands to the main app."""
    app.command("validate")(validate_cmd)
    app.add_typer(codebook_app, name="codebook")
