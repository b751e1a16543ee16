#!/usr/bin/env bash
# Delivery benchmark: N jobs queued while the workers are off, then drained to a local HTTP sink that answers
# at once (a second AlertRelay in --bench.discard-ingest mode, which accepts without storing). Prints
# deliveries per second. Loopback only, bounded by N.
#
#   scripts/bench-delivery.sh            # 20000 jobs
#   JOBS=50000 scripts/bench-delivery.sh
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS=${JOBS:-20000}
RELAY_PORT=${RELAY_PORT:-19101}
SINK_PORT=${SINK_PORT:-19102}
source scripts/bench/common.sh
python3 scripts/bench/make_requests.py --count "$JOBS" --secret "$SECRET" \
  --fixture "$FIXTURES/alertmanager/01-firing-2-alerts.json" --out "$work/requests.tsv"

cat > "$work/sink.yml" <<YAML
server: {listen_address: 127.0.0.1:$SINK_PORT}
storage: {path: sink-data}
sources:
  hook: {auth: [{type: none}]}
route: {receiver: none}
receivers: [{name: none}]
YAML
cat > "$work/relay.yml" <<YAML
server: {listen_address: 127.0.0.1:$RELAY_PORT}
storage: {path: data}
sources:
  signed: {auth: [{type: standard-webhooks, secrets: [$SECRET]}]}
route: {receiver: hook}
admin: {token: bench}
receivers:
  - name: hook
    webhook_configs:
      - url: http://127.0.0.1:$SINK_PORT/webhook/hook
        max_concurrency: ${CONCURRENCY:-32}
YAML

wait_ready() { for _ in $(seq 100); do curl -fs "http://127.0.0.1:$1/-/ready" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "not ready on $1"; exit 1; }

"$binary" serve --config.file "$work/sink.yml" --log.level error --bench.discard-ingest > "$work/sink.log" 2>&1 &
wait_ready "$SINK_PORT"

# Fill the queue with the workers off.
"$binary" serve --config.file "$work/relay.yml" --log.level error --bench.no-delivery > "$work/fill.log" 2>&1 &
fill=$!
wait_ready "$RELAY_PORT"
BENCH_REQUESTS="$work/requests.tsv" BENCH_THREADS=2 wrk -t2 -c32 -d60s -s scripts/bench/signed.lua \
  "http://127.0.0.1:$RELAY_PORT" > /dev/null &
wrk_pid=$!
queued() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select count(*) from jobs where state in ('pending','retrying')\").fetchone()[0])" "$work/data/queue.db"; }
until [ "$(queued)" -ge "$JOBS" ]; do sleep 0.5; done
kill "$wrk_pid" 2>/dev/null || true
kill -TERM "$fill"; wait "$fill" || true

bench_header "AlertRelay delivery benchmark"
echo "drain:    $(queued) queued jobs to a local HTTP sink, max_concurrency ${CONCURRENCY:-32}"

start=$(date +%s.%N)
"$binary" serve --config.file "$work/relay.yml" --log.level error > "$work/drain.log" 2>&1 &
drain=$!
until [ "$(queued)" -eq 0 ]; do sleep 0.2; done
end=$(date +%s.%N)
kill -TERM "$drain"; wait "$drain" || true
delivered=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select count(*) from jobs where state = 'delivered'\").fetchone()[0])" "$work/data/queue.db")
python3 -c "import sys; d, s, e = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]); print(f'delivered {d} in {e - s:.1f} s: {d / (e - s):.0f} deliveries/s (start-up included)')" "$delivered" "$start" "$end"
