# Sourced by the bench scripts: installs wrk, builds the release binary, makes a work directory removed at exit
# (with every process the script started), and prints the header every benchmark run carries.
SECRET=whsec_YmVuY2gtc2lnbmluZy1zZWNyZXQtMDEyMzQ1Njc4OQ==
FIXTURES=${ALERTRELAY_FIXTURES:-../shared/fixtures}

command -v wrk >/dev/null || { sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo; $sudo_cmd apt-get install -y -qq wrk >/dev/null; }
scripts/install-deps.sh >/dev/null
swift build -c release --product alertrelay >/dev/null
binary="$(swift build -c release --show-bin-path)/alertrelay"

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

bench_header() {  # bench_header TITLE
  echo "# $1"
  echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit:   $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "machine:  $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB"
}
