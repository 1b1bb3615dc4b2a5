from __future__ import annotations

import importlib
import sys

import typer
from rich.console import Console

from leercultuur import __version__
from leercultuur.cli import io_cmds, monitor_cmds, quickscan_cmds, report_cmds, synth_cmds
from leercultuur.errors import LeercultuurError

app = typer.Typer(
    name="leercultuur",
    help="Monitor Leercultuur: the Dutch learning-culture monitor from NEA survey data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"leercultuur {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        help="Print the version and exit.",
        is_eager=True,
        callback=_print_version,
    ),
) -> None:
    """Monitor Leercultuur: the Dutch learning-culture monitor from NEA survey data."""


# Each command group lives in its own module with a `register(app)`; the modules import only
# typer and rich at the top, so the core CLI works without the optional extras (report, web),
# whose commands say what to install when it is missing.
for _mod in (io_cmds, synth_cmds, monitor_cmds, report_cmds, quickscan_cmds):
    _mod.register(app)


def main() -> None:
    """Console-script entry point: user errors become one message and exit code 2."""
    from leercultuur._runtime import phase_clock, tune_allocator

    tune_allocator()
    phase_clock().mark("startup")
    try:
        app(standalone_mode=False)
    except (LeercultuurError, ValueError, FileNotFoundError, PermissionError) as exc:
        _error(str(exc))
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except Exception as exc:
        usage = _click_exception_types()
        if isinstance(exc, usage):  # usage errors: bad option, missing argument
            exc.show()  # type: ignore[attr-defined]
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        raise


def _error(message: str) -> None:
    from rich.markup import escape

    err_console.print("[bold red]error:[/] " + escape(message), highlight=False, soft_wrap=True)


def _click_exception_types() -> tuple[type[BaseException], ...]:
    """Typer >= 0.29 vendors click as ``typer._click``; older ones use the click package."""
    types: list[type[BaseException]] = []
    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            mod = importlib.import_module(name)
        except ImportError:
            continue
        types.append(mod.ClickException)
    return tuple(types)
