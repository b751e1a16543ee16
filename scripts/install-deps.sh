#!/usr/bin/env bash
# Installs what AlertRelay needs on a Debian machine that has the Swift toolchain, and only what is missing.
#   scripts/install-deps.sh run    # building and running: system libraries (scripts/run.sh)
#   scripts/install-deps.sh test   # and the tests' real peers and Python tools (scripts/test.sh)
#
# The tests use the peers' binaries only (alertmanager, amtool, promtool, PostgreSQL's initdb and postgres):
# no service of a package installed here is left running or enabled (policy-rc.d blocks the start during the
# install, and systemd units of packages this run installed are disabled), and no default PostgreSQL cluster is
# created. Python test tools go into a virtual environment, .venv (Debian's own Python refuses `pip install`).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-test}

run_packages=(
  libcurl4-openssl-dev    # outbound traffic (SMTP, Slack, HTTP sinks) goes through libcurl
  libssl-dev              # TLS for libcurl and the listener
  libsqlite3-dev          # the durable queue's store
  libre2-dev              # RE2: the regular expression engine of Go, so of Alertmanager's =~ matchers
  tzdata                  # time zones for time_intervals (location: Europe/Berlin)
  pkg-config              # finds libcurl for the CCurl module
)
test_packages=(
  prometheus-alertmanager # a real Alertmanager for the end-to-end tests (with amtool, the routing oracle)
  prometheus              # promtool: the shipped Prometheus config and rules are checked and unit-tested
  postgresql              # the shared store's tests run against a private cluster (scripts/postgres-cluster.sh)
  python3-venv            # the tests' virtual environment
  curl
)
# Services those packages would start and enable: stopped and disabled when this run installed them.
test_services=(prometheus prometheus-alertmanager postgresql)
pip_packages=(
  pytest            # end-to-end test runner
  requests          # HTTP client for the end-to-end tests
  standardwebhooks  # an independent Standard Webhooks signer and verifier
  aiosmtpd          # a real SMTP server (STARTTLS, AUTH) for the email sink tests
  cryptography      # a self-signed certificate for that server
  pyyaml            # reads the shipped Compose file, manifests and rules in the deploy tests
)

case $mode in
  run) packages=("${run_packages[@]}") ;;
  test) packages=("${run_packages[@]}" "${test_packages[@]}") ;;
  *) echo "usage: scripts/install-deps.sh [run|test]" >&2; exit 64 ;;
esac

if ! command -v swift >/dev/null 2>&1; then
  echo "install-deps: the Swift toolchain (6.1 or later) is not on PATH; install it first (swift.org/install)." >&2
  exit 1
fi

sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  if [[ " ${missing[*]} " == *" postgresql "* ]]; then
    # The tests start a private cluster of their own: Debian's default cluster is not wanted.
    $sudo_cmd mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" | $sudo_cmd tee /etc/postgresql-common/createcluster.d/alertrelay.conf >/dev/null
  fi
  # No daemon starts during the install (invoke-rc.d and deb-systemd-invoke honour policy-rc.d).
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\n# scripts/install-deps.sh: no service starts while it installs test peers.\nexit 101\n' | $sudo_cmd tee "$policy" >/dev/null
    $sudo_cmd chmod 0755 "$policy"
    trap '$sudo_cmd rm -f "$policy"' EXIT
  fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ -n "$policy" ]; then $sudo_cmd rm -f "$policy"; trap - EXIT; fi
  # Nor does one start at the next boot: units of the packages installed just now are disabled.
  if [ -d /run/systemd/system ]; then
    for service in "${test_services[@]}"; do
      if [[ " ${missing[*]} " == *" ${service} "* ]] && systemctl list-unit-files "$service.service" >/dev/null 2>&1; then
        $sudo_cmd systemctl disable --now "$service.service" >/dev/null 2>&1 || true
      fi
    done
  fi
fi

if [ "$mode" = test ]; then
  if [ ! -x .venv/bin/python ]; then
    echo "install-deps: creating the tests' Python environment in .venv"
    python3 -m venv .venv
  fi
  python_missing=()
  for package in "${pip_packages[@]}"; do
    module=${package//-/_}
    [[ $package == pyyaml ]] && module=yaml
    .venv/bin/python -c "import $module" 2>/dev/null || python_missing+=("$package")
  done
  if [ ${#python_missing[@]} -gt 0 ]; then
    echo "install-deps: installing Python packages ${python_missing[*]} into .venv"
    .venv/bin/python -m pip install -q --disable-pip-version-check "${python_missing[@]}"
  fi
fi
