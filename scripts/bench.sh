#!/usr/bin/env bash
# The benchmark suite: ingest (the floor, the ceiling, durable SQLite, adnanh/webhook, the writer's cost), delivery
# rate and end-to-end latency, backlog scale, recovery after an outage, and the PostgreSQL store against SQLite.
# Loopback only, each part bounded in time (about 15 minutes in all on 2 cores).
# Prints every figure with the machine and the commands used, and writes BENCHMARKS.md when all parts ran.
#
#   scripts/bench.sh                      # all parts, writes BENCHMARKS.md
#   scripts/bench.sh ingest backlog       # some parts, printed only
#   DURATION=5 JOBS=20000 BACKLOGS="10000 100000" RECOVERY_JOBS=20000 scripts/bench.sh   # shorter
set -euo pipefail
cd "$(dirname "$0")/.."
all_parts="ingest delivery backlog recovery postgres"
parts=${*:-$all_parts}
source scripts/bench/common.sh
: > "$work/table.md"

bench_header "AlertRelay benchmarks" | tee "$work/header.md"
echo "parts:    $parts"
for part in $parts; do
  [ -f "scripts/bench/$part.sh" ] || { echo "no such part: $part ($all_parts)"; exit 2; }
  source "scripts/bench/$part.sh"
done

summary() {  # the figures issue 18 asks for, side by side, from this run's parts
  python3 - "$work" <<'PY'
import os, sys
work = sys.argv[1]
def value(name, suffix="rps"):
    path = f"{work}/{name}.{suffix}"
    return open(path).read().split()[0] if os.path.exists(path) else "-"
print()
print("## Summary of this run")
print()
print("| measure | result |")
print("| --- | ---: |")
for label, name in [("floor: the HTTP stack and the signature check alone, req/s", "alertrelay-floor"),
                    ("ceiling: the whole request path, nothing stored, req/s", "alertrelay-no-store"),
                    ("durable, SQLite, req/s", "alertrelay-durable" if os.path.exists(f"{work}/alertrelay-durable.rps") else "sqlite-durable"),
                    ("durable, PostgreSQL (1 replica, same machine), req/s", "postgres-1"),
                    ("adnanh/webhook, req/s", "adnanh-webhook")]:
    print(f"| {label} | {value(name)} |")
print(f"| the SQLite writer's wall time per webhook, µs | {value('alertrelay-durable', 'writer')} |")
cpu = open(f"{work}/alertrelay-durable.writer").read().split() if os.path.exists(f"{work}/alertrelay-durable.writer") else []
print(f"| the SQLite writer's CPU time per webhook, µs | {cpu[2] if len(cpu) > 2 else '-'} |")
PY
}
summary | tee -a "$work/table.md"

if [ "$parts" = "$all_parts" ]; then
  {
    echo "# Benchmarks"
    echo
    echo "Written by \`scripts/bench.sh\` (the README's Benchmarks section says what each part does). Numbers on a"
    echo "shared 2-core machine are noisy: compare the ratios measured within one run."
    echo
    echo '```'
    cat "$work/header.md"
    echo "command:  scripts/bench.sh (DURATION=${DURATION} LONG_DURATION=${LONG_DURATION} CONNECTIONS=${CONNECTIONS} JOBS=${JOBS} RATE=${RATE} BACKLOGS=\"${BACKLOGS}\" RECOVERY_JOBS=${RECOVERY_JOBS} RECOVERY_RATE=${RECOVERY_RATE} LEASE=${LEASE})"
    echo '```'
    cat "$work/table.md"
    echo
    cat scripts/bench/limits.md
  } > BENCHMARKS.md
  echo
  echo "wrote BENCHMARKS.md"
fi
