# Part 4, recovery: RECOVERY_JOBS jobs queued for a sink that is down for DOWN_SECONDS, with the sink's
# rate_limit at RECOVERY_RATE; then the sink comes back. Time to the first delivery and to an empty queue, and
# the highest rate the sink saw in any second (it must not exceed the configured one).
RECOVERY_JOBS=${RECOVERY_JOBS:-100000}
RECOVERY_RATE=${RECOVERY_RATE:-1000}
DOWN_SECONDS=${DOWN_SECONDS:-10}
RELAY_PORT=${RELAY_PORT:-19101}
SINK_PORT=${SINK_PORT:-19102}

relay_config "$work/recovery.yml" "$RELAY_PORT" recovery-data \
  "webhook_configs: [{url: \"http://127.0.0.1:$SINK_PORT/hook\", max_concurrency: 32, rate_limit: $RECOVERY_RATE}]" \
  "retry: {initial_interval: 1s, max_interval: 5s}"

echo
echo "## Recovery: $RECOVERY_JOBS jobs queued, the sink down for ${DOWN_SECONDS}s, rate_limit $RECOVERY_RATE/s" | tee -a "$work/table.md"
echo | tee -a "$work/table.md"
row "measure" "result"
row "---" "---:"
rm -rf "$work/recovery-data"
mkdir -p "$work/recovery-data"
"$bin/alertrelay-bench" --database "$work/recovery-data/queue.db" --pending "$RECOVERY_JOBS" --payload "$FIXTURE" \
  --sink 'hook/webhook_configs[0]' --samples 0 > /dev/null
"$binary" serve --config.file "$work/recovery.yml" --log.level error > "$work/recovery.log" 2>&1 &
relay=$!
wait_ready "$RELAY_PORT"
sleep "$DOWN_SECONDS"
attempts_down=$(curl -fs "http://127.0.0.1:$RELAY_PORT/metrics" | awk '/^alertrelay_delivery_attempts_total/ {s += $2} END {print s + 0}')
up=$(date +%s.%N)
start_sink "$SINK_PORT" "$work/recovery-arrivals.txt"
until [ "$(waiting "$work/recovery-data/queue.db")" -eq 0 ]; do sleep 0.2; done
end=$(date +%s.%N)
stop "$relay"
stop "$sink_pid"
python3 - "$work/recovery-arrivals.txt" "$up" "$end" "$RECOVERY_JOBS" "$RECOVERY_RATE" "$attempts_down" <<'PY' | tee -a "$work/table.md"
import sys
arrivals_file, up, end, jobs, rate, attempts_down = sys.argv[1:]
up, end, jobs, rate = float(up), float(end), int(jobs), float(rate)
arrivals = sorted(float(line.split()[0]) for line in open(arrivals_file))
per_second = [int(line.split()[1]) for line in open(arrivals_file + ".per-second")]
# The busiest second, leaving out the first and last (partial) ones.
full = per_second[1:-1] or per_second
print(f"| attempts while the sink was down (circuit breaker) | {int(float(attempts_down)):,} |")
print(f"| sink back to first delivery | {arrivals[0] - up:.1f} s |")
print(f"| sink back to empty queue | {end - up:.1f} s for {sum(per_second):,} requests ({jobs / (end - up):.0f} jobs/s) |")
print(f"| busiest second at the sink | {max(full):,} requests (rate_limit {rate:.0f}/s) |")
PY
