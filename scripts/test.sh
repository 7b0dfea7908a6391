#!/usr/bin/env bash
# Runs the whole suite on SQLite; then again on PostgreSQL when TEST_DATABASE_URL is set
# (CI sets it), browser tests excepted there: they drive the same views on SQLite.
set -uo pipefail
bin=.venv/bin
status=0
echo "== Test suite on SQLite"
$bin/pytest -p no:cacheprovider "$@" || status=$?
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "== Test suite on PostgreSQL"
  $bin/pytest -p no:cacheprovider -m "not browser" "$@" || status=$?
fi
exit $status
