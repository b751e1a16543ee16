"""The whole chain with real peers: two unclustered Alertmanagers (an HA pair's duplicates) post to AlertRelay,
which routes by severity to a real SMTP server (critical), a Slack-shaped endpoint (warning) and a generic
HTTP endpoint (everything), and forwards everything, signed the Standard Webhooks way, to a second AlertRelay
that verifies the signature before it accepts."""
import datetime
import email
import email.policy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from conftest import ALERTMANAGER, Alertmanager, free_port, start_relay, wait_until
from test_email import Mailbox, smtp_server

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class Endpoint(BaseHTTPRequestHandler):
    """Answers 200 (Slack says `ok`) and records each JSON body by path."""
    received = {}
    lock = threading.Lock()

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        with Endpoint.lock:
            Endpoint.received.setdefault(self.path, []).append(body)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def bodies(path):
    with Endpoint.lock:
        return list(Endpoint.received.get(path, []))


@pytest.mark.skipif(ALERTMANAGER is None, reason="prometheus-alertmanager is not installed (scripts/install-deps.sh installs it)")
def test_alertmanager_ha_pair_through_alertrelay_to_mail_slack_http_and_a_signed_second_relay(tmp_path):
    Endpoint.received = {}
    http = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{http.server_address[1]}"
    mailbox = Mailbox()
    controller, smtp_port = smtp_server(mailbox)

    downstream_port = free_port()
    (tmp_path / "downstream").mkdir()
    downstream = start_relay(tmp_path / "downstream", f"""
server: {{listen_address: 127.0.0.1:{downstream_port}}}
storage: {{path: data}}
sources:
  upstream: {{auth: [{{type: standard-webhooks, secrets: [{SECRET}]}}]}}
route: {{receiver: outbox}}
receivers: [{{name: outbox, file_configs: [{{path: outbox.jsonl}}]}}]
""", port=downstream_port)

    port = free_port()
    (tmp_path / "relay").mkdir()
    relay = start_relay(tmp_path / "relay", f"""
server: {{listen_address: 127.0.0.1:{port}}}
storage: {{path: data}}
sources:
  alertmanager: {{auth: [{{type: bearer, credentials: [am-token]}}]}}
route:
  receiver: integrations
  routes:
    - {{receiver: integrations, continue: true}}
    - {{matchers: [severity=critical], receiver: oncall-email}}
    - {{matchers: [severity=warning], receiver: team-slack}}
receivers:
  - name: integrations
    webhook_configs:
      - url: {base}/hooks/incidents
      - url: http://127.0.0.1:{downstream_port}/webhook/upstream
        signing: {{type: standard-webhooks, secret: {SECRET}}}
  - name: oncall-email
    email_configs:
      - {{to: oncall@example.org, from: alertrelay@example.org, smarthost: '127.0.0.1:{smtp_port}', require_tls: false, send_resolved: true}}
  - name: team-slack
    slack_configs: [{{api_url: '{base}/services/T0/B0/x', channel: '#litellm', send_resolved: true, rate_limit: 0}}]
admin: {{token: e2e-admin-token}}
""", port=port)

    am_config = f"""
route:
  receiver: alertrelay
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: alertrelay
    webhook_configs:
      - url: {relay.url}/webhook/alertmanager
        send_resolved: true
        http_config: {{authorization: {{type: Bearer, credentials: am-token}}}}
"""
    pair = [Alertmanager(tmp_path / "am1", am_config), Alertmanager(tmp_path / "am2", am_config)]
    try:
        started = datetime.datetime.now(tz=datetime.timezone.utc).replace(microsecond=0)
        alerts = [
            {"labels": {"alertname": "LiteLLMDown", "severity": "critical", "alert_group": "availability"},
             "annotations": {"summary": "LiteLLM proxy is down"}, "startsAt": started.isoformat()},
            {"labels": {"alertname": "LiteLLMHighLatency", "severity": "warning", "alert_group": "performance"},
             "annotations": {"summary": "P95 latency above 10s"}, "startsAt": started.isoformat()},
        ]
        for alertmanager in pair:
            alertmanager.post_alerts(alerts)

        def arrived():
            return (len(mailbox.messages) >= 1 and len(bodies("/services/T0/B0/x")) >= 1
                    and len(bodies("/hooks/incidents")) >= 2 and len(downstream.outbox_lines()) >= 2)

        assert wait_until(arrived, timeout=30), relay.log() + pair[0].log()
        # Both Alertmanagers sent each group: AlertRelay delivered each once.
        def settled():
            states = {d["state"] for d in relay.admin("GET", "/deliveries?limit=100").json()["deliveries"]}
            return states == {"delivered"}

        assert wait_until(settled), relay.log()
        def duplicates():
            text = requests.get(f"{relay.url}/metrics", timeout=5).text
            line = next((l for l in text.splitlines() if l.startswith("alertrelay_webhooks_received_total") and 'outcome="duplicate"' in l), "x 0")
            return float(line.rsplit(" ", 1)[1])

        assert wait_until(lambda: duplicates() >= 2, timeout=20), "the second Alertmanager's notifications are duplicates"
        assert len(mailbox.messages) == 1
        mail = email.message_from_bytes(mailbox.messages[0][2], policy=email.policy.default)
        assert mail["Subject"] == "[FIRING:1] LiteLLMDown"
        slack = bodies("/services/T0/B0/x")
        assert len(slack) == 1 and slack[0]["channel"] == "#litellm"
        assert "LiteLLMHighLatency" in json.dumps(slack[0])
        incidents = bodies("/hooks/incidents")
        assert sorted(body["groupLabels"]["alertname"] for body in incidents) == ["LiteLLMDown", "LiteLLMHighLatency"]
        assert all(body["version"] == "4" and body["receiver"] == "integrations" for body in incidents)
        forwarded = [json.loads(line)["notification"] for line in downstream.outbox_lines()]
        assert sorted(n["groupLabels"]["alertname"] for n in forwarded) == ["LiteLLMDown", "LiteLLMHighLatency"]
        assert "Refused" not in downstream.log(), "every forwarded webhook passed signature verification"

        ended = datetime.datetime.now(tz=datetime.timezone.utc).isoformat()
        for alertmanager in pair:
            alertmanager.post_alerts([{**alert, "endsAt": ended} for alert in alerts])
        assert wait_until(lambda: len(mailbox.messages) >= 2 and len(bodies("/services/T0/B0/x")) >= 2, timeout=30), relay.log()
        resolved = email.message_from_bytes(mailbox.messages[1][2], policy=email.policy.default)
        assert resolved["Subject"] == "[RESOLVED] LiteLLMDown"
        assert resolved["References"] == mail["References"], "the resolved mail continues the thread"
        assert bodies("/services/T0/B0/x")[1]["attachments"][0]["color"] == "#2eb886"
        assert wait_until(lambda: len(downstream.outbox_lines()) >= 4)
    finally:
        for alertmanager in pair:
            alertmanager.stop()
        relay.stop()
        downstream.stop()
        controller.stop()
        http.shutdown()
