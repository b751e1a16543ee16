#!/usr/bin/env bash
# Runs every test: the Swift unit and HTTP tests, then the end-to-end tests that drive the built binary
# against real peers (a real Alertmanager, an independent Standard Webhooks implementation).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "== swift build"
swift build --build-tests
echo "== swift test"
swift test --skip-build
echo "== end-to-end"
ALERTRELAY_BIN="$(swift build --show-bin-path)/alertrelay" python3 -m pytest Tests/EndToEnd -q -p no:cacheprovider
