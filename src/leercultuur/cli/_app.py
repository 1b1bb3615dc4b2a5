from __future__ import annotations

import importlib
import sys

import typer
from rich.console import Console

from leercultuur import __version__
from leercultuur.errors import LeercultuurError

app = typer.Typer(
    name="leercultuur",
    help="Monitor Leercultuur: the Dutch learning-culture monitor from NEA survey data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True)

# Command modules; each defines `register(app)`. Modules whose optional dependencies are not
# installed (e.g. the web extra) are skipped with a hint instead of breaking the whole CLI.
_COMMAND_MODULES = [
    "leercultuur.cli.engine_cmds",
    "leercultuur.cli.io_cmds",
    "leercultuur.cli.synth_cmds",
    "leercultuur.cli.monitor_cmds",
    "leercultuur.cli.report_cmds",
    "leercultuur.cli.quickscan_cmds",
]


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


for _name in _COMMAND_MODULES:
    try:
        _mod = importlib.import_module(_name)
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on installed extras
        if exc.name and exc.name.startswith("leercultuur"):
            continue
        _missing = exc.name
        _mod = None
    if _mod is not None and hasattr(_mod, "register"):
        _mod.register(app)


def main() -> None:
    """Console-script entry point: user errors become one message and exit code 2."""
    from leercultuur._runtime import tune_allocator

    tune_allocator()
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
