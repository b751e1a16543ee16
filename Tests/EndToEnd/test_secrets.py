"""No configured secret ever shows: not in logs, answers, error bodies, metrics, the deliveries API or
check-config output, whatever the requests (right, wrong, failing deliveries, test-fire, reload errors)."""
import base64
import hashlib
import hmac
import json
import os
import subprocess
import time

import requests

from conftest import BINARY, fixture_request, free_port, start_relay, wait_until

SECRETS = {
    "bearer": "bearer-Zq81kW3s",
    "basic": "basic-pw-Vb72Lp",
    "grafana": "grafana-key-Hx55Qe",
    "hex": "hex-key-Jm40Tr",
    "admin": "admin-token-Kd93Fw",
    "slack_token": "xoxsecretSLK4471",
    "hook_password": "hook-pw-Rr18Cn",
    "smtp": "smtp-pw-Wt26Gb",
    "signing": "c2lnbmluZy1zZWNyZXQtWXA2Ng==",  # base64 of signing-secret-Yp66
    "standard": "c3RhbmRhcmQtc2VjcmV0LU5lMzA=",  # base64 of standard-secret-Ne30
}


def test_no_secret_is_ever_shown(tmp_path):
    closed = free_port()  # nothing listens: every outbound delivery fails
    port = free_port()
    (tmp_path / "smtp-password").write_text(SECRETS["smtp"] + "\n")
    config = f"""
server: {{listen_address: 127.0.0.1:{port}}}
storage: {{path: data}}
sources:
  am:
    auth:
      - {{type: bearer, credentials: [{SECRETS["bearer"]}]}}
      - {{type: basic, users: [{{username: am, password: {SECRETS["basic"]}}}]}}
  grafana: {{auth: [{{type: grafana, secrets: [{SECRETS["grafana"]}]}}]}}
  hex: {{auth: [{{type: hex, secrets: [{SECRETS["hex"]}]}}]}}
  signed: {{auth: [{{type: standard-webhooks, secrets: ["whsec_{SECRETS["standard"]}"]}}]}}
route: {{receiver: everyone}}
receivers:
  - name: everyone
    slack_configs: [{{api_url: "http://127.0.0.1:{closed}/services/T0/B0/{SECRETS["slack_token"]}", rate_limit: 0}}]
    webhook_configs:
      - url: http://127.0.0.1:{closed}/hook
        http_config: {{basic_auth: {{username: relay, password: {SECRETS["hook_password"]}}}}}
        signing: {{type: standard-webhooks, secret: "whsec_{SECRETS["signing"]}"}}
    email_configs:
      - {{to: a@example.org, from: r@example.org, smarthost: '127.0.0.1:{closed}', auth_username: relay, auth_password_file: smtp-password}}
retry: {{initial_interval: 100ms, max_interval: 200ms, max_attempts: 2}}
admin: {{token: {SECRETS["admin"]}}}
"""
    relay = start_relay(tmp_path, config, port=port)
    seen = []

    def record(response):
        seen.append(json.dumps(dict(response.headers)) + response.text)
        return response

    admin = {"Authorization": f"Bearer {SECRETS['admin']}"}
    try:
        body, _ = fixture_request("01-firing-2-alerts")
        json_type = {"Content-Type": "application/json"}
        record(requests.post(f"{relay.url}/webhook/am", data=body, headers={**json_type, "Authorization": f"Bearer {SECRETS['bearer']}"}))
        basic = base64.b64encode(f"am:{SECRETS['basic']}".encode()).decode()
        record(requests.post(f"{relay.url}/webhook/am", data=body, headers={**json_type, "Authorization": f"Basic {basic}"}))
        for wrong in [f"Bearer {SECRETS['bearer']}x", f"Basic {base64.b64encode(b'am:wrong').decode()}"]:
            record(requests.post(f"{relay.url}/webhook/am", data=body, headers={**json_type, "Authorization": wrong}))
        signature = hmac.new(SECRETS["grafana"].encode(), body, hashlib.sha256).hexdigest()
        record(requests.post(f"{relay.url}/webhook/grafana", data=body, headers={**json_type, "X-Grafana-Alerting-Signature": signature}))
        record(requests.post(f"{relay.url}/webhook/hex", data=body, headers={**json_type, "X-Hub-Signature-256": "sha256=" + "0" * 64}))
        record(requests.post(f"{relay.url}/webhook/signed", data=body, headers={
            **json_type, "webhook-id": "msg_1", "webhook-timestamp": str(int(time.time())), "webhook-signature": "v1,AAAA"}))
        record(requests.post(f"{relay.url}/api/v1/test-fire?wait=5s", json={"receiver": "everyone"}, headers=admin))
        assert wait_until(lambda: len(requests.get(f"{relay.url}/api/v1/deliveries?state=dead", headers=admin).json()["deliveries"]) >= 3, timeout=30)
        listing = record(requests.get(f"{relay.url}/api/v1/deliveries?limit=100", headers=admin)).json()["deliveries"]
        for delivery in listing:
            record(requests.get(f"{relay.url}/api/v1/deliveries/{delivery['id']}", headers=admin))
        record(requests.get(f"{relay.url}/metrics"))
        record(requests.get(f"{relay.url}/api/v1/routes/test?severity=critical", headers=admin))
        (tmp_path / "alertrelay.yml").write_text(config.replace("receiver: everyone}", "receiver: nobody}"))
        record(requests.post(f"{relay.url}/-/reload", headers=admin))
        checked = subprocess.run([BINARY, "check-config", str(tmp_path / "alertrelay.yml")], capture_output=True, timeout=30)
        seen.append(checked.stdout.decode() + checked.stderr.decode())
        (tmp_path / "alertrelay.yml").write_text(config)
        checked = subprocess.run([BINARY, "check-config", str(tmp_path / "alertrelay.yml")], capture_output=True, timeout=30)
        seen.append(checked.stdout.decode() + checked.stderr.decode())
    finally:
        relay.stop()
    seen.append(relay.log())
    everything = "\n".join(seen)
    assert "curl" in everything.lower() or "connect" in everything.lower(), "the failing deliveries were recorded"
    for name, secret in SECRETS.items():
        assert secret not in everything, f"the {name} secret was shown"
        if name in ("signing", "standard"):
            assert base64.b64decode(secret).decode() not in everything
