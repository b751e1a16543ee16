# Part 3, backlog: with 10k, 100k and 1M pending jobs, the cost of one enqueue (a durable commit), one claim
# and one finish on the real store (alertrelay-bench), the on-disk size, and a restart: the time from exec to
# /-/ready and the RSS, with the sink down so the backlog stays.
BACKLOGS=${BACKLOGS:-10000 100000 1000000}
RELAY_PORT=${RELAY_PORT:-19101}

relay_config "$work/backlog.yml" "$RELAY_PORT" backlog-data 'webhook_configs: [{url: "http://127.0.0.1:9/down"}]'

echo
echo "## Backlog: per-operation cost on the real store, and a restart, with N jobs pending" | tee -a "$work/table.md"
echo | tee -a "$work/table.md"
row "pending" "enqueue p50 / p99 µs" "claim p50 / p99 µs" "finish p50 / p99 µs" "on disk MB" "exec to /-/ready s" "RSS MB" "/metrics scrape s"
row "---:" "---:" "---:" "---:" "---:" "---:" "---:" "---:"
rm -rf "$work/backlog-data"
mkdir -p "$work/backlog-data"
for pending in $BACKLOGS; do
  costs=$("$bin/alertrelay-bench" --database "$work/backlog-data/queue.db" --pending "$pending" --payload "$FIXTURE" \
    --sink 'hook/webhook_configs[0]' --samples 300)
  echo "$costs" > "$work/backlog-$pending.json"
  size=$(du -sm "$work/backlog-data" | cut -f1)
  start=$(date +%s.%N)
  "$binary" serve --config.file "$work/backlog.yml" --log.level error > "$work/backlog.log" 2>&1 &
  relay=$!
  wait_ready "$RELAY_PORT"
  end=$(date +%s.%N)
  scrape_start=$(date +%s.%N)
  curl -fs "http://127.0.0.1:$RELAY_PORT/metrics" > /dev/null
  scrape_end=$(date +%s.%N)
  sleep 2
  rss=$(rss_mb "$relay")
  stop "$relay"
  python3 - "$costs" "$pending" "$size" "$start" "$end" "$rss" "$scrape_start" "$scrape_end" <<'PY' | tee -a "$work/table.md"
import json, sys
c = json.loads(sys.argv[1])
pending, size, start, end, rss, s0, s1 = sys.argv[2:]
cell = lambda k: f"{c[k]['p50']:.0f} / {c[k]['p99']:.0f}"
print(f"| {int(pending):,} | {cell('enqueue_us')} | {cell('claim_us')} | {cell('finish_us')} | {size} | {float(end) - float(start):.2f} | {rss} | {float(s1) - float(s0):.2f} |")
PY
done
python3 - "$work" $BACKLOGS <<'PY' | tee -a "$work/table.md"
import json, sys
work, *sizes = sys.argv[1:]
first, last = (json.load(open(f"{work}/backlog-{n}.json")) for n in (sizes[0], sizes[-1]))
print()
for key, name in (("enqueue_us", "enqueue"), ("claim_us", "claim"), ("finish_us", "finish")):
    print(f"- {name} p50 at {int(sizes[-1]):,} / at {int(sizes[0]):,}: **{last[key]['p50'] / first[key]['p50']:.2f}x** (target at most 1.5x)")
PY
