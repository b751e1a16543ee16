#!/usr/bin/env bash
# One look at a running AlertRelay, as an operator (or a cron job every 30 s) takes it: up and ready, the last
# config reload, the queue (depth, oldest waiting notification, dead letters), each sink's last success and
# failure, and authentication failures. Exit status 0 when all is well, 1 when something needs a person,
# 2 when AlertRelay cannot be reached.
#
#   scripts/monitor.sh                       # the default config's service
#   ALERTRELAY_URL=http://relay:9099 scripts/monitor.sh
#
# Thresholds: MAX_WAITING_AGE (seconds, default 300), AUTH_WINDOW (seconds, default 300).
set -uo pipefail
url=${ALERTRELAY_URL:-http://127.0.0.1:9099}

if ! healthy=$(curl -fsS --max-time 5 "$url/-/healthy" 2>&1); then
  echo "CRITICAL alertrelay at $url is not answering: $healthy"
  exit 2
fi
ready=$(curl -sS --max-time 5 "$url/-/ready")
metrics=$(curl -fsS --max-time 10 "$url/metrics") || { echo "CRITICAL cannot read $url/metrics"; exit 2; }

READY="$ready" MAX_WAITING_AGE=${MAX_WAITING_AGE:-300} AUTH_WINDOW=${AUTH_WINDOW:-300} python3 -c '
import os, re, sys, time

samples = []
for line in sys.stdin:
    match = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? ([^ ]+)", line)
    if match and not line.startswith("#"):
        labels = dict(re.findall(r"(\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"", match.group(3) or ""))
        samples.append((match.group(1), labels, float(match.group(4))))

def values(name):
    return [(labels, value) for metric, labels, value in samples if metric == name]

def one(name, default=0.0):
    found = values(name)
    return found[0][1] if found else default

now = time.time()
problems = []
ready = os.environ["READY"].strip()
print(("OK       " if ready.endswith("Ready.") else "CRITICAL ") + ready)
if not ready.endswith("Ready."):
    problems.append("not ready")

reload_ok = one("alertrelay_config_last_reload_successful", 1)
reloaded = one("alertrelay_config_last_reload_success_timestamp_seconds")
print(("OK       " if reload_ok else "WARNING  ") + "config: last reload %s, last good one %ds ago"
      % ("succeeded" if reload_ok else "FAILED (the previous config is serving)", now - reloaded))
if not reload_ok:
    problems.append("config reload failed")

queue = {labels["state"]: int(value) for labels, value in values("alertrelay_queue_jobs")}
waiting = queue.get("pending", 0) + queue.get("retrying", 0)
age = one("alertrelay_queue_oldest_waiting_age_seconds")
dead = queue.get("dead", 0)
orphaned = int(one("alertrelay_queue_orphaned_jobs"))
late = age > float(os.environ["MAX_WAITING_AGE"])
print(("WARNING  " if late else "OK       ") + "queue: %d waiting (oldest %ds), %d delivering, %d delivered, %d muted"
      % (waiting, age, queue.get("delivering", 0), queue.get("delivered", 0), queue.get("muted", 0)))
if late:
    problems.append("a notification has waited %ds" % age)
print(("CRITICAL " if dead else "OK       ") + "dead letters: %d%s" % (dead, " (alertrelay deliveries list --state dead)" if dead else ""))
if dead:
    problems.append("%d dead letter(s)" % dead)
if orphaned:
    print("WARNING  %d job(s) wait for a sink the config no longer has" % orphaned)
    problems.append("orphaned jobs")

success = {(l["receiver"], l["sink"]): v for l, v in values("alertrelay_sink_last_success_timestamp_seconds")}
failure = {(l["receiver"], l["sink"]): v for l, v in values("alertrelay_sink_last_failure_timestamp_seconds")}
open_circuits = {(l["receiver"], l["sink"]) for l, v in values("alertrelay_sink_circuit_open") if v > 0}
for sink in sorted(set(success) | set(failure) | open_circuits):
    ok, bad = success.get(sink), failure.get(sink)
    failing = sink in open_circuits or (bad is not None and (ok is None or bad > ok))
    describe = lambda t: "never" if t is None else "%ds ago" % (now - t)
    print(("WARNING  " if failing else "OK       ") + "sink %s/%s: last success %s, last failure %s%s"
          % (sink[0], sink[1], describe(ok), describe(bad), ", circuit OPEN" if sink in open_circuits else ""))
    if failing:
        problems.append("sink %s/%s failing" % sink)

window = float(os.environ["AUTH_WINDOW"])
for labels, last in values("alertrelay_auth_last_failure_timestamp_seconds"):
    if now - last <= window:
        print("WARNING  source %s: webhooks failed authentication %ds ago" % (labels["source"], now - last))
        problems.append("authentication failures on %s" % labels["source"])

print(("NEEDS A PERSON: " + "; ".join(problems)) if problems else "ALL OK")
sys.exit(1 if problems else 0)
' <<< "$metrics"
