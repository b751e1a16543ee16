# Part 1, ingest: signed webhooks (the real Alertmanager capture, one distinct alert each) from wrk, 32
# connections, one after the other in the same run, against:
# - the floor: the same server answering 202 after the signature check alone (`--bench.floor`);
# - the ceiling: AlertRelay's whole request path with the store replaced by nothing;
# - AlertRelay with its durable commit, and the SQLite writer's time per webhook read from its own timers
#   (alertrelay_store_commit_duration_seconds over alertrelay_store_commit_batch_size);
# - the same for LONG_DURATION seconds (60), for its p99 and its longest stall;
# - AlertRelay delivering as it takes in (how many accepted reach the sink);
# - adnanh/webhook (one hook, payload-hmac-sha256, running a command that appends a byte to a file: how many of
#   its accepted requests really ran).
DURATION=${DURATION:-10}
LONG_DURATION=${LONG_DURATION:-60}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
PORT=${PORT:-19099}
SINK_PORT=${SINK_PORT:-19102}
# Enough distinct webhooks for the durable runs and the ceiling; the floor may outrun them, and repeats cost it
# the same (it checks signatures, not replays).
count=$((DURATION * 60000))
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
ingest_run alertrelay-floor 'file_configs: [{path: outbox.jsonl}]' --bench.floor
ingest_run alertrelay-no-store 'file_configs: [{path: outbox.jsonl}]' --bench.discard-ingest --bench.no-delivery
ingest_run alertrelay-durable 'file_configs: [{path: outbox.jsonl}]' --bench.no-delivery
# The long run gets a file of its own, signed now, with room for 25,000 webhooks a second.
cp "$work/signed.tsv" "$work/signed-short.tsv"
python3 scripts/bench/make_requests.py --count $((LONG_DURATION * 25000)) --secret "$SECRET" --fixture "$FIXTURE" --out "$work/signed.tsv"
short=$DURATION
DURATION=$LONG_DURATION
ingest_run alertrelay-durable-${LONG_DURATION}s 'file_configs: [{path: outbox.jsonl}]' --bench.no-delivery
DURATION=$short
mv "$work/signed-short.tsv" "$work/signed.tsv"
start_sink "$SINK_PORT" "$work/arrivals.txt"
ingest_run alertrelay-delivering "webhook_configs: [{url: \"http://127.0.0.1:$SINK_PORT/hook\", max_concurrency: 32}]"
webhook_run
python3 - "$work" "$LONG_DURATION" <<'PY' | tee -a "$work/table.md"
import sys
work, long = sys.argv[1], sys.argv[2]
rps = lambda name: float(open(f"{work}/{name}.rps").read())
floor, ceiling, durable, webhook = rps("alertrelay-floor"), rps("alertrelay-no-store"), rps("alertrelay-durable"), rps("adnanh-webhook")
print()
print(f"- no-store ceiling / floor: **{ceiling / floor:.2f}** (goal at least 0.6)")
print(f"- durable / no-store ceiling: **{durable / ceiling:.2f}** (goal at least 0.75)")
print(f"- durable / adnanh/webhook: **{durable / webhook:.2f}** (goal at least 1.5; 2 is the aim)")
for name in ("alertrelay-durable", f"alertrelay-durable-{long}s"):
    writer = open(f"{work}/{name}.writer").read().split()
    print(f"- {name}: the SQLite writer's time per webhook **{writer[0]} µs** wall, **{writer[2]} µs** of its thread's CPU ({writer[1]} webhooks a commit on average; goal at most 60 µs)")
p99, longest = open(f"{work}/alertrelay-durable-{long}s.latency").read().split()
print(f"- durable over {long} s: p99 **{p99} ms**, longest wait **{longest} ms** (goal: p99 under 10 ms, no stall over 50 ms)")
PY
