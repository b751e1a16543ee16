"""Operating the built binary: SIGHUP reload (and a bad config that changes nothing), /metrics checked by
promtool, JSON logs that carry request and delivery ids and no secret, and scripts/monitor.sh's verdicts."""
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from conftest import BINARY, CONFIG, REPO, fixture_request, free_port, start_relay, wait_until

PROMTOOL = shutil.which("promtool")


def receivers_for(relay, **labels):
    query = "&".join(f"{name}={value}" for name, value in labels.items())
    answer = relay.admin("GET", f"/routes/test?{query}").json()
    return [destination["receiver"] for destination in answer["receivers"]]


def metric(text, name, **labels):
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            if all(f'{key}="{value}"' in line for key, value in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return None


def test_sighup_reloads_and_an_invalid_config_keeps_the_running_one(tmp_path):
    port = free_port()
    relay = start_relay(tmp_path, port=port)
    config = tmp_path / "alertrelay.yml"
    try:
        assert receivers_for(relay, severity="critical") == ["outbox"]
        config.write_text(config.read_text().replace(
            "route:\n  receiver: outbox\n",
            "route:\n  receiver: outbox\n  routes: [{matchers: [severity=critical], receiver: pager}]\n").replace(
            "receivers:\n", "receivers:\n  - {name: pager, file_configs: [{path: pager.jsonl}]}\n"))
        relay.process.send_signal(signal.SIGHUP)
        assert wait_until(lambda: receivers_for(relay, severity="critical") == ["pager"]), relay.log()

        config.write_text(config.read_text().replace("receiver: pager", "receiver: nobody"))
        relay.process.send_signal(signal.SIGHUP)
        assert wait_until(lambda: "Configuration reload failed" in relay.log()), relay.log()
        assert "unknown receiver" in relay.log()
        assert receivers_for(relay, severity="critical") == ["pager"], "the previous config keeps serving"
        body, headers = fixture_request("01-firing-2-alerts")
        assert relay.post("alertmanager", body, headers).status_code == 202
        metrics = requests.get(f"{relay.url}/metrics", timeout=5).text
        assert metric(metrics, "alertrelay_config_last_reload_successful") == 0
    finally:
        assert relay.stop() == 0


@pytest.mark.skipif(PROMTOOL is None, reason="promtool (Debian's prometheus) is not installed")
def test_metrics_are_valid_prometheus_text_and_count_deliveries(relay):
    body, headers = fixture_request("01-firing-2-alerts")
    assert relay.post("alertmanager", body, headers).status_code == 202
    relay.wait_for_outbox(1)
    assert wait_until(lambda: metric(requests.get(f"{relay.url}/metrics", timeout=5).text,
                                     "alertrelay_delivery_attempts_total", outcome="delivered") == 1)
    text = requests.get(f"{relay.url}/metrics", timeout=5).text
    checked = subprocess.run([PROMTOOL, "check", "metrics"], input=text.encode(), capture_output=True, timeout=30)
    assert b"error" not in checked.stdout.lower() + checked.stderr.lower(), checked.stdout + checked.stderr
    assert metric(text, "alertrelay_webhooks_received_total", source="alertmanager", outcome="accepted") == 1
    assert metric(text, "alertrelay_deliveries_total", receiver="outbox", outcome="delivered", type="file") == 1
    assert metric(text, "alertrelay_delivery_latency_seconds_count", receiver="outbox") == 1
    assert metric(text, "alertrelay_queue_jobs", state="delivered") == 1
    assert metric(text, "alertrelay_sink_last_success_timestamp_seconds", receiver="outbox") > 0


def test_json_logs_carry_ids_and_never_a_secret(tmp_path):
    relay = start_relay(tmp_path, args=["--log.format", "json"])
    try:
        body, headers = fixture_request("01-firing-2-alerts")
        assert relay.post("alertmanager", body, headers).status_code == 202
        relay.wait_for_outbox(1)
        assert relay.post("alertmanager", body, {**headers, "Authorization": "Bearer wrong-token"}).status_code == 401
        assert wait_until(lambda: '"Delivered"' in relay.log())
    finally:
        relay.stop()
    lines = [json.loads(line) for line in relay.log().splitlines() if line.strip()]
    accepted = next(line for line in lines if line["msg"] == "Accepted webhook")
    assert accepted["hb.request.id"] and accepted["notification.id"]
    delivered = next(line for line in lines if line["msg"] == "Delivered")
    assert delivered["delivery.id"] and delivered["notification.id"] == accepted["notification.id"]
    text = relay.log()
    for secret in ["spike-bearer-token-123", "wrong-token", "grafana-test-secret", "e2e-admin-token", "s3cret"]:
        assert secret not in text, f"{secret} was logged"


class Refusing(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(410)
        self.send_header("Content-Length", "4")
        self.end_headers()
        self.wfile.write(b"gone")

    def log_message(self, *args):
        pass


def monitor(relay):
    return subprocess.run([str(REPO / "scripts" / "monitor.sh")], capture_output=True, timeout=30,
                          env=dict(os.environ, ALERTRELAY_URL=relay.url))


def test_monitor_says_when_a_person_is_needed(tmp_path):
    http = ThreadingHTTPServer(("127.0.0.1", 0), Refusing)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    port = free_port()
    config = CONFIG.format(port=port).replace(
        "    file_configs: [{path: outbox.jsonl}]",
        "    file_configs: [{path: outbox.jsonl}]\n  - name: gone\n"
        f"    webhook_configs: [{{url: 'http://127.0.0.1:{http.server_address[1]}/hook'}}]")
    relay = start_relay(tmp_path, config, port=port)
    try:
        healthy = monitor(relay)
        assert healthy.returncode == 0, healthy.stdout
        assert b"ALL OK" in healthy.stdout

        fired = relay.admin("POST", "/test-fire?wait=10s", json={"receiver": "gone"}).json()
        assert fired["deliveries"][0]["result"] == "failed"
        body, headers = fixture_request("01-firing-2-alerts")
        relay.post("alertmanager", body, {**headers, "Authorization": "Bearer guess"})
        needs = monitor(relay)
        out = needs.stdout.decode()
        assert needs.returncode == 1, out
        assert "CRITICAL dead letters: 1" in out
        assert "WARNING  sink gone/webhook_configs[0]: last success never" in out
        assert "source alertmanager: webhooks failed authentication" in out
    finally:
        relay.stop()
        http.shutdown()
    down = monitor(relay)
    assert down.returncode == 2 and b"not answering" in down.stdout


def test_the_data_directory_and_its_files_are_private(relay):
    body, headers = fixture_request("01-firing-2-alerts")
    assert relay.post("alertmanager", body, headers).status_code == 202
    relay.wait_for_outbox(1)
    data = relay.directory / "data"
    assert oct(data.stat().st_mode & 0o777) == "0o700"
    for name in ["queue.db", "outbox.jsonl"]:
        assert oct((data / name).stat().st_mode & 0o777) == "0o600", name


def test_a_world_writable_config_is_refused(tmp_path):
    config = tmp_path / "alertrelay.yml"
    config.write_text(CONFIG.format(port=free_port()))
    config.chmod(0o666)
    result = subprocess.run([BINARY, "serve", "--config.file", str(config)], capture_output=True, timeout=30)
    assert result.returncode == 1
    assert b"writable by every user" in result.stderr


def test_a_damaged_queue_stops_the_start_with_a_way_out(tmp_path):
    (tmp_path / "data").mkdir(mode=0o700)
    (tmp_path / "data" / "queue.db").write_bytes(b"SQLite format 3\0" + os.urandom(8000))
    (tmp_path / "am-password").write_text("s3cret\n")
    config = tmp_path / "alertrelay.yml"
    config.write_text(CONFIG.format(port=free_port()))
    result = subprocess.run([BINARY, "serve", "--config.file", str(config)], capture_output=True, timeout=30,
                            env=dict(os.environ, E2E_GRAFANA_SECRET="x"))
    assert result.returncode != 0
    assert b"the queue database is damaged" in result.stderr and b".recover" in result.stderr


def test_a_slow_client_is_cut_off_and_others_are_served_meanwhile(tmp_path):
    import socket
    port = free_port()
    config = CONFIG.format(port=port).replace("  max_body_size: 1MiB", "  max_body_size: 1MiB\n  read_timeout: 2s")
    relay = start_relay(tmp_path, config, port=port)
    try:
        body, headers = fixture_request("01-firing-2-alerts")
        trickles = []
        for request in [b"POST /webhook/noauth HTTP/1.1\r\nHost: x\r\nX-Slow: ",  # headers never end
                        b"POST /webhook/noauth HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"]:
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(request)
            trickles.append(sock)
        started = time.monotonic()
        closed = [False] * len(trickles)
        while not all(closed) and time.monotonic() - started < 8:
            for index, sock in enumerate(trickles):
                if closed[index]:
                    continue
                try:
                    sock.sendall(b"a")  # one byte a second keeps an idle timer from ever firing
                    sock.settimeout(0.01)
                    if sock.recv(1024) == b"":
                        closed[index] = True
                except (BrokenPipeError, ConnectionResetError):
                    closed[index] = True
                except socket.timeout:
                    pass
            answer = relay.post("alertmanager", body, headers)  # others are served meanwhile
            assert answer.status_code in (200, 202)
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        assert all(closed), "a trickling client was never cut off"
        assert elapsed < 5, f"cut off after {elapsed:.1f} s with a 2 s read_timeout"
    finally:
        relay.stop()


@pytest.mark.parametrize("behaviour", ["hangs", "resets", "answers slowly"])
def test_a_broken_sink_is_bounded_counted_and_retried_and_does_not_slow_the_others(tmp_path, behaviour):
    """A sink that accepts and never answers, one that resets every connection, one that takes 2 s to answer
    (within its 4 s timeout): the healthy sink beside it is not slowed; failures are counted and kept for retry."""
    import socket
    import struct
    peer = socket.socket()
    peer.bind(("127.0.0.1", 0))
    peer.listen(64)
    held = []

    def serve():
        while True:
            try:
                connection = peer.accept()[0]
            except OSError:
                return
            if behaviour == "hangs":
                held.append(connection)
            elif behaviour == "resets":
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                connection.close()  # RST
            else:
                def answer_late(connection=connection):
                    connection.recv(65536)
                    time.sleep(2)
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                    connection.close()
                threading.Thread(target=answer_late, daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    port = free_port()
    timeout = "4s" if behaviour == "answers slowly" else "1s"
    config = CONFIG.format(port=port).replace(
        "route:\n  receiver: outbox\n",
        "route:\n  receiver: outbox\n  routes: [{receiver: broken, continue: true}, {receiver: outbox}]\n").replace(
        "receivers:\n",
        f"receivers:\n  - name: broken\n    webhook_configs: [{{url: 'http://127.0.0.1:{peer.getsockname()[1]}/hook', "
        f"timeout: {timeout}, max_concurrency: 20}}]\n")
    relay = start_relay(tmp_path, config, port=port)
    try:
        body = json.loads(fixture_request("01-firing-2-alerts")[0])
        headers = fixture_request("01-firing-2-alerts")[1]
        started = time.monotonic()
        for index in range(20):
            body["groupKey"] = f"group-{index}"
            assert relay.post("alertmanager", json.dumps(body).encode(), headers).status_code == 202
        relay.wait_for_outbox(20, timeout=10)
        assert time.monotonic() - started < 5, "the healthy sink waited for the broken one"

        def attempts(outcome):
            text = requests.get(f"{relay.url}/metrics", timeout=5).text
            return metric(text, "alertrelay_delivery_attempts_total", receiver="broken", outcome=outcome) or 0

        if behaviour == "answers slowly":
            assert wait_until(lambda: attempts("delivered") == 20, timeout=15), "slow but within its timeout: delivered"
            return
        assert wait_until(lambda: attempts("transient") >= 8, timeout=15), "the broken sink's failures are counted"
        broken = relay.admin("GET", "/deliveries?receiver=broken&limit=100").json()["deliveries"]
        assert len(broken) == 20 and all(d["state"] in ("pending", "retrying", "delivering") for d in broken), "kept for retry"
        errors = [(d.get("last_error") or "").lower() for d in broken]
        expected = ("timed out", "timeout") if behaviour == "hangs" else ("reset", "recv failure", "empty reply")
        assert any(word in error for error in errors for word in expected), errors
    finally:
        relay.stop()
        peer.close()


def test_metrics_can_move_to_a_private_listener_or_need_the_admin_token(tmp_path):
    port, private = free_port(), free_port()
    config = CONFIG.format(port=port).replace(
        "  max_body_size: 1MiB", f"  max_body_size: 1MiB\n  metrics_listen_address: 127.0.0.1:{private}").replace(
        "admin:\n  token: e2e-admin-token", "admin:\n  token: e2e-admin-token\n  protect_metrics: true")
    relay = start_relay(tmp_path, config, port=port)
    try:
        assert requests.get(f"{relay.url}/metrics", timeout=5).status_code == 404, "not on the senders' listener"
        assert requests.get(f"http://127.0.0.1:{private}/-/ready", timeout=5).status_code == 200
        assert requests.get(f"http://127.0.0.1:{private}/metrics", timeout=5).status_code == 401
        scraped = requests.get(f"http://127.0.0.1:{private}/metrics", timeout=5,
                               headers={"Authorization": "Bearer e2e-admin-token"})
        assert scraped.status_code == 200 and "alertrelay_build_info" in scraped.text
    finally:
        assert relay.stop() == 0
