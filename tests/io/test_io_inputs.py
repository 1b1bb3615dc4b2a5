"""Inputs people actually have: .csv.gz, .zsav, .dta, .parquet, a folder of yearly files; the
draft over several files (all years); the CLI's --version and `spec default`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from io_cli import cli
from io_editions import edition_2017, edition_2018

from leercultuur.io import draft_codebook, load_codebook, parse_codebook, read_harmonised, validate
from leercultuur.monitor import load_spec


def test_every_format_and_a_folder(tmp_path: Path, write) -> None:  # type: ignore[no-untyped-def]
    import pyreadstat

    df = edition_2018()
    ref = read_harmonised([write(df, "nea_2018.sav", 2018)]).data
    folder = tmp_path / "yearly"
    folder.mkdir()
    df.to_csv(folder / "nea_2018.csv.gz", index=False, compression="gzip")
    formats = {
        "nea_2018.csv.gz": folder / "nea_2018.csv.gz",
        "nea_2018.parquet": tmp_path / "nea_2018.parquet",
        "nea_2018.dta": tmp_path / "nea_2018.dta",
        "nea_2018.zsav": tmp_path / "nea_2018.zsav",
    }
    df.to_parquet(formats["nea_2018.parquet"])
    pyreadstat.write_dta(df, str(formats["nea_2018.dta"]))
    pyreadstat.write_sav(df, str(formats["nea_2018.zsav"]), compress=True)
    for name, path in formats.items():
        got = read_harmonised([path]).data
        pd.testing.assert_frame_equal(got, ref, obj=name)
    # a folder stands for the data files in it
    assert [f.file for f in validate([folder]).files] == [str(folder / "nea_2018.csv.gz")]
    pd.testing.assert_frame_equal(read_harmonised(folder).data, ref)


def test_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    from leercultuur.errors import DataError

    with pytest.raises(DataError, match="the folder holds no data file"):
        read_harmonised(tmp_path)


def test_draft_over_several_files_covers_all_years(tmp_path: Path, write) -> None:  # type: ignore[no-untyped-def]
    write(edition_2017(), "nea_2017.sav", 2017)
    write(edition_2018(), "nea_2018.sav", 2018)
    text = draft_codebook([tmp_path])  # the folder: both years
    doc = yaml.safe_load(text)
    # course: CURSUS2J in 2017, renamed OPLCURS in 2018 -> one variable, two sources
    course = doc["variables"]["course"]["sources"]
    assert [(s["variable"], s["years"]) for s in course] == [
        ("CURSUS2J", "2017"),
        ("OPLCURS", "2018"),
    ]
    # VARIATIE keeps its name but reverses its codes in 2018: a source per edition, mapped by
    # the value labels of each (1 = nooit in 2017, 1 = altijd in 2018)
    varied = doc["variables"]["var_varied"]["sources"]
    assert [s["codes"] for s in varied] == [{1: 1, 2: 2, 3: 3, 4: 4}, {1: 4, 2: 3, 3: 2, 4: 1}]
    # variables of both files are not restricted to a year
    assert "years" not in doc["variables"]["education"] and "years" not in doc["variables"]["sex"]
    assert "taken as 'course'; codes mapped by their value labels; renamed or recoded" in text
    default = load_codebook()
    for name, var in doc["variables"].items():  # map the '?' codes, as a person would
        if "?" in (var.get("codes") or {}).values():
            var["codes"] = dict(default.variables[name].codes or {})
    cb = parse_codebook(doc)
    assert str(cb.variables["course"].sources[1].years) == "2018"
    h = read_harmonised(tmp_path, codebook=cb)
    # 2017: 1 nooit, 4 altijd, 9 refused; 2018: 1 altijd, 4 nooit
    assert h.data["var_varied"].fillna(0).tolist() == [1.0, 4.0, 0.0, 4.0, 1.0]


def test_version_and_default_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from leercultuur import __version__

    res = cli("--version", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    assert (res.returncode, res.stdout) == (0, f"leercultuur {__version__}\n")
    res = cli("spec", "default", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    assert res.returncode == 0 and res.stdout.startswith("# Default monitor spec")
    assert yaml.safe_load(res.stdout)["design"]["classic_weight"] == "weight_prop"


def test_partial_spec_changes_only_what_it_names(tmp_path: Path) -> None:
    p = tmp_path / "spec.yaml"
    p.write_text(
        "extends: default\n"
        "publication_threshold: 50\n"
        "design: {psu: firm, lonely_psu: remove}\n"
        "drop_breakdowns: [sector]\n"
        "breakdowns:\n"
        "  - {id: region, column: region, label: {nl: Regio, en: Region}}\n"
        "  - {id: sex, label: {nl: Sekse, en: Sex}}\n"
        "indicators:\n"
        "  - {id: nonformal, success: [1, 2]}\n"
    )
    default, mine = load_spec(), load_spec(p)
    assert mine.publication_threshold == 50 and mine.alpha == default.alpha
    assert (mine.design.psu, mine.design.lonely_psu, mine.design.strata) == (
        "firm", "remove", "stratum"
    )  # fmt: skip
    assert [b.id for b in mine.breakdowns] == [
        "education", "age_class", "company_size", "contract", "sex", "region"
    ]  # fmt: skip
    assert mine.breakdown("sex").column == "sex" and mine.breakdown("sex").label.nl == "Sekse"
    assert mine.indicator("nonformal").success == (1.0, 2.0)
    assert mine.indicator("nonformal").label == default.indicator("nonformal").label
    assert len(mine.indicators) == len(default.indicators)


def test_partial_spec_errors(tmp_path: Path) -> None:
    from leercultuur.errors import SpecError

    p = tmp_path / "spec.yaml"
    p.write_text("extends: defaults\n")
    with pytest.raises(SpecError, match="the only allowed value is 'default'"):
        load_spec(p)
    p.write_text("extends: default\ndrop_indicators: [no_such]\n")
    with pytest.raises(SpecError, match="drop_indicators: no entry with id no_such"):
        load_spec(p)
    p.write_text("extends: default\nindicators:\n  - {success: [1]}\n")
    with pytest.raises(SpecError, match="every entry needs an 'id'"):
        load_spec(p)
