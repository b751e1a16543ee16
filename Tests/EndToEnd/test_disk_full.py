"""A full disk under the queue: ingest answers 503 (the sender keeps the alert), /-/ready fails, nothing is
half-written, and once space returns the relay takes webhooks and delivers again without a restart.
The data directory is on an 8 MiB tmpfs mounted for the test (root only, as in CI)."""
import json
import os
import sqlite3
import subprocess

import pytest
import requests

from conftest import free_port, start_relay, wait_until

HEADERS = {"Authorization": "Bearer disk-token", "Content-Type": "application/json"}


def alert(n):
    # About 6 KB each, so the queue outgrows the space left in a few dozen webhooks.
    return json.dumps({
        "version": "4", "status": "firing", "receiver": "relay", "groupKey": f'{{}}:{{n="{n}"}}',
        "alerts": [{"status": "firing", "labels": {"alertname": "DiskFull", "n": str(n)},
                    "annotations": {"description": "x" * 6000}, "startsAt": "2026-11-30T00:00:00Z"}],
    }).encode()


@pytest.fixture
def small_fs(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a size-limited tmpfs needs root")
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", str(mount)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(directory):
    """Writes a filler file until the file system is full; returns its path."""
    filler = directory / "filler"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    try:
        with open(filler, "ab") as f:  # the last partial blocks
            while True:
                f.write(b"\0" * 512)
                f.flush()
    except OSError:
        pass
    return filler


def test_a_full_disk_refuses_with_503_and_recovers_without_a_restart(tmp_path, small_fs):
    port = free_port()
    outbox = tmp_path / "outbox.jsonl"  # the sink writes outside the full file system
    config = f"""
server: {{listen_address: 127.0.0.1:{port}}}
storage: {{path: {small_fs}/data}}
sources:
  am:
    auth: [{{type: bearer, credentials: [disk-token]}}]
route: {{receiver: outbox}}
retry: {{initial_interval: 100ms, max_interval: 500ms}}
receivers:
  - name: outbox
    file_configs: [{{path: {outbox}}}]
"""
    relay = start_relay(tmp_path, config, port=port)
    accepted, refused = set(), set()

    def post(n):
        response = requests.post(f"{relay.url}/webhook/am", data=alert(n), headers=HEADERS, timeout=10)
        if response.status_code == 202:
            accepted.add(str(n))
        elif response.status_code == 503:
            refused.add(str(n))
            assert response.json()["error"] == "store_unavailable", response.text
        else:
            raise AssertionError(f"unexpected {response.status_code}: {response.text}")
        return response.status_code

    def delivered():
        if not outbox.exists():
            return set()
        return {json.loads(line)["notification"]["alerts"][0]["labels"]["n"] for line in outbox.read_text().splitlines() if line}

    try:
        for n in range(1, 6):
            assert post(n) == 202
        filler = fill(small_fs)
        n = 6
        while not refused and n < 400:
            post(n)
            n += 1
        assert refused, "the store kept accepting on a full disk"
        ready = requests.get(f"{relay.url}/-/ready", timeout=10)
        assert ready.status_code == 503 and "cannot be written" in ready.text, ready.text
        assert requests.get(f"{relay.url}/-/healthy", timeout=10).status_code == 200
        for _ in range(5):  # still refused, still answering
            assert post(n) == 503
            n += 1

        filler.unlink()  # space returns; no restart
        assert wait_until(lambda: requests.get(f"{relay.url}/-/ready", timeout=10).status_code == 200, timeout=10)
        for _ in range(5):
            assert post(n) == 202
            n += 1
        # Every acknowledged webhook is delivered (jobs whose delivery could not be recorded while the disk was
        # full included), and no refused one: nothing of it was written.
        assert wait_until(lambda: accepted <= delivered(), timeout=30), sorted(accepted - delivered())
        assert not (refused & delivered())
        assert relay.log().count("answered 503") >= len(refused)
    finally:
        assert relay.stop() == 0
    with sqlite3.connect(small_fs / "data" / "queue.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        states = dict(db.execute("SELECT state, count(*) FROM jobs GROUP BY state").fetchall())
    assert set(states) == {"delivered"}, states


def test_ready_fails_while_the_disk_has_no_room_for_the_largest_webhook(tmp_path, small_fs):
    """Nearly full: small writes still succeed, but a webhook of max_body_size would not fit. /-/ready says so
    (a load balancer or a peer stops sending here) instead of 200 over 503s for every larger webhook."""
    port = free_port()
    config = f"""
server: {{listen_address: 127.0.0.1:{port}, max_body_size: 1MiB}}
storage: {{path: {small_fs}/data}}
sources:
  am:
    auth: [{{type: bearer, credentials: [disk-token]}}]
route: {{receiver: outbox}}
receivers:
  - name: outbox
    file_configs: [{{path: {tmp_path / "outbox.jsonl"}}}]
"""
    relay = start_relay(tmp_path, config, port=port)
    try:
        assert requests.get(f"{relay.url}/-/ready", timeout=10).status_code == 200
        filler = fill(small_fs)
        os.truncate(filler, max(0, filler.stat().st_size - 512 * 1024))  # 512 KiB free: a 1 MiB body cannot fit
        ready = requests.get(f"{relay.url}/-/ready", timeout=10)
        assert ready.status_code == 503, ready.text
        assert "KiB free" in ready.text, ready.text
        assert post_small(relay) == 202, "a small webhook still fits and is still taken"
        filler.unlink()
        assert wait_until(lambda: requests.get(f"{relay.url}/-/ready", timeout=10).status_code == 200, timeout=10)
    finally:
        assert relay.stop() == 0


def post_small(relay):
    return requests.post(f"{relay.url}/webhook/am", data=alert(1), headers=HEADERS, timeout=10).status_code
