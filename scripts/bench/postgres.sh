# Part 5, PostgreSQL: the shared store against SQLite, in the same run, on a private cluster on this machine.
# Durable ingest (delivery off) on SQLite, on PostgreSQL with one replica, and with two replicas side by side
# (half the connections each); the drain of what two replicas accepted; failover: the time from SIGKILL of the
# replica delivering a sink to the delivery of the jobs it held and of the rest.
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
PORT=${PORT:-19099}
SINK_PORT=${SINK_PORT:-19102}
LEASE=${LEASE:-5s}
count=$((DURATION * 40000))
# Signed now: a file from the ingest part, minutes ago, may be past the timestamps' tolerance.
python3 scripts/bench/make_requests.py --count "$count" --secret "$SECRET" --fixture "$FIXTURE" --out "$work/signed.tsv"
# The second replica's load: other alerts (the same ones at once would be answered 409, "being accepted").
python3 scripts/bench/make_requests.py --count "$count" --first "$count" --secret "$SECRET" --fixture "$FIXTURE" --out "$work/signed-b.tsv"

cluster=$(scripts/postgres-cluster.sh start) || { echo "the PostgreSQL cluster did not start"; exit 1; }
eval "$cluster"
pg_stop() { [ -d "${ALERTRELAY_TEST_PGDATA:-}" ] && scripts/postgres-cluster.sh stop "$ALERTRELAY_TEST_PGDATA"; true; }
trap 'pg_stop; kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
psql_value() { psql -qtAX "$ALERTRELAY_TEST_POSTGRES_URL" -c "$1"; }

pg_config() {  # pg_config FILE PORT DATA SCHEMA SINK_YAML
  relay_config "$1" "$2" "$3" "$5"
  sed -i "s|^storage: .*|storage: {type: postgres, url: \"$ALERTRELAY_TEST_POSTGRES_URL\", schema: $4, tls: disable, path: $3, lease: $LEASE, pool_size: 20}|" "$1"
}

half_wrk() {  # half_wrk NAME PORT CONNECTIONS REQUESTS: one of two loads run side by side
  BENCH_REQUESTS="$4" BENCH_THREADS=1 BENCH_SCHEME=signed BENCH_PATH=/webhook/signed \
    wrk -t1 -c"$3" -d"${DURATION}s" --latency -s scripts/bench/signed.lua "http://127.0.0.1:$2" > "$work/$1.wrk"
}

echo
echo "## PostgreSQL: wrk -c$CONNECTIONS -d${DURATION}s, durable ingest with delivery off; private PostgreSQL $(psql_value 'show server_version') on this machine (synchronous_commit $(psql_value 'show synchronous_commit'))" | tee -a "$work/table.md"
echo | tee -a "$work/table.md"
row "store" "req/s" "p50 ms" "p99 ms" "non-2xx"
row "---" "---:" "---:" "---:" "---:"
INGEST_ROW=0 ingest_run sqlite-durable 'file_configs: [{path: outbox.jsonl}]' --bench.no-delivery
read -r rps p50 p99 requests non2xx < <(wrk_summary sqlite-durable)
row "SQLite (one process)" "$rps" "$p50" "$p99" "$non2xx"

hook="webhook_configs: [{url: \"http://127.0.0.1:$SINK_PORT/hook\", max_concurrency: 32, timeout: 2s}]"  # delivery off while ingesting
pg_config "$work/pg1.yml" "$PORT" pg-data-1 bench1 "$hook"
"$binary" serve --config.file "$work/pg1.yml" --log.level error --bench.no-delivery > "$work/pg1.log" 2>&1 &
pid=$!
wait_ready "$PORT"
wrk_run postgres-1 "http://127.0.0.1:$PORT" signed /webhook/signed
stop "$pid"
read -r rps p50 p99 requests non2xx < <(wrk_summary postgres-1)
echo "$rps" > "$work/postgres-1.rps"
row "PostgreSQL, 1 replica" "$rps" "$p50" "$p99" "$non2xx"

pg_config "$work/pg2a.yml" "$PORT" pg-data-2a bench2 "$hook"
pg_config "$work/pg2b.yml" "$((PORT + 1))" pg-data-2b bench2 "$hook"
"$binary" serve --config.file "$work/pg2a.yml" --log.level error --bench.no-delivery > "$work/pg2a.log" 2>&1 &
a=$!
"$binary" serve --config.file "$work/pg2b.yml" --log.level error --bench.no-delivery > "$work/pg2b.log" 2>&1 &
b=$!
wait_ready "$PORT"
wait_ready "$((PORT + 1))"
half_wrk postgres-2a "$PORT" $((CONNECTIONS / 2)) "$work/signed.tsv" &
w=$!
half_wrk postgres-2b "$((PORT + 1))" $((CONNECTIONS / 2)) "$work/signed-b.tsv"
wait "$w"
stop "$a"
stop "$b"
read -r rps_a p50 p99 requests_a non2xx_a < <(wrk_summary postgres-2a)
read -r rps_b p50_b p99_b requests_b non2xx_b < <(wrk_summary postgres-2b)
row "PostgreSQL, 2 replicas (sum; p50/p99 of the first)" "$(python3 -c "print(round($rps_a + $rps_b))")" "$p50" "$p99" "$((non2xx_a + non2xx_b))"

# Drain: what the two replicas accepted, delivered by the two (one owns the sink at a time).
accepted=$(psql_value "select count(*) from bench2.jobs")
start_sink "$SINK_PORT" "$work/pg-arrivals.txt"
began=$(date +%s.%N)
"$binary" serve --config.file "$work/pg2a.yml" --log.level error > "$work/pg2a-drain.log" 2>&1 &
a=$!
"$binary" serve --config.file "$work/pg2b.yml" --log.level error > "$work/pg2b-drain.log" 2>&1 &
b=$!
until [ "$(psql_value "select count(*) from bench2.jobs where state <> 'delivered'")" -eq 0 ]; do sleep 0.2; done
drained=$(python3 -c "print(round($(date +%s.%N) - $began, 1))")
echo
row "measure" "result"
row "---" "---:"
row "drain of $accepted jobs by 2 replicas (one delivers the sink)" "${drained} s ($(python3 -c "print(round($accepted / $drained))")/s)"

# Failover: a backlog for the sink, then SIGKILL of the replica that owns it.
stop "$a"
stop "$b"
psql_value "update bench2.jobs set state = 'pending', next_attempt_at = 0, lease_until = NULL" > /dev/null
total=$(psql_value "select count(*) from bench2.jobs")
: > "$work/pg-arrivals.txt"
"$binary" serve --config.file "$work/pg2a.yml" --log.level error > "$work/pg2a-fail.log" 2>&1 &
a=$!
sleep 1.5  # a owns the sink and is delivering
"$binary" serve --config.file "$work/pg2b.yml" --log.level error > "$work/pg2b-fail.log" 2>&1 &
b=$!
wait_ready "$((PORT + 1))"
kill -KILL "$a"
killed=$(date +%s.%N)
held=$(psql_value "select count(*) from bench2.jobs where state = 'delivering'")
until [ "$(psql_value "select count(*) from bench2.jobs where state <> 'delivered'")" -eq 0 ]; do sleep 0.1; done
done_at=$(date +%s.%N)
stop "$b"
stop "$sink_pid"  # the sink writes its arrivals when it stops
first_after=$(python3 - "$work/pg-arrivals.txt" "$killed" <<'PY'
import sys
killed = float(sys.argv[2])
times = [float(line.split()[0]) for line in open(sys.argv[1]) if line.strip()]
after = [t for t in times if t > killed]
print(round(min(after) - killed, 2) if after else "-")
PY
)
row "failover: SIGKILL of the owning replica ($held jobs held, lease $LEASE), to the other's first delivery" "${first_after} s"
row "failover: to the delivery of all $total jobs" "$(python3 -c "print(round($done_at - $killed, 1))") s"
