"""`alertrelay store copy`: a one-machine queue (SQLite) moved into PostgreSQL without losing a job: what was
still to deliver and the dead letters arrive from the cluster afterwards, and the dedup log comes along."""
import json
import os
import subprocess
import uuid

import pytest
import requests

from conftest import BINARY, free_port, start_relay, wait_until
from test_queue import Sink

POSTGRES = os.environ.get("ALERTRELAY_TEST_POSTGRES_URL")
HEADERS = {"Authorization": "Bearer copy-token", "Content-Type": "application/json"}


def alert(n):
    return json.dumps({
        "version": "4", "status": "firing", "receiver": "relay", "groupKey": f'{{}}:{{n="{n}"}}',
        "alerts": [{"status": "firing", "labels": {"alertname": "Copied", "n": str(n)}, "startsAt": "2026-11-30T00:00:00Z"}],
    }).encode()


def config(port, url, refused_url, storage):
    return f"""
server: {{listen_address: 127.0.0.1:{port}}}
storage: {storage}
sources: {{am: {{auth: [{{type: bearer, credentials: [copy-token]}}]}}}}
route:
  receiver: hook
  routes: [{{matchers: ['n=~"dead.*"'], receiver: refused}}]
retry: {{initial_interval: 100ms, max_interval: 500ms}}
admin: {{token: e2e-admin-token}}
receivers:
  - name: hook
    webhook_configs: [{{url: "{url}", timeout: 2s}}]
  - name: refused
    webhook_configs: [{{url: "{refused_url}", timeout: 2s}}]
"""


def test_a_sqlite_queue_is_copied_into_postgres_and_delivered_from_there(tmp_path):
    assert POSTGRES, "ALERTRELAY_TEST_POSTGRES_URL is not set: scripts/test.sh starts a PostgreSQL cluster for these tests"
    sink, refusing = Sink(), Sink()
    refusing.status = 400
    down = f"http://127.0.0.1:{free_port()}/hook"  # nothing listens: connection refused, retried
    try:
        # One machine, SQLite: three alerts wait for a sink that is down; one was refused (400) and is dead.
        port = free_port()
        single = tmp_path / "single"
        single.mkdir()
        relay = start_relay(single, config(port, down, refusing.url, "{path: data}"), port=port)
        try:
            for n in ["a", "b", "c", "dead-1"]:
                assert requests.post(f"{relay.url}/webhook/am", data=alert(n), headers=HEADERS, timeout=10).status_code == 202
            assert wait_until(lambda: len(relay.admin("GET", "/deliveries?state=dead").json()["deliveries"]) == 1, timeout=10)
            assert wait_until(lambda: len(relay.admin("GET", "/deliveries?state=retrying").json()["deliveries"]) == 3, timeout=10)
        finally:
            assert relay.stop() == 0

        # Into PostgreSQL.
        schema = f"copy_{uuid.uuid4().hex[:8]}"
        cluster = tmp_path / "cluster"
        cluster.mkdir()
        storage = f'{{type: postgres, url: "{POSTGRES}", schema: {schema}, tls: disable, path: data, lease: 5s}}'
        (cluster / "alertrelay.yml").write_text(config(port, sink.url, sink.url, storage))
        copy = subprocess.run([BINARY, "store", "copy", "--from", str(single / "data"), "--config.file", str(cluster / "alertrelay.yml")],
                              capture_output=True, text=True, timeout=60)
        assert copy.returncode == 0, copy.stderr
        assert "copied 4 job(s)" in copy.stdout and "dead 1" in copy.stdout, copy.stdout
        again = subprocess.run([BINARY, "store", "copy", "--from", str(single / "data"), "--config.file", str(cluster / "alertrelay.yml")],
                               capture_output=True, text=True, timeout=60)
        assert again.returncode == 1 and "already holds jobs" in again.stderr, "a second copy would double the queue"

        # The cluster delivers what was waiting, and the dead letter once an operator replays it.
        replica = start_relay(cluster, None, port=port)
        try:
            assert wait_until(lambda: sorted(set(sink.labels())) == ["a", "b", "c"], timeout=20), sink.labels()
            dead = replica.admin("GET", "/deliveries?state=dead").json()["deliveries"]
            assert len(dead) == 1 and dead[0]["last_error"], dead
            assert replica.admin("POST", f"/deliveries/{dead[0]['id']}/retry").status_code == 200
            assert wait_until(lambda: "dead-1" in sink.labels(), timeout=20), sink.labels()
            # The dedup log came along: the same notification again is a duplicate.
            again = requests.post(f"{replica.url}/webhook/am", data=alert("a"), headers=HEADERS, timeout=10)
            assert again.status_code == 200 and again.json()["status"] == "duplicate", again.text
        finally:
            assert replica.stop() == 0
    finally:
        sink.close()
        refusing.close()
