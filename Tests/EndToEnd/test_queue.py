"""The durable queue end to end: the built binary, a real HTTP sink on loopback, SIGKILL and outages."""
import http.server
import itertools
import json
import os
import random
import re
import subprocess
import threading
import time

import pytest
import requests

from conftest import BINARY, free_port, start_relay, wait_until


class Sink:
    """A loopback HTTP endpoint that records what it receives and answers with `self.status`."""

    def __init__(self):
        self.status = 200
        self.received = []  # (notification id, attempt header, alert n label, time)
        self.lock = threading.Lock()
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = sink.status
                with sink.lock:
                    sink.raw.append(({key.lower(): value for key, value in self.headers.items()}, body, status))
                if status == 200:
                    payload = json.loads(body)
                    with sink.lock:
                        for alert in payload["alerts"]:
                            sink.received.append((self.headers.get("X-AlertRelay-Notification-Id"),
                                                  self.headers.get("X-AlertRelay-Attempt"), alert["labels"].get("n"), time.monotonic()))
                with sink.lock:
                    sink.requests += 1
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"unavailable")

            def log_message(self, *args):
                pass

        self.requests = 0
        self.raw = []  # (headers, body, status answered) of every request
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def ids(self):
        with self.lock:
            return [entry[0] for entry in self.received]

    def labels(self):
        with self.lock:
            return [entry[2] for entry in self.received]

    def close(self):
        self.server.shutdown()


@pytest.fixture
def sink():
    sink = Sink()
    yield sink
    sink.close()


def config(port, sink_url, initial="100ms", max_interval="1s"):
    return f"""
server: {{listen_address: 127.0.0.1:{port}}}
storage: {{path: data}}
sources:
  am:
    auth: [{{type: bearer, credentials: [t]}}]
route: {{receiver: hook}}
retry: {{initial_interval: {initial}, max_interval: {max_interval}}}
admin: {{token: e2e-admin-token}}
receivers:
  - name: hook
    webhook_configs:
      - url: {sink_url}
        max_concurrency: 4
"""


def alert(n: int, status="firing") -> bytes:
    return json.dumps({
        "version": "4", "status": status, "receiver": "am", "groupKey": f'{{}}:{{n="{n}"}}',
        "groupLabels": {"n": str(n)}, "externalURL": "http://am:9093",
        "alerts": [{"status": status, "labels": {"alertname": "CrashTest", "n": str(n)}, "startsAt": "2026-11-29T19:30:00Z"}],
    }).encode()


def post(url, n, timeout=5):
    return requests.post(f"{url}/webhook/am", data=alert(n), timeout=timeout,
                         headers={"Content-Type": "application/json", "Authorization": "Bearer t"})


CRASH_ROUNDS = int(os.environ.get("CRASH_ROUNDS", "15"))
def requeued_in(log: str) -> int:
    """The jobs a start found `delivering` (left in flight by a killed process), from its log line."""
    return sum(int(re.search(r"jobs=(\d+)", line).group(1))
               for line in log.splitlines() if "Requeued deliveries a previous process left in flight" in line)


def test_every_acknowledged_webhook_is_delivered_across_repeated_sigkill(tmp_path, sink):
    """Four senders post while the relay delivers; it is killed with SIGKILL at a random moment (during start-up
    recovery, ingest, group commit, delivery) and restarted, CRASH_ROUNDS times (set CRASH_ROUNDS=200 for a long
    run). Every webhook answered 2xx reaches the sink. The duplicates (deliveries the sink got that the killed
    process had not recorded yet) are no more than the relay counted as requeued after a crash."""
    port = free_port()
    relay = start_relay(tmp_path, config(port, sink.url), port=port)
    acknowledged = set()
    rng = random.Random(int(os.environ.get("CRASH_SEED", "20261130")))
    counter = itertools.count(1)
    requeued = 0
    try:
        for _round in range(CRASH_ROUNDS):
            stop = threading.Event()

            def sender():
                while not stop.is_set():
                    current = next(counter)
                    try:
                        if post(relay.url, current, timeout=2).status_code in (200, 202):
                            acknowledged.add(str(current))
                    except requests.RequestException:
                        pass  # the relay died mid-request: not acknowledged, the sender would retry

            threads = [threading.Thread(target=sender) for _ in range(4)]
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(0.0, 1.0))
            relay.process.kill()  # SIGKILL: no chance to flush anything
            relay.process.wait()
            stop.set()
            for thread in threads:
                thread.join()
            requeued += requeued_in(relay.log())
            relay = start_relay(tmp_path, port=port)
        assert wait_until(lambda: acknowledged <= set(sink.labels()), timeout=90), \
            f"{len(acknowledged - set(sink.labels()))} acknowledged webhooks never arrived"
        assert wait_until(lambda: all(relay.admin("GET", f"/deliveries?state={state}").json()["deliveries"] == []
                                      for state in ("pending", "retrying", "delivering")), timeout=30)
        requeued += requeued_in(relay.log())
        delivered = sink.labels()
        duplicates = len(delivered) - len(set(delivered))
        assert len(acknowledged) > 20 * CRASH_ROUNDS
        assert duplicates <= requeued, f"{duplicates} duplicate deliveries but only {requeued} requeued after a crash"
        print(f"\ncrash loop: {CRASH_ROUNDS} SIGKILLs, {len(acknowledged)} webhooks acknowledged, all delivered; "
              f"{duplicates} delivered twice, {requeued} requeued after a crash")
    finally:
        assert relay.stop() == 0


def test_an_outage_is_ridden_out_with_backoff(tmp_path, sink):
    port = free_port()
    sink.status = 503
    relay = start_relay(tmp_path, config(port, sink.url, initial="200ms", max_interval="1s"), port=port)
    try:
        for n in range(20):
            assert post(relay.url, n).status_code == 202
        time.sleep(3)
        during = sink.requests
        sink.status = 200
        assert wait_until(lambda: len(set(sink.labels())) == 20, timeout=30), relay.log()
        jobs = relay.admin("GET", "/deliveries?limit=100").json()["deliveries"]
        attempts = [job["attempts"] for job in jobs]
        assert all(job["state"] == "delivered" for job in jobs)
        # 3 s of outage with a 200 ms first retry doubling to 1 s: a handful of attempts per job, and the circuit
        # breaker keeps the sink from being hammered job by job. A hot loop would make hundreds.
        assert max(attempts) <= 8, attempts
        assert during < 60, f"{during} requests to a failing sink in 3 s"
        print(f"\noutage test: {during} requests during a 3 s outage for 20 jobs; attempts per job {sorted(attempts)}")
    finally:
        assert relay.stop() == 0


def test_a_dead_letter_is_replayed_and_delivered(tmp_path, sink):
    port = free_port()
    sink.status = 404
    relay = start_relay(tmp_path, config(port, sink.url), port=port)
    try:
        assert post(relay.url, 1).status_code == 202

        def dead():
            return [job for job in relay.admin("GET", "/deliveries?state=dead").json()["deliveries"]]

        assert wait_until(lambda: len(dead()) == 1)
        assert dead()[0]["attempts"] == 1, "a permanent failure is not retried"
        assert dead()[0]["last_error"] == "HTTP 404"
        sink.status = 200
        result = subprocess.run([BINARY, "deliveries", "retry", "--all", "--url", relay.url], capture_output=True,
                                env={"ALERTRELAY_ADMIN_TOKEN": "e2e-admin-token"}, timeout=30)
        assert result.returncode == 0, result.stderr
        assert b"requeued 1" in result.stdout
        assert wait_until(lambda: sink.labels() == ["1"])
        listed = subprocess.run([BINARY, "deliveries", "list", "--url", relay.url], capture_output=True,
                                env={"ALERTRELAY_ADMIN_TOKEN": "e2e-admin-token"}, timeout=30)
        assert b"delivered" in listed.stdout
    finally:
        assert relay.stop() == 0


def test_sigterm_leaves_undelivered_jobs_queued_for_the_next_start(tmp_path, sink):
    port = free_port()
    sink.status = 503
    relay = start_relay(tmp_path, config(port, sink.url, initial="5s", max_interval="10s"), port=port)
    for n in range(5):
        assert post(relay.url, n).status_code == 202
    assert wait_until(lambda: sink.requests >= 1)
    assert relay.stop() == 0
    sink.status = 200
    restarted = start_relay(tmp_path, port=port)
    try:
        assert restarted.admin("POST", "/deliveries/retry?state=retrying").status_code == 200
        assert wait_until(lambda: sorted(set(sink.labels())) == ["0", "1", "2", "3", "4"], timeout=30), restarted.log()
    finally:
        assert restarted.stop() == 0


def test_outbound_signatures_verify_with_the_reference_library_and_keep_their_id_across_retries(tmp_path, sink):
    from standardwebhooks.webhooks import Webhook

    secret = "whsec_b3V0Ym91bmQtc2lnbmluZy1zZWNyZXQtZTJl"
    port = free_port()
    sink.status = 503
    text = config(port, sink.url).replace("        max_concurrency: 4\n", f"        max_concurrency: 4\n        signing: {{type: standard-webhooks, secret: {secret}}}\n")
    relay = start_relay(tmp_path, text, port=port)
    try:
        assert post(relay.url, 7).status_code == 202
        assert wait_until(lambda: sink.requests >= 1)
        sink.status = 200
        assert wait_until(lambda: sink.labels() == ["7"], timeout=15), relay.log()
        with sink.lock:
            requests_seen = list(sink.raw)
        assert len(requests_seen) >= 2
        for headers, body, _status in requests_seen:
            Webhook(secret).verify(body, headers)  # raises unless the signature is right
        assert len({headers["webhook-id"] for headers, _, _ in requests_seen}) == 1, "one delivery, one webhook-id"
        with pytest.raises(Exception):
            headers, body, _ = requests_seen[-1]
            Webhook(secret).verify(body.replace(b"CrashTest", b"Tampered"), headers)
    finally:
        assert relay.stop() == 0
