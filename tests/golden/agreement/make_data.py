"""The data of the agreement tests (tests/survey/test_agreement.py): run from the repository root,
``python tests/golden/agreement/make_data.py``; golden.R then computes R's values from it."""

from pathlib import Path

import numpy as np
import pandas as pd


def make() -> pd.DataFrame:
    rng = np.random.default_rng(20261201)
    n = 720
    year = rng.choice([2019, 2020, 2021, 2022], n)
    g = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    # element sample, strata nested in years (stacked yearly samples), one lonely stratum
    stratum = (year - 2019) * 10 + rng.integers(0, 4, n)
    stratum[np.flatnonzero(stratum == 33)[1:]] = 32  # stratum 33: a single row (lonely)
    y = rng.normal(0.0, 1.0, n) + 0.4 * (g == "a") + 0.15 * (year - 2019)
    # a constant domain: every answer of group c is the same
    yk = np.where(g == "c", 2.5, rng.normal(0.0, 1.0, n))
    return pd.DataFrame(
        {
            "year": year,
            "g": g,
            "stratum": stratum,
            "w": rng.uniform(0.5, 3.0, n).round(6),
            "y": y.round(6),
            "yk": yk.round(6),
            "id": np.arange(1, n + 1),
        }
    )


if __name__ == "__main__":
    make().to_csv(Path(__file__).with_name("data.csv"), index=False)
