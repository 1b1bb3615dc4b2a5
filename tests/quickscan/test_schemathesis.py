"""A short schemathesis run against the real server (tests/load/run_schemathesis.py), so CI keeps
it proven: anonymous and as HR of organisation A, no 5xx, every answer as /openapi.json
describes it, nothing of organisation B in any answer to A. The long run: the script itself
(tests/load/run_all.py runs it; figures in benchmarks/README.md)."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("schemathesis")
pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[1] / "load" / "run_schemathesis.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_schemathesis", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_schemathesis_finds_no_5xx_no_schema_mismatch_no_leak(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--max-time", "10", "--max-examples", "10", "--keep", str(tmp_path)]
    if db == "postgres":
        url = os.environ.get("DATABASE_URL_TEST")
        if not url:
            pytest.skip("DATABASE_URL_TEST is not set: no PostgreSQL server for this test")
        args += ["--pg", url]
    code = _script().main(args)
    out = capsys.readouterr().out
    assert code == 0, out + (tmp_path / "hr.txt").read_text()[-3000:]
    cases = [int(n) for n in re.findall(r"(\d+) cases in", out)]
    assert len(cases) == 2 and all(n >= 30 for n in cases), out  # both runs did real work
    assert "failures (distinct): none" in out
