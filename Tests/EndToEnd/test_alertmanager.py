"""A real Prometheus Alertmanager (Debian's prometheus-alertmanager) sending to AlertRelay."""
import datetime
import json

import pytest

from conftest import ALERTMANAGER, Alertmanager, wait_until


@pytest.mark.skipif(ALERTMANAGER is None, reason="prometheus-alertmanager is not installed (scripts/install-deps.sh installs it)")
def test_a_real_alertmanager_delivers_through_bearer_and_basic_auth(relay, tmp_path):
    am_dir = tmp_path / "alertmanager"
    am_dir.mkdir()
    (am_dir / "password").write_text("s3cret")
    config = f"""
route:
  receiver: relay-bearer
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  routes:
    - matchers: ['alertname="LiteLLMHighLatency"']
      receiver: relay-basic
receivers:
  - name: relay-bearer
    webhook_configs:
      - url: {relay.url}/webhook/alertmanager
        send_resolved: true
        http_config:
          authorization: {{type: Bearer, credentials: spike-bearer-token-123}}
  - name: relay-basic
    webhook_configs:
      - url: {relay.url}/webhook/alertmanager
        http_config:
          basic_auth: {{username: am, password_file: {am_dir / "password"}}}
"""
    alertmanager = Alertmanager(am_dir, config)
    try:
        now = datetime.datetime.now(tz=datetime.timezone.utc).isoformat()
        alerts = [
            {"labels": {"alertname": "LiteLLMDown", "severity": "critical", "job": "litellm"},
             "annotations": {"summary": "LiteLLM proxy is down"}, "startsAt": now},
            {"labels": {"alertname": "LiteLLMHighLatency", "severity": "warning", "model": "llama"},
             "annotations": {"summary": "P95 latency above 10s"}, "startsAt": now},
        ]
        alertmanager.post_alerts(alerts)

        def delivered():
            names = {json.loads(line)["notification"]["groupLabels"].get("alertname") for line in relay.outbox_lines()}
            return {"LiteLLMDown", "LiteLLMHighLatency"} <= names

        assert wait_until(delivered, timeout=30), relay.log() + alertmanager.log()
        records = [json.loads(line) for line in relay.outbox_lines()]
        down = next(r for r in records if r["notification"]["groupLabels"].get("alertname") == "LiteLLMDown")
        assert down["notification"]["receiver"] == "relay-bearer"
        assert down["notification"]["alerts"][0]["labels"]["severity"] == "critical"
        assert down["notification"]["externalURL"].startswith("http")
        assert "Refused" not in relay.log()
    finally:
        alertmanager.stop()
