"""A labelled SPSS extract unlike the built-in synthetic NEA (tests/e2e/test_own_files.py).

One stacked file for the odd years 2015-2023, Dutch lower-case names, numeric codes: the stratum
is a plain integer 1..6 repeated every year (so strata must be nested in years), company size
has labels that match no default category, course has a user-missing code 9. ``cluster`` (the
PSU of the clustered variant) nests in (year, stratum), with at least two per stratum.
Run as a script to rewrite the committed copy that golden.R reads:
``python tests/golden/ownfiles/make_extract.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

YEARS = (2015, 2017, 2019, 2021, 2023)
PER_YEAR = 600
HERE = Path(__file__).resolve().parent

LABELS = {
    "jaar": "Jaar van de enquête",
    "respnr": "Respondentnummer",
    "strat": "Steekproefstratum",
    "cluster": "Bedrijf (trekkingseenheid)",
    "gewicht": "Ophoogfactor",
    "geslacht": "Geslacht",
    "leeftijd": "Leeftijd in jaren",
    "opleiding": "Hoogst behaalde opleiding",
    "bedrijfsgrootte": "Bedrijfsgrootte",
    "cursus": "Cursus of opleiding gevolgd in de afgelopen twee jaar",
    "tevreden": "Tevredenheid met het werk",
}
VALUE_LABELS = {
    "geslacht": {1: "man", 2: "vrouw"},
    "opleiding": {1: "laag", 2: "middelbaar", 3: "hoog"},
    "bedrijfsgrootte": {1: "minder dan 10", 2: "10 tot 50", 3: "50 tot 100", 4: "100 tot 250",
                        5: "250 en meer"},
    "cursus": {1: "ja", 2: "nee", 9: "weet niet"},
    "tevreden": {1: "zeer ontevreden", 2: "ontevreden", 3: "neutraal", 4: "tevreden",
                 5: "zeer tevreden"},
}  # fmt: skip


def extract(seed: int = 13) -> pd.DataFrame:
    """The extract's data (deterministic)."""
    rng = np.random.default_rng(seed)
    parts = []
    for k, year in enumerate(YEARS):
        n = PER_YEAR
        strat = rng.integers(1, 7, n)
        cluster = strat * 100 + rng.integers(1, 5, n)  # 4 firms per stratum and year
        edu = rng.choice([1, 2, 3], n, p=[0.25, 0.4, 0.35])
        size = rng.integers(1, 6, n)
        p = 0.30 + 0.02 * k + 0.08 * (edu - 1) + 0.01 * strat + 0.02 * (cluster % 4)
        course = np.where(rng.random(n) < p, 1, 2)
        course = np.where(rng.random(n) < 0.03, 9, course)
        parts.append(
            pd.DataFrame(
                {
                    "jaar": year,
                    "respnr": np.arange(n) + 1 + 10_000 * k,
                    "strat": strat,
                    "cluster": cluster,
                    "gewicht": np.round(rng.gamma(4.0, 250.0, n) * (1 + 0.1 * strat), 3),
                    "geslacht": rng.integers(1, 3, n),
                    "leeftijd": rng.integers(16, 67, n),
                    "opleiding": edu,
                    "bedrijfsgrootte": size,
                    "cursus": course,
                    "tevreden": rng.integers(1, 6, n),
                }
            )
        )
    return pd.concat(parts, ignore_index=True).astype(np.float64)


def write_extract(path: Path, *, psu: bool = False, seed: int = 13) -> Path:
    """Write the extract as a labelled SPSS file (without the cluster column unless ``psu``)."""
    import pyreadstat

    df = extract(seed)
    if not psu:
        df = df.drop(columns="cluster")
    pyreadstat.write_sav(
        df,
        str(path),
        column_labels=[LABELS[c] for c in df.columns],
        variable_value_labels=VALUE_LABELS,
        missing_ranges={"cursus": [9]},
    )
    return path


if __name__ == "__main__":
    write_extract(HERE / "werknemers.sav", psu=True)
