"""The alert rules, the dashboard's queries and the inhibition of deploy/ do what they say, on synthetic series.

`promtool check config` / `check rules` (test_deploy.py) only prove the files parse; here promtool's unit tests
(deploy/prometheus/tests/*.yml) evaluate every alert on series that should page and on healthy ones, and a
real Alertmanager applies deploy/alertmanager's inhibit rule to alerts shaped as Prometheus sends them.
"""
import datetime
import json
import re
import shutil
import subprocess

import pytest
import requests
import yaml

from conftest import ALERTMANAGER, REPO, Alertmanager, wait_until

DEPLOY = REPO / "deploy"
PROMETHEUS = DEPLOY / "prometheus"
PROMTOOL = shutil.which("promtool")
AMTOOL = shutil.which("amtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool (Debian's prometheus) is not installed")


def promtool_test(*files):
    return subprocess.run([PROMTOOL, "test", "rules", *map(str, files)], capture_output=True, text=True, timeout=120)


def alerts_in(rule_file):
    groups = yaml.safe_load(rule_file.read_text())["groups"]
    return {rule["alert"]: rule for group in groups for rule in group["rules"] if "alert" in rule}


@needs_promtool
def test_the_rules_unit_tests_pass():
    tests = sorted(PROMETHEUS.glob("tests/*.yml"))
    assert tests, "deploy/prometheus/tests/ holds the promtool unit tests"
    result = promtool_test(*tests)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_test_that_pages_and_one_that_stays_silent():
    alerts = {}
    for rule_file in PROMETHEUS.glob("rules/*.yml"):
        alerts.update(alerts_in(rule_file))
    fires, silent = set(), set()
    for test_file in PROMETHEUS.glob("tests/*.yml"):
        for test in yaml.safe_load(test_file.read_text())["tests"]:
            for case in test.get("alert_rule_test", []):
                (fires if case.get("exp_alerts") else silent).add(case["alertname"])
    assert set(alerts) - fires == set(), "alerts without a test in which they page"
    assert set(alerts) - silent == set(), "alerts without a test in which they stay silent"


@pytest.mark.skipif(AMTOOL is None, reason="amtool (Debian's prometheus-alertmanager) is not installed")
@pytest.mark.parametrize("config", ["alertmanager.yml", "alertmanager-ha.yml"])
def test_only_alertrelay_down_bypasses_alertrelay(config):
    """AlertRelayDown (no replica up) is the one alert AlertRelay cannot carry: Alertmanager mails it. Every other
    AlertRelay alert, AlertRelayReplicaDown included (some replica still delivers), goes through AlertRelay."""
    alerts = alerts_in(PROMETHEUS / "rules" / "alertrelay.rules.yml")
    assert {"AlertRelayDown", "AlertRelayReplicaDown"} <= set(alerts)
    for name, rule in alerts.items():
        labels = [f"{key}={value}" for key, value in {"alertname": name, **rule["labels"]}.items()]
        routed = subprocess.run([AMTOOL, "config", "routes", "test", "--config.file", str(DEPLOY / "alertmanager" / config), *labels],
                                capture_output=True, text=True, timeout=60)
        assert routed.returncode == 0, routed.stdout + routed.stderr
        expected = "fallback-email" if name == "AlertRelayDown" else "alertrelay"
        assert routed.stdout.split() == [expected], f"{name} goes to {routed.stdout.strip()}"


@needs_promtool
def test_the_requests_by_provider_panel_adds_up_every_call(tmp_path):
    """Successes and failures carry different labels (exception_status, exception_class): a `+` of the two never
    matches. The panel counts every call to a provider, and a provider without failures still shows."""
    dashboard = json.loads((DEPLOY / "grafana" / "dashboards" / "litellm.json").read_text())
    panel = next(panel for panel in dashboard["panels"] if panel["title"] == "Requests by provider")
    deployment = 'litellm_model_name="{model}", model_id="{id}", api_base="{base}", api_provider="{provider}", requested_model="{requested}"'
    groq = deployment.format(model="groq/llama-3.3-70b-versatile", id="a1", base="https://api.groq.com/openai/v1", provider="groq", requested="llama-3.3-70b")
    openai = deployment.format(model="openai/gpt-4o", id="c3", base="https://api.openai.com/v1", provider="openai", requested="gpt-4o")
    test = {
        "rule_files": [],
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": [
                # Groq: 45 successes and 15 failures a minute; OpenAI: 30 successes, never a failure.
                {"series": f"litellm_deployment_success_responses_total{{{groq}}}", "values": "0+45x10"},
                {"series": f'litellm_deployment_failure_responses_total{{{groq}, exception_status="503", exception_class="ServiceUnavailableError"}}', "values": "0+15x10"},
                {"series": f"litellm_deployment_total_requests_total{{{groq}}}", "values": "0+60x10"},
                {"series": f"litellm_deployment_success_responses_total{{{openai}}}", "values": "0+30x10"},
                {"series": f"litellm_deployment_total_requests_total{{{openai}}}", "values": "0+30x10"},
            ],
            "promql_expr_test": [{
                "expr": panel["targets"][0]["expr"],
                "eval_time": "10m",
                "exp_samples": [
                    {"labels": '{api_provider="groq"}', "value": 1},
                    {"labels": '{api_provider="openai"}', "value": 0.5},
                ],
            }],
        }],
    }
    (tmp_path / "dashboard.test.yml").write_text(yaml.safe_dump(test))
    result = promtool_test(tmp_path / "dashboard.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_pool_alert_compares_against_litellms_pool():
    litellm = yaml.safe_load((DEPLOY / "litellm" / "config.yaml").read_text())
    pool = litellm["general_settings"]["database_connection_pool_limit"]
    expr = alerts_in(PROMETHEUS / "rules" / "litellm.rules.yml")["LiteLLMDatabasePoolExhausted"]["expr"]
    assert re.search(rf"/\s*{pool}\b", expr), f"the rule should divide by database_connection_pool_limit ({pool})"
    assert "max_connections" not in expr


def test_prometheus_scrapes_litellm_with_the_master_key():
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    job = next(job for job in config["scrape_configs"] if job["job_name"] == "litellm")
    assert job["authorization"] == {"type": "Bearer", "credentials_file": "/run/secrets/litellm-master-key"}
    litellm = yaml.safe_load((DEPLOY / "litellm" / "config.yaml").read_text())
    assert litellm["litellm_settings"]["require_auth_for_metrics_endpoint"] is True
    assert "prometheus" in litellm["litellm_settings"]["callbacks"]


@pytest.mark.skipif(ALERTMANAGER is None, reason="prometheus-alertmanager is not installed (scripts/install-deps.sh installs it)")
def test_litellm_down_inhibits_litellms_other_alerts(tmp_path):
    """deploy/alertmanager's inhibit rule, on alerts labelled as Prometheus sends them: LiteLLMDown per instance,
    the other LiteLLM alerts aggregated (no instance); the environment is Prometheus' external label."""
    deployed = yaml.safe_load((DEPLOY / "alertmanager" / "alertmanager.yml").read_text())
    config = {
        "route": {"receiver": "nowhere", "group_by": ["alertname"], "group_wait": "1s", "group_interval": "1s"},
        "receivers": [{"name": "nowhere"}],
        "inhibit_rules": deployed["inhibit_rules"],
    }
    alertmanager = Alertmanager(tmp_path / "alertmanager", yaml.safe_dump(config))
    try:
        now = datetime.datetime.now(tz=datetime.timezone.utc).isoformat()

        def alert(**labels):
            return {"labels": {"environment": "production", **labels}, "annotations": {"summary": "test"}, "startsAt": now}

        alertmanager.post_alerts([
            alert(alertname="LiteLLMDown", instance="litellm:4000", job="litellm", severity="critical", alert_group="availability", service="litellm"),
            alert(alertname="LiteLLMCriticalErrorRate", severity="critical", alert_group="performance", service="litellm"),
            alert(alertname="LiteLLMHighLatency", model="llama-3.3-70b", severity="warning", alert_group="performance", service="litellm"),
            alert(alertname="AlertRelayDeliveryFailures", receiver="oncall-email", sink="0", type="email", severity="warning", alert_group="alerting", service="alertrelay"),
            alert(alertname="LiteLLMHighErrorRate", severity="warning", alert_group="performance", service="litellm", environment="staging"),
        ])

        def states():
            alerts = requests.get(f"{alertmanager.url}/api/v2/alerts", timeout=5).json()
            return {(a["labels"]["alertname"], a["labels"]["environment"]): bool(a["status"]["inhibitedBy"]) for a in alerts}

        expected = {
            ("LiteLLMDown", "production"): False,
            ("LiteLLMCriticalErrorRate", "production"): True,
            ("LiteLLMHighLatency", "production"): True,
            ("AlertRelayDeliveryFailures", "production"): False,   # not LiteLLM's
            ("LiteLLMHighErrorRate", "staging"): False,            # another environment's LiteLLM
        }
        assert wait_until(lambda: states() == expected, timeout=20), f"{states()}\n{alertmanager.log()}"
    finally:
        alertmanager.stop()
