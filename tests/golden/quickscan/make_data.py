"""Write responses.csv: 12 answers of an organisation of 15 (Quickscan answer codes), seeded.

Run from the repository root: python tests/golden/quickscan/make_data.py
"""

from pathlib import Path

import numpy as np

ITEMS = {  # quickscan item id -> number of answers
    "course_2y": 2, "learn_tasks": 3, "learn_people": 3, "var_varied": 4, "var_learn_new": 4,
    "var_creative": 4, "aut_how": 3, "aut_order": 3, "aut_pace": 3, "aut_solutions": 3,
    "aut_leave": 3, "sup_development": 3,
}  # fmt: skip

rng = np.random.default_rng(20261201)
rows = []
for k in range(12):
    row = {item: int(rng.integers(1, m + 1)) for item, m in ITEMS.items()}
    row["team"] = 1 if k < 7 else 2
    rows.append(row)
out = Path(__file__).with_name("responses.csv")
cols = [*ITEMS, "team"]
out.write_text(
    ",".join(cols) + "\n" + "".join(",".join(str(r[c]) for c in cols) + "\n" for r in rows)
)

# the benchmark figures of size class 10-49 in the shipped demo benchmark, for the differences
import json  # noqa: E402

demo = Path(__file__).parents[3] / "src/leercultuur/quickscan/data/benchmark-demo.json"
bench = json.loads(demo.read_text())
lines = ["indicator,estimate,se,ci_low,ci_high"]
for ind in bench["indicators"]:
    cell = ind["company_size"]["10-49"]
    lines.append(
        f"{ind['id']},{cell['estimate']!r},{cell['se']!r},{cell['ci_low']!r},{cell['ci_high']!r}"
    )
out.with_name("bench.csv").write_text("\n".join(lines) + "\n")
