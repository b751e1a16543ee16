#!/usr/bin/env bash
# Writes deploy/secrets/* for docker-compose.monitoring.yml (and, when it is beside it, the overlay
# docker-compose.ha.yml: the replicas' database password too): random tokens where AlertRelay, Alertmanager,
# Grafana, Prometheus and LiteLLM only need to agree with each other; placeholders (to replace) for what comes
# from outside (SMTP, Slack, Groq). Never overwrites a secret that exists; run it again at any time: it only
# adds what is missing and puts modes and groups right.
#
# Who reads what: Compose (without swarm) bind-mounts a secret file as it is on the host, owner and mode
# included, and the services run as users of their own (AlertRelay 10001, Prometheus, Alertmanager and
# postgres_exporter nobody, Grafana 472, PostgreSQL 999). So each secret file gets mode 0640 and a group of
# its own, the number the compose file's `x-secret-gids` gives it; the compose file gives each service the
# groups of the secrets it reads (`group_add`). Setting a group you are not a member of takes root: run as
# a user, this script runs `sudo chgrp` for that (and says so). The directory itself is 0700: the mounts do
# not need it open, and no other user of this host has anything to read there.
# litellm.env is read by `docker compose` itself (env_file), so it stays 0600 for whoever runs compose.
set -euo pipefail
deploy=$(cd "$(dirname "$0")" && pwd)
compose=$deploy/docker-compose.monitoring.yml
overlay=$deploy/docker-compose.ha.yml  # AlertRelay's two replicas: its table adds the database password
cd "$deploy/secrets"
umask 077
chmod 0700 .

random() { head -c 32 /dev/urandom | base64 | tr -d '/+=' | head -c 40; }
write() { [[ -e $1 ]] || { printf '%s\n' "$2" > "$1"; echo "wrote $1"; }; }

# The groups, from the compose files' tables (x-secret-gids: NAME: &anchor "GID"), so that they cannot disagree.
declare -A gid=()
table() {
  awk '/^x-secret-gids:/ { inside = 1; next }
       inside && /^[^ #]/ { exit }
       inside && /^  [a-z0-9-]+: / { name = $1; sub(/:$/, "", name); number = $NF; gsub(/"/, "", number); print name, number }' "$1"
}
while read -r name number; do
  gid[$name]=$number
done < <(table "$compose")
if ((${#gid[@]} == 0)); then
  echo "make-secrets: no x-secret-gids table in $compose" >&2
  exit 1
fi
if [[ -e $overlay ]]; then
  while read -r name number; do
    if [[ -n ${gid[$name]:-} && ${gid[$name]} != "$number" ]]; then
      echo "make-secrets: $name has group ${gid[$name]} in $compose but $number in $overlay: make them the same" >&2
      exit 1
    fi
    gid[$name]=$number
  done < <(table "$overlay")
fi
mapfile -t names < <(printf '%s\n' "${!gid[@]}" | sort)

write grafana-admin-password "$(random)"
write alertrelay-token "$(random)"
write alertrelay-admin-token "$(random)"
write integrations-signing-secret "whsec_$(head -c 32 /dev/urandom | base64)"
write postgres-password "$(random)"
if [[ -n ${gid[alertrelay-db-password]:-} ]]; then
  write alertrelay-db-password "$(random)"  # the replicas' PostgreSQL (docker-compose.ha.yml)
fi
write litellm.env "LITELLM_MASTER_KEY=sk-$(random)
GROQ_API_KEY=REPLACE-with-the-Groq-API-key
DATABASE_URL=postgresql://litellm:$(cat postgres-password)@postgres:5432/litellm"
write smtp-password "REPLACE-with-the-SMTP-password"
for channel in platform finops providers; do
  write "slack-$channel-url" "https://hooks.slack.com/services/REPLACE/WITH/YOUR-$channel-WEBHOOK"
done

# Prometheus scrapes LiteLLM with its master key: the same value as LITELLM_MASTER_KEY in litellm.env, which
# is what LiteLLM uses; when they differ (the key was changed there), litellm.env wins.
master_key=$(sed -n 's/^LITELLM_MASTER_KEY=//p' litellm.env | tail -n 1 | tr -d '\r')
master_key=${master_key%\"}; master_key=${master_key#\"}; master_key=${master_key%\'}; master_key=${master_key#\'}
if [[ -z $master_key ]]; then
  echo "make-secrets: litellm.env has no LITELLM_MASTER_KEY=" >&2
  exit 1
fi
if [[ ! -e litellm-master-key ]]; then
  printf '%s\n' "$master_key" > litellm-master-key
  echo "wrote litellm-master-key (LITELLM_MASTER_KEY of litellm.env)"
elif [[ $(tr -d '[:space:]' < litellm-master-key) != "$master_key" ]]; then
  printf '%s\n' "$master_key" > litellm-master-key  # in place: the file keeps its mode and group
  echo "updated litellm-master-key to LITELLM_MASTER_KEY of litellm.env"
fi

# Modes and groups.
chmod 0600 litellm.env
told=
as_root() {  # "$@", through sudo when it takes root and this is not root
  "$@" 2>/dev/null && return
  if ((EUID == 0)); then "$@"; return; fi  # again, to show why
  if ! command -v sudo > /dev/null; then
    echo "make-secrets: '$*' takes root, and sudo is not installed: run this script as root" >&2
    return 1
  fi
  if [[ -z $told ]]; then
    echo "Giving the secrets their groups takes root: running sudo $1 (you may be asked for your password)."
    told=1
  fi
  sudo "$@"
}
for name in "${names[@]}"; do
  if [[ ! -e $name ]]; then
    echo "make-secrets: the compose file has a group for $name but nothing here writes it" >&2
    exit 1
  fi
  if [[ ! ${gid[$name]} =~ ^[0-9]+$ ]]; then
    echo "make-secrets: the compose file's group for $name is not a number: ${gid[$name]}" >&2
    exit 1
  fi
  [[ $(stat -c %a "$name") == 640 ]] || as_root chmod 0640 "$name"
  [[ $(stat -c %g "$name") == "${gid[$name]}" ]] || as_root chgrp "${gid[$name]}" "$name"
done

# A group number that is a group of this host would let its members read that secret here.
for name in "${names[@]}"; do
  if entry=$(getent group "${gid[$name]}"); then
    echo "WARNING: group ${gid[$name]} (for $name) is this host's group ${entry%%:*}: its members can read $name;" \
      "give it another number in the compose file's x-secret-gids and run this again"
  fi
done

# The owner reads a file whatever its group: a container whose user has the owner's uid would read them all.
container_uids=" 472 999 10001 65534 "  # Grafana, PostgreSQL, AlertRelay, nobody (Prometheus, Alertmanager, exporter)
for name in "${names[@]}"; do
  owner=$(stat -c %u "$name")
  if [[ $container_uids == *" $owner "* ]]; then
    echo "WARNING: $name belongs to uid $owner, which is also a container's user: that container can read it;" \
      "run this script as another user (or root)"
  fi
done

status=0
for name in "${names[@]}"; do
  if [[ $(stat -c '%a %g' "$name") != "640 ${gid[$name]}" ]]; then
    echo "make-secrets: $name is $(stat -c 'mode %a, group %g' "$name"), not mode 640, group ${gid[$name]}" >&2
    status=1
  fi
done
left=$(grep -l REPLACE -- * 2>/dev/null | grep -vx README.md || true)
if [[ -n $left ]]; then
  echo "Still to replace with the real values:" $left
fi
ls -ln
exit $status
