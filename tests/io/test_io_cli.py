"""The CLI: `leercultuur validate` and `leercultuur codebook draft|diff`, run as a user would.

Bad input must give exit code 2, a clear message on stderr and never a traceback. The first test
runs the console entry point in a subprocess; the others call the same ``main()`` in-process
(an escaping exception would fail the test), which is much faster.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from io_cli import SRC, cli, run
from io_editions import edition_2017, edition_2018

from leercultuur.errors import SpecError
from leercultuur.io import load_codebook, parse_codebook, read_harmonised


def test_validate_all_bad_inputs_at_once(tmp_path: Path, write) -> None:
    good = write(edition_2017(), "nea_2017.sav", 2017)
    (tmp_path / "cut_2016.sav").write_bytes(good.read_bytes()[:-40])
    (tmp_path / "text_2016.sav").write_text("hello\n")
    (tmp_path / "empty_2015.csv").write_text("")
    df = edition_2017()
    df["JAAR"] = 2014.0
    df["CURSUS2J"] = df["CURSUS2J"].astype(object)
    df.loc[2, "CURSUS2J"] = "nee"
    df.to_csv(tmp_path / "stray_2014.csv", index=False)
    write(edition_2018().drop(columns=["OPLCURS"]), "nea_2018.sav", 2018)
    neg = edition_2018()
    neg["JAAR"] = 2019.0
    neg.loc[1, "WEGING"] = -3.0
    write(neg, "nea_2019.sav", 2018)
    files = ["nea_2017.sav", "cut_2016.sav", "text_2016.sav", "empty_2015.csv", "stray_2014.csv",
             "nea_2018.sav", "nea_2019.sav", "gone_2020.sav"]  # fmt: skip
    res = run("validate", *files, cwd=tmp_path)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr + res.stdout
    expected = [
        "cut_2016.sav: the SPSS file is truncated or damaged",
        "text_2016.sav: is not an SPSS .sav file (it starts with b'hello\\n', not '$FL2')",
        "empty_2015.csv: file is empty (0 bytes)",
        "stray_2014.csv: CURSUS2J (course), 2014: 1 text value in a numeric variable: 'nee' (1x) "
        "in row 3",
        "nea_2018.sav: required variable 'OPLCURS' (course) for 2018 is not in the file",
        "nea_2019.sav: WEGING (weight), 2019: 1 negative weight: -3 in row 2",
        "gone_2020.sav: file does not exist",
    ]
    for line in expected:
        assert f"- structural: {line}" in res.stderr, line
        assert f"  - {line}" in res.stdout, line
    assert res.stderr.startswith("error: validation failed: 7 structural problems, 0 warnings")
    assert "Result: FAILED (7 structural, 0 warnings)" in res.stdout


def test_validate_ok_json_and_strict(tmp_path: Path, write, monkeypatch, capsys) -> None:
    df = edition_2017()
    df.loc[0, "VARIATIE"] = 6
    write(df, "nea_2017.sav", 2017)
    res = cli(
        "validate", "nea_2017.sav", "--json", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys
    )
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert report["ok"] is True and report["files"][0]["rows"] == 3
    assert [i["check"] for i in report["issues"]] == ["unknown_code"]
    assert report["issues"][0]["values"] == [6.0] and report["issues"][0]["rows"] == [0]
    strict = cli(
        "validate", "nea_2017.sav", "--strict", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys
    )
    assert strict.returncode == 2 and "Traceback" not in strict.stderr
    assert strict.stderr.startswith("error: validation failed (strict): 0 structural problems, 1")


def test_validate_with_a_codebook_typo(tmp_path: Path, write, monkeypatch, capsys) -> None:
    write(edition_2017(), "nea_2017.sav", 2017)
    text = (SRC / "leercultuur/io/codebooks/synthetic_nea.yaml").read_text(encoding="utf-8")
    (tmp_path / "cb.yaml").write_text(text.replace("source: LEEFTIJD", "source: LEEFTIJF"))
    res = cli(
        "validate",
        "nea_2017.sav",
        "--codebook",
        "cb.yaml",
        cwd=tmp_path,
        monkeypatch=monkeypatch,
        capsys=capsys,
    )
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert (
        "- structural: nea_2017.sav: required variable 'LEEFTIJF' (age) for 2017 is not in the "
        "file; did you mean 'LEEFTIJD'?" in res.stderr
    )
    (tmp_path / "cb2.yaml").write_text(text.replace("    type: score", "    typ: score", 1))
    res = cli(
        "validate",
        "nea_2017.sav",
        "-c",
        "cb2.yaml",
        cwd=tmp_path,
        monkeypatch=monkeypatch,
        capsys=capsys,
    )
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "variables.course.typ: unknown key 'typ' (did you mean 'type'?)" in res.stderr
    res = cli("validate", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    assert (res.returncode, res.stderr.strip()) == (
        2,
        "error: validate: give one or more data files (.sav, .dta, .csv, .parquet)",
    )
    res = cli(
        "validate",
        "nea_2017.sav",
        "-c",
        "missing.yaml",
        cwd=tmp_path,
        monkeypatch=monkeypatch,
        capsys=capsys,
    )
    assert (res.returncode, res.stderr.strip()) == (
        2,
        "error: codebook file does not exist: missing.yaml",
    )


def test_codebook_draft_loads_and_reads_its_own_file(
    tmp_path: Path, write, monkeypatch, capsys
) -> None:
    write(edition_2018(), "nea_2018.sav", 2018)
    res = cli(
        "codebook",
        "draft",
        "nea_2018.sav",
        "-o",
        "draft.yaml",
        cwd=tmp_path,
        monkeypatch=monkeypatch,
        capsys=capsys,
    )
    assert res.returncode == 0, res.stderr
    text = (tmp_path / "draft.yaml").read_text()
    # recognised variables carry the default names, each with a TODO line to check
    assert "# TODO check: 'OPLCURS' (" in text and "taken as 'course'" in text
    # codes whose labels match no default category are '?': the draft does not load yet
    with pytest.raises(SpecError, match=r"variables.education: code 1 maps to '\?'"):
        load_codebook(tmp_path / "draft.yaml")
    doc = yaml.safe_load(text)
    default = load_codebook()
    for name, var in doc["variables"].items():  # the person's edit: map each '?' code
        if "?" in (var.get("codes") or {}).values():
            var["codes"] = dict(default.variables[name].codes or {})
    cb = parse_codebook(doc)
    assert cb.design.weight == "weight" and cb.design.year == "year"
    assert cb.design.weight_prop == "weight_prop" and cb.design.stratum == "stratum"
    assert cb.variables["var_varied"].type == "score"
    assert {k: v.kind for k, v in cb.model.missing.items()} == {8: "dont_know", 9: "refused"}
    h = read_harmonised([tmp_path / "nea_2018.sav"], codebook=cb)
    assert h.data["resp_id"].tolist() == ["2018-1", "2018-12"]  # ids made unique per year
    # VARIATIE 2018 has 1 = altijd: mapped by its label onto the default's 4 = altijd
    assert h.data["var_varied"].tolist() == [4.0, 1.0]
    assert h.data["var_creative"].isna().tolist() == [True, False]  # 9 = wil niet zeggen
    assert h.data["sector"].astype(str).tolist() == ["C", "S"]
    assert h.data["course"].tolist() == [0.0, 1.0]
    bad = tmp_path / "x_2018.sav"
    bad.write_text("not spss")
    res = cli(
        "codebook", "draft", "x_2018.sav", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys
    )
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "x_2018.sav: is not an SPSS .sav file" in res.stderr


def test_codebook_diff_lists_rename_and_recodes(tmp_path: Path, write, monkeypatch, capsys) -> None:
    write(edition_2017(), "nea_2017.sav", 2017)
    write(edition_2018(), "nea_2018.sav", 2018)
    res = cli(
        "codebook",
        "diff",
        "nea_2017.sav",
        "nea_2018.sav",
        cwd=tmp_path,
        monkeypatch=monkeypatch,
        capsys=capsys,
    )
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[:5] == [
        "nea_2017.sav -> nea_2018.sav", "renamed: 1", "  CURSUS2J -> OPLCURS",
        "added: none", "dropped: none",
    ]  # fmt: skip
    assert (
        "  VARIATIE: 1: 'nooit' -> 'altijd'; 2: 'soms' -> 'vaak'; 3: 'vaak' -> 'soms'; "
        "4: 'altijd' -> 'nooit'" in lines
    )
    assert "recoded: 3" in lines
    res = cli(
        "codebook",
        "diff",
        "nea_2017.sav",
        "nope.sav",
        "--json",
        cwd=tmp_path,
        monkeypatch=monkeypatch,
        capsys=capsys,
    )
    assert (res.returncode, res.stderr.strip()) == (2, "error: nope.sav: file does not exist")
