"""Routing end to end: a real Alertmanager payload split by the route tree across receivers, a mute recorded
and visible (and sendable on request), and `alertrelay routes test` from the command line."""
import json
import os
import subprocess

from conftest import BINARY, FIXTURES, REPO, free_port, start_relay, wait_until

CONFIG = """
server: {{listen_address: 127.0.0.1:{port}}}
storage: {{path: data}}
sources:
  am: {{auth: [{{type: bearer, credentials: [t]}}]}}
time_intervals:
  - name: always
    time_intervals: [{{}}]
route:
  receiver: everything
  routes:
    - {{receiver: everything, continue: true}}
    - {{matchers: ['instance="db1:9100"'], receiver: db1}}
    - {{matchers: ['instance=~"db2:.*"'], receiver: db2, mute_time_intervals: [always]}}
receivers:
  - {{name: everything, file_configs: [{{path: everything.jsonl}}]}}
  - {{name: db1, file_configs: [{{path: db1.jsonl}}]}}
  - {{name: db2, file_configs: [{{path: db2.jsonl}}]}}
admin: {{token: e2e-admin-token}}
"""


def lines(relay, name):
    path = relay.directory / "data" / name
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_alerts_are_split_by_route_and_a_muted_share_is_recorded_not_sent(tmp_path):
    port = free_port()
    relay = start_relay(tmp_path, CONFIG.format(port=port), port=port)
    try:
        body = (FIXTURES / "alertmanager" / "01-firing-2-alerts.json").read_bytes()
        response = relay.post("am", body, {"Authorization": "Bearer t"})
        assert response.status_code == 202
        assert response.json()["receivers"] == ["everything", "db1"]
        assert response.json()["muted"] == ["db2"]
        assert wait_until(lambda: lines(relay, "db1.jsonl") and lines(relay, "everything.jsonl")), relay.log()

        everything = lines(relay, "everything.jsonl")[0]["notification"]
        db1 = lines(relay, "db1.jsonl")[0]["notification"]
        assert len(everything["alerts"]) == 2
        assert [alert["labels"]["instance"] for alert in db1["alerts"]] == ["db1:9100"]
        assert db1["commonLabels"]["instance"] == "db1:9100", "common labels are those of the alerts it got"

        muted = relay.admin("GET", "/deliveries?state=muted").json()["deliveries"]
        assert [(job["receiver"], job["last_error"]) for job in muted] == [
            ("db2", "muted by mute_time_intervals always at route.routes[2]")]
        assert lines(relay, "db2.jsonl") == []

        assert relay.admin("POST", f"/deliveries/{muted[0]['id']}/retry").status_code == 200
        assert wait_until(lambda: lines(relay, "db2.jsonl")), "an operator can send a muted notification anyway"
    finally:
        relay.stop()


def test_routes_test_explains_and_verifies(tmp_path):
    config = tmp_path / "alertrelay.yml"
    config.write_text(CONFIG.format(port=free_port()))

    def routes_test(*arguments):
        return subprocess.run([BINARY, "routes", "test", "--config.file", str(config), *arguments],
                              capture_output=True, timeout=30)

    shown = routes_test("instance=db1:9100", "alertname=DiskFull")
    assert shown.returncode == 0
    assert shown.stdout.decode().splitlines() == [
        "everything  (file_configs[0])",
        "  via route > route.routes[0] (continue)",
        "db1  (file_configs[0])",
        "  via route > route.routes[1] {instance=\"db1:9100\"}",
    ]
    assert routes_test("--expect", "everything", "--expect", "db1", "instance=db1:9100").returncode == 0
    assert routes_test("--expect", "db1", "instance=db1:9100").returncode == 1, "not exactly these"
    failed = routes_test("--expect", "everything", "--expect", "db2", "instance=db2:9100")
    assert failed.returncode == 1, "db2 is muted: it is not reached"
    assert "MUTED: muted by mute_time_intervals always" in failed.stdout.decode()


def test_the_litellm_example_checks_and_routes(tmp_path):
    env = dict(os.environ, ALERTMANAGER_TOKEN="a", ADMIN_TOKEN="b", SMTP_PASSWORD="c",
               INTEGRATIONS_SIGNING_SECRET="whsec_ZGVtbw==", SLACK_PLATFORM_URL="https://hooks.slack.com/services/T/B/p",
               SLACK_FINOPS_URL="https://hooks.slack.com/services/T/B/f", SLACK_PROVIDERS_URL="https://hooks.slack.com/services/T/B/x")
    example = str(REPO / "config" / "litellm.yml")
    checked = subprocess.run([BINARY, "check-config", example], capture_output=True, timeout=30, env=env)
    assert checked.returncode == 0, checked.stdout
    routed = subprocess.run(
        [BINARY, "routes", "test", "--config.file", example, "--time", "2026-12-01T10:00:00Z",
         "--expect", "integrations-webhook", "--expect", "dba-email", "--expect", "oncall-email",
         "alertname=LiteLLMDatabasePoolExhausted", "severity=critical", "alert_group=database"],
        capture_output=True, timeout=30, env=env)
    assert routed.returncode == 0, routed.stdout.decode() + routed.stderr.decode()
    offline = subprocess.run([BINARY, "routes", "show", "--config.file", example], capture_output=True, timeout=30)
    assert offline.returncode == 0, "routes can be inspected without the secrets: " + offline.stderr.decode()
    assert b"route.routes[4] {severity=\"critical\"} -> oncall-email" in offline.stdout
