#!/usr/bin/env bash
# The Quickscan's proof scripts of issue 17 in one command (loopback only, bounded in time):
#   tests/load/run.sh            # SQLite
#   tests/load/run.sh --pg URL   # and PostgreSQL (e.g. postgresql+psycopg://postgres@127.0.0.1:54330/postgres)
# 1. open-loop load (benchmarks/bench_quickscan_load.py, issue 15) at 50/100/200/300 arrivals/s
# 2. a burst of submissions and wrong-password logins against the real server (test_burst.py)
# 3. kill -9 in the middle of the load, restart, exactly-once check (tests/load/kill9.py)
# 4. fuzzing every OpenAPI operation, anonymous and as HR (test_fuzz_api.py)
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
PG=""
if [ "${1:-}" = "--pg" ]; then PG="$2"; fi
SECONDS_PER_RATE="${SECONDS_PER_RATE:-60}"

echo "== 1. open-loop load, SQLite"
$PY benchmarks/bench_quickscan_load.py --rates 50,100,200,300 --duration "$SECONDS_PER_RATE"
if [ -n "$PG" ]; then
  echo "== 1. open-loop load, PostgreSQL"
  $PY benchmarks/bench_quickscan_load.py --rates 50,100,200,300 --duration "$SECONDS_PER_RATE" --pg "$PG"
fi
echo "== 2. burst (submissions + 100 wrong logins at once)"
DATABASE_URL_TEST="$PG" $PY -m pytest -q -p no:cacheprovider tests/quickscan/test_burst.py
echo "== 3. kill -9 mid-load, SQLite"
$PY tests/load/kill9.py --rate 40 --seconds 16
if [ -n "$PG" ]; then
  echo "== 3. kill -9 mid-load, PostgreSQL"
  $PY tests/load/kill9.py --rate 40 --seconds 16 --pg "$PG"
fi
echo "== 4. API fuzzing (hypothesis over /openapi.json)"
DATABASE_URL_TEST="$PG" $PY -m pytest -q -p no:cacheprovider tests/quickscan/test_fuzz_api.py
