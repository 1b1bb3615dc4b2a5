"""Backup and restore as docs/operations.md describes them, run once for real: SQLite (backup
API) always, PostgreSQL (pg_dump/pg_restore) when DATABASE_URL_TEST is set."""

from __future__ import annotations

import shutil
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from leercultuur.cli import app as cli_app
from leercultuur.quickscan import create_app
from leercultuur.quickscan.manage import backup, create_admin, restore
from leercultuur.quickscan.models import Answer, Organisation, Response

from .conftest import (
    ADMIN,
    SECRET,
    VALID_ANSWERS,
    Api,
    make_hr,
    make_settings,
    new_submission_id,
    scan_body,
)


def _counts(app: Any) -> tuple[int, int, int]:
    with app.state.sessions() as db:
        return (
            db.scalar(select(func.count()).select_from(Organisation)) or 0,
            db.scalar(select(func.count()).select_from(Response)) or 0,
            db.scalar(select(func.count()).select_from(Answer)) or 0,
        )


def _fill(app: Any, name: str) -> None:
    admin = Api(app)
    admin.login(*ADMIN)
    hr, _ = make_hr(admin, app, name, f"hr@{name.lower()}.test")
    scan = hr.post("/scans", scan_body(open_link=True)).json()
    emp = Api(app)
    for _ in range(3):
        r = emp.post(
            f"/s/{scan['public_id']}/responses",
            {"submission_id": new_submission_id(), "answers": VALID_ANSWERS},
        )
        assert r.status_code == 201


def _round_trip(url: str, tmp_path: Path, backup_file: Path) -> None:
    settings = make_settings(url, tmp_path)
    create_admin(settings, username=ADMIN[0], password=ADMIN[1])
    app = create_app(settings)
    _fill(app, "Eerste")
    before = _counts(app)
    assert before == (1, 3, 3 * len(VALID_ANSWERS))
    backup(settings, backup_file)  # while the app is up
    assert stat.S_IMODE(backup_file.stat().st_mode) == 0o600
    _fill(app, "Tweede")  # changes after the backup ...
    assert _counts(app) != before
    app.state.engine.dispose()  # ... the app stops ...
    restore(settings, backup_file)  # ... the backup goes back ...
    again = create_app(settings)  # ... and the app starts on the restored database
    assert _counts(again) == before
    again.state.engine.dispose()


def test_sqlite_backup_and_restore(tmp_path: Path) -> None:
    db = tmp_path / "live.sqlite3"
    _round_trip(f"sqlite:///{db}", tmp_path, tmp_path / "backups" / "qs-1.sqlite3")
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with pytest.raises(Exception, match="exists already"):
        backup(make_settings(f"sqlite:///{db}", tmp_path), tmp_path / "backups" / "qs-1.sqlite3")


@pytest.mark.postgres
def test_postgres_pg_dump_and_pg_restore(pg_database: str, tmp_path: Path) -> None:
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    _round_trip(pg_database, tmp_path, tmp_path / "qs.dump")


def test_backup_and_restore_through_the_cli(tmp_path: Path) -> None:
    env = {
        "QUICKSCAN_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "QUICKSCAN_SECRET_KEY": SECRET,
        "QUICKSCAN_ARGON2_TIME_COST": "1",
        "QUICKSCAN_ARGON2_MEMORY_KIB": "1024",
    }
    runner = CliRunner()
    r = runner.invoke(
        cli_app,
        ["quickscan", "create-admin", "--username", "root@x.test", "--password-stdin"],
        input="a-long-admin-password\n",
        env=env,
    )
    assert r.exit_code == 0, r.output
    target = tmp_path / "b.sqlite3"
    r = runner.invoke(cli_app, ["quickscan", "backup", "--to", str(target)], env=env)
    assert r.exit_code == 0 and r.output.strip() == f"backup written to {target}", r.output
    r = runner.invoke(cli_app, ["quickscan", "restore", "--from", str(target)], env=env)
    assert r.exit_code == 0 and r.output.strip() == f"database restored from {target}", r.output
    r = runner.invoke(cli_app, ["quickscan", "restore", "--from", str(tmp_path / "no")], env=env)
    assert r.exit_code != 0 and "not found" in str(r.exception)  # main() prints it cleanly
