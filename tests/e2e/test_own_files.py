"""The journey of a new user with their own extract, through the documented commands only.

A labelled SPSS extract unlike the synthetic NEA (one stacked file, odd years 2015-2023, Dutch
lower-case names, numeric codes, the stratum a plain integer repeated every year; see
tests/golden/ownfiles/make_extract.py) goes through ``codebook draft``, the edits the draft marks
``TODO`` (scripted below), ``validate``, ``monitor`` and ``report`` exactly as docs/user-guide.md
shows them. The monitor's course figures, trend B, slope change, year-on-year and group-vs-rest
tests then equal R ``survey`` (tests/golden/ownfiles/golden.R, reading the same file with haven)
at 1e-8, for the element design and for the same file with PSUs (``design: {psu: psu}``).
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leercultuur.cli import main
from leercultuur.monitor import MonitorResult

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "ownfiles"
RTOL, ATOL = 1e-8, 1e-10
COMPANY_SIZE = "{1: 1-9, 2: 10-49, 3: 50-99, 4: 100-249, 5: 250+}"


def _extract_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_extract", GOLDEN / "make_extract.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def leercultuur(monkeypatch: pytest.MonkeyPatch, *args: str | Path) -> int:
    """`leercultuur ARGS` as a user types it (in-process: the same entry point)."""
    monkeypatch.setattr(sys, "argv", ["leercultuur", *map(str, args)])
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def apply_todo_edits(text: str, *, psu: bool) -> str:
    """What the person does with the draft: check each `# TODO check:` guess and delete the line;
    the one guess the draft could not make (company size codes, marked '?') gets its mapping."""
    todos = re.findall(r"^\s*# TODO check: (.*)$", text, flags=re.M)
    # one per recognised variable (cluster -> psu too), the derived age class, tevreden
    assert len(todos) == 11 + psu
    assert [t for t in todos if "'?'" in t] == [
        "'bedrijfsgrootte' (Bedrijfsgrootte) taken as 'company_size'; map the codes marked '?' "
        "(raw labels: 1 'minder dan 10', 2 '10 tot 50', 3 '50 tot 100', 4 '100 tot 250', "
        "5 '250 en meer')"
    ]
    text = re.sub(r"^\s*# TODO check:.*\n", "", text, flags=re.M)
    line = "    codes: {1: '?', 2: '?', 3: '?', 4: '?', 5: '?'}\n"
    assert text.count(line) == 1
    return text.replace(line, f"    codes: {COMPANY_SIZE}\n")


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads((GOLDEN / "golden.json").read_text())


def journey(tmp: Path, monkeypatch: pytest.MonkeyPatch, *, psu: bool) -> MonitorResult:
    """The documented commands, from the extract to the report."""
    mod = _extract_module()
    sav = mod.write_extract(tmp / "werknemers.sav", psu=psu)
    # the extract the test generates is the one R read (same data as the committed copy)
    import pyreadstat

    mine, _ = pyreadstat.read_sav(str(sav), user_missing=True)
    theirs, _ = pyreadstat.read_sav(str(GOLDEN / "werknemers.sav"), user_missing=True)
    pd.testing.assert_frame_equal(mine, theirs[mine.columns])

    monkeypatch.chdir(tmp)
    assert (
        leercultuur(monkeypatch, "codebook", "draft", "werknemers.sav", "-o", "codebook.yaml") == 0
    )
    draft = (tmp / "codebook.yaml").read_text()
    assert "  stratum:\n    type: integer\n" in draft  # the stratum as a plain integer
    # the draft does not load until its TODO edits are made
    assert (
        leercultuur(monkeypatch, "validate", "werknemers.sav", "--codebook", "codebook.yaml") == 2
    )
    (tmp / "codebook.yaml").write_text(apply_todo_edits(draft, psu=psu))
    assert (
        leercultuur(monkeypatch, "validate", "werknemers.sav", "--codebook", "codebook.yaml") == 0
    )
    args = ["monitor", "werknemers.sav", "--codebook", "codebook.yaml", "--out", "result/"]
    if psu:
        (tmp / "spec.yaml").write_text("extends: default\ndesign:\n  psu: psu\n")
        args += ["--spec", "spec.yaml"]
    assert leercultuur(monkeypatch, *args) == 0
    assert leercultuur(monkeypatch, "report", "result/", "--out", "report/", "--lang", "en") == 0
    assert (tmp / "report" / "report-en.html").exists() and (
        tmp / "report" / "monitor-en.xlsx"
    ).exists()
    return MonitorResult.load(tmp / "result")


@pytest.fixture(scope="module")
def element(tmp_path_factory: pytest.TempPathFactory) -> MonitorResult:
    with pytest.MonkeyPatch.context() as mp:
        return journey(tmp_path_factory.mktemp("own"), mp, psu=False)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> MonitorResult:
    with pytest.MonkeyPatch.context() as mp:
        return journey(tmp_path_factory.mktemp("own_psu"), mp, psu=True)


def close(actual: object, expected: object) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, float), np.asarray(expected, float), rtol=RTOL, atol=ATOL
    )


def same(ours: pd.DataFrame, rows: list[dict], **columns: str) -> None:
    """Our table's columns against R's, row by row by year (percentage points x 100)."""
    r = pd.DataFrame(rows)
    assert ours["year"].tolist() == r["year"].tolist()
    for mine, theirs in columns.items():
        scale = 100.0 if mine in ("difference", "se") else 1.0
        close(ours[mine], scale * r[theirs])


def check_against_r(result: MonitorResult, g: dict) -> None:
    est = result.estimates.query("indicator == 'nonformal' and breakdown == 'all'")
    r = pd.DataFrame(g["est"])
    assert est["year"].tolist() == r["year"].tolist() == [2015, 2017, 2019, 2021, 2023]
    for col in ("estimate", "se", "ci_low", "ci_high"):
        close(est[col], 100 * r[col])
    # per education level: the codebook's categories are the groups (codes 1, 2, 3)
    edu = result.estimates.query("indicator == 'nonformal' and breakdown == 'education'")
    r = pd.DataFrame(g["est_edu"])
    r["group"] = r["code"].map({1: "low", 2: "middle", 3: "high"})
    m = r.merge(edu, on=["year", "group"], suffixes=("_r", ""))
    assert len(m) == len(r) == 15
    close(m["estimate"], 100 * m["estimate_r"])
    close(m["se"], 100 * m["se_r"])
    yoy = result.comparisons.query(
        "indicator == 'nonformal' and breakdown == 'all' and comparison == 'year_on_year'"
    )
    same(yoy, g["yoy"], difference="difference", se="se", statistic="z", p_value="p")
    tr = result.trends.query("indicator == 'nonformal' and breakdown == 'all'").iloc[0]
    r = g["trend"][0]
    close([tr["slope"], tr["se"]], [100 * r["slope"], 100 * r["se"]])
    close([tr["statistic"], tr["p_value"], tr["df"]], [r["t"], r["p"], r["df"]])
    close([tr["slope_change"], tr["slope_change_se"]], [100 * r["hinge"], 100 * r["hinge_se"]])
    close(tr["slope_change_p"], r["hinge_p"])
    gvr = result.comparisons.query(
        "indicator == 'nonformal' and comparison == 'group_vs_rest' and group == 'low'"
    )
    same(gvr, g["gvr_low"], difference="difference", se="se", statistic="t", df="df", p_value="p")
    low = result.trends.query("indicator == 'nonformal' and group == 'low'").iloc[0]
    r = g["trend_diff_low"][0]
    close([low["diff_vs_rest"], low["diff_vs_rest_se"]], [100 * r["diff"], 100 * r["se"]])
    close(low["diff_vs_rest_p"], r["p"])


def test_own_extract_equals_r_with_integer_strata(element: MonitorResult, golden: dict) -> None:
    check_against_r(element, golden["element"])


def test_own_extract_with_psus_equals_r_with_clusters(cluster: MonitorResult, golden: dict) -> None:
    check_against_r(cluster, golden["cluster"])
    spec = cluster.manifest["spec_source"]
    assert (
        spec["path"] == "spec.yaml" and "psu: psu" in spec["content"] and len(spec["sha256"]) == 64
    )
    design = cluster.manifest["design"]
    assert design["psu"] == "psu" and design["psu_nested_in_strata"]
    assert design["per_year"]["2015"] == {"rows": 600, "strata": 6, "psus": 24}


def test_manifest_says_which_design_and_codebook(element: MonitorResult) -> None:
    m = element.manifest
    d = m["design"]
    assert (d["strata"], d["strata_nested_in_years"], d["psu"]) == ("stratum", True, None)
    assert d["lonely_psu"] == "adjust" and d["weights"] == ["weight"]
    assert all(v["strata"] == 6 for v in d["per_year"].values())
    assert "strata (6 per year, column 'stratum') are nested in years" in d["summary"]["en"]
    assert "liggen binnen de jaren" in d["summary"]["nl"]
    cb = m["codebook"]
    assert cb["path"].endswith("codebook.yaml") and "source: bedrijfsgrootte" in cb["content"]
    import hashlib

    assert cb["sha256"] == hashlib.sha256(cb["content"].encode()).hexdigest()
    assert m["spec_source"] is None and m["spec"]["design"]["lonely_psu"] == "adjust"


def test_labels_from_the_codebook_reach_the_result(element: MonitorResult) -> None:
    labels = element.manifest["labels"]
    assert labels["categories"]["education"]["middle"] == {"nl": "middelbaar", "en": "middle"}
    assert labels["categories"]["company_size"]["250+"] == {
        "nl": "250 of meer",
        "en": "250 or more",
    }
    assert labels["variables"]["age_class"] == {"nl": "Leeftijdsklasse", "en": "Age class"}
    groups = set(element.estimates.query("breakdown == 'age_class'")["group"])
    assert groups <= set(labels["categories"]["age_class"])  # every group has its label


def test_labels_from_the_codebook_reach_the_report(element: MonitorResult, tmp_path: Path) -> None:
    """The Dutch report and workbook name the groups with the codebook's labels, not its codes
    (the trap: "Leeftijd: 5.0 jaar", "Bedrijfsgrootte: 1 werknemers")."""
    import openpyxl

    from leercultuur.report import render_report

    files = render_report(element, tmp_path / "rapport", lang="nl")
    html = files.html.read_text(encoding="utf-8")
    labels = element.manifest["labels"]["categories"]
    # the codebook's label, capitalised as a row label; where the spec words a group more fully
    # ("250 of meer werkzame personen") the codebook's words are still in it
    assert '<th scope="row">Middelbaar</th>' in html
    assert labels["education"]["middle"]["nl"] == "middelbaar"
    assert f'<th scope="row">{labels["company_size"]["250+"]["nl"]} werkzame personen</th>' in html
    assert "5.0 jaar" not in html and "1 werknemers" not in html
    book = openpyxl.load_workbook(files.excel, read_only=True)
    cells = {
        str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
    }
    assert any("250 of meer" in c for c in cells)
