#!/usr/bin/env bash
# The whole test suite: lint, types, then pytest on SQLite and on a throwaway PostgreSQL.
set -euo pipefail
venv=${VENV:-.venv}
"$venv/bin/ruff" check src tests bench
"$venv/bin/ruff" format --check src tests bench
"$venv/bin/mypy"

scripts/install-browser.sh || [ "${CI:-}" != "true" ]

pgdir=""
cleanup() { [ -n "$pgdir" ] && scripts/test-postgres.sh stop "$pgdir"; }
trap cleanup EXIT
if [ -z "${BANKCRM_TEST_POSTGRES_URL:-}" ]; then
  pgdir=$(mktemp -d /tmp/bankcrm-pg.XXXXXX)
  if url=$(scripts/test-postgres.sh start "$pgdir"); then
    export BANKCRM_TEST_POSTGRES_URL="$url"
  elif [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL could not be started and CI=true: failing" >&2
    exit 1
  else
    echo "PostgreSQL could not be started: postgres tests will be skipped" >&2
  fi
fi

# Each worker gets one OpenMP thread: two workers on two cores with two spinning OpenMP
# threads each make gradient boosting fits some fifty times slower.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
"$venv/bin/pytest" -m "not slow" -n "${PYTEST_WORKERS:-2}" --dist loadgroup "$@"
