"""A small harmonised table (docs/data-model.md) with known structure, for monitor tests.

Not the synthetic NEA (that is `leercultuur synth`): a few thousand rows a year, generated in
milliseconds, with a built-in rise in course participation and a lagging low-education group.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

AGE = ["15-24", "25-34", "35-44", "45-54", "55-64", "65-74"]
EDU = ["low", "middle", "high"]
SIZE = ["1-9", "10-49", "50-99", "100-249", "250+"]
CONTRACT = ["permanent", "temporary", "agency", "on_call"]


def make_harmonised(
    years: range = range(2016, 2023), n_per_year: int = 3000, strata: int = 8, seed: int = 1
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for year in years:
        n = n_per_year
        st = rng.integers(1, strata + 1, n)
        edu = rng.choice(3, n, p=[0.2, 0.4, 0.4])
        age = rng.choice(6, n, p=[0.15, 0.2, 0.2, 0.2, 0.2, 0.05])
        base = -0.2 + 0.6 * (edu - 1) - 0.4 * (age >= 4) + 0.05 * (year - years[0])
        course = (rng.random(n) < 1 / (1 + np.exp(-base))).astype(float)
        course[rng.random(n) < 0.02] = np.nan
        half = rng.integers(1, 3, n) if year >= 2022 else np.zeros(n, int)
        w = rng.uniform(50, 150, n) * (1 + 0.1 * st)
        informal = year in (2020, 2022)
        lt = rng.choice([1.0, 2.0, 3.0], n, p=[0.1, 0.5, 0.4]) if informal else np.full(n, np.nan)
        lp = rng.choice([1.0, 2.0, 3.0], n, p=[0.08, 0.52, 0.4]) if informal else np.full(n, np.nan)
        sup = rng.choice([1.0, 2.0, 3.0], n, p=[0.4, 0.35, 0.25])
        if year >= 2022:
            lt[half == 2] = np.nan
            lp[half == 2] = np.nan
            sup[half == 1] = np.nan
        df = pd.DataFrame(
            {
                "year": year,
                "resp_id": [f"{year}-{i}" for i in range(n)],
                "stratum": [f"{year}-{s}" for s in st],
                "weight": w,
                "weight_prop": w / w.mean(),
                "half": pd.array(np.where(half > 0, half, pd.NA), dtype="Int64"),
                "weight_half": np.where(half > 0, 2 * w, w),
                "sex": pd.Categorical(rng.choice(["male", "female"], n), ["male", "female"]),
                "age_class": pd.Categorical.from_codes(age, AGE, ordered=True),
                "education": pd.Categorical.from_codes(edu, EDU, ordered=True),
                "company_size": pd.Categorical.from_codes(rng.choice(5, n), SIZE, ordered=True),
                "contract": pd.Categorical.from_codes(
                    rng.choice(4, n, p=[0.72, 0.17, 0.04, 0.07]), CONTRACT
                ),
                "sector": pd.Categorical(rng.choice(list("CFGKQ"), n)),
                "course": course,
                "learn_tasks": lt,
                "learn_people": lp,
                "sup_support": sup,
            }
        )
        for c in ("var_varied", "var_new", "var_creative"):
            df[c] = rng.choice([1.0, 2.0, 3.0, 4.0], n, p=[0.05, 0.3, 0.45, 0.2])
        for c in ("aut_how", "aut_order", "aut_pace", "aut_solutions", "aut_leave"):
            df[c] = rng.choice([1.0, 2.0, 3.0], n, p=[0.15, 0.3, 0.55])
        parts.append(df)
    return pd.concat(parts, ignore_index=True)


def weight_for(item: str, year: int) -> str:
    """The data model's rule: 2022 half-only items use the half weight."""
    if year >= 2022 and item in ("learn_tasks", "learn_people", "sup_support"):
        return "weight_half"
    return "weight"
