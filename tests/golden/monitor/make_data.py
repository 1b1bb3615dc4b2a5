"""Writes data.csv: a small harmonised table (tests/monitor/harmonised_fixture.py, seed 7).

Run once with `python tests/golden/monitor/make_data.py`; the CSV is committed and both R
(golden.R) and the tests read it, so Python and R see exactly the same rows.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "monitor"))

from harmonised_fixture import make_harmonised  # noqa: E402

df = make_harmonised(years=range(2016, 2023), n_per_year=1200, strata=6, seed=7)
cols = ["year", "stratum", "weight", "weight_half", "half", "education", "course",
        "learn_tasks", "var_varied", "var_new", "var_creative"]  # fmt: skip
df[cols].to_csv(HERE / "data.csv", index=False)
