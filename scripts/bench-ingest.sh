#!/usr/bin/env bash
# Ingest benchmark: signed Alertmanager webhooks (the real 0.25 capture, a distinct alert per request, Standard
# Webhooks signatures) from wrk over loopback, against AlertRelay with its durable commit and against the same
# binary with the store replaced by nothing (the ceiling of this stack). Three runs:
#   durable-commit       every webhook committed durably before its 2xx; delivery workers off
#   no-store-ceiling     the same binary with the commit replaced by nothing
#   durable+delivering   the whole system: the file sink drains the queue while ingest goes on
# Prints requests per second, latency percentiles, server CPU and peak RSS, and the ratios.
#
#   scripts/bench-ingest.sh                 # 32 connections, 5 s each
#   DURATION=10 CONNECTIONS=64 scripts/bench-ingest.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
PORT=${PORT:-19099}
source scripts/bench/common.sh
count=$((DURATION * 30000))
python3 scripts/bench/make_requests.py --count "$count" --secret "$SECRET" \
  --fixture "$FIXTURES/alertmanager/01-firing-2-alerts.json" --out "$work/requests.tsv"

# The receiver's sink: the file sink by default (its deliveries share the machine with ingest, as in
# production); BENCH_SINK replaces it, e.g. BENCH_SINK='webhook_configs: [{url: "http://127.0.0.1:9/x"}]'.
sink_yaml='file_configs: [{path: outbox.jsonl}]'
if [ -n "${BENCH_SINK:-}" ]; then sink_yaml=$BENCH_SINK; fi
cat > "$work/alertrelay.yml" <<YAML
server: {listen_address: 127.0.0.1:$PORT}
storage: {path: data}
sources:
  signed:
    auth: [{type: standard-webhooks, secrets: [$SECRET]}]
route: {receiver: outbox}
receivers:
  - name: outbox
    $sink_yaml
YAML

bench_header "AlertRelay ingest benchmark"
echo "load:     wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $count distinct signed webhooks of $(wc -c < "$FIXTURES/alertmanager/01-firing-2-alerts.json") bytes"
echo

run() {  # run NAME [serve flags...]
  local name=$1
  shift
  rm -rf "$work/data"
  "$binary" serve --config.file "$work/alertrelay.yml" --log.level error "$@" > "$work/$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/-/ready" >/dev/null 2>&1 && break; sleep 0.1; done
  if ! kill -0 "$pid" 2>/dev/null; then echo "alertrelay did not start:"; cat "$work/$name.log"; exit 1; fi
  local cpu_before
  cpu_before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  BENCH_REQUESTS="$work/requests.tsv" BENCH_THREADS=$THREADS \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s scripts/bench/signed.lua \
    "http://127.0.0.1:$PORT" > "$work/$name.wrk"
  local cpu_after rss
  cpu_after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  kill -TERM "$pid"
  wait "$pid" || true
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/$name.wrk")
  p50=$(awk '$1 == "50%" {print $2}' "$work/$name.wrk")
  p99=$(awk '$1 == "99%" {print $2}' "$work/$name.wrk")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$work/$name.wrk")
  local queued="-"
  if [ -f "$work/data/queue.db" ]; then
    queued=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from jobs').fetchone()[0])" "$work/data/queue.db")
  fi
  printf '%-22s %10s req/s   p50 %-9s p99 %-9s non-2xx %-6s jobs stored %-8s server CPU %ss  peak RSS %s MB\n' \
    "$name" "$rps" "$p50" "$p99" "${non2xx:-0}" "$queued" "$(( (cpu_after - cpu_before) / $(getconf CLK_TCK) ))" "$((rss / 1024))"
  echo "$rps" > "$work/$name.rps"
}

run durable-commit --bench.no-delivery
run no-store-ceiling --bench.discard-ingest
run durable+delivering
echo
python3 - "$work/durable-commit.rps" "$work/no-store-ceiling.rps" "$work/durable+delivering.rps" <<'PY'
import sys
commit, ceiling, delivering = (float(open(p).read()) for p in sys.argv[1:])
print(f"cost of durability: durable-commit / no-store-ceiling = {commit / ceiling:.2f}  (goal: at least 0.5)")
print(f"whole system:       durable+delivering / no-store-ceiling = {delivering / ceiling:.2f}"
      "  (the file sink drains the queue on the same cores as ingest and wrk)")
PY
