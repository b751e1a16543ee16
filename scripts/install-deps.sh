#!/usr/bin/env bash
# Installs what AlertRelay needs on a Debian machine that has the Swift toolchain: system libraries for the
# build, the real peers the end-to-end tests talk to, and the Python test tools. Installs only what is missing.
set -euo pipefail

apt_packages=(
  libcurl4-openssl-dev    # outbound traffic (SMTP, Slack, HTTP sinks) goes through libcurl
  libssl-dev              # TLS for libcurl and the listener
  libsqlite3-dev          # the durable queue's store
  prometheus-alertmanager # a real Alertmanager for the end-to-end tests (with amtool)
  tzdata                  # time zones for time_intervals (location: Europe/Berlin)
  prometheus              # promtool: the shipped Prometheus config and rules are checked by the tests
  postgresql              # the shared store's tests run against a private cluster (scripts/postgres-cluster.sh)
  curl
)
pip_packages=(
  pytest            # end-to-end test runner
  requests          # HTTP client for the end-to-end tests
  standardwebhooks  # an independent Standard Webhooks signer and verifier
  aiosmtpd          # a real SMTP server (STARTTLS, AUTH) for the email sink tests
  cryptography      # a self-signed certificate for that server
  pyyaml            # reads the shipped Compose file, manifests and rules in the deploy tests
)

if ! command -v swift >/dev/null 2>&1; then
  echo "install-deps: the Swift toolchain (6.1 or later) is not on PATH; install it first (swift.org/install)." >&2
  exit 1
fi

missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  # The tests start a private PostgreSQL cluster of their own: Debian's default cluster (and the service that
  # would run it on :5432) is not wanted, so none is created.
  if [[ " ${missing[*]} " == *" postgresql "* ]]; then
    $sudo_cmd mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" | $sudo_cmd tee /etc/postgresql-common/createcluster.d/alertrelay.conf >/dev/null
  fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python_missing=()
for package in "${pip_packages[@]}"; do
  module=${package//-/_}
  [[ $package == pyyaml ]] && module=yaml
  python3 -c "import $module" 2>/dev/null || python_missing+=("$package")
done
if [ ${#python_missing[@]} -gt 0 ]; then
  echo "install-deps: installing Python packages ${python_missing[*]}"
  python3 -m pip install -q --disable-pip-version-check "${python_missing[@]}"
fi
