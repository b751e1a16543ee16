#!/usr/bin/env bash
# One look at a running AlertRelay, as an operator (or a cron job every 30 s) takes it: up and ready, the last
# config reload, the queue (depth, oldest waiting notification, dead letters), each sink's last success and
# failure, and authentication failures. With --stack, the whole monitoring stack of
# deploy/docker-compose.monitoring.yml as well: LiteLLM (alive, ready, its database), Prometheus (ready, every
# scrape target up), Alertmanager (healthy, its cluster), Grafana, and the alerts firing now.
# Exit status 0 when all is well, 1 when something needs a person, 2 when something cannot be reached (a
# part that cannot be reached is said, and the others are still looked at).
#
#   scripts/monitor.sh                       # the default config's service
#   ALERTRELAY_URL=http://relay:9099 scripts/monitor.sh
#   scripts/monitor.sh --stack               # the compose stack, on the ports it publishes on this host
#
# Where (defaults: the compose file's ports on 127.0.0.1): ALERTRELAY_URL (:9099), and with --stack
# LITELLM_URL (:4000), PROMETHEUS_URL (:9090), ALERTMANAGER_URL (:9093), GRAFANA_URL (:3001); an empty one
# skips that part.
# Thresholds: MAX_WAITING_AGE (seconds, default 300), AUTH_WINDOW (seconds, default 300); FIRING_SEVERITIES
# (default critical,warning): a firing alert of one of these severities, neither silenced nor inhibited,
# needs a person (empty: alerts are listed only).
set -uo pipefail
exec python3 - "$@" <<'PYTHON'
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

USAGE = "usage: scripts/monitor.sh [--stack]"
stack = False
for argument in sys.argv[1:]:
    if argument == "--stack":
        stack = True
    elif argument in ("-h", "--help"):
        print(USAGE)
        sys.exit(0)
    else:
        print(f"{USAGE}\nunknown argument: {argument}", file=sys.stderr)
        sys.exit(64)

now = time.time()
problems = []      # needs a person
unreachable = []   # cannot be looked at


def say(level, text):
    print(f"{level:<8} {text}")


class Unreachable(Exception):
    pass


def get(url, timeout=5):
    """(status, body) of a GET; Unreachable when no HTTP answer comes."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise Unreachable(str(getattr(error, "reason", error)))


def get_json(url, timeout=5):
    status, body = get(url, timeout)
    if status != 200:
        raise Unreachable(f"HTTP {status} from {url}")
    try:
        return json.loads(body)
    except ValueError:
        raise Unreachable(f"not JSON from {url}")


def url_of(variable, default):
    return os.environ.get(variable, default).rstrip("/")


def header(name, url):
    if stack:
        print(f"== {name} {url}")


def cannot_reach(name, url, error):
    say("CRITICAL", f"{name} at {url} is not answering: {error}")
    unreachable.append(name)


# ---- AlertRelay: its /-/ready and its own metrics.
def alertrelay(url):
    header("AlertRelay", url)
    try:
        status, healthy = get(f"{url}/-/healthy")
        if status != 200:
            raise Unreachable(f"HTTP {status}: {healthy.strip()}")
    except Unreachable as error:
        return cannot_reach("alertrelay", url, error)
    try:
        ready = get(f"{url}/-/ready")[1].strip()
    except Unreachable as error:
        ready = f"/-/ready: {error}"
    try:
        status, metrics = get(f"{url}/metrics", timeout=10)
        if status != 200:
            raise Unreachable(f"HTTP {status}")
    except Unreachable as error:
        say("CRITICAL", f"cannot read {url}/metrics: {error}")
        unreachable.append("alertrelay metrics")
        return

    samples = []
    for line in metrics.splitlines():
        match = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? ([^ ]+)", line)
        if match and not line.startswith("#"):
            labels = dict(re.findall(r"(\w+)=\"((?:[^\"\\]|\\.)*)\"", match.group(3) or ""))
            samples.append((match.group(1), labels, float(match.group(4))))

    def values(name):
        return [(labels, value) for metric, labels, value in samples if metric == name]

    def one(name, default=0.0):
        found = values(name)
        return found[0][1] if found else default

    say("OK" if ready.endswith("Ready.") else "CRITICAL", ready)
    if not ready.endswith("Ready."):
        problems.append("alertrelay not ready")

    reload_ok = one("alertrelay_config_last_reload_successful", 1)
    reloaded = one("alertrelay_config_last_reload_success_timestamp_seconds")
    say("OK" if reload_ok else "WARNING", "config: last reload %s, last good one %ds ago"
        % ("succeeded" if reload_ok else "FAILED (the previous config is serving)", now - reloaded))
    if not reload_ok:
        problems.append("config reload failed")

    queue = {labels["state"]: int(value) for labels, value in values("alertrelay_queue_jobs")}
    waiting = queue.get("pending", 0) + queue.get("retrying", 0)
    age = one("alertrelay_queue_oldest_waiting_age_seconds")
    dead = queue.get("dead", 0)
    orphaned = int(one("alertrelay_queue_orphaned_jobs"))
    late = age > float(os.environ.get("MAX_WAITING_AGE", "300"))
    say("WARNING" if late else "OK", "queue: %d waiting (oldest %ds), %d delivering, %d delivered, %d muted"
        % (waiting, age, queue.get("delivering", 0), queue.get("delivered", 0), queue.get("muted", 0)))
    if late:
        problems.append("a notification has waited %ds" % age)
    say("CRITICAL" if dead else "OK", "dead letters: %d%s" % (dead, " (alertrelay deliveries list --state dead)" if dead else ""))
    if dead:
        problems.append("%d dead letter(s)" % dead)
    if orphaned:
        say("WARNING", "%d job(s) wait for a sink the config no longer has" % orphaned)
        problems.append("orphaned jobs")

    success = {(l["receiver"], l["sink"]): v for l, v in values("alertrelay_sink_last_success_timestamp_seconds")}
    failure = {(l["receiver"], l["sink"]): v for l, v in values("alertrelay_sink_last_failure_timestamp_seconds")}
    open_circuits = {(l["receiver"], l["sink"]) for l, v in values("alertrelay_sink_circuit_open") if v > 0}
    for sink in sorted(set(success) | set(failure) | open_circuits):
        ok, bad = success.get(sink), failure.get(sink)
        failing = sink in open_circuits or (bad is not None and (ok is None or bad > ok))
        describe = lambda t: "never" if t is None else "%ds ago" % (now - t)
        say("WARNING" if failing else "OK", "sink %s/%s: last success %s, last failure %s%s"
            % (sink[0], sink[1], describe(ok), describe(bad), ", circuit OPEN" if sink in open_circuits else ""))
        if failing:
            problems.append("sink %s/%s failing" % sink)

    window = float(os.environ.get("AUTH_WINDOW", "300"))
    for labels, last in values("alertrelay_auth_last_failure_timestamp_seconds"):
        if now - last <= window:
            say("WARNING", "source %s: webhooks failed authentication %ds ago" % (labels["source"], now - last))
            problems.append("authentication failures on %s" % labels["source"])


# ---- LiteLLM: /health/liveliness (the process), /health/readiness (ready, and its database).
def litellm(url):
    header("LiteLLM", url)
    try:
        status, body = get(f"{url}/health/liveliness")
    except Unreachable as error:
        return cannot_reach("litellm", url, error)
    if status != 200:
        say("CRITICAL", f"litellm: /health/liveliness answers HTTP {status}: {body.strip()[:200]}")
        problems.append("litellm not alive")
        return
    try:
        status, body = get(f"{url}/health/readiness", timeout=10)
    except Unreachable as error:
        return cannot_reach("litellm readiness", url, error)
    try:
        readiness = json.loads(body)
    except ValueError:
        readiness = {}
    database = readiness.get("db", "?")
    version = readiness.get("litellm_version", "?")
    if status == 200 and readiness.get("status") == "healthy" and database in ("connected", "Not connected"):
        say("OK", f"litellm: alive and ready (version {version}, database {database})")
    else:
        say("CRITICAL", f"litellm: not ready (HTTP {status}, status {readiness.get('status', '?')}, database {database})")
        problems.append("litellm not ready" + ("" if database in ("connected", "?") else f" (database {database})"))


# ---- Prometheus: ready, and every scrape target up.
def prometheus(url):
    header("Prometheus", url)
    try:
        status, body = get(f"{url}/-/healthy")
        if status != 200:
            raise Unreachable(f"HTTP {status}: {body.strip()}")
        status, body = get(f"{url}/-/ready")
    except Unreachable as error:
        return cannot_reach("prometheus", url, error)
    if status != 200:
        say("WARNING", f"prometheus: not ready yet ({body.strip()[:200]})")
        problems.append("prometheus not ready")
        return
    try:
        targets = get_json(f"{url}/api/v1/targets?state=active")["data"]["activeTargets"]
    except (Unreachable, KeyError, TypeError) as error:
        return cannot_reach("prometheus targets", url, error)
    jobs = {}
    for target in targets:
        jobs.setdefault(target.get("labels", {}).get("job", target.get("scrapePool", "?")), []).append(target)
    if not targets:
        say("WARNING", "prometheus: no scrape targets")
        problems.append("prometheus has no targets")
    for job, members in sorted(jobs.items()):
        down = [t for t in members if t.get("health") == "down"]
        unknown = [t for t in members if t.get("health") not in ("up", "down")]
        up = len(members) - len(down) - len(unknown)
        say("WARNING" if down else "OK", f"target {job}: {up}/{len(members)} up"
            + (f", {len(unknown)} not scraped yet" if unknown else ""))
        for target in down:
            instance = target.get("labels", {}).get("instance", target.get("scrapeUrl", "?"))
            say("WARNING", f"  {instance} down: {target.get('lastError') or 'no error given'}")
            problems.append(f"target {job}/{instance} down")


# ---- Alertmanager: healthy, its cluster.
def alertmanager(url):
    header("Alertmanager", url)
    try:
        status, body = get(f"{url}/-/healthy")
        if status != 200:
            raise Unreachable(f"HTTP {status}: {body.strip()}")
        state = get_json(f"{url}/api/v2/status")
    except Unreachable as error:
        return cannot_reach("alertmanager", url, error)
    version = (state.get("versionInfo") or {}).get("version", "?")
    cluster = state.get("cluster") or {}
    status = cluster.get("status", "?")
    peers = len(cluster.get("peers") or [])
    if status == "disabled":
        say("OK", f"alertmanager: version {version}, no cluster (one instance)")
    elif status == "ready":
        say("OK", f"alertmanager: version {version}, cluster ready with {peers} peer(s)")
    elif status == "settling":
        say("OK", f"alertmanager: version {version}, cluster settling (just started) with {peers} peer(s)")
    else:
        say("WARNING", f"alertmanager: version {version}, cluster {status} with {peers} peer(s)")
        problems.append(f"alertmanager cluster {status}")


# ---- Grafana: /api/health.
def grafana(url):
    header("Grafana", url)
    try:
        status, body = get(f"{url}/api/health")
    except Unreachable as error:
        return cannot_reach("grafana", url, error)
    try:
        health = json.loads(body)
    except ValueError:
        health = {}
    if status == 200 and health.get("database") == "ok":
        say("OK", f"grafana: version {health.get('version', '?')}, database ok")
    else:
        say("WARNING", f"grafana: HTTP {status}, database {health.get('database', '?')}")
        problems.append("grafana unhealthy")


# ---- The alerts firing now: Alertmanager's (neither silenced nor inhibited: what reaches people), else
#      Prometheus'.
def firing(alertmanager_url, prometheus_url):
    header("Alerts", alertmanager_url or prometheus_url)
    alerts, source = None, None
    if alertmanager_url:
        try:
            found = get_json(f"{alertmanager_url}/api/v2/alerts?active=true&silenced=false&inhibited=false&unprocessed=false")
            alerts, source = [a.get("labels", {}) for a in found], "alertmanager"
        except Unreachable:
            pass
    if alerts is None and prometheus_url:
        try:
            found = get_json(f"{prometheus_url}/api/v1/alerts")["data"]["alerts"]
            alerts, source = [a.get("labels", {}) for a in found if a.get("state") == "firing"], "prometheus"
        except (Unreachable, KeyError, TypeError):
            pass
    if alerts is None:
        say("CRITICAL", "alerts: neither Alertmanager nor Prometheus can be asked")
        unreachable.append("alerts")
        return
    severities = {s.strip() for s in os.environ.get("FIRING_SEVERITIES", "critical,warning").split(",") if s.strip()}
    if not alerts:
        say("OK", f"alerts: none firing ({source})")
        return
    groups = {}
    for labels in alerts:
        groups.setdefault((labels.get("alertname", "?"), labels.get("severity", "none")), []).append(labels)
    for (name, severity), members in sorted(groups.items(), key=lambda item: (item[0][1] not in severities, item[0])):
        needs = severity in severities
        where = sorted({m.get("instance") or m.get("job") or m.get("service") or "" for m in members} - {""})
        say("WARNING" if needs else "OK", f"firing: {name} (severity {severity}) x{len(members)}"
            + (f" on {', '.join(where[:5])}" if where else "") + f"  [{source}]")
        if needs:
            problems.append(f"{name} firing")


alertrelay_url = url_of("ALERTRELAY_URL", "http://127.0.0.1:9099")
if alertrelay_url:
    alertrelay(alertrelay_url)
if stack:
    litellm_url = url_of("LITELLM_URL", "http://127.0.0.1:4000")
    prometheus_url = url_of("PROMETHEUS_URL", "http://127.0.0.1:9090")
    alertmanager_url = url_of("ALERTMANAGER_URL", "http://127.0.0.1:9093")
    grafana_url = url_of("GRAFANA_URL", "http://127.0.0.1:3001")
    if litellm_url:
        litellm(litellm_url)
    if prometheus_url:
        prometheus(prometheus_url)
    if alertmanager_url:
        alertmanager(alertmanager_url)
    if grafana_url:
        grafana(grafana_url)
    if alertmanager_url or prometheus_url:
        firing(alertmanager_url, prometheus_url)

if unreachable:
    print("UNREACHABLE: " + "; ".join(unreachable))
if problems:
    print("NEEDS A PERSON: " + "; ".join(problems))
if not unreachable and not problems:
    print("ALL OK")
sys.exit(2 if unreachable else 1 if problems else 0)
PYTHON
