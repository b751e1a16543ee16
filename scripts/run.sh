#!/usr/bin/env bash
# Builds AlertRelay and runs it on the default config (config/alertrelay.yml): listening on 127.0.0.1:9099,
# accepted webhooks appended to data/outbox.jsonl. Extra arguments go to `alertrelay serve`, e.g.
#   scripts/run.sh --config.file my.yml --log.level debug
# ALERTRELAY_BUILD=debug builds faster than the default release build.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh run

configuration="${ALERTRELAY_BUILD:-release}"
swift build -c "$configuration" --product alertrelay
exec "$(swift build -c "$configuration" --show-bin-path)/alertrelay" serve "$@"
