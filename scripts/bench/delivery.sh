# Part 2, delivery: (a) JOBS queued jobs drained to a local HTTP sink that answers at once: deliveries per
# second, start-up included; (b) end-to-end latency, accepted (sent by the client) to received at the sink, at
# a steady RATE webhooks per second for STEADY_SECONDS.
JOBS=${JOBS:-50000}
RATE=${RATE:-1000}
STEADY_SECONDS=${STEADY_SECONDS:-20}
RELAY_PORT=${RELAY_PORT:-19101}
SINK_PORT=${SINK_PORT:-19102}

relay_config "$work/delivery.yml" "$RELAY_PORT" delivery-data \
  "webhook_configs: [{url: \"http://127.0.0.1:$SINK_PORT/hook\", max_concurrency: ${CONCURRENCY:-32}}]"

echo
echo "## Delivery to a local HTTP sink (max_concurrency ${CONCURRENCY:-32})" | tee -a "$work/table.md"
echo | tee -a "$work/table.md"
row "measure" "result" "target"
row "---" "---:" "---:"

# (a) Drain.
rm -rf "$work/delivery-data"
mkdir -p "$work/delivery-data"
"$bin/alertrelay-bench" --database "$work/delivery-data/queue.db" --pending "$JOBS" --payload "$FIXTURE" \
  --sink 'hook/webhook_configs[0]' --samples 0 > /dev/null
start_sink "$SINK_PORT" "$work/drain-arrivals.txt"
start=$(date +%s.%N)
"$binary" serve --config.file "$work/delivery.yml" --log.level error > "$work/drain.log" 2>&1 &
drain=$!
until [ "$(waiting "$work/delivery-data/queue.db")" -eq 0 ]; do sleep 0.1; done
end=$(date +%s.%N)
drain_cpu=$(cpu_seconds "$drain")
stop "$drain"
stop "$sink_pid"
delivered=$(sql "$work/delivery-data/queue.db" "select count(*) from jobs where state = 'delivered'")
row "drain $delivered queued jobs (start-up included)" \
  "$(python3 -c "print(f'{$delivered / ($end - $start):.0f} deliveries/s in {$end - $start:.1f} s, relay CPU $drain_cpu s')")" "2,000/s"

# (b) Steady rate, end to end.
rm -rf "$work/delivery-data"
total=$((RATE * STEADY_SECONDS))
python3 scripts/bench/make_requests.py --count "$total" --secret "$SECRET" --fixture "$FIXTURE" --out "$work/steady.tsv"
start_sink "$SINK_PORT" "$work/steady-arrivals.txt"
"$binary" serve --config.file "$work/delivery.yml" --log.level error > "$work/steady.log" 2>&1 &
relay=$!
wait_ready "$RELAY_PORT"
sent_line=$(python3 scripts/bench/steady.py --requests "$work/steady.tsv" --url "http://127.0.0.1:$RELAY_PORT/webhook/signed" \
  --rate "$RATE" --seconds "$STEADY_SECONDS" --out "$work/sent.txt")
for _ in $(seq 300); do [ "$(waiting "$work/delivery-data/queue.db")" -eq 0 ] && break; sleep 0.1; done
stop "$relay"
stop "$sink_pid"
latency=$(python3 - "$work/sent.txt" "$work/steady-arrivals.txt" <<'PY'
import sys
sent = {}
for line in open(sys.argv[1]):
    t, seq, status = line.split()
    if status in ("200", "202"):
        sent[seq] = float(t)
arrived = {}
for line in open(sys.argv[2]):
    t, seq = line.split()
    arrived.setdefault(seq, float(t))
latencies = sorted((arrived[s] - sent[s]) * 1000 for s in sent if s in arrived)
missing = len(sent) - len(latencies)
p = lambda q: latencies[min(len(latencies) - 1, int(len(latencies) * q))]
print(f"p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, max {latencies[-1]:.1f} ms over {len(latencies)} alerts ({missing} acknowledged not received)")
PY
)
row "end to end at $RATE/s for ${STEADY_SECONDS}s ($sent_line)" "$latency" "p99 < 50 ms"
