"""Benchmark: render the whole report (HTML with charts as SVG + PNG, Excel, findings) for a
monitor result of full size. Target: under 20 s on a 2-core machine.

The result is synthesised with the monitor's full shape (default spec: 20 indicators, 11 years,
6 breakdowns with 39 groups; estimates, comparisons, trends and associations as in
docs/outputs.md) by ``tests/report/result_factory.py``; building it is not timed.

    PYTHONPATH=src python benchmarks/bench_report.py [--out DIR] [--lang nl|en] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "report"))  # the result factory shared with the tests

from result_factory import full_result  # noqa: E402

from leercultuur.report import render_report  # noqa: E402

TARGET_S = 20.0


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--out", type=Path, default=None, help="keep the report here")
    ap.add_argument("--lang", default="nl", choices=["nl", "en"])
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    result = full_result()
    shape = {
        "indicators": int(result.estimates["indicator"].nunique()),
        "years": int(result.estimates["year"].nunique()),
        "groups": int(result.estimates[["breakdown", "group"]].drop_duplicates().shape[0] - 1),
        "estimates": len(result.estimates),
        "comparisons": len(result.comparisons),
        "trends": len(result.trends),
    }
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            files = render_report(result, out, lang=args.lang)
            times.append(time.perf_counter() - t0)
        sizes = {
            "html_bytes": files.html.stat().st_size,
            "excel_bytes": files.excel.stat().st_size,
            "chart_files": len(files.charts),
        }
    best = min(times)
    print(
        json.dumps(
            {
                "shape": shape,
                **sizes,
                "seconds": [round(t, 2) for t in times],
                "best": round(best, 2),
                "target": TARGET_S,
                "ok": best < TARGET_S,
            },
            indent=2,
        )
    )
    if best >= TARGET_S:
        sys.exit(1)


if __name__ == "__main__":
    main()
