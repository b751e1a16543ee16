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
scripts/install-deps.sh >/dev/null
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
