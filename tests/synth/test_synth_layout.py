"""The raw files follow docs/data-model.md: names per edition, codes, labels, user-missing,
split halves, sample sizes, strata, raked weights; seeded, versioned, pinned."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from leercultuur.errors import DataError
from leercultuur.synth import (
    DEFAULT_SEED,
    GENERATOR_VERSION,
    generate_year,
    parse_years,
    write_year,
)
from leercultuur.synth import _population as P

SIZES = {2012: 25_000, 2013: 25_000, **dict.fromkeys(range(2014, 2018), 40_000)}
SIZES |= dict.fromkeys(range(2018, 2022), 60_000) | {2022: 61_075}


def test_columns_and_renamed_variables_per_edition(raw: dict[int, pd.DataFrame]) -> None:
    base = ["RESPNR", "JAAR", "STRATUM", "WEGING", "WEGING_P"]
    bg = ["GESLACHT", "LEEFTIJD", "OPLNIV", "BEDRGR", "CONTRACT", "SBI"]
    items = ["VARIATIE", "NIEUWLEREN", "CREATIEF", "AUT_HOE", "AUT_VOLGORDE", "AUT_TEMPO"]
    items += ["AUT_OPLOSS", "AUT_VERLOF", "LG_STIMULEERT"]
    assert list(raw[2012].columns) == [*base, *bg, "CURSUS2J", *items]
    assert list(raw[2019].columns) == [*base, *bg, "OPLCURS", *items]
    assert list(raw[2020].columns) == [*base, *bg, "OPLCURS", *items, "LEERT_TAKEN", "LEERT_MENSEN"]
    assert list(raw[2022].columns) == [
        *base, "HELFT", "WEGING_H", *bg, "OPLCURS", *items, "LEERT_TAKEN", "LEERT_MENSEN",
    ]  # fmt: skip
    assert {y: len(df) for y, df in raw.items()} == SIZES
    assert sum(SIZES.values()) == 511_075


def test_labels_and_user_missing_declared(synth_dir: Path) -> None:
    _, meta17 = pyreadstat.read_sav(
        str(synth_dir / "nea_2017.sav"), metadataonly=True, user_missing=True
    )
    _, meta18 = pyreadstat.read_sav(
        str(synth_dir / "nea_2018.sav"), metadataonly=True, user_missing=True
    )
    assert meta17.variable_value_labels["VARIATIE"] == {
        1: "nooit", 2: "soms", 3: "vaak", 4: "altijd", 8: "weet niet", 9: "wil niet zeggen",
    }  # fmt: skip
    assert meta18.variable_value_labels["VARIATIE"][1] == "altijd"  # reversed from 2018
    assert meta18.variable_value_labels["AUT_HOE"][3] == "nee"
    assert meta18.variable_value_labels["LG_STIMULEERT"][3] == "ja, in grote mate"
    assert meta18.missing_ranges["OPLCURS"] == [{"lo": 8.0, "hi": 8.0}, {"lo": 9.0, "hi": 9.0}]
    assert meta17.column_names_to_labels["CURSUS2J"].startswith("Heeft u in de afgelopen 2 jaar")
    assert meta18.variable_value_labels["CONTRACT"][5] == "oproep-/invalkracht"
    assert "GESLACHT" not in meta18.missing_ranges


def test_codes_item_nonresponse_and_half_items(raw: dict[int, pd.DataFrame]) -> None:
    d = raw[2022]
    assert set(d["OPLCURS"].unique()) == {1, 2, 8, 9}
    miss = d["AUT_HOE"].isin([8, 9]).mean()
    assert 0.005 < miss < 0.03  # some item non-response, coded as user-missing
    # supervisor item: half 2 only; informal learning: half 1 only (others system-missing)
    assert d.loc[d["HELFT"] == 1, "LG_STIMULEERT"].isna().all()
    assert d.loc[d["HELFT"] == 2, "LG_STIMULEERT"].notna().all()
    assert d.loc[d["HELFT"] == 2, "LEERT_TAKEN"].isna().all()
    assert d["HELFT"].value_counts().to_dict() == {2: 30_574, 1: 30_501}
    assert set(raw[2012]["SBI"].unique()) == set(P.SECTIONS)
    assert raw[2012]["LEEFTIJD"].between(15, 74).all()


def test_strata_and_weights(raw: dict[int, pd.DataFrame]) -> None:
    for y, d in raw.items():
        counts = d["STRATUM"].value_counts()
        assert len(counts) == 40 and counts.min() >= 230, y
        assert d["RESPNR"].is_unique
        assert d["WEGING"].sum() == pytest.approx(P.POPULATION[y] * 1e6, rel=1e-9)
        assert d["WEGING_P"].mean() == pytest.approx(1.0, rel=1e-12)
    d = raw[2022]
    halves = d.groupby("HELFT")["WEGING_H"].sum()
    np.testing.assert_allclose(halves, [8.12e6, 8.12e6], rtol=1e-9)
    n_h = d["HELFT"].map(d["HELFT"].value_counts())
    np.testing.assert_allclose(d["WEGING"], d["WEGING_H"] * n_h / len(d), rtol=1e-12)


@pytest.mark.parametrize("year", [2012, 2022])
def test_weights_are_raked_to_the_population_margins(
    raw: dict[int, pd.DataFrame], year: int
) -> None:
    d = raw[year]
    m = P.margins(year)
    tot = P.POPULATION[year] * 1e6
    edu = np.select([d["OPLNIV"] <= 2, d["OPLNIV"] <= 4], [0, 1], 2)
    for w in ("WEGING", "WEGING_H") if year == 2022 else ("WEGING",):
        sub = d if w == "WEGING" else d[d["HELFT"] == 1]
        e = edu if w == "WEGING" else edu[(d["HELFT"] == 1).to_numpy()]
        np.testing.assert_allclose(sub.groupby(e)[w].sum() / tot, m["edu"], rtol=1e-8)
        np.testing.assert_allclose(sub.groupby("CONTRACT")[w].sum() / tot, m["contract"], 1e-8)
        sec = sub.groupby("SBI")[w].sum().reindex(list(P.SECTIONS)) / tot
        np.testing.assert_allclose(sec, m["section"], rtol=1e-8)
        age = np.digitize(sub["LEEFTIJD"], [25, 35, 45, 55, 65])
        cells = sub.groupby([sub["GESLACHT"].to_numpy(), age])[w].sum() / tot
        np.testing.assert_allclose(cells.to_numpy(), m["sexage"], rtol=1e-8)
    # the margins grow: more employees, more highly educated, older
    m12, m22 = P.margins(2012), P.margins(2022)
    assert P.POPULATION[2022] > P.POPULATION[2012] and m22["edu"][2] > m12["edu"][2]


def test_seeded_reproducible_and_pinned(raw: dict[int, pd.DataFrame]) -> None:
    a = generate_year(2013, seed=DEFAULT_SEED)
    # the file written earlier is exactly what the generator gives again for the same seed
    pd.testing.assert_frame_equal(a, raw[2013], check_dtype=False)
    assert not generate_year(2012, seed=8)["RESPNR"].equals(raw[2012]["RESPNR"])
    # Pins: a change that moves these must bump GENERATOR_VERSION and update the pins.
    assert GENERATOR_VERSION == "1.0.0"
    assert a["RESPNR"].iloc[:3].tolist() == PIN_RESPNR
    assert a["WEGING"].iloc[0] == pytest.approx(PIN_WEIGHT, rel=1e-9)
    assert int((a["CURSUS2J"] == 1).sum()) == PIN_COURSE_YES


def test_pinned_headline_estimates(raw: dict[int, pd.DataFrame]) -> None:
    from _synth_map import harmonise, pct  # type: ignore[import-not-found]

    got = {
        (y, v): round(pct(harmonise(raw[y], y), v), 6)
        for y, v in [(2012, "course"), (2022, "course"), (2022, "sup_high"), (2020, "tasks_veel")]
    }
    assert got == PIN_HEADLINES


def test_parquet_and_year_parsing(tmp_path: Path, raw: dict[int, pd.DataFrame]) -> None:
    df = raw[2012].head(50)
    path = write_year(df, 2012, tmp_path, "parquet")
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, df, check_dtype=False)
    import pyarrow.parquet as pq

    assert b"leercultuur" in pq.read_schema(path).metadata
    assert parse_years("2012-2014,2020") == [2012, 2013, 2014, 2020]
    with pytest.raises(DataError, match="the generator covers 2012-2022; not \\[2011\\]"):
        parse_years("2011-2012")
    with pytest.raises(DataError, match="use a range like 2012-2022"):
        parse_years("twenty")


def _cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    from leercultuur.cli import main

    monkeypatch.setattr(sys, "argv", ["leercultuur", "synth", *args])
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_errors_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli(monkeypatch, "--out", str(tmp_path), "--format", "csv") == 2
    err = capsys.readouterr().err
    assert "--format='csv' is not allowed; choose one of: 'sav', 'parquet'" in err
    assert "Traceback" not in err
    assert _cli(monkeypatch, "--out", str(tmp_path), "--years", "2030") == 2
    assert "not [2030]" in capsys.readouterr().err
    assert _cli(monkeypatch, "--out", str(tmp_path), "--years", "2012", "--format", "parquet") == 0
    assert "25,000 respondents" in capsys.readouterr().out
    assert (tmp_path / "nea_2012.parquet").exists()


PIN_RESPNR = [102105, 115773, 119298]
PIN_WEIGHT = 167.07870005579687
PIN_COURSE_YES = 12927
PIN_HEADLINES = {
    (2012, "course"): 54.000928,
    (2022, "course"): 52.000517,
    (2022, "sup_high"): 32.974549,
    (2020, "tasks_veel"): 40.007411,
}
