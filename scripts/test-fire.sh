#!/usr/bin/env bash
# Sends a test alert through a running AlertRelay and prints what each sink answered; exit status 1 if a sink
# failed. By default: the default config's service (scripts/run.sh) and every sink of its receiver.
#
#   scripts/test-fire.sh                                    # --receiver outbox
#   scripts/test-fire.sh --receiver oncall-email --wait 60s
#   scripts/test-fire.sh --label severity=critical --label alertname=LiteLLMDown
#
# ALERTRELAY_URL (default http://127.0.0.1:9099) and ALERTRELAY_ADMIN_TOKEN (default: the default config's
# demo token) say where and how.
set -euo pipefail
cd "$(dirname "$0")/.."

binary=""
for candidate in .build/release/alertrelay .build/debug/alertrelay; do
  if [[ -x $candidate ]]; then binary=$candidate; break; fi
done
if [[ -z $binary ]]; then
  swift build --product alertrelay >&2
  binary=.build/debug/alertrelay
fi

export ALERTRELAY_ADMIN_TOKEN=${ALERTRELAY_ADMIN_TOKEN:-demo-admin-token}
args=("$@")
if [[ $# -eq 0 ]]; then args=(--receiver outbox); fi
exec "$binary" test-fire --url "${ALERTRELAY_URL:-http://127.0.0.1:9099}" "${args[@]}"
