"""Generate the seeded synthetic stratified multi-year survey used by the part-2 goldens.

Run once: ``python tests/golden/part2/make_synth.py`` writes ``data/synth_years.csv``. The file is
committed; R (``golden_part2.R``) and the tests read the CSV, so this script only documents how it
was made. Layout: 6 years x 5 strata (year-specific, as stacked yearly files) x 6 PSUs x ~40 rows,
weights varying by stratum and row, a 4-level group, a numeric ``y`` with a downward trend and
about 6% missing values, a 3-category ``cat`` with about 5% missing, a binary ``bin`` and a
numeric covariate ``x1``.
"""

from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(20261128)
rows = []
for year in range(2016, 2022):
    for s in range(1, 6):
        for p in range(1, 7):
            m = int(rng.integers(30, 50))
            psu_eff = rng.normal(0, 0.4)
            grp = rng.choice(["a", "b", "c", "d"], size=m, p=[0.4, 0.3, 0.2, 0.1])
            x1 = rng.normal(0, 1, m)
            geff = pd.Series(grp).map({"a": 0.0, "b": 0.3, "c": -0.4, "d": 0.6}).to_numpy()
            y = 3 - 0.05 * (year - 2016) + geff + 0.5 * x1 + psu_eff + rng.normal(0, 1, m)
            eta = -0.2 + 0.08 * (year - 2016) + geff + 0.3 * x1
            prob = np.exp(np.column_stack([np.zeros(m), eta, 0.5 * eta + 0.2 * s]))
            prob /= prob.sum(axis=1, keepdims=True)
            cat = np.array(["lo", "mid", "hi"])[(rng.random(m)[:, None] > prob.cumsum(1)).sum(1)]
            binv = (rng.random(m) < 1 / (1 + np.exp(-eta))).astype(float)
            w = np.round((50 + 40 * s) * rng.uniform(0.5, 1.5, m), 3)
            for i in range(m):
                rows.append(
                    {
                        "year": year,
                        "stratum": f"{year}-{s}",
                        "psu": f"{year}-{s}-{p}",
                        "w": w[i],
                        "grp": grp[i],
                        "x1": round(float(x1[i]), 4),
                        "y": round(float(y[i]), 4),
                        "cat": cat[i],
                        "bin": binv[i],
                    }
                )
df = pd.DataFrame(rows)
df.loc[rng.random(len(df)) < 0.06, "y"] = np.nan
df.loc[rng.random(len(df)) < 0.05, "cat"] = None
out = Path(__file__).parent / "data" / "synth_years.csv"
df.to_csv(out, index=False)
print(out, len(df), df["y"].isna().sum(), df["cat"].isna().sum())
