"""``leercultuur quickscan migrate|create-admin`` through the real entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, select

from leercultuur.quickscan.models import User

SRC = Path(__file__).resolve().parents[2] / "src"


def _run(
    args: list[str], tmp_path: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("QUICKSCAN_")}
    environ.pop("DATABASE_URL", None)
    environ.update(QUICKSCAN_DATA_DIR=str(tmp_path), PYTHONPATH=str(SRC), **env)
    code = "from leercultuur.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, "quickscan", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )


def test_create_admin_and_migrate(tmp_path: Path) -> None:
    r = _run(
        ["create-admin", "--username", "Root@Example.org", "--password-stdin"],
        tmp_path,
        stdin="a-long-admin-password\n",
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "platform admin 'root@example.org' created (user id 1)"
    engine = create_engine(f"sqlite:///{tmp_path / 'quickscan.sqlite3'}")
    with engine.connect() as conn:
        assert conn.execute(select(User.username, User.role)).all() == [
            ("root@example.org", "admin")
        ]
    engine.dispose()
    again = _run(
        ["create-admin", "--username", "root@example.org", "--password-stdin"],
        tmp_path,
        stdin="a-long-admin-password\n",
    )
    assert again.returncode == 2
    assert "username 'root@example.org' is already taken" in " ".join(again.stderr.split())
    assert "Traceback" not in again.stderr
    down = _run(["migrate", "--down", "--revision", "base"], tmp_path)
    assert (down.returncode, down.stdout.strip()) == (0, "database at revision base (empty)")
    up = _run(["migrate"], tmp_path)
    assert (up.returncode, up.stdout.strip()) == (0, "database at revision 0001")


def test_production_without_a_secret_is_a_clear_error(tmp_path: Path) -> None:
    r = _run(["migrate"], tmp_path, QUICKSCAN_ENVIRONMENT="production")
    assert r.returncode == 2
    assert "QUICKSCAN_SECRET_KEY is the public development default" in " ".join(r.stderr.split())
    assert "Traceback" not in r.stderr
