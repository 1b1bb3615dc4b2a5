"""Fixtures shared by every test folder: the synthetic NEA files, generated once.

They are cached in pytest's cache folder under a key of the generator's version and source, so
a rerun (or the second xdist worker) reads them instead of writing them again; any change to
the generator's code writes them afresh.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

import leercultuur.synth as synth
from leercultuur.synth import GENERATOR_VERSION, write_synth

YEARS = list(range(2012, 2023))


def _source_key() -> str:
    h = hashlib.sha256(GENERATOR_VERSION.encode())
    for f in sorted(Path(synth.__file__).parent.glob("*.py")):
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


@pytest.fixture(scope="session")
def synth_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = getattr(request.config, "cache", None)
    root = Path(cache.mkdir("synth-nea")) if cache else tmp_path_factory.mktemp("synth-nea")
    final = root / _source_key()
    for old in root.iterdir():  # files of earlier generator code
        if old.name != final.name and not old.name.startswith("tmp-"):
            shutil.rmtree(old, ignore_errors=True)
    if not (final / "done").exists():
        tmp = root / f"tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        write_synth(tmp, years=YEARS, fmt="sav")
        (tmp / "done").write_text(GENERATOR_VERSION)
        try:
            os.replace(tmp, final)
        except OSError:  # another worker finished first: use theirs
            shutil.rmtree(tmp, ignore_errors=True)
    return final
