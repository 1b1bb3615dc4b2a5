"""CLI commands of the report group (registered by leercultuur.cli._app).

``leercultuur report RESULT_DIR --out DIR [--lang nl|en] [--method design|classic] [--pdf]``
"""

from __future__ import annotations

from pathlib import Path

import typer


def report_command(
    result_dir: Path = typer.Argument(
        ..., help="A monitor result directory (written by `leercultuur monitor ... --out DIR`)."
    ),
    out: Path = typer.Option(
        Path("leercultuur-report"), "--out", "-o", help="Folder for the report files."
    ),
    lang: str = typer.Option("nl", "--lang", help="Edition: nl (Dutch, default) or en."),
    method: str | None = typer.Option(
        None,
        "--method",
        help="Markers from the design or classic tests (default: what the result holds).",
    ),
    pdf: bool = typer.Option(False, "--pdf", help="Also print the report to PDF (needs Chromium)."),
    text: Path | None = typer.Option(
        None,
        "--text",
        help="Folder with your own texts: intro.md, conclusions.md, colophon.md (Markdown; "
        "intro.en.md etc. for the English edition).",
    ),
) -> None:
    """Publish a monitor result: offline HTML report with findings and charts, Excel workbook."""
    from leercultuur.report import render_report

    files = render_report(result_dir, out, lang=lang, method=method, pdf=pdf, text_dir=text)
    typer.echo(f"report:   {files.html}")
    typer.echo(f"excel:    {files.excel}")
    typer.echo(f"findings: {files.findings}")
    where = files.charts[0].parent if files.charts else files.html.parent
    typer.echo(f"charts:   {len(files.charts)} files (SVG and PNG) in {where}")
    if files.pdf is not None:
        typer.echo(f"pdf:      {files.pdf}")


def register(app: typer.Typer) -> None:
    """Add this group's commands to the main app."""
    app.command("report")(report_command)
