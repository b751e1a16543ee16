#!/usr/bin/env bash
# The benchmark suite: ingest against adnanh/webhook, delivery rate and end-to-end latency, backlog scale and
# recovery after an outage, and the PostgreSQL store against SQLite (`scripts/bench.sh postgres`). Loopback only, each part bounded in time (about 8 minutes in all on 2 cores).
# Prints every figure with the machine and the commands used, and writes BENCHMARKS.md when all parts ran.
#
#   scripts/bench.sh                      # all parts, writes BENCHMARKS.md
#   scripts/bench.sh ingest backlog       # some parts, printed only
#   DURATION=5 JOBS=20000 BACKLOGS="10000 100000" RECOVERY_JOBS=20000 scripts/bench.sh   # shorter
set -euo pipefail
cd "$(dirname "$0")/.."
parts=${*:-ingest delivery backlog recovery}
source scripts/bench/common.sh
: > "$work/table.md"

bench_header "AlertRelay benchmarks" | tee "$work/header.md"
echo "parts:    $parts"
for part in $parts; do
  [ -f "scripts/bench/$part.sh" ] || { echo "no such part: $part (ingest, delivery, backlog, recovery, postgres)"; exit 2; }
  source "scripts/bench/$part.sh"
done

if [ "$parts" = "ingest delivery backlog recovery" ]; then
  {
    echo "# Benchmarks"
    echo
    echo "Written by \`scripts/bench.sh\` (the README's Benchmarks section says what each part does). Numbers on a"
    echo "shared 2-core machine are noisy: compare the ratios measured within one run."
    echo
    echo '```'
    cat "$work/header.md"
    echo "command:  scripts/bench.sh (DURATION=${DURATION} CONNECTIONS=${CONNECTIONS} JOBS=${JOBS} RATE=${RATE} BACKLOGS=\"${BACKLOGS}\" RECOVERY_JOBS=${RECOVERY_JOBS} RECOVERY_RATE=${RECOVERY_RATE})"
    echo '```'
    cat "$work/table.md"
    echo
    cat scripts/bench/limits.md
  } > BENCHMARKS.md
  echo
  echo "wrote BENCHMARKS.md"
fi
