#!/usr/bin/env bash
# Writes deploy/secrets/* for docker-compose.monitoring.yml: random tokens where AlertRelay, Alertmanager,
# Grafana and LiteLLM only need to agree with each other; placeholders (to replace) for what comes from
# outside (SMTP, Slack, Groq). Never overwrites an existing file.
set -euo pipefail
cd "$(dirname "$0")/secrets"
umask 077
random() { head -c 32 /dev/urandom | base64 | tr -d '/+=' | head -c 40; }
write() { [[ -e $1 ]] || printf '%s\n' "$2" > "$1"; }
write grafana-admin-password "$(random)"
write alertrelay-token "$(random)"
write alertrelay-admin-token "$(random)"
write integrations-signing-secret "whsec_$(head -c 32 /dev/urandom | base64)"
write postgres-password "$(random)"
write litellm.env "LITELLM_MASTER_KEY=sk-$(random)
GROQ_API_KEY=REPLACE-with-the-Groq-API-key
DATABASE_URL=postgresql://litellm:$(cat postgres-password)@postgres:5432/litellm"
write smtp-password "REPLACE-with-the-SMTP-password"
for channel in platform finops providers; do
  write "slack-$channel-url" "https://hooks.slack.com/services/REPLACE/WITH/YOUR-$channel-WEBHOOK"
done
ls -l
