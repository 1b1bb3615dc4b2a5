"""Management operations behind ``leercultuur quickscan migrate|create-admin|backup|restore``."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from leercultuur.quickscan import db as dbmod
from leercultuur.quickscan.accounts import Accounts
from leercultuur.quickscan.errors import QuickscanError
from leercultuur.quickscan.settings import Settings


def migrate(settings: Settings, *, revision: str = "head", down: bool = False) -> str | None:
    """Upgrade (or downgrade) the database; returns the revision it is at afterwards."""
    engine = dbmod.make_engine(settings.resolved_database_url())
    try:
        if down:
            dbmod.downgrade(engine, revision)
        else:
            dbmod.upgrade(engine, revision)
        return dbmod.current_revision(engine)
    finally:
        engine.dispose()


def create_admin(settings: Settings, *, username: str, password: str) -> int:
    """Create a platform admin (migrating first); returns the new user's id."""
    engine = dbmod.make_engine(settings.resolved_database_url())
    try:
        dbmod.upgrade(engine)
        with dbmod.session_factory(engine)() as db:
            user = Accounts.from_settings(settings).create_user(
                db, username=username, password=password, role="admin", organisation_id=None
            )
            db.commit()
            return user.id
    finally:
        engine.dispose()


def _libpq_url(url: str) -> str:
    """The SQLAlchemy URL as a libpq connection URI for pg_dump/pg_restore."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


def _run_pg_tool(args: list[str]) -> None:
    import shutil
    import subprocess

    if shutil.which(args[0]) is None:
        raise QuickscanError(
            f"{args[0]} is not installed; install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client)"
        )
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise QuickscanError(f"{args[0]} failed: {done.stderr.strip()[-500:]}")


def backup(settings: Settings, target: Path) -> Path:
    """A consistent copy of the live database, taken while the app runs.

    SQLite: the online backup API (pages copied under a read lock, so a copy is never half a
    write) into a new file of mode 0600. PostgreSQL: ``pg_dump --format=custom``.
    """
    url = settings.resolved_database_url()
    target = Path(target)
    if target.exists():
        raise QuickscanError(f"backup target {target} exists already; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        source = _sqlite_path(url)
        fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
            ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise QuickscanError(f"the backup {target} fails its integrity check: {ok}")
        return target
    _run_pg_tool(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq_url(url)])
    os.chmod(target, 0o600)
    return target


def restore(settings: Settings, source: Path) -> None:
    """Put a backup back in place of the database. Stop the app first.

    SQLite: the backup API copies the backup over the database file (WAL included). PostgreSQL:
    ``pg_restore --clean --if-exists`` into the configured database.
    """
    url = settings.resolved_database_url()
    source = Path(source)
    if not source.is_file():
        raise QuickscanError(f"backup file {source} not found")
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(source)) as src:
            ok = src.execute("PRAGMA integrity_check").fetchone()[0]
            if ok != "ok":
                raise QuickscanError(f"the backup {source} fails its integrity check: {ok}")
            dbmod.private_sqlite_file(url)
            with closing(sqlite3.connect(_sqlite_path(url))) as dst:
                src.backup(dst)
        return
    _run_pg_tool(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={_libpq_url(url)}",
            str(source),
        ]
    )


def _sqlite_path(url: str) -> str:
    from sqlalchemy.engine import make_url

    path = make_url(url).database
    if not path:
        raise QuickscanError(f"no SQLite file in the database URL {url!r}")
    return path


def load_benchmark(settings: Settings, path: str) -> tuple[int, str, int, bool]:
    """Validate and store a benchmark file (migrating first); returns (edition id, data kind,
    latest year, whether it is synthetic). An invalid file raises and stores nothing."""
    from leercultuur.quickscan.benchmark import load_benchmark as _load

    engine = dbmod.make_engine(settings.resolved_database_url())
    try:
        dbmod.upgrade(engine)
        with dbmod.session_factory(engine)() as db:
            edition = _load(db, path)
            db.commit()
            return edition.id, edition.source, edition.year, edition.data == "synthetic"
    finally:
        engine.dispose()


def purge(settings: Settings, *, retention_days: int | None = None) -> list[int]:
    """Delete the scans whose retention period has passed; returns their ids."""
    from leercultuur.quickscan.retention import purge_expired

    engine = dbmod.make_engine(settings.resolved_database_url())
    try:
        dbmod.upgrade(engine)
        with dbmod.session_factory(engine)() as db:
            deleted = purge_expired(db, retention_days=retention_days or settings.retention_days)
            db.commit()
            return deleted
    finally:
        engine.dispose()
