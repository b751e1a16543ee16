"""The on-call services' receivers end to end: a real Alertmanager capture into the built binary, out through
the queue to a local endpoint per service that checks each request as the service documents it (PagerDuty
Events API v2, Opsgenie's Alert API, a Teams Adaptive Card, a Discord embed, Telegram's sendMessage) and
answers as the service does when it refuses or throttles: PagerDuty's 429 (retried) and 400 (a dead letter),
Telegram's 429 with `parameters.retry_after` (waited for)."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import fixture_request, free_port, start_relay, wait_until

CONFIG = """
storage: {{path: data}}
sources:
  am: {{auth: [{{type: none}}]}}
retry: {{initial_interval: 200ms, max_interval: 2s}}
route:
  receiver: oncall
receivers:
  - name: oncall
    pagerduty_configs: [{{routing_key: {routing_key}, url: 'http://127.0.0.1:{port}/v2/enqueue'}}]
    opsgenie_configs: [{{api_key: genie-key, api_url: 'http://127.0.0.1:{port}/', responders: [{{name: storage, type: team}}]}}]
    msteams_configs: [{{webhook_url: 'http://127.0.0.1:{port}/teams'}}]
    discord_configs: [{{webhook_url: 'http://127.0.0.1:{port}/discord'}}]
    telegram_configs: [{{api_url: 'http://127.0.0.1:{port}', bot_token: '123456:telegram-token', chat_id: -100200300}}]
admin: {{token: e2e-admin-token}}
"""

ROUTING_KEY = "R" * 32


class Services(BaseHTTPRequestHandler):
    """Checks what arrives as the services' documentation says it must be, and answers from a script."""
    received: list = []
    problems: list = []
    script: dict = {}  # path prefix -> list of (status, body, headers) answered in turn, then 2xx
    lock = threading.Lock()

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        path = self.path
        with self.lock:
            self.received.append((path, dict(self.headers), body))
            answers = next((queue for prefix, queue in self.script.items() if path.startswith(prefix)), None)
            answer = answers.pop(0) if answers else None
        self.check(path, self.headers, body)
        status, payload, headers = answer or self.success(path)
        data = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def success(self, path):
        if path.startswith("/v2/enqueue"):
            return 202, {"status": "success", "message": "Event processed", "dedup_key": "x"}, {}
        if path.startswith("/v2/alerts"):
            return 202, {"result": "Request will be processed", "took": 0.1, "requestId": "r"}, {}
        if path.startswith("/bot"):
            return 200, {"ok": True, "result": {"message_id": 1}}, {}
        return 200, b"1", {}

    def check(self, path, headers, body):
        def need(condition, what):
            if not condition:
                self.problems.append(f"{path}: {what}: {json.dumps(body)[:300]}")
        need(headers.get("Content-Type", "").startswith("application/json"), "Content-Type is application/json")
        if path == "/v2/enqueue":
            need(body.get("routing_key") == ROUTING_KEY, "routing_key")
            need(body.get("event_action") in ("trigger", "resolve"), "event_action")
            need(len(body.get("dedup_key", "")) <= 255 and body.get("dedup_key"), "dedup_key")
            if body.get("event_action") == "trigger":
                payload = body.get("payload", {})
                need(payload.get("summary") and len(payload["summary"]) <= 1024, "payload.summary")
                need(payload.get("source"), "payload.source")
                need(payload.get("severity") in ("critical", "error", "warning", "info"), "payload.severity")
        elif path.startswith("/v2/alerts"):
            need(headers.get("Authorization") == "GenieKey genie-key", "Authorization: GenieKey")
            if path == "/v2/alerts":
                need(body.get("message") and len(body["message"]) <= 130, "message")
                need(body.get("alias"), "alias")
                need(body.get("responders") == [{"name": "storage", "type": "team"}], "responders")
            else:
                need(path.endswith("/close?identifierType=alias"), "close by alias")
        elif path == "/teams":
            attachment = (body.get("attachments") or [{}])[0]
            need(body.get("type") == "message", "type message")
            need(attachment.get("contentType") == "application/vnd.microsoft.card.adaptive", "an Adaptive Card")
            need(attachment.get("content", {}).get("type") == "AdaptiveCard", "card type")
        elif path == "/discord":
            embed = (body.get("embeds") or [{}])[0]
            need(embed.get("title") and len(embed["title"]) <= 256, "embed title")
            need(isinstance(embed.get("color"), int), "embed colour")
        elif path.startswith("/bot"):
            need(path == "/bot123456:telegram-token/sendMessage", "the bot's sendMessage")
            need(body.get("chat_id") == -100200300, "chat_id")
            need(body.get("text") and len(body["text"]) <= 4096, "text")
        else:
            need(False, "an endpoint no service has")

    def log_message(self, *args):
        pass


@pytest.fixture
def services():
    Services.received, Services.problems, Services.script = [], [], {}
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Services)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def paths(prefix):
    return [(path, body) for path, _, body in Services.received if path.startswith(prefix)]


def test_each_service_gets_its_own_documented_message_and_the_resolve_closes_the_incident(tmp_path, services):
    port = services.server_address[1]
    relay = start_relay(tmp_path, CONFIG.format(port=port, routing_key=ROUTING_KEY))
    try:
        body, headers = fixture_request("01-firing-2-alerts")
        assert relay.post("am", body, headers).status_code == 202
        assert wait_until(lambda: {p.split("/")[1] for p, _, _ in Services.received} >= {"v2", "teams", "discord", "bot123456:telegram-token"}
                          and len(paths("/v2/")) >= 2, timeout=20), (Services.received, relay.log())
        resolved, headers = fixture_request("03-resolved")
        assert relay.post("am", resolved, headers).status_code == 202
        assert wait_until(lambda: len(paths("/v2/enqueue")) >= 2 and any("/close" in p for p, _ in paths("/v2/alerts")), timeout=20), relay.log()
    finally:
        assert relay.stop() == 0
    assert not Services.problems, "\n".join(Services.problems)
    trigger, resolve = (body for _, body in paths("/v2/enqueue"))
    assert (trigger["event_action"], resolve["event_action"]) == ("trigger", "resolve")
    assert trigger["dedup_key"] == resolve["dedup_key"], "the resolve names the incident the trigger opened"
    create = next(body for path, body in paths("/v2/alerts") if path == "/v2/alerts")
    close = next(path for path, _ in paths("/v2/alerts") if "/close" in path)
    assert f"/v2/alerts/{create['alias']}/close" in close


def test_pagerduty_429_is_retried_and_400_becomes_a_dead_letter(tmp_path, services):
    port = services.server_address[1]
    Services.script["/v2/enqueue"] = [(429, {"status": "throttle event", "message": "Requests for this service are arriving too quickly"}, {})]
    relay = start_relay(tmp_path, CONFIG.format(port=port, routing_key=ROUTING_KEY).replace(
        "    opsgenie_configs", "    # opsgenie_configs").replace("    msteams_configs", "    # msteams_configs").replace(
        "    discord_configs", "    # discord_configs").replace("    telegram_configs", "    # telegram_configs"))
    try:
        body, headers = fixture_request("01-firing-2-alerts")
        assert relay.post("am", body, headers).status_code == 202
        assert wait_until(lambda: len(paths("/v2/enqueue")) >= 2, timeout=20), relay.log()
        assert wait_until(lambda: relay.admin("GET", "/deliveries?state=delivered").json()["deliveries"], timeout=10)
        # An event PagerDuty refuses (400 Invalid event) will not pass on a retry: straight to a dead letter.
        Services.script["/v2/enqueue"] = [(400, {"status": "invalid event", "message": "Event object is invalid", "errors": ["'routing_key' is invalid"]}, {})]
        other, headers = fixture_request("02-firing-1-resolved-1-firing")
        assert relay.post("am", other, headers).status_code == 202
        assert wait_until(lambda: relay.admin("GET", "/deliveries?state=dead").json()["deliveries"], timeout=20), relay.log()
        dead = relay.admin("GET", "/deliveries?state=dead").json()["deliveries"]
        assert len(dead) == 1 and "400" in json.dumps(dead[0])
    finally:
        assert relay.stop() == 0
    assert not Services.problems, "\n".join(Services.problems)


def test_telegram_flood_control_is_waited_out_as_it_asks(tmp_path, services):
    port = services.server_address[1]
    Services.script["/bot"] = [(429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 2",
                                      "parameters": {"retry_after": 2}}, {})]
    relay = start_relay(tmp_path, CONFIG.format(port=port, routing_key=ROUTING_KEY).replace(
        "    pagerduty_configs", "    # pagerduty_configs").replace("    opsgenie_configs", "    # opsgenie_configs").replace(
        "    msteams_configs", "    # msteams_configs").replace("    discord_configs", "    # discord_configs"))
    try:
        body, headers = fixture_request("01-firing-2-alerts")
        started = time.monotonic()
        assert relay.post("am", body, headers).status_code == 202
        arrivals = []
        assert wait_until(lambda: len(paths("/bot")) >= 2 and not arrivals.append(time.monotonic()), timeout=20), relay.log()
        assert arrivals[0] - started >= 1.9, "the second try waited the retry_after Telegram gave, not the 200 ms backoff"
    finally:
        assert relay.stop() == 0
    assert not Services.problems, "\n".join(Services.problems)
