"""deploy/alertrelay.service and the user it runs as (deploy/alertrelay.sysusers.conf), laid out as the unit's
comment says: the config and secrets under /etc/alertrelay (secrets root:alertrelay 0640 in a root-only
directory), AlertRelay run as that user."""
import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest

from conftest import BINARY, REPO

UNIT = REPO / "deploy" / "alertrelay.service"
SYSUSERS = REPO / "deploy" / "alertrelay.sysusers.conf"


def unit_settings():
    settings = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def sysusers():
    entries = {}
    for line in SYSUSERS.read_text().splitlines():
        if line and not line.startswith("#"):
            kind, name, ident, *_ = line.split()
            entries[(kind, name)] = ident
    return entries


def test_the_units_user_and_group_are_created_by_sysusers():
    settings = unit_settings()
    users = sysusers()
    user, group = settings["User"][0], settings["Group"][0]
    assert ("u", user) in users and ("g", group) in users
    uid, gid = users[("u", user)].split(":")
    assert gid == users[("g", group)]
    assert (uid, gid) == ("10001", "10001"), "the same ids as the container image, so a queue keeps its owner"


@pytest.mark.skipif(shutil.which("systemd-sysusers") is None, reason="systemd-sysusers is not installed")
def test_systemd_sysusers_creates_the_user_from_the_shipped_file(tmp_path):
    (tmp_path / "etc").mkdir()
    result = subprocess.run(["systemd-sysusers", f"--root={tmp_path}", str(SYSUSERS)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    passwd = (tmp_path / "etc" / "passwd").read_text().splitlines()
    assert "alertrelay:x:10001:10001:AlertRelay:/var/lib/alertrelay:/usr/sbin/nologin" in passwd


@pytest.mark.skipif(os.geteuid() != 0, reason="files owned by another user need root")
def test_check_config_passes_as_the_units_user_on_the_documented_layout():
    users = sysusers()
    uid, gid = (int(x) for x in users[("u", unit_settings()["User"][0])].split(":"))
    root = pathlib.Path(tempfile.mkdtemp(prefix="alertrelay-systemd-"))
    try:
        os.chmod(root, 0o755)
        etc = root / "etc" / "alertrelay"
        secrets = etc / "secrets"
        secrets.mkdir(parents=True)
        os.chmod(etc, 0o755)
        os.chmod(secrets, 0o750)
        os.chown(secrets, 0, gid)
        values = {
            "alertrelay-token": "t0ken", "alertrelay-admin-token": "adm1n", "smtp-password": "pw",
            "integrations-signing-secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "slack-platform-url": "https://hooks.slack.com/services/T/B/1", "slack-finops-url": "https://hooks.slack.com/services/T/B/2",
            "slack-providers-url": "https://hooks.slack.com/services/T/B/3",
        }
        for name, value in values.items():
            (secrets / name).write_text(value + "\n")
            os.chown(secrets / name, 0, gid)
            os.chmod(secrets / name, 0o640)
        shutil.copy(REPO / "config" / "litellm.yml", etc / "alertrelay.yml")
        shutil.copytree(REPO / "config" / "templates", etc / "templates")
        binary = root / "alertrelay"
        shutil.copy(BINARY, binary)
        os.chmod(binary, 0o755)
        environment = {"PATH": "/usr/bin:/bin", "ALERTMANAGER_TOKEN_FILE": str(secrets / "alertrelay-token"),
                       "ADMIN_TOKEN_FILE": str(secrets / "alertrelay-admin-token"), "SMTP_PASSWORD_FILE": str(secrets / "smtp-password"),
                       "INTEGRATIONS_SIGNING_SECRET_FILE": str(secrets / "integrations-signing-secret"),
                       "SLACK_PLATFORM_URL_FILE": str(secrets / "slack-platform-url"),
                       "SLACK_FINOPS_URL_FILE": str(secrets / "slack-finops-url"),
                       "SLACK_PROVIDERS_URL_FILE": str(secrets / "slack-providers-url")}
        result = subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--", str(binary), "check-config",
                                 str(etc / "alertrelay.yml")], capture_output=True, text=True, timeout=60, env=environment)
        assert result.returncode == 0, result.stdout + result.stderr
    finally:
        shutil.rmtree(root)
