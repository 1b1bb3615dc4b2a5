#!/usr/bin/env bash
# The Quickscan's proof scripts of issue 17 in one command (loopback only, bounded in time):
#   tests/load/run.sh                       # SQLite
#   tests/load/run.sh --pg URL              # and PostgreSQL (postgresql+psycopg://...)
#   tests/load/run.sh --duration 10 [...]   # a quick run (default: 60 s per rate)
# 1-3. tests/load/run_all.py: open-loop load at 50/100/200/300 arrivals/s, the login burst
#      (500 wrong passwords in 10 s while respondents answer), kill -9 mid-load + restart with the
#      exactly-once check; on SQLite and, with --pg, PostgreSQL. Exit 1 if a proof fails or the
#      200/s target is missed.
# 4.   the burst test (50 HTML + 50 JSON submissions + 100 wrong logins at once, real server)
# 5.   fuzzing every OpenAPI operation, anonymous and as HR (test_fuzz_api.py)
set -uo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
PG=""
args=("$@")
while [ $# -gt 0 ]; do
  if [ "$1" = "--pg" ]; then PG="$2"; shift; fi
  shift
done
rc=0
echo "== 1-3. load, login burst, kill -9 (tests/load/run_all.py)"
$PY tests/load/run_all.py "${args[@]}" || rc=1
echo "== 4. burst (submissions + 100 wrong logins at once)"
DATABASE_URL_TEST="$PG" $PY -m pytest -q -p no:cacheprovider tests/quickscan/test_burst.py || rc=1
echo "== 5. API fuzzing (hypothesis over /openapi.json)"
DATABASE_URL_TEST="$PG" $PY -m pytest -q -p no:cacheprovider tests/quickscan/test_fuzz_api.py || rc=1
exit $rc
