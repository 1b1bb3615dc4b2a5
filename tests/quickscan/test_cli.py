"""``leercultuur quickscan migrate|create-admin``: in process, and errors through the real entry
point (one clear message, exit code 2, no traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from leercultuur.cli import app
from leercultuur.quickscan.models import User

SRC = Path(__file__).resolve().parents[2] / "src"
FAST_HASH = {"QUICKSCAN_ARGON2_TIME_COST": "1", "QUICKSCAN_ARGON2_MEMORY_KIB": "1024"}


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"QUICKSCAN_DATA_DIR": str(tmp_path), "DATABASE_URL": "", **FAST_HASH, **extra}


def _main(args: list[str], tmp_path: Path, stdin: str = "", **env: str) -> tuple[int, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("QUICKSCAN_")}
    environ.update(_env(tmp_path, **env), PYTHONPATH=str(SRC))
    code = "from leercultuur.cli import main; main()"
    res = subprocess.run(
        [sys.executable, "-c", code, "quickscan", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )
    return res.returncode, " ".join(res.stderr.split())


def test_create_admin_and_migrate(tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(
        app,
        ["quickscan", "create-admin", "--username", "Root@Example.org", "--password-stdin"],
        input="a-long-admin-password\n",
        env=_env(tmp_path),
    )
    assert r.exit_code == 0, r.output
    assert r.output.strip() == "platform admin 'root@example.org' created (user id 1)"
    engine = create_engine(f"sqlite:///{tmp_path / 'quickscan.sqlite3'}")
    with engine.connect() as conn:
        rows = conn.execute(select(User.username, User.role, User.password_hash)).all()
    engine.dispose()
    assert [(u, role) for u, role, _ in rows] == [("root@example.org", "admin")]
    assert rows[0][2].startswith("$argon2id$")
    down = runner.invoke(
        app, ["quickscan", "migrate", "--down", "--revision", "base"], env=_env(tmp_path)
    )
    assert (down.exit_code, down.output.strip()) == (0, "database at revision base (empty)")
    up = runner.invoke(app, ["quickscan", "migrate"], env=_env(tmp_path))
    assert (up.exit_code, up.output.strip()) == (0, "database at revision 0005")


def test_user_errors_are_one_message_without_traceback(tmp_path: Path) -> None:
    code, err = _main(
        ["create-admin", "--username", "x", "--password-stdin"], tmp_path, stdin="short\n"
    )
    assert (code, err) == (2, "error: password: has 5 characters; at least 12 are needed")
    code, err = _main(["migrate"], tmp_path, QUICKSCAN_ENVIRONMENT="production")
    assert code == 2
    assert err.startswith(
        "error: invalid Quickscan settings: QUICKSCAN_SECRET_KEY is the public development "
        "default, which is refused in environment 'production'"
    )


def test_missing_web_extra_is_a_clear_error(monkeypatch: Any) -> None:
    from leercultuur.cli import quickscan_cmds
    from leercultuur.errors import LeercultuurError

    def fake_import(name: str) -> None:
        raise ModuleNotFoundError(f"No module named {name!r}", name="fastapi")

    monkeypatch.setattr(quickscan_cmds.importlib, "import_module", fake_import)
    with pytest.raises(LeercultuurError) as info:
        quickscan_cmds._load("leercultuur.quickscan")
    assert str(info.value) == (
        "the Quickscan needs the web extra (missing package 'fastapi'); "
        "install it with: pip install 'leercultuur[web]'"
    )
