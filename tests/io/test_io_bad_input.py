"""Every bad input of the issue: one clear problem each, with file, variable, value and rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from io_editions import edition_2017, edition_2018, edition_2022

from leercultuur.errors import DataError, LeercultuurError, SpecError
from leercultuur.io import ValidationError, load_codebook, read_harmonised, validate
from leercultuur.io._codebook import DEFAULT_CODEBOOK

DEFAULT_YAML = (
    Path(__file__).resolve().parents[2] / "src/leercultuur/io/codebooks" / DEFAULT_CODEBOOK
).read_text(encoding="utf-8")


def only_issue(paths: list[Path], codebook: object = None) -> tuple[str, str, str]:
    report = validate(paths, codebook=codebook)  # type: ignore[arg-type]
    assert len(report.issues) == 1, report.format()
    (issue,) = report.issues
    return issue.severity, issue.check, str(issue)


def test_truncated_sav(tmp_path: Path, write) -> None:
    good = write(edition_2017(), "nea_2017.sav", 2017).read_bytes()
    bad = tmp_path / "cut_2017.sav"
    bad.write_bytes(good[:-40])
    assert only_issue([bad]) == (
        "structural",
        "unreadable_file",
        f"{bad}: the SPSS file is truncated or damaged "
        "(pyreadstat: File did not contain the expected number of rows)",
    )


def test_text_file_named_sav(tmp_path: Path) -> None:
    bad = tmp_path / "notes_2017.sav"
    bad.write_text("RESPNR,JAAR\n1,2017\n")
    assert only_issue([bad]) == (
        "structural",
        "unreadable_file",
        f"{bad}: is not an SPSS .sav file (it starts with b'RESPNR,JAAR\\n', not '$FL2')",
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [("", "file is empty (0 bytes)"), ("RESPNR,JAAR\n", "file has a header line but no data rows")],
)
def test_empty_csv(tmp_path: Path, content: str, problem: str) -> None:
    bad = tmp_path / "nea_2017.csv"
    bad.write_text(content)
    assert only_issue([bad]) == ("structural", "empty_file", f"{bad}: {problem}")


def test_stray_text_in_numeric_csv_item(tmp_path: Path) -> None:
    df = edition_2017()
    df["CURSUS2J"] = df["CURSUS2J"].astype(object)
    df.loc[1, "CURSUS2J"] = "ja"
    path = tmp_path / "nea_2017.csv"
    df.to_csv(path, index=False)
    report = validate([path])
    assert [str(i) for i in report.structural] == [
        f"{path}: CURSUS2J (course), 2017: 1 text value in a numeric variable: 'ja' (1x) in row 2"
    ]
    assert report.structural[0].rows == (1,) and report.structural[0].values == ("ja",)
    assert report.recode_frame().query("variable == 'course'")["kind"].tolist() == [
        "invalid_text",
        "dont_know",
    ]


def test_year_missing_a_required_variable(write) -> None:
    path = write(edition_2018().drop(columns=["OPLCURS"]), "nea_2018.sav", 2018)
    assert only_issue([path]) == (
        "structural",
        "missing_variable",
        f"{path}: required variable 'OPLCURS' (course) for 2018 is not in the file",
    )
    with pytest.raises(ValidationError) as err:
        read_harmonised([path])
    assert str(err.value) == (
        "validation failed: 1 structural problem, 0 warnings\n"
        f"  - structural: {path}: required variable 'OPLCURS' (course) for 2018 is not in the file"
    )
    assert isinstance(err.value, LeercultuurError) and err.value.report.structural


def test_codebook_typo_in_source_variable_suggests_closest(tmp_path: Path, write) -> None:
    cb = tmp_path / "typo.yaml"
    cb.write_text(DEFAULT_YAML.replace("variable: OPLCURS}", "variable: OPLCUSR}"))
    path = write(edition_2018(), "nea_2018.sav", 2018)
    assert only_issue([path], codebook=cb) == (
        "structural",
        "missing_variable",
        f"{path}: required variable 'OPLCUSR' (course) for 2018 is not in the file; "
        "did you mean 'OPLCURS'?",
    )


def test_codebook_typo_in_key_and_reference(tmp_path: Path) -> None:
    cb = tmp_path / "typo.yaml"
    cb.write_text(DEFAULT_YAML.replace("variable: OPLCURS}", "varable: OPLCURS}"))
    with pytest.raises(SpecError) as err:
        load_codebook(cb)
    assert str(err.value) == (
        f"codebook {cb} is invalid:\n"
        "  variables.course.sources.1.variable: Field required\n"
        "  variables.course.sources.1.varable: unknown key 'varable' (did you mean 'variable'?)"
    )
    cb.write_text(DEFAULT_YAML.replace("derive: {from: age,", "derive: {from: agee,"))
    with pytest.raises(SpecError) as err:
        load_codebook(cb)
    assert str(err.value) == (
        f"codebook {cb} is inconsistent:\n"
        "  variables.age_class.derive.from: unknown variable 'agee' (did you mean 'age'?)"
    )


def test_codebook_other_spec_errors(tmp_path: Path) -> None:
    data = yaml.safe_load(DEFAULT_YAML)
    data["design"]["weight"] = "wieght"
    data["variables"]["course"]["codes"] = {1: 1, 2: 2}
    data["variables"]["sup_support"]["sources"][1]["years"] = "2021-"
    data["variables"]["half"]["years"] = "twenty"
    cb = tmp_path / "bad.yaml"
    cb.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(SpecError) as err:
        load_codebook(cb)
    assert "variables.half.years: years 'twenty' not understood; use e.g. 2020" in str(err.value)
    del data["variables"]["half"]["years"]
    cb.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(SpecError) as err:
        load_codebook(cb)
    assert str(err.value) == (
        f"codebook {cb} is inconsistent:\n"
        "  design.weight: unknown variable 'wieght' (did you mean 'weight'?)\n"
        "  variables.course: code 2 maps to 2, which is not one of its categories (1, 0)\n"
        "  variables.sup_support.sources: years 2012-2021 and 2021- overlap"
    )
    with pytest.raises(SpecError, match=r"codebook file does not exist: .*nope\.yaml"):
        load_codebook(tmp_path / "nope.yaml")
    cb.write_text("codebook: [unclosed")
    with pytest.raises(SpecError, match=r"is not valid YAML"):
        load_codebook(cb)


def test_negative_and_missing_weights(write) -> None:
    df = edition_2017()
    df.loc[[0, 2], "WEGING"] = [-1.5, -2.0]
    df.loc[1, "WEGING_P"] = np.nan
    path = write(df, "nea_2017.sav", 2017)
    report = validate([path])
    assert [(i.check, str(i)) for i in report.issues] == [
        ("negative_weight", f"{path}: WEGING (weight), 2017: 2 negative weights: -1.5, -2 in "
                            "rows 1, 3"),
        ("missing_weight", f"{path}: WEGING_P (weight_prop), 2017: 1 missing value in the design "
                           "variable (weight_prop) in row 2"),
    ]  # fmt: skip
    assert report.issues[0].rows == (0, 2) and report.issues[0].count == 2


def test_file_that_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "nea_2030.sav"
    assert only_issue([path]) == ("structural", "file_not_found", f"{path}: file does not exist")
    odd = tmp_path / "nea.xlsx"
    odd.write_text("x")
    assert only_issue([odd])[2] == (
        f"{odd}: unknown file type '.xlsx'; supported: "
        ".csv, .csv.gz, .dta, .parquet, .pq, .sav, .zsav"
    )


def test_year_without_a_weight(tmp_path: Path, write) -> None:
    data = yaml.safe_load(DEFAULT_YAML)
    data["variables"]["weight"]["years"] = "2012-"
    df = edition_2017()
    df["JAAR"] = 2011.0
    path = write(df, "nea_2011.sav", 2017)
    report = validate([path], codebook=_write_yaml(tmp_path, data))
    assert [str(i) for i in report.structural] == [
        f"{path}: year 2011 has no weight: the codebook names no source of 'weight' for 2011"
    ]
    nowt = write(edition_2018().drop(columns=["WEGING"]), "nea_2018.sav", 2018)
    assert [str(i) for i in validate([nowt]).structural] == [
        f"{nowt}: year 2018 has no weight: required variable 'WEGING' (weight) for 2018 is not "
        "in the file; did you mean 'WEGING_P'?",
        f"{nowt}: year 2018 has no weight: required variable 'WEGING' (weight_half) for 2018 is "
        "not in the file; did you mean 'WEGING_P'?",
    ]


def _write_yaml(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def test_unknown_codes_out_of_range_duplicates(write) -> None:
    df = edition_2017()
    df.loc[0, "VARIATIE"] = 7
    df.loc[1, "VARIATIE"] = 5
    df.loc[2, "LEEFTIJD"] = 80
    df.loc[1, "RESPNR"] = 1
    path = write(df, "nea_2017.sav", 2017)
    report = validate([path])
    assert [(i.severity, str(i)) for i in report.issues] == [
        ("warning", f"{path}: LEEFTIJD (age), 2017: 1 value out of range: 80 (1x) in row 3; "
                    "recoded to missing"),
        ("warning", f"{path}: VARIATIE (var_varied), 2017: 2 unknown answer codes: 7 (1x), 5 (1x) "
                    "in rows 1, 2; recoded to missing"),
        ("structural", f"{path}: resp_id: 2 rows with a respondent id that occurs more than once "
                       "('2017-1') in rows 1, 2"),
    ]  # fmt: skip
    df.loc[1, "RESPNR"] = 2
    ok = write(df, "nea_2017b.sav", 2017)
    h = read_harmonised([ok])  # warnings only: the default passes, values become missing
    assert h.data["var_varied"].isna().tolist() == [True, True, True]
    assert h.data["age"].isna().tolist() == [False, False, True]
    assert h.data["age_class"].isna().tolist() == [False, False, True]
    with pytest.raises(ValidationError, match=r"validation failed \(strict\): 0 structural"):
        read_harmonised([ok], strict=True)


def test_duplicate_ids_across_files_of_one_year(write) -> None:
    a = write(edition_2017(), "a_2017.sav", 2017)
    b = write(edition_2017().iloc[[1]], "b_2017.sav", 2017)
    report = validate([a, b])
    assert [str(i) for i in report.issues] == [
        f"{a}: resp_id: 1 row with a respondent id that occurs more than once ('2017-2') in row 2",
        f"{b}: resp_id: 1 row with a respondent id that occurs more than once ('2017-2') in row 1",
    ]


def test_answer_from_the_wrong_half(write) -> None:
    df = edition_2022()
    df.loc[0, "LG_STIMULEERT"] = 2
    path = write(df, "nea_2022.sav", 2022)
    assert only_issue([path]) == (
        "warning",
        "wrong_half",
        f"{path}: LG_STIMULEERT (sup_support), 2022: 1 answer from the half that was not asked: "
        "2 'ja, in beperkte mate' (1x) in row 1; recoded to missing",
    )


def test_file_labels_contradicting_the_codebook(write) -> None:
    # a 2018 file whose variation codes were NOT reversed (labelled as in 2017)
    path = write(edition_2018(), "nea_2018.sav", 2017)
    report = validate([path])
    msgs = [str(i) for i in report.structural if i.variable == "VARIATIE"]
    assert msgs[0] == (
        f"{path}: VARIATIE (var_varied), 2018: the file labels code 1 'nooit', but the codebook "
        "maps it to 4 ('altijd'); check the codes of this edition"
    )
    assert len(msgs) == 4


def test_no_files_and_errors_are_leercultuur_errors() -> None:
    assert only_issue([]) == ("structural", "no_files", "-: no data files given")
    assert issubclass(ValidationError, DataError)
