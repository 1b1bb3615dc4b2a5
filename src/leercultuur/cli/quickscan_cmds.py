"""CLI commands of the quickscan group: ``leercultuur quickscan serve|migrate|create-admin|
load-benchmark|purge|backup|restore``.

``leercultuur.quickscan`` needs the ``web`` extra (FastAPI, SQLAlchemy, ...). It is imported
lazily inside the commands, so the core CLI works without the extra; a command that needs it
says how to install it. (cli and quickscan are sibling adapters in the layer contract, hence the
import by name at run time rather than a module-level import.)
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import typer

from leercultuur.errors import LeercultuurError

quickscan_app = typer.Typer(
    name="quickscan",
    help="The Quickscan web app: employees answer the monitor's questions.",
    no_args_is_help=True,
)


def _load(module: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("leercultuur"):
            raise
        raise LeercultuurError(
            f"the Quickscan needs the web extra (missing package {exc.name!r}); "
            "install it with: pip install 'leercultuur[web]'"
        ) from None


def _settings(**overrides: Any) -> Any:
    from pydantic import ValidationError

    settings_mod = _load("leercultuur.quickscan.settings")
    try:
        return settings_mod.Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        msgs = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        raise LeercultuurError(f"invalid Quickscan settings: {msgs}") from None


@quickscan_app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(
        1,
        min=1,
        max=64,
        help="Server processes (PostgreSQL only; about one per CPU core). SQLite runs one.",
    ),
    forwarded_allow_ips: str = typer.Option(
        None,
        help="Proxies trusted for X-Forwarded-For/-Proto (TLS termination in front of the app); "
        "default QUICKSCAN_TRUSTED_PROXIES, else 127.0.0.1.",
    ),
) -> None:
    """Start the web app (migrates the database first). Zero configuration: SQLite in the data
    directory; set DATABASE_URL for PostgreSQL and QUICKSCAN_SECRET_KEY outside development.
    Writes a JSON-lines access log without personal data to standard error."""
    settings = _settings()
    uvicorn = _load("uvicorn")
    if settings.resolved_database_url().startswith("sqlite") and workers > 1:
        typer.echo(
            f"note: --workers {workers} ignored: with SQLite the Quickscan runs as one process "
            "(SQLite has one writer at a time; set DATABASE_URL to PostgreSQL for several)",
            err=True,
        )
        workers = 1
    if settings.uses_dev_secret:
        typer.echo("warning: development secret in use; set QUICKSCAN_SECRET_KEY", err=True)
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "proxy_headers": True,
        "forwarded_allow_ips": forwarded_allow_ips or settings.trusted_proxies,
        "server_header": False,
        "access_log": False,  # uvicorn's log has client addresses; ours has none (accesslog.py)
        "timeout_graceful_shutdown": settings.shutdown_timeout_s,
        "timeout_keep_alive": settings.keep_alive_s,
    }
    options.update(server_implementation())
    typer.echo(f"event loop {options['loop']}, HTTP parser {options['http']}", err=True)
    os.environ["QUICKSCAN_ACCESS_LOG"] = "true"
    if workers == 1:
        app = _load("leercultuur.quickscan").create_app(
            settings.model_copy(update={"access_log": True})
        )
        uvicorn.run(app, **options)
        return
    # Several processes: migrate once here, then each worker builds the app from the environment.
    _load("leercultuur.quickscan.manage").migrate(settings)
    os.environ["QUICKSCAN_RUN_MIGRATIONS"] = "false"
    typer.echo(f"starting {workers} worker processes on http://{host}:{port}", err=True)
    uvicorn.run(
        "leercultuur.quickscan.web.app:create_app", factory=True, workers=workers, **options
    )


def server_implementation() -> dict[str, str]:
    """uvloop and httptools when installed (the web extra has them: less CPU per request),
    else the standard asyncio loop and h11. Workers inherit these options."""

    def importable(name: str) -> bool:
        return importlib.util.find_spec(name) is not None

    return {
        "loop": "uvloop" if importable("uvloop") else "asyncio",
        "http": "httptools" if importable("httptools") else "h11",
    }


@quickscan_app.command("migrate")
def migrate(
    revision: str = typer.Option("head", help="Target revision."),
    down: bool = typer.Option(False, "--down", help="Downgrade to the revision instead."),
) -> None:
    """Bring the database schema to a revision (Alembic; also done on every start)."""
    settings = _settings()
    current = _load("leercultuur.quickscan.manage").migrate(settings, revision=revision, down=down)
    typer.echo(f"database at revision {current or 'base (empty)'}")


@quickscan_app.command("create-admin")
def create_admin(
    username: str = typer.Option(..., help="Login name of the platform admin."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input (scripts)."
    ),
) -> None:
    """Create a platform admin account (the first one is made this way)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    settings = _settings()
    user_id = _load("leercultuur.quickscan.manage").create_admin(
        settings, username=username, password=password
    )
    typer.echo(f"platform admin {username.strip().lower()!r} created (user id {user_id})")


@quickscan_app.command("backup")
def backup(
    to: Path = typer.Option(..., "--to", help="New file for the backup (mode 0600)."),
) -> None:
    """Copy the database while the app runs: SQLite backup API, or pg_dump for PostgreSQL."""
    target = _load("leercultuur.quickscan.manage").backup(_settings(), to)
    typer.echo(f"backup written to {target}")


@quickscan_app.command("restore")
def restore(
    from_: Path = typer.Option(..., "--from", help="A file made by `quickscan backup`."),
) -> None:
    """Put a backup in place of the database (stop the app first)."""
    _load("leercultuur.quickscan.manage").restore(_settings(), from_)
    typer.echo(f"database restored from {from_}")


@quickscan_app.command("load-benchmark")
def load_benchmark(
    file: str = typer.Argument(..., help="Benchmark file from `leercultuur benchmark export`."),
) -> None:
    """Load a new edition of the national benchmark (checked against its JSON Schema; an invalid
    file changes nothing and the current edition stays)."""
    settings = _settings()
    edition_id, source, year, synthetic = _load("leercultuur.quickscan.manage").load_benchmark(
        settings, file
    )
    kind = " (synthetic demo data)" if synthetic else ""
    typer.echo(f"benchmark edition {edition_id} loaded: {source}, figures of {year}{kind}")


@quickscan_app.command("purge")
def purge(
    days: int = typer.Option(
        None, "--days", min=1, help="Retention in days after closing (default: the setting)."
    ),
) -> None:
    """Delete closed scans (with all responses and codes) whose retention period has passed."""
    settings = _settings()
    deleted = _load("leercultuur.quickscan.manage").purge(settings, retention_days=days)
    period = days or settings.retention_days
    typer.echo(f"{len(deleted)} scan(s) deleted (retention {period} days after closing)")


def register(app: typer.Typer) -> None:
    """Add this group's commands to the main app."""
    app.add_typer(quickscan_app)
