"""Running the CLI in tests: as a subprocess (``run``) or in-process (``cli``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(SRC), COLUMNS="400", NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-c", "from leercultuur.cli import main; main()", *map(str, args)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def cli(
    *args: str, cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> subprocess.CompletedProcess[str]:
    """Run ``leercultuur.cli.main`` in-process with ``args``; the result as subprocess gives it."""
    from rich.console import Console

    from leercultuur.cli import _app, main

    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "argv", ["leercultuur", *args])
    monkeypatch.setattr(_app, "err_console", Console(stderr=True, width=400, no_color=True))
    capsys.readouterr()
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return subprocess.CompletedProcess(list(args), code, out.out, out.err)
