"""End to end on the synthetic NEA: raw .sav files -> default codebook -> monitor CLI -> outputs.

Checks the issue's acceptance figures with the engine's estimates read back from the result
directory (not the generator's parameters): the article's Table 1 series within 1 percentage
point and the trend B = -0.3 (+- 0.1), plus the public figures the generator was calibrated to.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from leercultuur.cli import main
from leercultuur.monitor import (
    COMPARISON_COLUMNS,
    ESTIMATE_COLUMNS,
    TREND_COLUMNS,
    MonitorResult,
)
from leercultuur.monitor._export import BenchmarkFile

TABLE1 = {2012: 54, 2013: 52, 2014: 52, 2015: 51, 2016: 51, 2017: 51, 2018: 51, 2019: 51,
          2020: 49, 2021: 49, 2022: 52}  # fmt: skip


def run_cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["leercultuur", *args])
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.fixture(scope="module")
def result_dir(synth_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("monitor") / "result"
    mp = pytest.MonkeyPatch()
    try:
        files = [str(p) for p in sorted(synth_dir.glob("nea_*.sav"))]
        assert len(files) == 11
        assert run_cli(mp, "monitor", *files, "--out", str(out)) == 0
    finally:
        mp.undo()
    return out


@pytest.fixture(scope="module")
def result(result_dir: Path) -> MonitorResult:
    return MonitorResult.load(result_dir)


def test_outputs_are_complete(result_dir: Path, result: MonitorResult) -> None:
    for t in ("estimates", "comparisons", "trends", "associations"):
        assert (result_dir / f"{t}.parquet").exists() and (result_dir / f"{t}.csv").exists()
    assert list(result.estimates.columns) == ESTIMATE_COLUMNS
    assert list(result.comparisons.columns) == COMPARISON_COLUMNS
    assert list(result.trends.columns) == TREND_COLUMNS
    manifest = json.loads((result_dir / "manifest.json").read_text())
    assert len(manifest["inputs"]) == 11 and all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert manifest["rows"] == 511_075
    check = pd.read_csv(result_dir / "output-check.csv")
    assert len(check) == len(result.estimates)
    assert (check["published"] == (check["n"] >= 200)).all()


def test_table1_series_and_trend(result: MonitorResult) -> None:
    est = result.estimates.query("indicator == 'nonformal' and breakdown == 'all'")
    got = dict(zip(est["year"], est["estimate"], strict=True))
    assert sorted(got) == sorted(TABLE1)
    for year, pct in TABLE1.items():
        assert abs(got[year] - pct) <= 1.0, (year, got[year])
    tr = result.trends.query("indicator == 'nonformal' and breakdown == 'all'").iloc[0]
    assert tr["slope"] == pytest.approx(-0.3, abs=0.1)
    assert tr["n_years"] == 11


def test_public_figures_through_the_default_codebook(result: MonitorResult) -> None:
    e = result.estimates.set_index(["indicator", "breakdown", "group", "year"])["estimate"]
    assert e[("nonformal", "education", "low", 2022)] == pytest.approx(37, abs=1.5)
    assert e[("nonformal", "education", "high", 2022)] == pytest.approx(60, abs=1.5)
    for y in (2020, 2022):
        for ind in ("informal_tasks_much", "informal_people_much"):
            assert e[(ind, "all", "all", y)] == pytest.approx(40, abs=2)
        for ind in ("informal_tasks_some", "informal_people_some"):
            assert e[(ind, "all", "all", y)] > 90
    assert e[("autonomy_high", "all", "all", 2022)] == pytest.approx(59, abs=2)
    assert e[("variation_high", "all", "all", 2022)] == pytest.approx(61, abs=2)
    rise = e[("support_large", "all", "all", 2022)] - e[("support_large", "all", "all", 2012)]
    assert rise == pytest.approx(6, abs=1.5)
    # informal learning exists only in 2020 and 2022
    years = result.estimates.query("indicator == 'informal_people_much'")["year"].unique()
    assert sorted(years) == [2020, 2022]


def test_subgroup_directions(result: MonitorResult) -> None:
    c = result.comparisons.query("comparison == 'group_vs_rest' and indicator == 'nonformal'")
    c = c.set_index(["breakdown", "group", "year"])["difference"]
    assert c[("education", "low", 2022)] < 0
    assert c[("company_size", "1-9", 2022)] < 0
    assert c[("contract", "on_call", 2022)] < 0
    assert c[("contract", "agency", 2022)] < 0
    old = result.comparisons.query(
        "comparison == 'group_vs_rest' and breakdown == 'age_class' and group in ['55-64', '65-74']"
        " and indicator in ['nonformal', 'informal_tasks_much', 'informal_people_much']"
    )
    assert (old["difference"] < 0).all()


def test_benchmark_export_validates(
    result_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "benchmark.json"
    assert run_cli(monkeypatch, "benchmark", "export", str(result_dir), "--out", str(out)) == 0
    bench = BenchmarkFile.model_validate_json(out.read_text())
    nat = {i.id: i for i in bench.indicators}
    assert nat["nonformal"].year == 2022
    assert nat["informal_tasks_much"].year == 2022
    assert set(nat["nonformal"].company_size) == {"1-9", "10-49", "50-99", "100-249", "250+"}
    for ind in bench.indicators:
        for cell in [*ind.company_size.values(), *ind.sector.values()]:
            assert (cell.estimate is None) == cell.suppressed
            assert cell.suppressed == (cell.n < bench.publication_threshold)


GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "synthetic" / "golden.json"


def test_cells_equal_r_on_the_synthetic_files(result: MonitorResult) -> None:
    """tests/golden/synthetic/golden.R: R reads the same .sav files with haven, harmonises them
    itself and recomputes these cells with survey 4.1.1."""
    from leercultuur.synth import GENERATOR_VERSION

    g = json.loads(GOLDEN.read_text())
    assert g["generator"] == GENERATOR_VERSION, "regenerate the golden values for this version"
    e = result.estimates.set_index(["indicator", "breakdown", "group", "year"])
    for row in g["nonformal"]:  # svyby(~nonformal, ~year, des, svymean, na.rm=TRUE)
        cell = e.loc[("nonformal", "all", "all", row["year"])]
        assert cell["estimate"] == pytest.approx(100 * row["estimate"], rel=1e-8)
        assert cell["se"] == pytest.approx(100 * row["se"], rel=1e-8)
    # svyglm(nonformal ~ low, subset(des, year == 2022 & !is.na(nonformal)))
    c = result.comparisons.query(
        "indicator == 'nonformal' and comparison == 'group_vs_rest' and group == 'low' "
        "and year == 2022"
    ).iloc[0]
    gv = g["gvr_low_2022"]
    assert c["difference"] == pytest.approx(100 * gv["difference"], rel=1e-8)
    assert c["se"] == pytest.approx(100 * gv["se"], rel=1e-8)
    assert c["statistic"] == pytest.approx(gv["t"], rel=1e-8)
    # svyglm(nonformal ~ year, subset(des, !is.na(nonformal)))
    t = result.trends.query("indicator == 'nonformal' and breakdown == 'all'").iloc[0]
    assert t["slope"] == pytest.approx(100 * g["trend"]["slope"], rel=1e-8)
    assert t["se"] == pytest.approx(100 * g["trend"]["se"], rel=1e-8)
    # half-2 item in 2022 with the half weight; autonomy scale cut-off 2.5
    for ind, key in (("support_large", "support_large_2022"),
                     ("autonomy_high", "autonomy_high_2022")):  # fmt: skip
        cell = e.loc[(ind, "all", "all", 2022)]
        assert cell["estimate"] == pytest.approx(100 * g[key]["estimate"], rel=1e-8)
        assert cell["se"] == pytest.approx(100 * g[key]["se"], rel=1e-8)


ARTICLE_ROW = "54 52* 52 51* 51 51 51 51 49* 49 52*"  # the article's Table 1, in whole percent


def test_combined_table1_is_the_articles_row(result: MonitorResult) -> None:
    """The report's Table 1a of the demo prints the article's row: values, markers and B."""
    from leercultuur.report._article import article_tables

    t1a = article_tables(result, lang="nl")[0]
    row = t1a.rows[0]
    assert row.indicator == "nonformal" and t1a.years == tuple(TABLE1)
    *years, trend = row.texts("nl")
    assert " ".join(v.replace("%", "") for v in years) == ARTICLE_ROW
    assert trend == "\u22120,3%*"  # the article: -0,3%*


def test_article_risk_groups_are_computed(result: MonitorResult) -> None:
    """55+ (55-64 + 65-74) and flex workers (on-call + agency), declared in the default spec."""
    c = result.comparisons.query(
        "comparison == 'group_vs_rest' and indicator == 'nonformal' and year == 2022"
    ).set_index(["breakdown", "group"])
    assert c.loc[("age_class", "55+"), "difference"] < 0
    assert c.loc[("contract", "flex"), "difference"] < 0
    n = result.estimates.query("indicator == 'nonformal' and year == 2022").set_index(
        ["breakdown", "group"]
    )["n"]
    assert n[("age_class", "55+")] == n[("age_class", "55-64")] + n[("age_class", "65-74")]


def test_dutch_report_of_the_demo_has_no_code_strings(
    result: MonitorResult, tmp_path_factory: pytest.TempPathFactory
) -> None:
    sys.path.insert(0, str(Path(__file__).parents[1] / "report"))
    from test_report_publishable import offending, visible_text, workbook_text

    from leercultuur.report import render_report

    files = render_report(result, tmp_path_factory.mktemp("demo-report"), lang="nl")
    html = visible_text(files.html.read_text(encoding="utf-8"))
    assert offending(html) == []
    assert offending(workbook_text(files.excel)) == []
    # the source line says what the manifest records (here the input files), never "NEA"
    assert "Bron: NEA" not in html and "Bron: nea_2012.sav" in html
