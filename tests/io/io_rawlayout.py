"""Raw synthetic-NEA layout (docs/data-model.md) for test fixtures and the io benchmark.

Writes small files exactly as the real NEA ships: short Dutch names, numeric codes with SPSS value
labels, user-missing 8/9 declared on every item, the 2018 rename and reversed codes, the 2022
split design. ``random_raw`` makes plausible random data (vectorised) of any size.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

MISSING = {8: "weet niet", 9: "wil niet zeggen"}
FREQ = {1: "nooit", 2: "soms", 3: "vaak", 4: "altijd"}
AUT = {1: "ja, regelmatig", 2: "ja, soms", 3: "nee"}
LEARN = {1: "veel", 2: "niet veel en niet weinig", 3: "weinig"}
SUP = {1: "nee", 2: "ja, in beperkte mate", 3: "ja, in grote mate"}
BACKGROUND = {
    "GESLACHT": {1: "man", 2: "vrouw"},
    "OPLNIV": {
        1: "basisonderwijs",
        2: "vmbo / mbo-1 / havo-vwo onderbouw",
        3: "havo-vwo bovenbouw",
        4: "mbo 2-4",
        5: "hbo",
        6: "wo",
    },
    "BEDRGR": {1: "1-9", 2: "10-49", 3: "50-99", 4: "100-249", 5: "250-499", 6: "500 of meer"},
    "CONTRACT": {
        1: "vast",
        2: "tijdelijk met uitzicht op vast",
        3: "tijdelijk zonder uitzicht",
        4: "uitzendkracht",
        5: "oproep-/invalkracht",
    },
}
VARIATION = ["VARIATIE", "NIEUWLEREN", "CREATIEF"]
AUTONOMY = ["AUT_HOE", "AUT_VOLGORDE", "AUT_TEMPO", "AUT_OPLOSS", "AUT_VERLOF"]


def course_name(year: int) -> str:
    return "CURSUS2J" if year < 2018 else "OPLCURS"


def item_labels(year: int) -> dict[str, dict[int, str]]:
    """Value labels of the answer-coded items of one edition (with the missing codes)."""
    freq = FREQ if year < 2018 else {5 - k: v for k, v in FREQ.items()}
    out = {course_name(year): {1: "ja", 2: "nee"}, "LG_STIMULEERT": SUP}
    out |= {v: freq for v in VARIATION} | {a: AUT for a in AUTONOMY}
    if year in (2020, 2022):
        out |= {"LEERT_TAKEN": LEARN, "LEERT_MENSEN": LEARN}
    return {k: {**v, **MISSING} for k, v in out.items()}


def columns(year: int) -> list[str]:
    cols = ["RESPNR", "JAAR", "STRATUM", "WEGING", "WEGING_P"]
    cols += ["HELFT", "WEGING_H"] if year >= 2022 else []
    cols += ["GESLACHT", "LEEFTIJD", "OPLNIV", "BEDRGR", "CONTRACT", "SBI"]
    return cols + list(item_labels(year))


def random_raw(year: int, n: int, seed: int = 0) -> pd.DataFrame:
    """Random raw data of one year in the raw layout (about 2% user-missing per item)."""
    rng = np.random.default_rng(seed + year)
    df = pd.DataFrame({"RESPNR": np.arange(1, n + 1, dtype=float), "JAAR": float(year)})
    df["STRATUM"] = rng.integers(1, 41, n).astype(float)
    w = rng.gamma(4.0, 1.0, n)
    df["WEGING"] = w / w.sum() * 7.5e6
    df["WEGING_P"] = w / w.mean()
    if year >= 2022:
        df["HELFT"] = rng.integers(1, 3, n).astype(float)
        df["WEGING_H"] = df["WEGING"] * 2.0
    df["GESLACHT"] = rng.integers(1, 3, n).astype(float)
    df["LEEFTIJD"] = rng.integers(15, 75, n).astype(float)
    for var, labels in BACKGROUND.items():
        if var != "GESLACHT":
            df[var] = rng.integers(1, len(labels) + 1, n).astype(float)
    df["SBI"] = np.array(list("ABCDEFGHIJKLMNOPQRS"))[rng.integers(0, 19, n)]
    for var, labels in item_labels(year).items():
        k = len(labels) - 2
        vals = rng.integers(1, k + 1, n).astype(float)
        miss = rng.random(n)
        vals[miss < 0.02] = 8.0
        vals[miss < 0.005] = 9.0
        df[var] = vals
    if year >= 2022:
        half = df["HELFT"].to_numpy()
        df.loc[half == 1, "LG_STIMULEERT"] = np.nan
        df.loc[half == 2, ["LEERT_TAKEN", "LEERT_MENSEN"]] = np.nan
    return df[columns(year)]


def write_sav(df: pd.DataFrame, path: str | Path, year: int) -> Path:
    """Write ``df`` as SPSS with the edition's value labels and user-missing 8/9 on items."""
    labels = {k: v for k, v in (BACKGROUND | item_labels(year)).items() if k in df.columns}
    missing = {k: [8, 9] for k in item_labels(year) if k in df.columns}
    pyreadstat.write_sav(
        df,
        str(path),
        variable_value_labels=labels,
        missing_ranges=missing,
        column_labels={c: c.lower() for c in df.columns},
    )
    return Path(path)


def write_dta(df: pd.DataFrame, path: str | Path, year: int) -> Path:
    labels = {k: v for k, v in (BACKGROUND | item_labels(year)).items() if k in df.columns}
    pyreadstat.write_dta(df, str(path), variable_value_labels=labels)
    return Path(path)
