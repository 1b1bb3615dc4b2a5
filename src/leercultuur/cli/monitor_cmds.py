"""CLI: ``leercultuur monitor``, ``benchmark export|schema`` and ``demo``."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

console = Console(stderr=True)

benchmark_app = typer.Typer(help="Benchmark file for the Quickscan (national figures).")


@contextmanager
def stage_progress(total: int, title: str) -> Iterator[Any]:
    """A Rich progress bar advanced by a `progress(label)` callback."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(title, total=total)

        def advance(label: str) -> None:
            bar.update(task, advance=1, description=f"{title}: {label}")

        yield advance
        bar.update(task, completed=total, description=f"{title}: done")


def _monitor_stages(spec: Any) -> int:
    # indicators + estimates per (plan x breakdown) + comparisons + associations (estimate)
    return 2 + 3 * (len(spec.breakdowns) + 1) * 2


def run_monitor_on_files(
    data: list[Path],
    *,
    codebook: Path | None,
    spec_path: Path | None,
    out: Path,
    classic: bool,
    strict: bool,
    provenance: dict[str, Any] | None = None,
) -> Path:
    from leercultuur.io import read_harmonised
    from leercultuur.monitor import load_spec
    from leercultuur.monitor._pipeline import output_check, run_monitor

    spec = load_spec(spec_path)
    t0 = time.perf_counter()
    with console.status("Reading and validating the data"):
        harmonised = read_harmonised(data, codebook=codebook, strict=strict)
    report = harmonised.report
    console.print(
        f"Read {len(harmonised.data):,} rows from {len(data)} file(s) "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    summary = getattr(report, "summary", None)
    if callable(summary):
        console.print(summary())
    with stage_progress(_monitor_stages(spec), "Monitor") as progress:
        result = run_monitor(
            harmonised.data,
            spec=spec,
            weight_for=harmonised.metadata.weight_for,
            method="classic" if classic else "design",
            inputs=data,
            provenance=provenance or {"data": "real", "source": ", ".join(p.name for p in data)},
            progress=progress,
        )
    result.save(out)
    output_check(result).to_csv(out / "output-check.csv", index=False)
    for gap in result.gaps:
        console.print(f"[yellow]gap:[/] {gap}", highlight=False)
    return out


def register(app: typer.Typer) -> None:
    @app.command("monitor")
    def monitor_cmd(
        data: list[Path] = typer.Argument(
            ..., help="Yearly data files (.sav, .dta, .csv, .parquet)."
        ),
        out: Path = typer.Option(..., "--out", help="Result directory to write."),
        codebook: Path | None = typer.Option(None, help="Codebook YAML (default: synthetic NEA)."),
        spec: Path | None = typer.Option(None, help="Monitor spec YAML (default: shipped spec)."),
        classic: bool = typer.Option(
            False, "--classic", help="The article's classic weighted tests."
        ),
        strict: bool = typer.Option(False, "--strict", help="Fail on any validation problem."),
    ) -> None:
        """Compute the monitor: estimates, comparisons, trends, associations."""
        run_monitor_on_files(
            data, codebook=codebook, spec_path=spec, out=out, classic=classic, strict=strict
        )
        console.print(f"[green]Monitor written to[/] {out}")

    @benchmark_app.command("export")
    def export_cmd(
        result_dir: Path = typer.Argument(..., help="Result directory of `leercultuur monitor`."),
        out: Path = typer.Option(..., "--out", help="JSON file to write."),
    ) -> None:
        """Export the latest national figures for the Quickscan (versioned JSON)."""
        from leercultuur.monitor import MonitorResult
        from leercultuur.monitor._export import export_benchmark

        result = MonitorResult.load(result_dir)
        prov = result.manifest.get("provenance", {})
        kind = prov.get("data", "real")
        export_benchmark(
            result,
            out,
            data="synthetic" if kind == "synthetic" else "real",
            source=str(prov.get("source", "unknown")),
        )
        console.print(f"[green]Benchmark written to[/] {out}")

    @benchmark_app.command("schema")
    def schema_cmd(out: Path = typer.Option(..., "--out", help="JSON Schema file.")) -> None:
        """Write the JSON Schema of the benchmark file."""
        from leercultuur.monitor._export import benchmark_schema

        out.write_text(json.dumps(benchmark_schema(), indent=2))
        console.print(f"[green]Schema written to[/] {out}")

    app.add_typer(benchmark_app, name="benchmark")
