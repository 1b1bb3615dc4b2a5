"""The benchmark file: the committed JSON Schema is the single definition, the small validator
and the monitor's pydantic model agree on it, the comparison group falls back with a reason, and
the Quickscan's answers map onto the monitor's harmonised codes."""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from typer.testing import CliRunner

from leercultuur.cli import app as cli_app
from leercultuur.monitor._export import BenchmarkFile, benchmark_schema
from leercultuur.quickscan import items
from leercultuur.quickscan.benchmark import (
    BenchmarkInvalid,
    committed_schema,
    comparison_cell,
    demo_text,
    parse_benchmark,
)
from leercultuur.quickscan.harmonise import TO_MONITOR
from leercultuur.quickscan.jsonschema_check import UnsupportedSchema, check_supported, errors

DEMO = json.loads(demo_text())


def test_the_validator_reads_the_committed_schema_which_the_model_generates() -> None:
    schema = committed_schema()
    check_supported(schema)  # every keyword of the schema is one the validator implements
    assert schema == benchmark_schema()  # and the schema is the model's (the single definition)
    assert errors(DEMO, schema) == []
    BenchmarkFile.model_validate(DEMO)


def test_unknown_schema_keywords_are_refused() -> None:
    with pytest.raises(UnsupportedSchema, match="minimum"):
        check_supported({"type": "object", "properties": {"n": {"type": "integer", "minimum": 0}}})


_MUTATIONS = st.sampled_from(["delete", "string", "null", "float", "list", "extra", "bool"])


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for k, v in enumerate(doc[:2]):
            out += _paths(v, (*prefix, k))
    return out


SMALL = {**DEMO, "indicators": DEMO["indicators"][:2]}
PATHS = _paths(SMALL)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS), _MUTATIONS)
def test_validator_and_pydantic_model_agree(path: tuple[Any, ...], how: str) -> None:
    """Random damage anywhere in a file: the schema validator rejects it exactly when the
    monitor's model does (the validator is as strict as the definition, no stricter)."""
    doc = copy.deepcopy(SMALL)
    parent = doc
    for p in path[:-1]:
        parent = parent[p]
    key = path[-1]
    if how == "delete":
        if isinstance(parent, list):
            parent.pop(key)
        else:
            del parent[key]
    elif how == "extra":
        target = parent[key]
        if isinstance(target, dict):
            target["unexpected"] = 1
        else:
            parent[key] = {"unexpected": 1}
    else:
        parent[key] = {"string": "x", "null": None, "float": 1.5, "list": [], "bool": True}[how]
    schema_ok = errors(doc, committed_schema()) == []
    try:
        BenchmarkFile.model_validate(doc, strict=False)
        model_ok = True
    except ValidationError:
        model_ok = False
    # pydantic (lax mode) turns True into 1 for ints/floats and 1.5 into a float where JSON
    # Schema's integer refuses it; the strict JSON Schema side is the one the loader uses.
    if model_ok and not schema_ok:
        assert how in ("bool", "float"), (path, how)
    else:
        assert schema_ok == model_ok, (path, how)


def test_invalid_files_get_a_clear_error(tmp_path: Path) -> None:
    doc = copy.deepcopy(DEMO)
    doc["indicators"][0]["company_size"]["10-49"]["ci_low"] = 99.0
    with pytest.raises(BenchmarkInvalid, match=r"company_size\.10-49: the interval"):
        parse_benchmark(json.dumps(doc), where="x.json")
    doc = copy.deepcopy(DEMO)
    doc["indicators"][1]["national"]["n"] = "many"
    with pytest.raises(BenchmarkInvalid, match=r"indicators\[1\]\.national\.n: 'many' is not"):
        parse_benchmark(json.dumps(doc), where="x.json")
    with pytest.raises(BenchmarkInvalid, match="not valid JSON"):
        parse_benchmark('{"schema_version": NaN}', where="x.json")


def _with(cell_changes: dict[str, dict[str, Any]]) -> Any:
    doc = copy.deepcopy(DEMO)
    ind = doc["indicators"][0]
    for where, change in cell_changes.items():
        group, key = where.split(":")
        ind[group][key].update(change)
    return BenchmarkFile.model_validate(doc).indicators[0]


SUPPRESSED = {"estimate": None, "se": None, "ci_low": None, "ci_high": None, "n": 150,
              "suppressed": True, "fallback": "national"}  # fmt: skip


def test_comparison_group_falls_back_with_a_reason() -> None:
    ind = _with({})
    cell, group = comparison_cell(ind, sector="Q", size_class="10-49", threshold=200)
    assert group.kind == "size" and cell == ind.company_size["10-49"]
    assert "sector" in group.reason_en and "size class" in group.reason_en
    ind = _with({"company_size:10-49": SUPPRESSED})
    cell, group = comparison_cell(ind, sector="Q", size_class="10-49", threshold=200)
    assert group.kind == "sector" and cell == ind.sector["Q"]
    assert "fewer than 200" in group.reason_en and "minder dan 200" in group.reason_nl
    ind = _with({"company_size:10-49": SUPPRESSED, "sector:Q": SUPPRESSED})
    cell, group = comparison_cell(ind, sector="Q", size_class="10-49", threshold=200)
    assert group.kind == "all" and cell == ind.national
    assert group.label_en == "all employees in the Netherlands"


def test_quickscan_answers_map_onto_the_codebooks_categories() -> None:
    """Each Quickscan answer's Dutch wording equals the codebook's label of the harmonised score
    it is mapped to (so the monitor's indicator definitions read the same answer)."""
    book = yaml.safe_load(
        resources.files("leercultuur.io").joinpath("codebooks/synthetic_nea.yaml").read_text()
    )
    qs = {it.id: it for it in items.all_items()}
    spec_items = {c for ind in _spec().indicators for c in ind.items}
    assert {name for name, _ in TO_MONITOR.values()} == spec_items
    for item_id, (name, scores) in TO_MONITOR.items():
        cats = book["variables"][name]["categories"]
        for opt in qs[item_id].options:
            label = cats[scores[opt.code]]["nl"]
            assert label.lower() == opt.nl.lower(), (item_id, opt.code, label, opt.nl)


def _spec() -> Any:
    from leercultuur.monitor import load_spec

    return load_spec()


def test_cli_loads_a_benchmark_and_refuses_an_invalid_one(tmp_path: Path) -> None:
    from .test_cli import _env, _main

    good = tmp_path / "benchmark.json"
    good.write_text(demo_text())
    res = CliRunner().invoke(
        cli_app, ["quickscan", "load-benchmark", str(good)], env=_env(tmp_path)
    )
    assert res.exit_code == 0, res.output
    assert "figures of 2022 (synthetic demo data)" in res.output
    bad = tmp_path / "bad.json"
    bad.write_text(demo_text().replace('"publication_threshold"', '"threshold"'))
    code, err = _main(["load-benchmark", str(bad)], tmp_path)
    assert code == 2
    assert "bad.json" in err and "'publication_threshold' is missing" in err
    assert "Traceback" not in err
    res = CliRunner().invoke(cli_app, ["quickscan", "purge", "--days", "30"], env=_env(tmp_path))
    assert res.exit_code == 0 and "0 scan(s) deleted (retention 30 days" in res.output
