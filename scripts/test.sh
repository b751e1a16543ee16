#!/usr/bin/env bash
# Runs every test: the Swift unit and HTTP tests, the end-to-end tests that drive the built binary against
# real peers (a real Alertmanager, an independent Standard Webhooks implementation, an SMTP server), then a
# short round of fuzzing (FUZZ_SECONDS, default 60; 0 skips it; scripts/fuzz.sh runs longer).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test

echo "== swift build"
swift build --build-tests
# A private PostgreSQL cluster for the shared store's tests, stopped on any exit.
eval "$(scripts/postgres-cluster.sh start)"
trap 'scripts/postgres-cluster.sh stop "$ALERTRELAY_TEST_PGDATA"' EXIT
echo "== swift test (PostgreSQL at ${ALERTRELAY_TEST_POSTGRES_URL})"
swift test --skip-build
echo "== end-to-end"
ALERTRELAY_BIN="$(swift build --show-bin-path)/alertrelay" .venv/bin/python -m pytest Tests/EndToEnd -q -p no:cacheprovider
if [ "${FUZZ_SECONDS:-60}" != 0 ]; then
  echo "== fuzzing"
  FUZZ_SECONDS=${FUZZ_SECONDS:-60} scripts/fuzz.sh
fi
