"""CLI commands of the quickscan group: ``leercultuur quickscan serve|migrate|create-admin|
load-benchmark|purge``.

``leercultuur.quickscan`` needs the ``web`` extra (FastAPI, SQLAlchemy, ...). It is imported
lazily inside the commands, so the core CLI works without the extra; a command that needs it
says how to install it. (cli and quickscan are sibling adapters in the layer contract, hence the
import by name at run time rather than a module-level import.)
"""

from __future__ import annotations

import importlib
import sys
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
    forwarded_allow_ips: str = typer.Option(
        "127.0.0.1",
        help="Proxies trusted for X-Forwarded-Proto/For (TLS termination in front of the app).",
    ),
) -> None:
    """Start the web app (migrates the database first). Zero configuration: SQLite in the data
    directory; set DATABASE_URL for PostgreSQL and QUICKSCAN_SECRET_KEY outside development."""
    settings = _settings()
    uvicorn = _load("uvicorn")
    app = _load("leercultuur.quickscan").create_app(settings)
    if settings.uses_dev_secret:
        typer.echo("warning: development secret in use; set QUICKSCAN_SECRET_KEY", err=True)
    uvicorn.run(
        app,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
        access_log=False,  # no IP addresses or times of answering in logs either
    )


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
