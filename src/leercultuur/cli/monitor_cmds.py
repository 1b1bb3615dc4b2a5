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
spec_app = typer.Typer(help="The monitor spec: what the monitor computes.", no_args_is_help=True)


@spec_app.command("default")
def spec_default_cmd() -> None:
    """Print the default monitor spec (start a partial spec with `extends: default`)."""
    from leercultuur.monitor import default_spec_text

    typer.echo(default_spec_text(), nl=False)


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
    # "indicators", one step per (weight plan x breakdown incl. all), "associations"; the
    # default codebook gives 3 weight plans (whole sample, and the two 2022 half blocks)
    # (each combined group of a breakdown is one more pass)
    combined = sum(len(b.combine) for b in spec.breakdowns)
    return 2 + 3 * (len(spec.breakdowns) + combined + 1)


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
    from leercultuur._runtime import phase_clock, release_memory
    from leercultuur.io import expand_paths, load_codebook, read_harmonised, write_csv
    from leercultuur.monitor import check_codebook_design, load_spec, output_check, run_monitor

    clock = phase_clock()
    spec = load_spec(spec_path)
    cb = load_codebook(codebook)
    data = expand_paths(list(data))
    clock.mark("import")
    t0 = time.perf_counter()
    with console.status("Reading and validating the data"):
        harmonised = read_harmonised(data, codebook=cb, strict=strict)
    report = harmonised.report
    console.print(
        f"Read {len(harmonised.data):,} rows from {len(data)} file(s) "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    release_memory()  # the files' raw columns are garbage now; do not carry them into the monitor
    clock.mark("read")
    check_codebook_design(harmonised.metadata, spec)  # before the progress bar starts
    summary = getattr(report, "summary", None)
    if callable(summary):
        console.print(summary())
    with stage_progress(_monitor_stages(spec), "Monitor") as progress:
        result = run_monitor(
            harmonised.data,
            spec=spec,
            metadata=harmonised.metadata,
            codebook=cb,
            spec_source=None if spec_path is None else str(spec_path),
            method="classic" if classic else "design",
            inputs=data,
            provenance=provenance or {"data": "real", "source": ", ".join(p.name for p in data)},
            progress=progress,
        )
    del harmonised, report  # the table is not needed for writing
    release_memory()
    clock.mark("monitor")
    result.save(out)
    write_csv(output_check(result), out / "output-check.csv")
    clock.mark("write")
    for gap in result.gaps:
        console.print(f"[yellow]gap:[/] {gap}", highlight=False)
    return out


def register(app: typer.Typer) -> None:
    @app.command("monitor")
    def monitor_cmd(
        data: list[Path] = typer.Argument(
            ..., help="Data files (.sav, .zsav, .dta, .csv, .csv.gz, .parquet) or a folder."
        ),
        out: Path = typer.Option(..., "--out", help="Result directory to write."),
        codebook: Path | None = typer.Option(None, help="Codebook YAML (default: synthetic NEA)."),
        spec: Path | None = typer.Option(
            None, help="Monitor spec YAML (default: shipped spec; `extends: default` for changes)."
        ),
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
        from leercultuur.monitor import MonitorResult, export_benchmark

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
        from leercultuur.monitor import benchmark_schema

        out.write_text(json.dumps(benchmark_schema(), indent=2))
        console.print(f"[green]Schema written to[/] {out}")

    app.add_typer(benchmark_app, name="benchmark")
    app.add_typer(spec_app, name="spec")
    register_demo(app)


def _synth_files(cache: Path, years: list[int]) -> list[Path]:
    """The synthetic NEA, generated once per generator version and cached."""
    from leercultuur.synth import DEFAULT_SEED, GENERATOR_VERSION, write_year
    from leercultuur.synth import generate_year as gen

    folder = cache / f"synthetic-nea-{GENERATOR_VERSION}-seed{DEFAULT_SEED}"
    paths = [folder / f"nea_{y}.sav" for y in years]
    todo = [y for y, p in zip(years, paths, strict=True) if not p.exists()]
    if todo:
        folder.mkdir(parents=True, exist_ok=True)
        with stage_progress(len(todo), "Synthetic NEA") as progress:
            for y in todo:
                write_year(gen(y, DEFAULT_SEED), y, folder, "sav")
                progress(str(y))
    else:
        console.print(f"Synthetic NEA {GENERATOR_VERSION}: cached in {folder}")
    return paths


def register_demo(app: typer.Typer) -> None:
    @app.command("demo")
    def demo_cmd(
        out: Path = typer.Option(Path("leercultuur-demo"), "--out", help="Working folder."),
        report_dir: Path = typer.Option(
            Path("leercultuur-report"), "--report", help="Folder for the published report."
        ),
        years: str = typer.Option("2012-2022", "--years", help="Years, e.g. 2012-2022."),
        lang: str = typer.Option("nl", "--lang", help="Report language: nl or en."),
        classic: bool = typer.Option(False, "--classic", help="The article's classic tests."),
    ) -> None:
        """The main job on built-in synthetic data: synthetic NEA -> monitor -> report."""
        from leercultuur.errors import check_choice
        from leercultuur.synth import GENERATOR_VERSION, parse_years

        check_choice("--lang", lang, ("nl", "en"))
        t0 = time.perf_counter()
        files = _synth_files(out / "data", list(parse_years(years)))
        result_dir = run_monitor_on_files(
            files,
            codebook=None,
            spec_path=None,
            out=out / "result",
            classic=classic,
            strict=False,
            provenance={"data": "synthetic", "source": f"leercultuur synth {GENERATOR_VERSION}"},
        )
        from leercultuur.monitor import MonitorResult, export_benchmark

        result = MonitorResult.load(result_dir)
        bench = export_benchmark(
            result, out / "benchmark.json", data="synthetic",
            source=f"leercultuur synth {GENERATOR_VERSION}",
        )  # fmt: skip
        _headline(result)
        try:
            from leercultuur.report import render_report
        except ImportError:  # the report extra is not installed
            console.print("[yellow]report skipped:[/] install the 'report' extra")
        else:
            with console.status("Writing the report"):
                files_out = render_report(result, report_dir, lang=lang)
            console.print(f"[green]Report:[/] {files_out.html}")
        console.print(f"[green]Results:[/] {result_dir}   [green]Benchmark:[/] {bench}")
        console.print(f"Done in {time.perf_counter() - t0:.1f} s")


def _headline(result: Any) -> None:
    """Print the article's Table 1 line: course participation per year and the trend B."""
    from rich.table import Table

    est = result.estimates.query("indicator == 'nonformal' and breakdown == 'all'")
    yoy = result.comparisons.query(
        "indicator == 'nonformal' and breakdown == 'all' and comparison == 'year_on_year'"
    ).set_index("year")["marker"]
    tr = result.trends.query("indicator == 'nonformal' and breakdown == 'all'")
    table = Table(title="Opleiding/cursus gevolgd (afgelopen 2 jaar), alle werknemers")
    for y in est["year"]:
        table.add_column(f"'{int(y) % 100:02d}", justify="right", min_width=4)
    table.add_column("B", justify="right")
    cells = [f"{v:.0f}%{yoy.get(y, '')}" for y, v in zip(est["year"], est["estimate"], strict=True)]
    trend = "" if tr.empty else f"{tr['slope'].iloc[0]:+.1f}{tr['marker'].iloc[0]}"
    table.add_row(*cells, trend)
    Console(width=max(Console().width, 100)).print(table)
