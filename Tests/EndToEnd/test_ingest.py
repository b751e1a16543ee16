"""End to end: the built binary, real captures, real sockets, an independent Standard Webhooks implementation."""
import base64
import datetime
import json
import socket
import subprocess
import time

import pytest
import requests
from standardwebhooks.webhooks import Webhook

from conftest import BINARY, FIXTURES, fixture_request, start_relay, wait_until

SIGNED_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.mark.parametrize("name,source", [
    ("01-firing-2-alerts", "alertmanager"),
    ("02-firing-1-resolved-1-firing", "alertmanager"),
    ("03-resolved", "alertmanager"),
    ("04-truncated-max-alerts-2", "alertmanager"),
    ("05-amtool-no-auth", "noauth"),
])
def test_real_alertmanager_requests_are_accepted_and_written(relay, name, source):
    body, headers = fixture_request(name)
    response = relay.post(source, body, headers)
    assert response.status_code == 202, response.text
    receipt = response.json()
    assert receipt["status"] == "accepted"
    assert receipt["alerts"] == len(json.loads(body)["alerts"])
    [line] = relay.wait_for_outbox(1)
    record = json.loads(line)
    assert record["id"] == receipt["id"]
    assert record["notification"]["alerts"] == [
        {**alert, "endsAt": alert["endsAt"]} for alert in json.loads(body)["alerts"]
    ]


def test_captured_bearer_request_without_its_credentials_is_refused(relay):
    body, headers = fixture_request("01-firing-2-alerts")
    del headers["Authorization"]
    response = relay.post("alertmanager", body, headers)
    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized", "message": "authentication failed", "status": "error"}
    assert relay.admin("GET", "/deliveries").json()["deliveries"] == []


def test_a_webhook_signed_by_the_reference_library_is_accepted_once(relay):
    body = (FIXTURES / "alertmanager" / "01-firing-2-alerts.json").read_bytes()
    signer = Webhook(SIGNED_SECRET)
    now = datetime.datetime.now(tz=datetime.timezone.utc)
    headers = {
        "webhook-id": "msg_e2e_1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signer.sign("msg_e2e_1", now, body.decode()),
    }
    first = relay.post("signed", body, headers)
    assert first.status_code == 202, first.text
    replay = relay.post("signed", body, headers)
    assert replay.status_code == 200
    assert replay.json()["status"] == "duplicate"
    assert replay.json()["id"] == first.json()["id"]
    assert len(relay.wait_for_outbox(1)) == 1

    stale = dict(headers, **{"webhook-id": "msg_e2e_2"})
    old = now - datetime.timedelta(minutes=6)
    stale["webhook-timestamp"] = str(int(old.timestamp()))
    stale["webhook-signature"] = signer.sign("msg_e2e_2", old, body.decode())
    assert relay.post("signed", body, stale).status_code == 401


def test_sign_command_output_verifies_with_the_reference_library(tmp_path):
    body = (FIXTURES / "grafana" / "01-firing-signed.json").read_bytes()
    result = subprocess.run(
        [BINARY, "sign", "--scheme", "standard-webhooks", "--secret", SIGNED_SECRET, "--id", "msg_cli"],
        input=body, capture_output=True, check=True,
    )
    headers = dict(line.split(": ", 1) for line in result.stdout.decode().splitlines())
    assert set(headers) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    Webhook(SIGNED_SECRET).verify(body, headers)  # raises on a bad signature
    with pytest.raises(Exception):
        Webhook(SIGNED_SECRET).verify(body + b" ", headers)


def test_sign_command_reproduces_the_grafana_vector():
    vectors = json.loads((FIXTURES / "signatures.json").read_text())["grafana"]
    body = (FIXTURES / vectors["body_file"]).read_bytes()
    result = subprocess.run(
        [BINARY, "sign", "--scheme", "grafana", "--secret", vectors["secret"],
         "--timestamp-header", vectors["timestamp_header"], "--timestamp", vectors["timestamp"]],
        input=body, capture_output=True, check=True,
    )
    assert f"{vectors['header']}: {vectors['value_with_timestamp']}" in result.stdout.decode().splitlines()


def test_curl_with_signed_headers_is_accepted(relay):
    """The README's recipe: `alertrelay sign` piped into curl's -H options."""
    body_path = FIXTURES / "grafana" / "01-firing-signed.json"
    script = f"""
set -euo pipefail
headers=()
while IFS= read -r h; do headers+=(-H "$h"); done < <(E2E=1 "{BINARY}" sign --scheme grafana --secret-env E2E_GRAFANA_SECRET \\
    --timestamp-header X-Grafana-Alerting-Timestamp < "{body_path}")
curl -sS -H 'Content-Type: application/json' "${{headers[@]}}" --data-binary @"{body_path}" {relay.url}/webhook/grafana
"""
    result = subprocess.run(["bash", "-c", script], capture_output=True, check=True,
                            env={"E2E_GRAFANA_SECRET": "grafana-test-secret", "PATH": "/usr/bin:/bin"})
    assert json.loads(result.stdout)["status"] == "accepted", result.stdout


def raw_exchange(relay, head: bytes, body_chunks, pause=0.0) -> bytes:
    """Sends a request by hand and returns what the server answered, even if it answered before the body was sent."""
    with socket.create_connection(("127.0.0.1", relay.port), timeout=10) as connection:
        connection.sendall(head)
        try:
            for chunk in body_chunks:
                connection.sendall(chunk)
                if pause:
                    time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: what we want
        connection.settimeout(10)
        answer = b""
        try:
            while b"\r\n\r\n" not in answer or len(answer) < answer.index(b"\r\n\r\n") + 50:
                data = connection.recv(65536)
                if not data:
                    break
                answer += data
        except (ConnectionResetError, socket.timeout):
            pass
        return answer


def test_a_10_mb_body_is_refused_before_it_is_read(relay):
    size = 10 * 1024 * 1024
    head = (f"POST /webhook/alertmanager HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer spike-bearer-token-123\r\nContent-Length: {size}\r\n\r\n").encode()
    # Send only the first 64 KiB: the answer must come without the rest.
    answer = raw_exchange(relay, head, [b" " * 65536])
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"body_too_large" in answer
    assert relay.healthy()


def test_a_chunked_body_over_the_limit_is_refused_while_streaming(relay):
    head = (b"POST /webhook/alertmanager HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer spike-bearer-token-123\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b" " * 65536
    frames = (b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(160))  # 10 MiB, never terminated
    answer = raw_exchange(relay, head, frames)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert relay.healthy()
    assert relay.admin("GET", "/deliveries").json()["deliveries"] == []


@pytest.mark.parametrize("junk", [
    b"\x00\xff" * 1000 + b"\r\n\r\n",
    b"POST /webhook/alertmanager HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
    b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\n\r\n",
    b"POST /webhook/alertmanager HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 5000 + b"\r\n",
])
def test_garbage_on_the_wire_never_takes_the_service_down(relay, junk):
    raw_exchange(relay, junk, [])
    assert relay.healthy()


def test_malformed_bodies_get_400_naming_the_field_and_the_service_keeps_answering(relay):
    cases = [
        (b'{"version":"4","status":"firing","alerts":[{"status":"fir', None),
        (b'{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"severity":2},"startsAt":"2026-11-29T19:30:00Z"}]}',
         "alerts[0].labels.severity"),
        (b'{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"a":"\xff"},"startsAt":"2026-11-29T19:30:00Z"}]}', None),
        (b"[" * 500000, None),
    ]
    for body, field in cases:
        response = relay.post("noauth", body)
        assert response.status_code == 400, response.text
        assert response.json().get("field") == field
    assert relay.healthy()
    assert relay.admin("GET", "/deliveries").json()["deliveries"] == []


def test_http_errors_are_json_with_the_right_status(relay):
    body, headers = fixture_request("01-firing-2-alerts")
    assert relay.post("nagios", body, headers).status_code == 404
    wrong_method = requests.get(f"{relay.url}/webhook/alertmanager", timeout=5)
    assert wrong_method.status_code == 405 and wrong_method.headers["Allow"] == "POST"
    not_json = requests.post(f"{relay.url}/webhook/alertmanager", data=body,
                             headers={**headers, "Content-Type": "text/plain"}, timeout=5)
    assert not_json.status_code == 415 and not_json.json()["error"] == "unsupported_media_type"
    assert requests.get(f"{relay.url}/-/ready", timeout=5).text == "AlertRelay is Ready.\n"


def test_serve_refuses_an_invalid_config_naming_the_key(tmp_path):
    config = tmp_path / "bad.yml"
    config.write_text("sources:\n  am:\n    auth: [{type: bearer, credentials: [{file: missing-token}]}]\n"
                      "route: {receiver: pager}\nreceivers: [{name: outbox}]\n")
    result = subprocess.run([BINARY, "serve", "--config.file", str(config)], capture_output=True, timeout=30)
    assert result.returncode == 1
    err = result.stderr.decode()
    assert "sources.am.auth[0].credentials[0]: cannot read secrets file" in err
    assert "route.receiver: unknown receiver \"pager\"" in err

    checked = subprocess.run([BINARY, "check-config", str(config)], capture_output=True, timeout=30)
    assert checked.returncode == 1
    assert "route.receiver" in checked.stdout.decode()


def test_check_config_names_a_broken_template_an_unreadable_secret_and_an_invalid_url(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "pager.mustache").write_text("{{#alerts}}\n{{summary}}\n")
    config = tmp_path / "alertrelay.yml"
    config.write_text(
        "sources:\n  am: {auth: [{type: bearer, credentials: [t]}]}\n"
        "templates: ['templates/*.mustache']\n"
        "route: {receiver: team}\n"
        "receivers:\n"
        "  - name: team\n"
        "    slack_configs: [{api_url_file: slack-url}]\n"
        "    webhook_configs: [{url: 'hooks.example.org/alerts'}]\n"
        "    email_configs: [{to: a@example.org, from: r@example.org, smarthost: 'mx:25', text: '{{> pagr}}'}]\n")
    result = subprocess.run([BINARY, "check-config", str(config)], capture_output=True, timeout=30)
    out = result.stdout.decode()
    assert result.returncode == 1, out
    assert "templates: " in out and "pager.mustache: line 3, column 1: a section is never closed" in out
    assert "receivers[0].email_configs[0].text: template: {{> pagr}} names no template" in out
    assert "receivers[0].slack_configs[0].api_url_file: cannot read secrets file" in out
    assert "receivers[0].webhook_configs[0].url: not a valid http:// or https:// URL" in out


def test_check_config_accepts_the_shipped_default():
    from conftest import REPO
    result = subprocess.run([BINARY, "check-config", str(REPO / "config" / "alertrelay.yml")], capture_output=True, timeout=30)
    assert result.returncode == 0, result.stdout
    assert b"SUCCESS" in result.stdout


def test_a_second_instance_on_the_same_data_directory_refuses_to_start(relay, tmp_path):
    other = subprocess.run(
        [BINARY, "serve", "--config.file", str(relay.directory / "alertrelay.yml"), "--web.listen-address", "127.0.0.1:0"],
        capture_output=True, timeout=30, env={"E2E_GRAFANA_SECRET": "x"},
    )
    assert other.returncode == 1
    assert b"in use by another alertrelay process" in other.stderr


def test_a_duplicate_notification_is_answered_as_such_even_after_a_restart(tmp_path):
    relay = start_relay(tmp_path)
    body, headers = fixture_request("01-firing-2-alerts")
    first = relay.post("alertmanager", body, headers)
    assert first.status_code == 202
    peer = json.loads(body)
    peer["externalURL"] = "http://alertmanager-2:9093"  # the other, unclustered, HA peer
    second = relay.post("alertmanager", json.dumps(peer).encode(), headers)
    assert second.status_code == 200 and second.json()["status"] == "duplicate"
    relay.process.kill()
    relay.process.wait()
    restarted = start_relay(tmp_path)
    try:
        again = restarted.post("alertmanager", body, headers)
        assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
        # SIGKILL between the sink's write and the record of it means one more delivery after the restart:
        # at least once, never lost. What dedup guarantees is that no second notification was queued.
        lines = restarted.wait_for_outbox(1)
        assert {json.loads(line)["id"] for line in lines} == {first.json()["id"]}
        assert len(restarted.admin("GET", "/deliveries").json()["deliveries"]) == 1
    finally:
        assert restarted.stop() == 0
