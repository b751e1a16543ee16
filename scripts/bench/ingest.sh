# Part 1, ingest: signed webhooks (the real Alertmanager capture, one distinct alert each) from wrk, 32
# connections, against AlertRelay with its durable commit, against AlertRelay with the store replaced by
# nothing (the ceiling of this stack), against AlertRelay delivering as it takes in (how many accepted reach the
# sink), and against adnanh/webhook (one hook, payload-hmac-sha256, running a command that appends a byte to a
# file: how many of its accepted requests really ran). One after the other, in the same run.
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
PORT=${PORT:-19099}
SINK_PORT=${SINK_PORT:-19102}
count=$((DURATION * 40000))
python3 scripts/bench/make_requests.py --count "$count" --secret "$SECRET" --fixture "$FIXTURE" --out "$work/signed.tsv"
python3 scripts/bench/make_requests.py --count "$count" --secret "$SECRET" --fixture "$FIXTURE" --out "$work/hex.tsv" --hex

webhook_run() {
  local hits="$work/webhook-ran"
  : > "$hits"
  printf '#!/bin/sh\nprintf x >> %s\n' "$hits" > "$work/append.sh"
  chmod +x "$work/append.sh"
  cat > "$work/hooks.json" <<JSON
[{"id": "alert", "execute-command": "$work/append.sh", "command-working-directory": "$work",
  "trigger-rule": {"match": {"type": "payload-hmac-sha256", "secret": "$SECRET",
                             "parameter": {"source": "header", "name": "X-Hub-Signature-256"}}}}]
JSON
  webhook -hooks "$work/hooks.json" -ip 127.0.0.1 -port "$PORT" > "$work/webhook.log" 2>&1 &
  local pid=$!
  for _ in $(seq 200); do (echo > "/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.02; done
  local cpu_before
  cpu_before=$(cpu_seconds "$pid")
  wrk_run adnanh-webhook "http://127.0.0.1:$PORT" hex /hooks/alert
  sleep 3  # the commands it started after answering
  local cpu_after rss
  cpu_after=$(cpu_seconds "$pid")
  rss=$(peak_rss_mb "$pid")
  stop "$pid"
  read -r rps p50 p99 requests non2xx < <(wrk_summary adnanh-webhook)
  echo "$rps" > "$work/adnanh-webhook.rps"
  row "adnanh/webhook 2.8" "$rps" "$p50" "$p99" "$non2xx" "$(python3 -c "print(round($cpu_after - $cpu_before, 1))")" "$rss" \
    "$(wc -c < "$hits") ran of $((requests - non2xx)) answered 2xx"
}

echo
echo "## Ingest: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, distinct signed webhooks of $(wc -c < "$FIXTURE") bytes" | tee -a "$work/table.md"
echo | tee -a "$work/table.md"
row "server" "req/s" "p50 ms" "p99 ms" "non-2xx" "server CPU s" "peak RSS MB" "accepted that reached the sink / really ran"
row "---" "---:" "---:" "---:" "---:" "---:" "---:" "---"
ingest_run alertrelay-durable 'file_configs: [{path: outbox.jsonl}]' --bench.no-delivery
ingest_run alertrelay-no-store 'file_configs: [{path: outbox.jsonl}]' --bench.discard-ingest --bench.no-delivery
start_sink "$SINK_PORT" "$work/arrivals.txt"
ingest_run alertrelay-delivering "webhook_configs: [{url: \"http://127.0.0.1:$SINK_PORT/hook\", max_concurrency: 32}]"
webhook_run
python3 - "$work" <<'PY' | tee -a "$work/table.md"
import sys
rps = lambda name: float(open(f"{sys.argv[1]}/{name}.rps").read())
durable, ceiling, webhook = rps("alertrelay-durable"), rps("alertrelay-no-store"), rps("adnanh-webhook")
print()
print(f"- durable / no-store ceiling: **{durable / ceiling:.2f}** (target at least 0.5)")
print(f"- durable / adnanh/webhook: **{durable / webhook:.2f}** (target at least 2)")
PY
