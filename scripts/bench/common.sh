# Sourced by scripts/bench.sh: installs wrk and adnanh/webhook, builds the release binaries, makes a work
# directory removed at exit (with every process the script started), and the helpers every part uses.
SECRET=whsec_YmVuY2gtc2lnbmluZy1zZWNyZXQtMDEyMzQ1Njc4OQ==
FIXTURE="$PWD/Tests/Fixtures/alertmanager/01-firing-2-alerts.json"  # scripts/bench.sh runs from the repository root

missing=""
command -v wrk >/dev/null || missing="$missing wrk"
command -v webhook >/dev/null || missing="$missing webhook"
if [ -n "$missing" ]; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
  $sudo_cmd apt-get install -y -qq $missing >/dev/null
fi
scripts/install-deps.sh test >/dev/null
swift build -c release --product alertrelay >/dev/null
swift build -c release --product alertrelay-bench >/dev/null
bin="$(swift build -c release --show-bin-path)"
binary="$bin/alertrelay"

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

bench_header() {  # bench_header TITLE
  echo "# $1"
  echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit:   $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "machine:  $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB"
}

wait_ready() {  # wait_ready PORT [SCHEME]: until /-/ready answers 200 (10 s at most)
  for _ in $(seq 1000); do curl -fsk "${2:-http}://127.0.0.1:$1/-/ready" >/dev/null 2>&1 && return 0; sleep 0.01; done
  echo "not ready on port $1"; exit 1
}

cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$1/stat"; }
peak_rss_mb() { awk '/VmHWM/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }
rss_mb() { awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }

sql() {  # sql DATABASE QUERY: one value
  python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$1" "$2"
}
waiting() { sql "$1" "select count(*) from jobs where state in ('pending', 'retrying', 'delivering')"; }

start_sink() {  # start_sink PORT RECORD_FILE: the Python sink; sets sink_pid
  python3 scripts/bench/sink.py --port "$1" --record "$2" &
  sink_pid=$!
  for _ in $(seq 200); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.02; done
  echo "sink did not start"; exit 1
}

stop() {  # stop PID: SIGTERM and wait
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

relay_config() {  # relay_config FILE PORT DATA_DIR SINK_YAML [TOP_LEVEL_YAML]: one receiver "hook" with one sink
  cat > "$1" <<YAML
server: {listen_address: 127.0.0.1:$2, max_connections: 1024}
storage: {path: $3}
sources:
  signed: {auth: [{type: standard-webhooks, secrets: [$SECRET]}]}
route: {receiver: hook}
${5:-}
receivers:
  - name: hook
    $4
YAML
}

row() {  # row CELLS...: one row of the results table, printed and kept for BENCHMARKS.md
  local line="|"
  for cell in "$@"; do line="$line $cell |"; done
  echo "$line" | tee -a "$work/table.md"
}

# The wrk load and AlertRelay under it, shared by the ingest and postgres parts.
wrk_run() {  # wrk_run NAME URL SCHEME PATH: the load; leaves NAME.wrk
  BENCH_REQUESTS="$work/$3.tsv" BENCH_THREADS=$THREADS BENCH_SCHEME=$3 BENCH_PATH=$4 \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s scripts/bench/signed.lua "$2" > "$work/$1.wrk"
}

wrk_summary() {  # wrk_summary NAME: "rps p50_ms p99_ms requests non2xx"
  python3 - "$work/$1.wrk" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(value):
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"\s50%\s+(\S+)", text).group(1))
p99 = ms(re.search(r"\s99%\s+(\S+)", text).group(1))
requests = int(re.search(r"(\d+) requests in", text).group(1))
non2xx = int((re.search(r"Non-2xx or 3xx responses: (\d+)", text) or re.search(r"()", "0")).group(1) or 0)
print(f"{rps:.0f} {p50:.2f} {p99:.2f} {requests} {non2xx}")
longest = ms(re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", text).group(1))
open(sys.argv[1].removesuffix(".wrk") + ".latency", "w").write(f"{p99:.2f} {longest:.1f}\n")
PY
}

ingest_run() {  # ingest_run NAME SINK_YAML [serve flags...]
  local name=$1 sink_yaml=$2
  shift 2
  rm -rf "$work/ingest-data"
  relay_config "$work/ingest.yml" "$PORT" ingest-data "$sink_yaml"
  "$binary" serve --config.file "$work/ingest.yml" --log.level error "$@" > "$work/$name.log" 2>&1 &
  local pid=$!
  wait_ready "$PORT"
  local cpu_before
  cpu_before=$(cpu_seconds "$pid")
  wrk_run "$name" "http://127.0.0.1:$PORT" signed /webhook/signed
  local cpu_after rss
  cpu_after=$(cpu_seconds "$pid")
  rss=$(peak_rss_mb "$pid")
  read -r rps p50 p99 requests non2xx < <(wrk_summary "$name")
  local reached="-"
  # The writer's own timers: commit time over webhooks committed (durable runs only).
  { curl -fs "http://127.0.0.1:$PORT/metrics" || true; } | awk '
    /^alertrelay_store_commit_duration_seconds_sum/ {t = $2} /^alertrelay_store_commit_cpu_seconds_sum/ {u = $2}
    /^alertrelay_store_commit_batch_size_sum/ {w = $2} /^alertrelay_store_commit_batch_size_count/ {c = $2}
    END {if (w > 0) printf "%.0f %.1f %.0f\n", t / w * 1e6, w / c, u / w * 1e6; else print "- - -"}' > "$work/$name.writer"
  if [ "$name" = "alertrelay-delivering" ]; then
    local accepted
    accepted=$(curl -fs "http://127.0.0.1:$PORT/metrics" | awk '/^alertrelay_webhooks_received_total.*outcome="accepted"/ {s += $2} END {printf "%d", s}')
    for _ in $(seq 600); do [ "$(waiting "$work/ingest-data/queue.db")" -eq 0 ] && break; sleep 0.1; done
    stop "$pid"
    stop "$sink_pid"
    reached="$(cut -d' ' -f2 "$work/arrivals.txt" | sort -u | wc -l) of $accepted accepted"
  else
    stop "$pid"
  fi
  echo "$rps" > "$work/$name.rps"
  # INGEST_ROW=0: the caller writes a row of its own (the PostgreSQL part's table has fewer columns).
  [ "${INGEST_ROW:-1}" = 0 ] && return
  row "$name" "$rps" "$p50" "$p99" "$non2xx" "$(python3 -c "print(round($cpu_after - $cpu_before, 1))")" "$rss" "$reached"
}
