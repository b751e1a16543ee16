"""Several replicas on one PostgreSQL store, end to end: the built binary three times over one schema, real
Alertmanagers, a loopback HTTP sink, SIGKILL, and the database itself stopped under load.

The cluster comes from scripts/test.sh (ALERTRELAY_TEST_POSTGRES_URL, ALERTRELAY_TEST_PGDATA, ALERTRELAY_TEST_PGBIN);
without it every test here fails: CI always sets it."""
import concurrent.futures
import datetime
import http.server
import json
import os
import pathlib
import subprocess
import threading
import time
import urllib.parse

import pytest
import requests
from standardwebhooks.webhooks import Webhook

from conftest import ALERTMANAGER, BINARY, Alertmanager, free_port, require_postgres, start_relay, wait_until

BEARER = "e2e-pg-bearer"
SIGNED_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
LEASE = 5.0  # storage.lease in every replica's config, seconds


@pytest.fixture(autouse=True, scope="module")
def _postgres_url_is_set():
    require_postgres()  # fails every test of the module (not a skip) when scripts/test.sh did not provide it


class Sink:
    """A loopback HTTP endpoint recording every request (its `n` labels, arrival time, status answered)."""

    def __init__(self):
        self.status = 200
        self.delay = 0.0
        self.lock = threading.Lock()
        self.requests = []  # dicts: at (monotonic), status, labels (the alerts' `n`), headers, body
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                arrived = time.monotonic()
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = sink.status
                if sink.delay:
                    time.sleep(sink.delay)
                try:
                    labels = [alert["labels"].get("n") for alert in json.loads(body)["alerts"]]
                except (ValueError, KeyError, TypeError):
                    labels = []
                with sink.lock:
                    sink.requests.append({"at": arrived, "status": status, "labels": labels, "body": body,
                                          "headers": {key.lower(): value for key, value in self.headers.items()}})
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def delivered(self):
        """The `n` label of every alert the sink accepted (2xx), once per delivery: repeats are duplicates."""
        with self.lock:
            return [n for r in self.requests if 200 <= r["status"] < 300 for n in r["labels"]]

    def accepted(self):
        with self.lock:
            return [r for r in self.requests if 200 <= r["status"] < 300]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sink():
    sink = Sink()
    yield sink
    sink.close()


def replica_config(port: int, directory: pathlib.Path, schema: str, sink_url: str, sink_extra: str = "") -> str:
    url = json.dumps(require_postgres())
    return f"""
server: {{listen_address: 127.0.0.1:{port}, shutdown_timeout: 5s}}
storage: {{type: postgres, url: {url}, schema: {schema}, tls: disable, path: {json.dumps(str(directory / 'data'))}, lease: 5s}}
sources:
  am:
    auth: [{{type: bearer, credentials: [{BEARER}]}}]
  signed:
    auth: [{{type: standard-webhooks, secrets: [{SIGNED_SECRET}]}}]
route: {{receiver: hook}}
retry: {{initial_interval: 200ms, max_interval: 1s}}
admin: {{token: e2e-admin-token}}
receivers:
  - name: hook
    webhook_configs:
      - url: {sink_url}
        timeout: 2s
{sink_extra}"""


class Replicas:
    """Replicas of one relay sharing `schema`, each with its own data directory and port; all stopped at the end."""

    def __init__(self, base: pathlib.Path, schema: str, sink: Sink):
        self.base, self.schema, self.sink = base, schema, sink
        self.current = {}  # name -> the Relay running now (or killed last)
        self.started = []  # every Relay started, to be sure none is left running

    def start(self, name: str, sink_extra: str = ""):
        """Starts replica `name`; a second start of the same name reuses its directory, port and config."""
        directory = self.base / name
        if name in self.current:
            previous = self.current[name]
            assert previous.process.poll() is not None, f"replica {name} is still running"
            (directory / "alertrelay.log").rename(directory / f"alertrelay.{previous.process.pid}.log")  # kept
            relay = start_relay(directory, None, port=previous.port)
        else:
            directory.mkdir()
            port = free_port()
            relay = start_relay(directory, replica_config(port, directory, self.schema, self.sink.url, sink_extra), port=port)
        self.current[name] = relay
        self.started.append(relay)
        return relay

    def logs(self, tail=6000) -> str:
        """Each replica's log (its last `tail` characters), for assertion messages."""
        return "\n".join(f"--- replica {name} (port {relay.port}) ---\n{relay.log()[-tail:]}" for name, relay in self.current.items())

    def owner(self, timeout=10.0):
        """The replica that holds the sink (logs 'This replica delivers for the sink'), as a name."""
        found = []

        def look():
            found[:] = [name for name, relay in self.current.items() if relay.process.poll() is None
                        and "This replica delivers for the sink" in relay.log()]
            return len(found) >= 1

        assert wait_until(look, timeout=timeout), "no replica took the sink:\n" + self.logs()
        assert len(found) == 1, f"replicas {found} all say they deliver for the one sink:\n" + self.logs()
        return found[0]

    def stop_all(self):
        codes = {}
        for relay in self.started:
            if relay.process.poll() is None:
                codes[relay.port] = relay.stop()
        return codes


@pytest.fixture
def replicas(tmp_path, postgres_schema, sink):
    group = Replicas(tmp_path, postgres_schema, sink)
    yield group
    codes = group.stop_all()  # shutdown_timeout 5s: each replica is gone within about 8 s of SIGTERM
    fatal = [line for relay in group.started for line in relay.log().splitlines() if "Fatal error" in line]
    assert all(code == 0 for code in codes.values()), \
        f"exit codes on SIGTERM by port {codes} (0 expected; -9: still running 15 s later, killed); " \
        f"fatal errors logged: {fatal}\n" + group.logs(tail=4000)


def alert(n, status="firing") -> bytes:
    return json.dumps({
        "version": "4", "status": status, "receiver": "am", "groupKey": f'{{}}:{{n="{n}"}}',
        "groupLabels": {"n": str(n)}, "externalURL": "http://am:9093",
        "alerts": [{"status": status, "labels": {"alertname": "ReplicaTest", "n": str(n)}, "startsAt": "2026-11-29T19:30:00Z"}],
    }).encode()


def post(relay, n, timeout=5):
    return requests.post(f"{relay.url}/webhook/am", data=alert(n), timeout=timeout,
                         headers={"Content-Type": "application/json", "Authorization": f"Bearer {BEARER}"})


def listed(relay, state):
    response = relay.admin("GET", f"/deliveries?state={state}&limit=500")
    assert response.status_code == 200, response.text
    return response.json()["deliveries"]


def metric(relay, name, **labels) -> float:
    """The sum of `name`'s samples whose labels include `labels`, from the replica's /metrics."""
    total = 0.0
    for line in requests.get(f"{relay.url}/metrics", timeout=5).text.splitlines():
        if (line.startswith(name + "{") or line.startswith(name + " ")) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def duplicates_of(delivered):
    seen, repeated = set(), []
    for n in delivered:
        if n in seen:
            repeated.append(n)
        seen.add(n)
    return repeated


@pytest.mark.skipif(ALERTMANAGER is None, reason="prometheus-alertmanager is not installed (scripts/install-deps.sh installs it)")
def test_two_unclustered_alertmanagers_posting_to_different_replicas_notify_once(replicas, sink, tmp_path):
    """Two real Alertmanagers that know nothing of each other get the same alert, each notifies a different
    replica (bodies differing in externalURL and endsAt): the sink is notified once, one replica answered
    accepted and the other duplicate, and both list the one delivery."""
    a, b = replicas.start("a"), replicas.start("b")
    starts_at = datetime.datetime.now(tz=datetime.timezone.utc).replace(microsecond=0).isoformat()
    managers = []
    try:
        for name, relay in (("am-a", a), ("am-b", b)):
            managers.append(Alertmanager(tmp_path / name, f"""
route:
  receiver: relay
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: relay
    webhook_configs:
      - url: {relay.url}/webhook/am
        send_resolved: false
        http_config:
          authorization: {{type: Bearer, credentials: {BEARER}}}
"""))
        the_alert = [{"labels": {"alertname": "LiteLLMDown", "severity": "critical", "n": "ha"},
                      "annotations": {"summary": "LiteLLM proxy is down"}, "startsAt": starts_at}]
        for manager in managers:
            manager.post_alerts(the_alert)

        def received(relay, outcome):
            return metric(relay, "alertrelay_webhooks_received_total", source="am", outcome=outcome)

        # Both Alertmanagers have notified their replica (each body differs in externalURL and endsAt).
        assert wait_until(lambda: sum(received(r, o) for r in (a, b) for o in ("accepted", "duplicate")) >= 2, timeout=30), \
            replicas.logs() + "".join(m.log() for m in managers)
        assert wait_until(lambda: len(sink.accepted()) >= 1, timeout=15), replicas.logs()
        time.sleep(3)  # time for a second delivery, were there one (cross-replica polling is about 1 s)
        assert sink.delivered() == ["ha"], f"the sink got {len(sink.accepted())} notifications: {sink.delivered()}"
        outcomes = {name: (received(r, "accepted"), received(r, "duplicate")) for name, r in (("a", a), ("b", b))}
        assert sorted(outcomes.values()) == [(0.0, 1.0), (1.0, 0.0)], f"(accepted, duplicate) per replica: {outcomes}"
        assert len(a.admin("GET", "/deliveries").json()["deliveries"]) == 1
        assert len(b.admin("GET", "/deliveries").json()["deliveries"]) == 1
    finally:
        for manager in managers:
            manager.stop()


def test_every_acknowledged_webhook_is_delivered_when_the_sink_owner_is_killed(replicas, sink):
    """150 webhooks round-robin over three replicas; the replica delivering for the sink is SIGKILLed at the 60th
    and restarted at the 110th. Every webhook answered 2xx reaches the sink (duplicates are printed, not failed),
    and once the lease has passed no job is left `delivering` and nothing waits."""
    sink.delay = 0.05  # 4 in flight: about 80 a second, so the owner holds claims and a backlog when it dies
    names = ["a", "b", "c"]
    for name in names:
        replicas.start(name, sink_extra="        max_concurrency: 4\n")
    owner = replicas.owner()
    results = {}  # n -> status code, or the exception's name
    kill_at = restart_at = None

    def send(n, relay):
        try:
            results[n] = post(relay, n, timeout=5).status_code
        except requests.RequestException as error:
            results[n] = type(error).__name__

    total = 150
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        futures = []
        for n in range(1, total + 1):
            if n == 60:
                replicas.current[owner].process.kill()  # SIGKILL: its claims stay `delivering` until their lease ends
                replicas.current[owner].process.wait()
                kill_at = time.monotonic()
            if n == 110:
                replicas.start(owner)
                restart_at = time.monotonic()
            futures.append(pool.submit(send, n, replicas.current[names[n % 3]]))
            time.sleep(0.01)
        concurrent.futures.wait(futures, timeout=60)
    acknowledged = {str(n) for n, status in results.items() if status in (200, 202)}
    refused = {n: status for n, status in results.items() if status not in (200, 202)}
    assert len(acknowledged) >= 100, f"only {len(acknowledged)} of {total} acknowledged: {refused}\n" + replicas.logs()
    assert all(status in (202, "ConnectionError") for status in results.values()), \
        f"answers other than 202 (or a refused connection to the dead replica): {refused}"

    missing = lambda: acknowledged - set(sink.delivered())  # noqa: E731
    assert wait_until(lambda: not missing(), timeout=20), \
        f"{len(missing())} acknowledged webhooks never reached the sink: {sorted(missing(), key=int)}\n" + replicas.logs()
    # The killed replica's claims: released once the lease has passed, delivered by the new owner.
    time.sleep(max(0.0, kill_at + LEASE + 0.5 - time.monotonic()))
    anyone = replicas.current[names[(names.index(owner) + 1) % 3]]
    assert wait_until(lambda: listed(anyone, "delivering") == [], timeout=5), \
        f"still delivering after the lease: {listed(anyone, 'delivering')}\n" + replicas.logs()
    assert wait_until(lambda: listed(anyone, "pending") == [] and listed(anyone, "retrying") == [], timeout=10)
    delivered = sink.delivered()
    arrivals_after_kill = [r["at"] for r in sink.accepted() if r["at"] > kill_at]
    resumed = f"{arrivals_after_kill[0] - kill_at:.2f} s" if arrivals_after_kill else "no delivery"
    print(f"\nSIGKILL of the sink owner ({owner}): {len(acknowledged)} of {total} webhooks acknowledged, all delivered; "
          f"{len(refused)} refused while it was down; {len(delivered) - len(set(delivered))} delivered twice "
          f"({sorted(duplicates_of(delivered), key=int)}); first delivery {resumed} after the kill; "
          f"restarted {restart_at - kill_at:.1f} s after it")


def pg_ctl(action: str, *args):
    """pg_ctl on the test cluster, as the data directory's owner (runuser when running as root)."""
    pgdata, pgbin = os.environ.get("ALERTRELAY_TEST_PGDATA"), os.environ.get("ALERTRELAY_TEST_PGBIN")
    assert pgdata and pgbin, "ALERTRELAY_TEST_PGDATA and ALERTRELAY_TEST_PGBIN are not set: scripts/test.sh provides them"
    command = [os.path.join(pgbin, "pg_ctl"), "-D", pgdata, action, "-w", "-t", "30", *args]
    owner = pathlib.Path(pgdata).owner()
    if os.geteuid() == 0 and owner != "root":
        command = ["runuser", "-u", owner, "--", *command]
    result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"pg_ctl {action} failed: {result.stdout}{result.stderr}"


def start_postgres():
    """Starts the cluster again with the options scripts/postgres-cluster.sh gave it."""
    pgdata = pathlib.Path(os.environ["ALERTRELAY_TEST_PGDATA"])
    port = urllib.parse.urlparse(require_postgres()).port or 5432
    log = pgdata.parent / "log" / "server.log"
    options = f"-p {port} -k {pgdata.parent / 'socket'} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200"
    pg_ctl("start", "-l", str(log if log.parent.is_dir() else pgdata / "restart.log"), "-o", options)


def test_the_database_restarted_under_load_means_503_then_202_and_nothing_acknowledged_is_lost(replicas, sink):
    """The database stopped (`pg_ctl stop -m fast`) for 3 s while two senders post to two replicas, then started
    again with its original options. While it is down a webhook gets 503 with Retry-After (the sender keeps it),
    never 2xx or 500, and /-/ready fails; once it is back new webhooks get 202 without any relay restart, and
    everything answered 202 is delivered. Every finding is collected, then reported together."""
    a, b = replicas.start("a"), replicas.start("b")
    pids = {a.process.pid, b.process.pid}
    results = []  # (n, sent, answered, status or exception name, Retry-After), from the two senders
    stop = threading.Event()
    counter = iter(range(1, 100000))

    def timed(call):
        sent = time.monotonic()
        try:
            response = call()
            return sent, time.monotonic(), response.status_code, response.headers.get("Retry-After")
        except requests.RequestException as error:
            return sent, time.monotonic(), type(error).__name__, None

    def sender():
        while not stop.is_set():
            n = next(counter)
            relay = (a, b)[n % 2]
            results.append((n, *timed(lambda: post(relay, n, timeout=15))))
            time.sleep(0.02)

    probes = {}  # what each replica answered while the database was down: webhook and /-/ready

    def probe(kind, relay):
        if kind == "webhook":
            probes[(kind, relay.port)] = timed(lambda: post(relay, f"down-{relay.port}", timeout=15))
        else:
            probes[(kind, relay.port)] = timed(lambda: requests.get(f"{relay.url}/-/ready", timeout=15))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    down, probing = False, []
    probes_accepted, recovered, recovery_answers = set(), {}, {}
    try:
        time.sleep(1.5)
        pg_ctl("stop", "-m", "fast")
        down, down_at = True, time.monotonic()
        time.sleep(0.5)
        probing = [threading.Thread(target=probe, args=(kind, relay)) for kind in ("webhook", "ready") for relay in (a, b)]
        for thread in probing:
            thread.start()
        time.sleep(max(0.0, down_at + 3.0 - time.monotonic()))
        start_postgres()
        down, up_at = False, time.monotonic()

        def accepted_again():
            for relay in (a, b):
                label = f"up-{relay.port}"
                if relay.port in recovered:
                    continue
                try:
                    answer = post(relay, label, timeout=5).status_code
                except requests.RequestException as error:
                    answer = type(error).__name__
                recovery_answers.setdefault(relay.port, []).append(answer)
                if answer == 202:
                    recovered[relay.port] = time.monotonic() - up_at
                    probes_accepted.add(label)
            return len(recovered) == 2

        wait_until(accepted_again, timeout=20, interval=0.2)
        recovered_at = time.monotonic()
        time.sleep(1.5)
    finally:
        stop.set()
        for thread in threads + probing:
            thread.join(timeout=20)
        if down:
            start_postgres()

    problems = []
    if len(recovered) < 2:
        problems.append(f"20 s after the database was back, a replica still did not accept new webhooks: accepted again "
                        f"after {recovered} s; what each port answered meanwhile: {recovery_answers}")
    for (kind, port), (sent, answered, status, retry_after) in sorted(probes.items()):
        expected_status = 503 if kind == "webhook" else "not 200"
        fine = (status == 503 and retry_after) if kind == "webhook" else isinstance(status, int) and status != 200
        if not fine or answered >= up_at:
            problems.append(f"{kind} to replica :{port}, sent {sent - down_at:.1f} s into the 3 s outage: expected {expected_status}"
                            f"{' with Retry-After' if kind == 'webhook' else ''} while down, got {status} after "
                            f"{answered - sent:.1f} s ({'after' if answered >= up_at else 'before'} the database was back)")
    statuses = {}
    for _n, _sent, _answered, status, _retry in results:
        statuses[status] = statuses.get(status, 0) + 1
    if not set(statuses) <= {202, 503}:
        problems.append(f"senders' answers other than 202 and 503 around the outage: {statuses}")
    if not all(retry for *_, status, retry in results if status == 503):
        problems.append("a 503 without Retry-After")
    # Sent while it was down: 503, or 202 answered once it was back (the request waited for the database and
    # committed then: still no answer before the commit). A 202 answered while it was down would be a lie.
    held = [(n, round(sent - down_at, 1), round(answered - sent, 1), status) for n, sent, answered, status, _ in results
            if down_at < sent < up_at and status != 503 and not (status == 202 and answered >= up_at)]
    if held:
        problems.append(f"webhooks sent while the database was down not answered 503 "
                        f"(n, s into the outage, s to answer, answer): {held}")
    after = [(n, status) for n, sent, _answered, status, _ in results if sent > recovered_at]
    if not after or any(status != 202 for _n, status in after):
        problems.append(f"refused after recovery: {[entry for entry in after if entry[1] != 202] or 'nothing sent'}")
    if {a.process.pid, b.process.pid} != pids or a.process.poll() is not None or b.process.poll() is not None:
        problems.append("a replica exited or was restarted")

    acknowledged = {str(n) for n, _sent, _answered, status, _ in results if status == 202} | probes_accepted | \
                   {f"down-{port}" for (kind, port), entry in probes.items() if kind == "webhook" and entry[2] == 202}
    missing = lambda: acknowledged - set(sink.delivered())  # noqa: E731
    if not wait_until(lambda: not missing(), timeout=20):
        problems.append(f"{len(missing())} webhooks answered 202 never reached the sink: {sorted(missing())}")
    delivered = sink.delivered()
    print(f"\ndatabase down {up_at - down_at:.1f} s under load: senders' answers {statuses}; accepted again "
          f"{recovered} s after it was back; {len(acknowledged)} acknowledged, "
          f"{len(acknowledged & set(delivered))} delivered, {len(delivered) - len(set(delivered))} delivered twice")
    assert not problems, "\n".join(problems) + "\n" + replicas.logs(tail=3000)


def test_a_signed_request_replayed_to_another_replica_is_a_duplicate(replicas, sink):
    """A Standard Webhooks request accepted by A, replayed byte for byte to B: 200 duplicate with A's id; one delivery."""
    a, b = replicas.start("a"), replicas.start("b")
    body = alert("signed-1")
    now = datetime.datetime.now(tz=datetime.timezone.utc)
    headers = {"Content-Type": "application/json", "webhook-id": "msg_pg_e2e_1", "webhook-timestamp": str(int(now.timestamp())),
               "webhook-signature": Webhook(SIGNED_SECRET).sign("msg_pg_e2e_1", now, body.decode())}
    first = requests.post(f"{a.url}/webhook/signed", data=body, headers=headers, timeout=10)
    assert first.status_code == 202, first.text
    replay = requests.post(f"{b.url}/webhook/signed", data=body, headers=headers, timeout=10)
    assert replay.status_code == 200, replay.text
    assert replay.json()["status"] == "duplicate"
    assert replay.json()["id"] == first.json()["id"]
    assert wait_until(lambda: len(sink.accepted()) >= 1, timeout=15), replicas.logs()
    time.sleep(2.5)  # a second delivery, were there one, would come within the polling interval
    assert sink.delivered() == ["signed-1"]


def test_a_rate_limit_of_one_holds_for_the_whole_cluster(replicas, sink):
    """`rate_limit: 1` behind three replicas, six notifications posted over them at once: about a second apart."""
    relays = [replicas.start(name, sink_extra="        rate_limit: 1\n") for name in ("a", "b", "c")]
    replicas.owner()
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda n: post(relays[n % 3], f"rate-{n}").status_code, range(6)))
    assert answers == [202] * 6
    assert wait_until(lambda: len(sink.accepted()) >= 6, timeout=20), replicas.logs()
    arrivals = sorted(r["at"] for r in sink.accepted())
    gaps = [round(later - earlier, 3) for earlier, later in zip(arrivals, arrivals[1:])]
    assert all(gap >= 0.9 for gap in gaps), f"arrivals at a rate_limit: 1 sink behind three replicas were {gaps} s apart"
    assert sorted(sink.delivered()) == sorted(f"rate-{n}" for n in range(6))
    print(f"\nrate_limit 1 across three replicas: gaps {gaps} s")


def test_dead_letters_are_listed_retried_and_dropped_through_another_replica(replicas, sink):
    """Dead letters accepted by A (the sink answers 400) are B's to see, requeue and drop: the queue is shared."""
    a, b = replicas.start("a"), replicas.start("b")
    sink.status = 400  # permanent: dead at the first attempt
    first, second = post(a, "dead-1"), post(a, "dead-2")
    assert (first.status_code, second.status_code) == (202, 202)
    ids = {first.json()["id"]: "dead-1", second.json()["id"]: "dead-2"}
    assert wait_until(lambda: len(listed(b, "dead")) == 2, timeout=15), replicas.logs()
    dead = {ids[job["notification_id"]]: job for job in listed(b, "dead")}
    assert dead["dead-1"]["last_error"] == "HTTP 400" and dead["dead-1"]["attempts"] == 1

    sink.status = 200
    retried = b.admin("POST", f"/deliveries/{dead['dead-1']['id']}/retry")
    assert retried.status_code == 200 and retried.json()["status"] == "requeued", retried.text
    assert wait_until(lambda: "dead-1" in sink.delivered(), timeout=15), replicas.logs()
    assert wait_until(lambda: a.admin("GET", f"/deliveries/{dead['dead-1']['id']}").json()["delivery"]["state"] == "delivered", timeout=10)

    dropped = b.admin("DELETE", f"/deliveries/{dead['dead-2']['id']}")
    assert dropped.status_code == 200 and dropped.json()["status"] == "dropped", dropped.text
    assert a.admin("GET", f"/deliveries/{dead['dead-2']['id']}").status_code == 404
    assert listed(a, "dead") == []
    time.sleep(1.5)
    assert sink.delivered() == ["dead-1"], "the dropped dead letter is never delivered"


def test_a_database_that_cannot_be_reached_at_start_ends_the_start_with_one_line(tmp_path):
    """No replica runs without its store: it says why and exits non-zero (a restart policy brings it back)."""
    port, dead = free_port(), free_port()
    config = tmp_path / "alertrelay.yml"
    config.write_text(f"""
server: {{listen_address: 127.0.0.1:{port}}}
storage: {{type: postgres, url: "postgres://alertrelay@127.0.0.1:{dead}/postgres", schema: e2e_unreachable, tls: disable, path: data}}
sources: {{am: {{auth: [{{type: bearer, credentials: [t]}}]}}}}
route: {{receiver: out}}
receivers: [{{name: out, file_configs: [{{path: out.jsonl}}]}}]
""")
    started = time.monotonic()
    result = subprocess.run([BINARY, "serve", "--config.file", str(config)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr[-2000:]
    assert time.monotonic() - started < 30
    lines = [line for line in result.stderr.splitlines() if line.startswith("alertrelay:")]
    assert lines == [f"alertrelay: PostgreSQL at postgres://alertrelay@127.0.0.1:{dead}/postgres schema e2e_unreachable: "
                     "prepare the schema: no answer within 15 s"], result.stderr[-2000:]
