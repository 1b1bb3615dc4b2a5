"""The committed JSON Schema of the benchmark file is the one the models generate."""

import json
from importlib import resources

from leercultuur.monitor._export import benchmark_schema


def test_committed_schema_is_current() -> None:
    text = resources.files("leercultuur.monitor").joinpath("schemas/benchmark-v1.schema.json")
    assert json.loads(text.read_text()) == benchmark_schema()
