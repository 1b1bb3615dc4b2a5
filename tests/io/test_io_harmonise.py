"""Harmonising editions through the default codebook, checked value by value."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from io_editions import edition_2017
from io_rawlayout import write_dta

from leercultuur.io import load_codebook, read_harmonised, validate

NA = np.nan


def _cat(values: list, cats: list[str], ordered: bool = False) -> pd.Categorical:
    return pd.Categorical(values, categories=cats, ordered=ordered)


AGE = ["15-24", "25-34", "35-44", "45-54", "55-64", "65-74"]
EDU = ["low", "middle", "high"]
SIZE = ["1-9", "10-49", "50-99", "100-249", "250+"]
CONTRACT = ["permanent", "temporary", "agency", "on_call"]
SECTOR = list("ABCDEFGHIJKLMNOPQRS")


def expected_table() -> pd.DataFrame:
    """The harmonised table of the three fixture editions, written out by hand."""
    rows = {
        "year": [2017] * 3 + [2018] * 2 + [2022] * 4,
        "resp_id": ["2017-1", "2017-2", "2017-3", "2018-1", "2018-12",
                    "2022-7", "2022-8", "2022-9", "2022-10"],
        "stratum": ["2017-5", "2017-5", "2017-7", "2018-5", "2018-40",
                    "2022-1", "2022-1", "2022-2", "2022-2"],
        "weight": [100.5, 200, 300, 150, 250, 100, 100, 100, 100],
        "weight_prop": [0.5, 1, 1.5, 0.75, 1.25, 1, 1, 1, 1],
        "half": pd.array([None] * 5 + [1, 2, 1, 2], dtype="Int64"),
        "weight_half": [100.5, 200, 300, 150, 250, 210, 190, 210, 190],
        "sex": _cat(["male", "female", "female", "female", "male"] + ["male"] * 2 + ["female"] * 2,
                    ["male", "female"]),
        "age": pd.array([15, 34, 74, 25, 64, 45, 54, 55, 65], dtype="Int64"),
        "age_class": _cat(["15-24", "25-34", "65-74", "25-34", "55-64", "45-54", "45-54",
                           "55-64", "65-74"], AGE, True),
        "education": _cat(["low", "middle", "high", "low", "high", "middle", "middle", "low",
                           "high"], EDU, True),
        "company_size": _cat(["1-9", "250+", "250+", "50-99", "100-249", "10-49", "10-49", "1-9",
                              "250+"], SIZE, True),
        "contract": _cat(["permanent", "temporary", "on_call", "temporary", "agency"]
                         + ["permanent"] * 3 + ["on_call"], CONTRACT),
        "sector": _cat(["A", "Q", None, "C", "S", "P", "P", "Q", "K"], SECTOR),
        "course": [1, 0, NA, 0, 1, 1, 1, 0, 0],
        "learn_tasks": [NA] * 5 + [3, NA, 1, NA],
        "learn_people": [NA] * 5 + [2, NA, NA, NA],
        "var_varied": [1, 4, NA, 4, 1, 3, 3, 3, 3],
        "var_new": [2, 3, NA, 3, 2, 2, 2, 2, 2],
        "var_creative": [3, 3, 3, NA, 4, 1, 1, 1, 1],
        "aut_how": [3, 2, 1, 1, 3, 3, 3, 3, 3],
        "aut_order": [1, 1, 1, 3, 2, 3, 3, 3, 3],
        "aut_pace": [2, 2, 2, 3, 1, 3, 3, 3, 3],
        "aut_solutions": [3, 3, 3, 2, 2, 3, 3, 3, 3],
        "aut_leave": [NA, 3, 2, 1, 1, 3, 3, 3, 3],
        "sup_support": [1, 2, 3, 3, NA, NA, 3, NA, 2],
    }  # fmt: skip
    df = pd.DataFrame(rows)
    for c in ["resp_id", "stratum"]:
        df[c] = df[c].astype("str")
    floats = [c for c in df.columns if df[c].dtype == np.int64 and c != "year"]
    return df.astype({c: "float64" for c in floats})


def test_three_editions_harmonise_value_by_value(sav_files: dict[int, Path]) -> None:
    h = read_harmonised(list(sav_files.values()))
    pd.testing.assert_frame_equal(h.data, expected_table())
    assert h.report.ok and h.report.issues == ()


def test_recode_to_missing_counted_by_kind(sav_files: dict[int, Path]) -> None:
    h = read_harmonised(list(sav_files.values()))
    rec = h.report.recode_frame().set_index(["variable", "year", "kind"])["count"]
    assert rec[("course", 2017, "dont_know")] == 1
    assert rec[("var_varied", 2017, "refused")] == 1
    assert rec[("var_new", 2017, "system_missing")] == 1
    assert rec[("var_creative", 2018, "refused")] == 1
    assert rec[("sup_support", 2018, "dont_know")] == 1
    assert rec[("sup_support", 2022, "other_half")] == 2
    assert rec[("learn_people", 2022, "refused")] == 1
    assert rec[("learn_people", 2022, "other_half")] == 2
    assert rec[("sector", 2017, "system_missing")] == 1
    assert h.metadata["aut_leave"].missing == {"dont_know": 1}
    assert h.metadata["learn_people"].missing == {"refused": 1, "other_half": 2}
    # every missing value of an item is accounted for by a counted kind
    counted = h.report.recode_frame().groupby("variable")["count"].sum()
    for item in ["course", "var_varied", "sup_support", "learn_tasks"]:
        measured = h.data["year"].isin(h.metadata[item].years)
        assert int(h.data.loc[measured, item].isna().sum()) == counted[item]


def test_metadata_years_sources_and_weights(sav_files: dict[int, Path]) -> None:
    meta = read_harmonised(list(sav_files.values())).metadata
    assert meta.design["weight_half"] == "weight_half"
    assert meta["course"].sources == {2017: "CURSUS2J", 2018: "OPLCURS", 2022: "OPLCURS"}
    assert meta["learn_tasks"].years == (2022,)
    assert meta["sup_support"].halves == {2022: 2}
    assert meta.weight_for("sup_support", 2022) == "weight_half"
    assert meta.weight_for("sup_support", 2017) == "weight"
    assert meta.weight_for("learn_people", 2022) == "weight_half"
    assert meta.weight_for("course", 2022) == "weight"
    assert meta["age_class"].derived_from == "age"
    assert meta["var_varied"].categories[3].nl == "altijd"
    assert meta["var_varied"].label_en == "Is your work varied?"
    with pytest.raises(Exception, match=r"'learn_tasks' was not measured in 2018; it was in: 2022"):
        meta.weight_for("learn_tasks", 2018)
    with pytest.raises(
        Exception, match=r"unknown harmonised variable 'corse' \(did you mean 'course'"
    ):
        meta.weight_for("corse", 2018)
    frame = meta.frame()
    row = frame[(frame.variable == "learn_tasks") & (frame.year == 2022)].iloc[0]
    assert (row.source, row.half, row.weight) == ("LEERT_TAKEN", 1, "weight_half")


@pytest.mark.parametrize("fmt", ["dta", "csv", "parquet"])
def test_other_formats_give_the_same_table(tmp_path: Path, fmt: str) -> None:
    df = edition_2017()
    sav = read_harmonised(
        [__import__("io_rawlayout").write_sav(df, tmp_path / "nea_2017.sav", 2017)]
    ).data
    path = tmp_path / f"nea_2017.{fmt}"
    if fmt == "dta":
        write_dta(df, path, 2017)
    elif fmt == "csv":
        df.to_csv(path, index=False)
    else:
        df.to_parquet(path)
    pd.testing.assert_frame_equal(read_harmonised([path]).data, sav)


def test_dutch_csv_with_semicolons_and_decimal_comma(tmp_path: Path) -> None:
    path = tmp_path / "nea_2017.csv"
    edition_2017().to_csv(path, index=False, sep=";", decimal=",")
    data = read_harmonised([path]).data
    assert data["weight"].tolist() == [100.5, 200.0, 300.0]
    assert data["course"].tolist()[:2] == [1.0, 0.0]


def test_only_codebook_columns_are_read(tmp_path: Path, write) -> None:
    df = edition_2017()
    extra = pd.DataFrame(np.zeros((3, 300)), columns=[f"V{i:04d}" for i in range(300)])
    path = write(pd.concat([df, extra], axis=1), "wide_2017.sav", 2017)
    report = validate([path])
    (summary,) = report.files
    assert (summary.columns_read, summary.columns_in_file, summary.rows) == (21, 321, 3)


def test_default_codebook_covers_raw_layout() -> None:
    cb = load_codebook()
    assert cb.name == "synthetic-nea"
    src = cb.source_for("var_new", 2019)
    assert src is not None and cb.code_map("var_new", src) == {
        1.0: 4.0,
        2.0: 3.0,
        3.0: 2.0,
        4.0: 1.0,
    }
    assert cb.source_for("learn_tasks", 2021) is None
    assert cb.source_for("course", 2017).variable == "CURSUS2J"  # type: ignore[union-attr]
    assert cb.source_for("weight_half", 2021).variable == "WEGING"  # type: ignore[union-attr]
    assert cb.missing_codes("sup_support") == {8.0: "dont_know", 9.0: "refused"}
    assert cb.missing_codes("age") == {}


def test_file_declared_missing_codes_unknown_to_the_codebook(tmp_path: Path) -> None:
    """An SPSS user-missing code the codebook does not know is missing, counted as such."""
    import pyreadstat

    df = edition_2017()
    df.loc[0, "CURSUS2J"] = 7.0
    path = tmp_path / "nea_2017.sav"
    pyreadstat.write_sav(
        df, str(path), missing_ranges={"CURSUS2J": [{"lo": 6.0, "hi": 7.0}, 8]},
        variable_value_labels={"CURSUS2J": {1: "ja", 2: "nee", 7: "n.v.t."}},
    )  # fmt: skip
    h = read_harmonised([path])
    assert h.report.issues == ()
    assert h.metadata["course"].missing == {"dont_know": 1, "declared_missing": 1}
    assert h.data["course"].fillna(-1).tolist() == [-1.0, 0.0, -1.0]


def test_draft_from_csv_and_parquet(tmp_path: Path) -> None:
    from leercultuur.io import draft_codebook, parse_codebook

    df = edition_2017()
    df.to_csv(tmp_path / "nea_2017.csv", index=False)
    df.to_parquet(tmp_path / "nea_2017.parquet")
    for name in ["nea_2017.csv", "nea_2017.parquet"]:
        import yaml

        text = draft_codebook(tmp_path / name)
        cb = parse_codebook(yaml.safe_load(text))
        assert text.startswith(f"# Draft codebook written by `leercultuur codebook draft {name}`")
        # no value labels: the default names and categories, codes for a person to add
        assert "taken as 'course'; the file has no value labels: add `codes:`" in text
        assert (cb.variables["sector"].type, cb.variables["course"].type) == ("category", "score")
        assert cb.variables["course"].sources[0].variable == "CURSUS2J"
        h = read_harmonised([tmp_path / name], codebook=cb)
        assert h.data["resp_id"].tolist() == ["2017-1", "2017-2", "2017-3"]


def test_results_are_frozen_and_serialisable(sav_files: dict[int, Path]) -> None:
    import dataclasses
    import json

    h = read_harmonised(list(sav_files.values()))
    back = json.loads(json.dumps(h.to_dict()))
    assert back["rows"] == 9 and back["columns"][:3] == ["year", "resp_id", "stratum"]
    assert back["metadata"]["variables"]["sup_support"]["weights"] == {
        "2017": "weight", "2018": "weight", "2022": "weight_half"
    }  # fmt: skip
    assert back["report"]["ok"] is True
    assert {f["years"][0] for f in back["report"]["files"]} == {2017, 2018, 2022}
    with pytest.raises(dataclasses.FrozenInstanceError):
        h.report = None  # type: ignore[misc]
