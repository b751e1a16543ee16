"""Test-fire end to end: the built binary's `alertrelay test-fire` against a running relay whose sinks are real
servers: an HTTP endpoint that accepts, a Slack-like one whose webhook was revoked (410), and an SMTP server
(aiosmtpd, STARTTLS + AUTH) that refuses the configured password."""
import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from conftest import BINARY, free_port, start_relay
from test_email import Mailbox, certificate, smtp_server


class Endpoint(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Endpoint.received.append((self.path, json.loads(body)))
        status, answer = (410, b"channel_is_archived") if self.path.startswith("/services/revoked") else (200, b"ok")
        self.send_response(status)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def setup(tmp_path):
    Endpoint.received = []
    http = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    mailbox = Mailbox()
    controller, smtp_port = smtp_server(mailbox, tls_context=certificate(tmp_path), auth=True)
    base = f"http://127.0.0.1:{http.server_address[1]}"
    port = free_port()
    config = f"""
server: {{listen_address: 127.0.0.1:{port}}}
storage: {{path: data}}
sources:
  am: {{auth: [{{type: bearer, credentials: [t]}}]}}
route:
  receiver: integrations
  routes:
    - {{matchers: [severity=critical], receiver: integrations, continue: true}}
    - {{matchers: [severity=critical], receiver: oncall-email}}
    - {{matchers: [severity=warning], receiver: team-slack}}
receivers:
  - name: integrations
    webhook_configs: [{{url: "{base}/hooks/incidents"}}]
  - name: team-slack
    slack_configs: [{{api_url: "{base}/services/revoked", rate_limit: 0}}]
  - name: oncall-email
    email_configs:
      - to: oncall@example.org
        from: alertrelay@example.org
        smarthost: 127.0.0.1:{smtp_port}
        auth_username: relay
        auth_password: not-the-password
        tls_config: {{insecure_skip_verify: true}}
admin: {{token: fire-token}}
"""
    relay = start_relay(tmp_path, config, port=port)
    yield relay
    relay.stop()
    controller.stop()
    http.shutdown()


def run_test_fire(relay, *arguments):
    return subprocess.run(
        [BINARY, "test-fire", "--url", relay.url, "--wait", "20s", *arguments],
        capture_output=True, timeout=60, env=dict(os.environ, ALERTRELAY_ADMIN_TOKEN="fire-token"),
    )


def test_a_healthy_sink_reports_delivered_and_gets_a_marked_alert(setup):
    result = run_test_fire(setup, "--receiver", "integrations")
    out = result.stdout.decode()
    assert result.returncode == 0, out + result.stderr.decode()
    assert "integrations/webhook_configs[0]: delivered (200)" in out
    path, body = Endpoint.received[-1]
    assert path == "/hooks/incidents"
    assert body["alerts"][0]["labels"]["alertrelay_test"] == "true"


def test_a_revoked_slack_webhook_is_reported_with_slacks_answer(setup):
    result = run_test_fire(setup, "--receiver", "team-slack")
    out = result.stdout.decode()
    assert result.returncode == 1, out
    assert "team-slack/slack_configs[0]: failed (410): permanent: HTTP 410" in out
    assert "answered: channel_is_archived" in out


def test_a_wrong_smtp_password_is_reported_now_not_at_3am(setup):
    result = run_test_fire(setup, "--receiver", "oncall-email")
    out = result.stdout.decode()
    assert result.returncode == 1, out
    assert "oncall-email/email_configs[0]: failed" in out and "SMTP authentication failed" in out


def test_labels_go_through_the_real_routes(setup):
    result = run_test_fire(setup, "--label", "severity=critical", "--label", "alertname=LiteLLMDown",
                       "--annotation", "summary=route check")
    out = result.stdout.decode()
    assert result.returncode == 1, "the email sink refuses the password"
    assert "integrations/webhook_configs[0]: delivered" in out
    assert "oncall-email/email_configs[0]: failed" in out
    assert "team-slack" not in out
    assert Endpoint.received[-1][1]["alerts"][0]["annotations"]["summary"] == "route check"


def test_without_the_admin_token_nothing_is_sent(setup):
    response = requests.post(f"{setup.url}/api/v1/test-fire", json={"receiver": "integrations"}, timeout=5)
    assert response.status_code == 401
    env = dict(os.environ, ALERTRELAY_ADMIN_TOKEN="guess")
    refused = subprocess.run([BINARY, "test-fire", "--url", setup.url, "--receiver", "integrations"],
                             capture_output=True, timeout=30, env=env)
    assert refused.returncode != 0 and b"HTTP 401" in refused.stderr
    assert Endpoint.received == []
