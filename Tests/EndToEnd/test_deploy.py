"""Every config shipped in deploy/ and config/ is checked by the tool that will read it."""
import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

from conftest import BINARY, REPO

DEPLOY = REPO / "deploy"
PROMTOOL = shutil.which("promtool")
AMTOOL = shutil.which("amtool")
LITELLM_ENV = {
    "ALERTMANAGER_TOKEN": "a", "ADMIN_TOKEN": "b", "SMTP_PASSWORD": "c", "INTEGRATIONS_SIGNING_SECRET": "whsec_ZGVtbw==",
    "SLACK_PLATFORM_URL": "https://hooks.slack.com/services/T/B/p", "SLACK_FINOPS_URL": "https://hooks.slack.com/services/T/B/f",
    "SLACK_PROVIDERS_URL": "https://hooks.slack.com/services/T/B/x",
}


def run(*command, env=None):
    return subprocess.run(command, capture_output=True, timeout=60, env=env)


@pytest.mark.skipif(PROMTOOL is None, reason="promtool (Debian's prometheus) is not installed")
def test_prometheus_config_and_rules(tmp_path):
    # promtool checks that every credentials_file exists: a copy whose Docker secrets (/run/secrets/...) are
    # dummy files in tmp_path, with the rules beside it as in the container.
    shutil.copytree(DEPLOY / "prometheus", tmp_path / "prometheus")
    config = (tmp_path / "prometheus" / "prometheus.yml").read_text()
    for secret in set(re.findall(r"/run/secrets/([\w.-]+)", config)):
        (tmp_path / secret).write_text("dummy")
        config = config.replace(f"/run/secrets/{secret}", str(tmp_path / secret))
    (tmp_path / "prometheus" / "prometheus.yml").write_text(config)
    checked = run(PROMTOOL, "check", "config", str(tmp_path / "prometheus" / "prometheus.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    rules = sorted(str(path) for path in (DEPLOY / "prometheus" / "rules").glob("*.yml"))
    checked = run(PROMTOOL, "check", "rules", *rules)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_litellm_rules_are_the_fourteen_alerts_routed_by_severity_and_group():
    groups = yaml.safe_load((DEPLOY / "prometheus" / "rules" / "litellm.rules.yml").read_text())["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    assert len(groups) == 6 and len(rules) == 14
    for rule in rules:
        assert rule["labels"]["severity"] in ("critical", "warning", "info"), rule["alert"]
        assert rule["labels"]["alert_group"] in ("availability", "performance", "usage", "cost", "database", "provider")
        assert {"summary", "description", "runbook_url"} <= set(rule["annotations"]), rule["alert"]
    readme = (REPO / "README.md").read_text()
    for rule in rules:
        row = f"| {rule['alert']} | {rule['labels']['alert_group']} | {rule['labels']['severity']} |"
        assert row in readme, f"README's LiteLLM table disagrees with the rule {rule['alert']}"


@pytest.mark.skipif(AMTOOL is None, reason="amtool (Debian's prometheus-alertmanager) is not installed")
def test_alertmanager_config():
    checked = run(AMTOOL, "check-config", str(DEPLOY / "alertmanager" / "alertmanager.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_alertrelay_configs():
    for config in [REPO / "config" / "alertrelay.yml", REPO / "config" / "litellm.yml"]:
        checked = run(BINARY, "check-config", str(config), env=dict(os.environ, **LITELLM_ENV))
        assert checked.returncode == 0, checked.stdout
    secrets = {name: f"/run/secrets/{name.lower()}" for name in LITELLM_ENV}
    compose = yaml.safe_load((DEPLOY / "docker-compose.monitoring.yml").read_text())
    environment = compose["services"]["alertrelay"]["environment"]
    assert set(environment) == {f"{name}_FILE" for name in LITELLM_ENV}, "compose gives every secret as a file"
    assert secrets  # the names above are the ones config/litellm.yml reads


def test_dashboards_manifests_and_compose_parse():
    for dashboard in (DEPLOY / "grafana" / "dashboards").glob("*.json"):
        parsed = json.loads(dashboard.read_text())
        assert parsed["uid"] and parsed["panels"], dashboard
        assert all(target["expr"] for panel in parsed["panels"] for target in panel["targets"])
    litellm = json.loads((DEPLOY / "grafana" / "dashboards" / "litellm.json").read_text())
    titles = " ".join(panel["title"] for panel in litellm["panels"]).lower()
    for wanted in ["status", "request rate", "p95 latency", "by model", "by provider", "tokens", "spend", "error rate"]:
        assert wanted in titles, wanted
    manifests = list(yaml.safe_load_all((DEPLOY / "kubernetes" / "alertrelay.yaml").read_text()))
    kinds = [manifest["kind"] for manifest in manifests if manifest]
    assert kinds == ["PersistentVolumeClaim", "Deployment", "Service"]
    container = manifests[1]["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/-/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/-/healthy"
    compose = yaml.safe_load((DEPLOY / "docker-compose.monitoring.yml").read_text())
    assert set(compose["services"]) >= {"prometheus", "alertmanager", "grafana", "alertrelay", "litellm"}
    grafana = compose["services"]["grafana"]["environment"]
    assert "GF_SECURITY_ADMIN_PASSWORD" not in grafana and grafana["GF_SECURITY_ADMIN_PASSWORD__FILE"].startswith("/run/secrets/")
    litellm = yaml.safe_load((DEPLOY / "litellm" / "config.yaml").read_text())
    assert "prometheus" in litellm["litellm_settings"]["callbacks"]
    datasources = yaml.safe_load((DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text())
    assert datasources["datasources"][0]["uid"] == "prometheus", "the dashboards' panels name this data source"
    providers = yaml.safe_load((DEPLOY / "grafana" / "provisioning" / "dashboards" / "dashboards.yml").read_text())
    mounted = compose["services"]["grafana"]["volumes"]
    assert any(volume.endswith(":" + providers["providers"][0]["options"]["path"] + ":ro") for volume in mounted)
