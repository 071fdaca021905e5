#!/usr/bin/env bash
# The whole test suite: lint, types, pytest on SQLite and on a throwaway PostgreSQL, then the
# date-sensitive folders again with the system clock moved ahead (faketime), so that a test
# which passes today and fails next year fails today. Arguments go to pytest; with any, the
# suite runs as chosen and the moved-clock step is left out.
#   scripts/run-tests.sh [PYTEST-ARGUMENT...]
set -euo pipefail
started=$SECONDS
pgdir=""
finish() {
  local status=$? took=$((SECONDS - started))
  [ -z "$pgdir" ] || scripts/test-postgres.sh stop "$pgdir"
  echo "make test: $([ $status -eq 0 ] && echo passed || echo FAILED) in $((took / 60)) min $((took % 60)) s"
}
trap finish EXIT

venv=${VENV:-.venv}
workers=${PYTEST_WORKERS:-2}
"$venv/bin/ruff" check src tests bench
"$venv/bin/ruff" format --check src tests bench
"$venv/bin/mypy"

scripts/test-system-packages.sh || [ "${CI:-}" != "true" ]

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
"$venv/bin/pytest" -m "not slow" -n "$workers" --dist loadgroup --durations=60 "$@"
[ $# -eq 0 ] || exit 0
if ! command -v faketime >/dev/null; then
  echo "faketime is missing: the tests with the clock moved ahead did not run" >&2
  [ "${CI:-}" != "true" ] || exit 1
  exit 0
fi

# The wall clock moved ahead, the monotonic one left alone: with both faked, pytest-xdist
# hangs at worker shutdown (see tests/conftest.py for what this libfaketime does to sleep).
# libfaketime's "monotonic fix", on by default with glibc, makes timed waits on a condition
# wake at once and spin (15 times the futex calls, every request in a test twice as slow);
# with the monotonic clock left alone it is not needed.
# Deadlines, PDCA due dates, survey windows, retention years, churn windows, campaign windows
# and frequency caps, plan periods and overdue follow-ups, KPI months, incentive pools,
# certificate expiry and the ticket day, five years ahead: past a leap day, a
# year end, the five-year retention and every yearly and monthly boundary in between.
date_sensitive=(tests/complaints tests/quality tests/privacy tests/churn
  tests/campaigns/test_service.py tests/campaigns/test_api.py tests/campaigns/test_pages.py
  tests/campaigns/planning tests/campaigns/prospects tests/staff tests/branches/queue
  tests/offers/test_qualification_gate.py)
ahead=1826d
echo "the date-sensitive tests with the clock $ahead ahead"
FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_FORCE_MONOTONIC_FIX=0 faketime -f "+$ahead" "$venv/bin/pytest" -q \
  -m "not postgres and not browser and not spark and not slow" -n "$workers" \
  --dist loadgroup "${date_sensitive[@]}"
