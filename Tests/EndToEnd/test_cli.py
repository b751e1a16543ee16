"""The command line as an SRE types it: Prometheus' spellings, amtool's label forms, promtool's --syntax-only,
errors that show the usage of the command that was typed, and a --version that says which build this is."""
import json
import os
import pathlib
import shutil
import subprocess

from conftest import BINARY, FIXTURES, REPO

CONFIG = """
sources:
  alertmanager:
    auth: [{type: bearer, credentials: [{env: ALERTMANAGER_TOKEN}]}]
route:
  receiver: default
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
receivers:
  - name: default
    file_configs: [{path: outbox.jsonl}]
  - name: pager
    slack_configs: [{api_url: {env: SLACK_URL}}]
"""


def alertrelay(*arguments, env=None):
    environment = {k: v for k, v in os.environ.items() if k not in ("ALERTMANAGER_TOKEN", "SLACK_URL")}
    environment.update(env or {})
    return subprocess.run([BINARY, *arguments], capture_output=True, text=True, timeout=60, env=environment)


def config(tmp_path):
    path = tmp_path / "alertrelay.yml"
    path.write_text(CONFIG)
    return str(path)


def test_log_level_takes_prometheus_spelling(tmp_path):
    # warn is accepted: the run goes on to read the config (and fails there), not to a usage error.
    result = alertrelay("serve", "--log.level", "warn", "--config.file", str(tmp_path / "missing.yml"))
    assert result.returncode == 1, result.stderr
    assert "invalid configuration" in result.stderr and "no such file" in result.stderr
    assert alertrelay("serve", "--log.level", "loud").returncode == 64


def test_routes_test_reads_quoted_label_values_as_amtool_does(tmp_path):
    file = config(tmp_path)
    quoted = alertrelay("routes", "test", "--config.file", file, 'severity="critical"', "--expect", "pager")
    assert quoted.returncode == 0, quoted.stdout + quoted.stderr
    assert quoted.stdout.startswith("pager")
    escaped = alertrelay("routes", "test", "--config.file", file, r'severity="crit\"ical"', "--expect", "default")
    assert escaped.returncode == 0, escaped.stdout + escaped.stderr
    for matcher in ("severity=~critical", "severity!=critical"):
        refused = alertrelay("routes", "test", "--config.file", file, matcher)
        assert refused.returncode == 64, refused.stdout
        assert "use =" in refused.stderr


def test_check_config_syntax_only_needs_no_secrets(tmp_path):
    file = config(tmp_path)
    full = alertrelay("check-config", file)
    assert full.returncode == 1
    assert "ALERTMANAGER_TOKEN is not set" in full.stdout
    syntax = alertrelay("check-config", "--syntax-only", file)
    assert syntax.returncode == 0, syntax.stdout
    assert "SUCCESS" in syntax.stdout
    # Syntax is still checked.
    broken = tmp_path / "broken.yml"
    broken.write_text(CONFIG.replace("receiver: pager", "receiver: pagr"))
    result = alertrelay("check-config", "--syntax-only", str(broken))
    assert result.returncode == 1 and "pagr" in result.stdout


def test_a_subcommands_error_prints_that_subcommands_usage(tmp_path):
    for arguments, usage in [
        (["routes", "test", "--time", "yesterday", "a=b"], "Usage: alertrelay routes test "),
        (["deliveries", "list"], "Usage: alertrelay deliveries list "),
        (["sign", "--scheme", "standard-webhooks", "--secret", "not base64!!"], "Usage: alertrelay sign "),
    ]:
        result = alertrelay(*arguments)
        assert result.returncode == 64, (arguments, result.stderr)
        assert usage in result.stderr, (arguments, result.stderr)


def test_version_names_the_revision_build_date_and_swift_version():
    result = alertrelay("--version")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("alertrelay, version ")
    if shutil.which("git") and (REPO / ".git").exists():
        # The commit this binary was built from (with -modified when Sources differed from it).
        revision = lines[0].split("revision: ", 1)[1].rstrip(")").removesuffix("-modified")
        known = subprocess.run(["git", "-C", str(REPO), "cat-file", "-e", f"{revision}^{{commit}}"], capture_output=True)
        assert len(revision) == 12 and known.returncode == 0, lines[0]
    fields = dict(line.strip().split(":", 1) for line in lines[1:])
    assert fields["build date"].strip()[:2] == "20"
    assert fields["swift version"].strip()[0].isdigit()
    assert fields["platform"].strip().startswith("linux/")


def test_templates_render_shows_each_sinks_message_exactly_as_sent(tmp_path):
    file = config(tmp_path)
    payload = FIXTURES / "alertmanager" / "02-firing-1-resolved-1-firing.json"
    result = alertrelay("templates", "--config.file", file, "--render", str(payload), "--receiver", "pager")
    assert result.returncode == 0, result.stderr
    header, body = result.stdout.split("\n", 1)
    assert header == "==> pager slack_configs[0]"
    message = json.loads(body)
    assert message["text"].startswith("*[FIRING:1] DiskFull*")
    # A Slack receiver sends resolved alerts only with send_resolved (Alertmanager's default for Slack is off):
    # the resolved one of the group is not in the message.
    assert [b["type"] for b in message["attachments"][0]["blocks"]] == ["header", "section"]
    assert "db2:9100" in body and "db1:9100" not in body
