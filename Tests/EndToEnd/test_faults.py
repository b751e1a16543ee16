"""The faults of issue 13, each as a user would meet it: a busy port, SIGTERM during a hung SMTP delivery, dedup
across sources, replays and the rate budget, the metrics listener's protections, unauthenticated uploads, malformed
chunked bodies and a symlinked outbox. Everything runs on 127.0.0.1; every process and socket is closed at the end."""
import json
import re
import select
import signal
import socket
import subprocess
import threading
import time
import datetime

import pytest
import requests
from aiosmtpd.controller import Controller
from standardwebhooks.webhooks import Webhook

from conftest import BINARY, FIXTURES, fixture_request, free_port, start_relay, wait_until
from test_email import Mailbox

AM_TOKEN = "spike-bearer-token-123"  # the one the captured fixtures carry
SIGNED_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
ERROR_LINE = re.compile(r"^\S+ (error|critical) ", re.M)


def outbox_config(port, sources, server_extra="", extra=""):
    return f"""
server:
  listen_address: 127.0.0.1:{port}
{server_extra}storage: {{path: data}}
sources:
{sources}route: {{receiver: outbox}}
receivers:
  - name: outbox
    file_configs: [{{path: outbox.jsonl}}]
admin: {{token: e2e-admin-token}}
{extra}"""


def firing_fixture():
    return json.loads((FIXTURES / "alertmanager" / "01-firing-2-alerts.json").read_text())


def metric_values(text, name):
    """{labels text: value} of one metric in a Prometheus exposition."""
    values = {}
    for line in text.splitlines():
        match = re.match(rf"^{re.escape(name)}(\{{[^}}]*\}})?\s+(\S+)$", line)
        if match:
            values[match.group(1) or ""] = float(match.group(2))
    return values


def closed_by_server(sock, wait=1.0):
    """True when the server has closed `sock` (EOF or reset) within `wait` seconds, False while it stays open."""
    readable, _, _ = select.select([sock], [], [], wait)
    if not readable:
        return False
    try:
        return sock.recv(1024) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True


def count_open(sockets, wait=0.5):
    """How many of `sockets` the server still holds open, all watched at once for `wait` seconds."""
    closed = set()
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        pending = [sock for sock in sockets if sock not in closed]
        readable, _, _ = select.select(pending, [], [], max(0.0, deadline - time.monotonic()))
        if not readable:
            break
        for sock in readable:
            if closed_by_server(sock, wait=0):
                closed.add(sock)
    return len(sockets) - len(closed)


def open_idle(port, count):
    """`count` TCP connections that never send a byte; those the server refuses at once may fail to connect."""
    sockets = []
    for _ in range(count):
        try:
            sockets.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        except OSError:
            pass
    return sockets


def wait_for_no_client_connections(url, listener="main", timeout=10):
    """Waits until the listener counts only the connection asking (start_relay's health checks are gone)."""
    def only_one():
        try:
            text = requests.get(f"{url}/metrics", headers={"Connection": "close"}, timeout=5).text
        except requests.RequestException:
            return False
        return metric_values(text, "alertrelay_http_connections").get(f'{{listener="{listener}"}}') == 1
    return wait_until(only_one, timeout=timeout)


# --- 1. busy port -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("busy_listener", ["listen_address", "metrics_listen_address"])
def test_a_busy_port_ends_the_process_at_once_with_one_line(tmp_path, busy_listener):
    squatter = socket.socket()
    squatter.bind(("127.0.0.1", 0))
    squatter.listen(8)
    busy = squatter.getsockname()[1]
    free = free_port()
    main, metrics = (busy, free) if busy_listener == "listen_address" else (free, busy)
    config = tmp_path / "alertrelay.yml"
    # The main port busy with no metrics listener; the metrics port busy with the main one free.
    server_extra = f"  metrics_listen_address: 127.0.0.1:{metrics}\n" if busy_listener == "metrics_listen_address" else ""
    config.write_text(outbox_config(main, "  am: {auth: [{type: bearer, credentials: [t]}]}\n", server_extra=server_extra))
    stderr_path = tmp_path / "stderr"
    with open(stderr_path, "wb") as stderr, open(tmp_path / "stdout", "wb") as stdout:
        process = subprocess.Popen([BINARY, "serve", "--config.file", str(config)], stdout=stdout, stderr=stderr)
    try:
        try:
            code = process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        size = stderr_path.stat().st_size
        with open(stderr_path, "rb") as f:
            head = f.read(20_000).decode(errors="replace")
        assert code is not None, f"still running 10 s after a listen failure; {size} bytes of stderr:\n{head[-3000:]}"
        assert code != 0
        assert size < 20_000, f"{size} bytes of stderr:\n{head[:3000]}"
        assert f"alertrelay: cannot listen on 127.0.0.1:{busy}: address already in use" in head.splitlines(), head
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        squatter.close()


# --- 2. SIGTERM during a hung SMTP delivery ---------------------------------------------------------------------

class HangingSMTP:
    """Greets with 220, then never answers anything: the connections (at most 8) are recorded and held open."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.connections = []
        self.received = b""
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        deadline = time.monotonic() + 120
        while not self.stop_event.is_set() and time.monotonic() < deadline:
            readable, _, _ = select.select([self.listener] + self.connections, [], [], 0.1)
            for sock in readable:
                if sock is self.listener:
                    if len(self.connections) < 8:
                        connection, _ = self.listener.accept()
                        connection.sendall(b"220 hang.example.org ESMTP\r\n")
                        self.connections.append(connection)
                else:
                    try:
                        data = sock.recv(4096)
                    except OSError:
                        data = b""
                    if data:
                        self.received += data
                    else:
                        self.connections.remove(sock)
                        sock.close()

    def close(self):
        self.stop_event.set()
        self.thread.join(timeout=5)
        for sock in self.connections:
            sock.close()
        self.listener.close()


def smtp_relay_config(port, smtp_port):
    return f"""
server:
  listen_address: 127.0.0.1:{port}
  shutdown_timeout: 2s
storage: {{path: data}}
sources:
  am: {{auth: [{{type: bearer, credentials: [t]}}]}}
route: {{receiver: oncall}}
retry: {{initial_interval: 200ms, max_interval: 1s}}
admin: {{token: e2e-admin-token}}
receivers:
  - name: oncall
    email_configs:
      - to: oncall@example.com
        from: relay@example.com
        smarthost: 127.0.0.1:{smtp_port}
        require_tls: false
        timeout: 60s
"""


def test_sigterm_during_a_hung_smtp_delivery_exits_in_time_and_the_mail_is_sent_after_restart(tmp_path):
    hanging = HangingSMTP()
    smtp_port = hanging.port
    port = free_port()
    relay = start_relay(tmp_path, smtp_relay_config(port, smtp_port), port=port)
    controller = None
    restarted = None
    try:
        body = (FIXTURES / "alertmanager" / "01-firing-2-alerts.json").read_bytes()
        response = requests.post(f"{relay.url}/webhook/am", data=body, timeout=5,
                                 headers={"Content-Type": "application/json", "Authorization": "Bearer t"})
        assert response.status_code == 202, response.text
        assert wait_until(lambda: hanging.connections, timeout=15), relay.log()
        # The relay is now waiting for an answer to EHLO that never comes.
        assert wait_until(lambda: b"EHLO" in hanging.received or b"HELO" in hanging.received, timeout=5), hanging.received
        started = time.monotonic()
        relay.process.send_signal(signal.SIGTERM)
        try:
            code = relay.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        took = time.monotonic() - started
        assert code is not None, f"still running 10 s after SIGTERM (shutdown_timeout 2s):\n{relay.log()[-3000:]}"
        assert code == 0, f"exit code {code} after SIGTERM:\n{relay.log()[-3000:]}"
        first_log = relay.log()

        # The same data directory, a real SMTP server on the same port: the job was left queued, not lost.
        hanging.close()
        mailbox = Mailbox()
        controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        restarted = start_relay(tmp_path, port=port)
        assert wait_until(lambda: len(mailbox.messages) >= 1, timeout=20), restarted.log()
        [job] = restarted.admin("GET", "/deliveries").json()["deliveries"]
        assert wait_until(lambda: restarted.admin("GET", "/deliveries").json()["deliveries"][0]["state"] == "delivered",
                          timeout=10)
        time.sleep(1.5)  # nothing more arrives
        assert len(mailbox.messages) == 1, "the queued mail is sent exactly once"
        assert mailbox.messages[0][1] == ["oncall@example.com"]
        [job] = restarted.admin("GET", "/deliveries").json()["deliveries"]
        detail = restarted.admin("GET", f"/deliveries/{job['id']}").json()
        print(f"\nSIGTERM during hung SMTP: exited {code} after {took:.1f} s; after restart: state={job['state']} "
              f"attempts={job['attempts']} last_error={job.get('last_error')!r}; "
              f"attempts detail={[(a.get('status'), a.get('error')) for a in detail.get('attempts', [])]}; "
              f"log after SIGTERM: {first_log.splitlines()[-6:]}")
    finally:
        if restarted is not None:
            assert restarted.stop() == 0
        relay.stop()
        hanging.close()
        if controller is not None:
            controller.stop()


# --- 3. dedup across two sources --------------------------------------------------------------------------------

def two_sources(port, dedup_group=None):
    group = f", dedup_group: {dedup_group}" if dedup_group else ""
    return outbox_config(port, f"  am: {{auth: [{{type: bearer, credentials: [{AM_TOKEN}]}}]{group}}}\n"
                               f"  legacy: {{auth: [{{type: none}}]{group}}}\n")


def test_a_forged_copy_through_another_source_does_not_suppress_the_real_notification(tmp_path):
    port = free_port()
    relay = start_relay(tmp_path, two_sources(port), port=port)
    try:
        body, headers = fixture_request("01-firing-2-alerts")
        forged = json.loads(body)
        for alert in forged["alerts"]:
            alert["labels"]["severity"] = "info"
            alert["annotations"] = {"summary": "nothing to see here"}
        forged["commonLabels"]["severity"] = "info"
        forged["commonAnnotations"] = {}
        legacy_headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
        first = relay.post("legacy", json.dumps(forged).encode(), legacy_headers)
        assert first.status_code == 202, first.text

        real = relay.post("am", body, headers)
        assert real.status_code == 202, real.text
        assert real.json()["status"] == "accepted"
        lines = relay.wait_for_outbox(2)
        by_id = {json.loads(line)["id"]: json.loads(line)["notification"] for line in lines}
        assert by_id[real.json()["id"]]["alerts"][0]["labels"]["severity"] == "critical"
        assert by_id[first.json()["id"]]["alerts"][0]["labels"]["severity"] == "info"

        # The HA guarantee within a source still holds.
        again = relay.post("am", body, headers)
        assert again.status_code == 200 and again.json()["status"] == "duplicate", again.text
        assert again.json()["id"] == real.json()["id"]
        time.sleep(0.5)
        assert len(relay.outbox_lines()) == 2
    finally:
        assert relay.stop() == 0


def test_sources_sharing_a_dedup_group_deliver_the_same_notification_once(tmp_path):
    port = free_port()
    relay = start_relay(tmp_path, two_sources(port, dedup_group="ha"), port=port)
    try:
        body, headers = fixture_request("01-firing-2-alerts")
        first = relay.post("am", body, headers)
        assert first.status_code == 202, first.text
        legacy_headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
        second = relay.post("legacy", body, legacy_headers)
        assert second.status_code == 200 and second.json()["status"] == "duplicate", second.text
        relay.wait_for_outbox(1)
        time.sleep(0.5)
        assert len(relay.outbox_lines()) == 1
        assert len(relay.admin("GET", "/deliveries").json()["deliveries"]) == 1
    finally:
        assert relay.stop() == 0


# --- 4. replays and the rate budget -------------------------------------------------------------------------------

def signed_headers(message_id, body: bytes):
    now = datetime.datetime.now(tz=datetime.timezone.utc)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(SIGNED_SECRET).sign(message_id, now, body.decode()),
    }


def test_replays_do_not_spend_the_rate_budget(tmp_path):
    port = free_port()
    sources = (f"  signed:\n    rate_limit: 1\n    rate_burst: 2\n"
               f"    auth: [{{type: standard-webhooks, secrets: [{SIGNED_SECRET}]}}]\n")
    relay = start_relay(tmp_path, outbox_config(port, sources), port=port)
    try:
        body = (FIXTURES / "alertmanager" / "01-firing-2-alerts.json").read_bytes()
        headers = signed_headers("msg_fault_1", body)
        session = requests.Session()
        first = session.post(f"{relay.url}/webhook/signed", data=body, timeout=5,
                             headers={"Content-Type": "application/json", **headers})
        assert first.status_code == 202, first.text
        started = time.monotonic()
        statuses = []
        for _ in range(40):
            replay = session.post(f"{relay.url}/webhook/signed", data=body, timeout=5,
                                  headers={"Content-Type": "application/json", **headers})
            statuses.append((replay.status_code, replay.json().get("status")))
        replay_time = time.monotonic() - started
        assert statuses == [(200, "duplicate")] * 40, statuses

        changed = firing_fixture()
        changed["alerts"][0]["labels"]["instance"] = "db3:9100"
        changed["groupKey"] = '{}:{alertname="DiskFull",instance="db3"}'
        new_body = json.dumps(changed).encode()
        fresh = session.post(f"{relay.url}/webhook/signed", data=new_body, timeout=5,
                             headers={"Content-Type": "application/json", **signed_headers("msg_fault_2", new_body)})
        assert fresh.status_code == 202, f"{fresh.status_code} {fresh.text} (40 replays took {replay_time:.2f} s)"
        assert fresh.json()["status"] == "accepted"
        relay.wait_for_outbox(2)
    finally:
        assert relay.stop() == 0


# --- 5. the metrics listener's protections ------------------------------------------------------------------------

@pytest.mark.parametrize("per_client,held,limit", [(None, 5, "per_client"), (20, 20, "total")])
def test_the_metrics_listener_limits_connections_and_cuts_off_slow_clients(tmp_path, per_client, held, limit):
    port, metrics_port = free_port(), free_port()
    server_extra = (f"  metrics_listen_address: 127.0.0.1:{metrics_port}\n  max_connections: 20\n  read_timeout: 2s\n")
    if per_client is not None:
        server_extra += f"  max_connections_per_client: {per_client}\n"
    relay = start_relay(tmp_path, outbox_config(port, "  am: {auth: [{type: bearer, credentials: [t]}]}\n",
                                                server_extra=server_extra), port=port)
    hogs = []
    try:
        hogs = open_idle(metrics_port, 60)
        time.sleep(0.3)
        still_open = count_open(hogs, wait=0.5)
        refused_at_connect = 60 - len(hogs)
        assert requests.get(f"{relay.url}/-/healthy", timeout=5).status_code == 200, "the main port still answers"
        # All 60 come from 127.0.0.1: by default the per-client share (a quarter of max_connections) stays, the rest
        # are closed at once; with the per-client limit raised to 20, max_connections itself.
        assert still_open == held, f"{still_open} of 60 idle connections held open on the metrics port"
        for hog in hogs:
            hog.close()
        hogs = []
        time.sleep(0.3)  # the server sees them go

        # Idle and slowloris connections are cut off after read_timeout (2 s), not held.
        with socket.create_connection(("127.0.0.1", metrics_port), timeout=5) as idle, \
                socket.create_connection(("127.0.0.1", metrics_port), timeout=5) as slow:
            started = time.monotonic()
            slow.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
            cut = {}
            deadline = started + 8
            while len(cut) < 2 and time.monotonic() < deadline:
                for name, sock in (("idle", idle), ("slow", slow)):
                    if name in cut:
                        continue
                    if name == "slow" and time.monotonic() - started < 3:
                        try:
                            slow.sendall(b"X-a: b\r\n")  # a header line now and then, never the end
                        except OSError:
                            pass
                    if closed_by_server(sock, wait=0.1):
                        cut[name] = time.monotonic() - started
                time.sleep(0.2)
            assert set(cut) == {"idle", "slow"}, f"held open past 8 s: {cut}"
            assert max(cut.values()) <= 4.0, cut
            assert min(cut.values()) >= 1.5, f"closed before read_timeout (refused on arrival?): {cut}"

        text = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).text
        refused = metric_values(text, "alertrelay_http_connections_refused_total")
        assert refused.get(f'{{listener="metrics",limit="{limit}"}}', 0) >= 60 - held - refused_at_connect, refused
        print(f"\nmetrics listener: {still_open} idle held, {refused_at_connect} failed to connect; cut off after {cut}; "
              f"refused counters {refused}")
    finally:
        for hog in hogs:
            hog.close()
        assert relay.stop() == 0


# --- 6. unauthenticated uploads, and one client's share of the connections ---------------------------------------

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(next(line for line in f if line.startswith("VmRSS:")).split()[1])


def unauthenticated_upload(port, size=1_048_000):
    """Headers and 16 KiB of a `size`-byte body with a wrong token; returns (head of the answer, seconds to it)."""
    head = (f"POST /webhook/alertmanager HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer wrong-token\r\nContent-Length: {size}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        started = time.monotonic()
        s.sendall(head + b" " * 16384)
        s.settimeout(5)
        answer = b""
        try:
            while b"\r\n\r\n" not in answer:
                data = s.recv(65536)
                if not data:
                    break
                answer += data
        except (socket.timeout, ConnectionResetError):
            pass
        took = time.monotonic() - started
        try:  # then the rest of the body, as a client that does not read the answer would
            s.sendall(b" " * (size - 16384))
        except socket.timeout:
            pytest.fail("the server neither read the rest of the body nor closed the connection in 5 s")
        except OSError:
            pass
    return answer.split(b"\r\n\r\n", 1)[0].decode(errors="replace"), took


def test_unauthenticated_bodies_are_refused_before_they_are_read(relay):
    before = rss_kib(relay.process.pid)
    slow = []
    for _ in range(100):
        head, took = unauthenticated_upload(relay.port)
        assert head.startswith("HTTP/1.1 401"), head
        assert re.search(r"^connection:\s*close\s*$", head, re.I | re.M), head
        if took > 2:
            slow.append(took)
    assert not slow, f"401 took over 2 s: {slow}"
    assert relay.healthy()
    after = rss_kib(relay.process.pid)
    print(f"\nRSS before {before // 1024} MiB, after 100 unauthenticated 1 MB uploads {after // 1024} MiB")
    assert after - before < 40 * 1024, f"RSS grew from {before // 1024} to {after // 1024} MiB"


@pytest.mark.parametrize("per_client,expected_open", [(None, 10), (40, 30)])
def test_one_client_gets_a_share_of_the_connections(tmp_path, per_client, expected_open):
    port = free_port()
    server_extra = "  max_connections: 40\n  read_timeout: 30s\n"
    if per_client is not None:
        server_extra += f"  max_connections_per_client: {per_client}\n"
    relay = start_relay(tmp_path, outbox_config(port, "  am: {auth: [{type: bearer, credentials: [t]}]}\n",
                                                server_extra=server_extra), port=port)
    hogs = []
    try:
        assert wait_for_no_client_connections(relay.url), relay.log()
        time.sleep(0.2)
        hogs = open_idle(port, 30)
        time.sleep(0.3)
        still_open = count_open(hogs, wait=0.5)
        assert still_open == expected_open, f"{still_open} of 30 idle connections from one client stay open"
    finally:
        for hog in hogs:
            hog.close()
        assert relay.stop() == 0


# --- 7. malformed chunked bodies ----------------------------------------------------------------------------------

CHUNKED_HEAD = (b"POST /webhook/alertmanager HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Authorization: Bearer " + AM_TOKEN.encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n")


CHUNK_BODY = (FIXTURES / "alertmanager" / "01-firing-2-alerts.json").read_bytes()
CHUNK_SIZE = b"%x" % len(CHUNK_BODY)


@pytest.mark.parametrize("framing,status", [
    # A valid Alertmanager body in every case: only the framing is wrong, so a 400 is about the framing.
    pytest.param(b"1ffffffffffffffff\r\n" + CHUNK_BODY + b"\r\n0\r\n\r\n", 400, id="size-overflows-64-bits"),
    pytest.param(b"-5\r\n" + CHUNK_BODY + b"\r\n0\r\n\r\n", 400, id="negative-size"),
    pytest.param(CHUNK_SIZE + b"\r\n" + CHUNK_BODY + b"0\r\n\r\n", 400, id="no-crlf-after-data"),
    pytest.param(CHUNK_SIZE + b"\r\n" + CHUNK_BODY + b"\r\n0\r\n\r\n", 202, id="well-framed-control"),
])
def test_a_malformed_chunked_body_is_a_400_and_not_an_error(relay, framing, status):
    with socket.create_connection(("127.0.0.1", relay.port), timeout=10) as s:
        s.sendall(CHUNKED_HEAD + framing)
        s.settimeout(10)
        answer = b""
        try:
            while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
                data = s.recv(65536)
                if not data:
                    break
                answer += data
        except (socket.timeout, ConnectionResetError):
            pass
    assert answer.startswith(b"HTTP/1.1 %d" % status), answer[:300]
    if status == 400:
        assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"] == "malformed_request", answer
    assert relay.healthy()
    time.sleep(0.3)
    errors = [line for line in relay.log().splitlines() if ERROR_LINE.match(line)]
    assert not errors, errors
    assert len(relay.admin("GET", "/deliveries").json()["deliveries"]) == (1 if status == 202 else 0)


# --- 8. a symlinked outbox ------------------------------------------------------------------------------------

@pytest.mark.parametrize("dangling", [False, True], ids=["existing-target", "dangling-link"])
def test_the_file_sink_never_writes_through_a_symlink(tmp_path, dangling):
    target = tmp_path / "precious.txt"
    content = "do not touch\n" * 100
    if not dangling:
        target.write_text(content)
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    (data / "outbox.jsonl").symlink_to(target)

    def untouched():
        return not target.exists() if dangling else target.read_text() == content

    port = free_port()
    try:
        relay = start_relay(tmp_path, outbox_config(port, "  noauth: {auth: [{type: none}]}\n"), port=port)
    except RuntimeError as refused:  # refusing to start is one acceptable answer
        assert untouched(), "the symlink's target was written or created"
        assert "outbox.jsonl" in str(refused), str(refused)
        return
    try:
        body, headers = fixture_request("05-amtool-no-auth")
        assert relay.post("noauth", body, headers).status_code == 202

        def attempted():
            jobs = relay.admin("GET", "/deliveries").json()["deliveries"]
            return jobs and jobs[0]["attempts"] >= 1

        assert wait_until(attempted, timeout=10), relay.log()
        time.sleep(0.5)
        [job] = relay.admin("GET", "/deliveries").json()["deliveries"]
        assert untouched(), f"written through the symlink; job {job}"
        assert job["state"] != "delivered" or not (data / "outbox.jsonl").is_symlink(), job
        print(f"\nsymlinked outbox: job {job['state']} last_error={job.get('last_error')!r}")
    finally:
        assert relay.stop() == 0


# --- beyond the brief: what `Connection: close` on a 401 promises ---------------------------------------------

@pytest.mark.parametrize("send_rest", [False, True], ids=["body-withheld", "body-sent"])
def test_a_401_with_connection_close_closes_the_connection(relay, send_rest):
    """RFC 9112 9.6: a server that sends `Connection: close` initiates the closure after that response (a lingering
    close still sends its FIN at once). The client sees EOF within 2 s, not after read_timeout or idle_timeout."""
    size = 1_048_000
    head = (f"POST /webhook/alertmanager HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer wrong-token\r\nContent-Length: {size}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", relay.port), timeout=5) as s:
        s.sendall(head + b" " * 16384)
        answer = b""
        while b"\r\n\r\n" not in answer:
            data = s.recv(65536)
            if not data:
                break
            answer += data
        assert answer.startswith(b"HTTP/1.1 401") and re.search(rb"^connection:\s*close\s*$", answer, re.I | re.M), answer
        if send_rest:
            try:
                s.sendall(b" " * (size - 16384))
            except OSError:
                pass
        s.settimeout(2)
        started = time.monotonic()
        try:
            while s.recv(65536):
                pass
        except socket.timeout:
            pytest.fail(f"the connection is still open {time.monotonic() - started:.1f} s after a 401 with Connection: close")
        except (ConnectionResetError, BrokenPipeError):
            pass
