"""deploy/docker-compose.monitoring.yml without Docker: deploy/make-secrets.sh run for real in a copy of its
layout, then each secret read as each service's container user with exactly the groups the compose file
gives it (setpriv), files laid out as Compose lays them (a bind mount of the host file: same inode, owner and
mode, at /run/secrets/NAME); AlertRelay's check-config run that way on the config the stack mounts; the
compose file's healthchecks, restarts, pins, ports and dependencies; scripts/monitor.sh --stack against a
real Prometheus and Alertmanager."""
import json
import os
import pathlib
import re
import shutil
import stat
import subprocess
import tempfile
import textwrap
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import yaml

from conftest import stop_process, ALERTMANAGER, BINARY, REPO, Alertmanager, free_port, start_relay, wait_until

DEPLOY = REPO / "deploy"
COMPOSE_FILE = DEPLOY / "docker-compose.monitoring.yml"
SETPRIV = shutil.which("setpriv")
PROMETHEUS = shutil.which("prometheus")
as_root = pytest.mark.skipif(os.geteuid() != 0 or SETPRIV is None,
                             reason="reading files as other users needs root and setpriv (util-linux)")

# The user each image runs as when the compose file sets none (its Dockerfile's USER), with that user's primary
# group. prom/prometheus, prom/alertmanager and postgres-exporter are busybox-based with USER nobody
# (65534:65534); Grafana's Dockerfile: GF_UID 472, GF_GID 0; AlertRelay's: deploy/Dockerfile's last USER.
IMAGE_USERS = {
    "prom/prometheus": (65534, 65534),
    "prom/alertmanager": (65534, 65534),
    "quay.io/prometheuscommunity/postgres-exporter": (65534, 65534),
    "grafana/grafana": (472, 0),
}


def dockerfile_user():
    users = re.findall(r"^USER (\d+):(\d+)\s*$", (DEPLOY / "Dockerfile").read_text(), re.MULTILINE)
    assert users, "deploy/Dockerfile names its user by number (USER uid:gid)"
    return int(users[-1][0]), int(users[-1][1])


def compose():
    return yaml.safe_load(COMPOSE_FILE.read_text())


def image_name(service: dict) -> str:
    return service["image"].rsplit(":", 1)[0]


def user_of(name: str, service: dict):
    """(uid, primary gid) the service's process runs as."""
    if "user" in service:
        uid, _, gid = str(service["user"]).partition(":")
        return int(uid), int(gid or uid)
    if "build" in service and service["build"].get("dockerfile") == "deploy/Dockerfile":
        return dockerfile_user()
    assert image_name(service) in IMAGE_USERS, f"{name}: which user does {service['image']} run as? (IMAGE_USERS)"
    return IMAGE_USERS[image_name(service)]


def secrets_of(service: dict) -> dict:
    """{secret name: path in the container} of a service's mounted secrets (short and long syntax)."""
    mounted = {}
    for entry in service.get("secrets", []):
        if isinstance(entry, str):
            mounted[entry] = f"/run/secrets/{entry}"
        else:
            target = entry.get("target", entry["source"])
            mounted[entry["source"]] = target if target.startswith("/") else f"/run/secrets/{target}"
    return mounted


def groups_of(service: dict) -> list:
    return [int(group) for group in service.get("group_add", [])]


def as_user(uid: int, gid: int, groups: list, *command, env=None, cwd=None):
    """Runs `command` as uid:gid with exactly these supplementary groups."""
    group_option = [f"--groups={','.join(str(g) for g in groups)}"] if groups else ["--clear-groups"]
    return subprocess.run([SETPRIV, f"--reuid={uid}", f"--regid={gid}", *group_option, "--", *command],
                          capture_output=True, text=True, timeout=60, env=env if env is not None else {"PATH": os.environ["PATH"]},
                          cwd=cwd)


def usable_by_others(path: pathlib.Path, bits: int) -> bool:
    """Whether any user can reach `path` and has `bits` (0o4 read, 0o1 execute) on it."""
    path = path.resolve()
    return path.stat().st_mode & bits == bits and all(parent.stat().st_mode & 0o001 for parent in path.parents)


@pytest.fixture
def layout():
    """deploy/ copied (make-secrets.sh, the compose file, an empty secrets/) into a directory every user can
    traverse, as the containers' roots are laid out under it."""
    root = pathlib.Path(tempfile.mkdtemp(prefix="alertrelay-compose-"))
    os.chmod(root, 0o755)
    deploy = root / "deploy"
    (deploy / "secrets").mkdir(parents=True)
    shutil.copy(DEPLOY / "make-secrets.sh", deploy / "make-secrets.sh")
    shutil.copy(COMPOSE_FILE, deploy / COMPOSE_FILE.name)
    shutil.copy(DEPLOY / "secrets" / "README.md", deploy / "secrets" / "README.md")
    os.chmod(deploy, 0o755)
    yield root
    shutil.rmtree(root)


def make_secrets(root: pathlib.Path, *, user=None, env=None):
    script = str(root / "deploy" / "make-secrets.sh")
    if user is None:
        return subprocess.run([script], capture_output=True, text=True, timeout=60, env=env)
    return as_user(*user, script, env=env)


def container_root(root: pathlib.Path, name: str, service: dict, secrets_dir: pathlib.Path) -> pathlib.Path:
    """The service's filesystem as far as secrets go: each mounted secret at its target, the same inode as the
    host file (a hard link, as a bind mount shows it: owner, group and mode included), in root-owned 0755
    directories as Docker makes /run/secrets."""
    top = root / "containers" / name
    for secret, target in secrets_of(service).items():
        path = top / target.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        os.link(secrets_dir / secret, path)
    for directory in [top, *[p for p in top.rglob("*") if p.is_dir()]]:
        os.chmod(directory, 0o755)
    return top


# ---- make-secrets.sh and who reads what


@as_root
def test_each_service_reads_exactly_its_secrets(layout):
    made = make_secrets(layout)
    assert made.returncode == 0, made.stdout + made.stderr
    secrets_dir = layout / "deploy" / "secrets"
    file = compose()
    gids = {name: int(gid) for name, gid in file["x-secret-gids"].items()}
    assert set(gids) == set(file["secrets"]), "every secret of the compose file has its group, and no other"
    assert stat.S_IMODE(secrets_dir.stat().st_mode) == 0o700
    for name, gid in gids.items():
        info = (secrets_dir / name).stat()
        assert (stat.S_IMODE(info.st_mode), info.st_gid) == (0o640, gid), name
        assert file["secrets"][name]["file"] == f"./secrets/{name}"
    assert stat.S_IMODE((secrets_dir / "litellm.env").stat().st_mode) == 0o600
    env_file = (secrets_dir / "litellm.env").read_text()
    assert f"LITELLM_MASTER_KEY={(secrets_dir / 'litellm-master-key').read_text().strip()}\n" in env_file

    # Every secret reachable at one place, through a path any user can traverse, so that only the file's
    # own owner, group and mode decide (the real deploy/secrets is 0700, and a container sees its mounts only).
    everything = layout / "host"
    everything.mkdir(mode=0o755)
    for name in gids:
        os.link(secrets_dir / name, everything / name)

    readers = each_service_reads_exactly_its_secrets(layout, file["services"], gids, secrets_dir, everything)
    assert set(readers) == set(gids), f"secrets nobody reads: {set(gids) - set(readers)}"
    assert sorted(readers["alertrelay-token"]) == ["alertmanager", "alertrelay"]
    assert readers["litellm-master-key"] == ["prometheus"]
    assert sorted(readers["postgres-password"]) == ["postgres", "postgres-exporter"]


@as_root
def test_alertrelay_checks_the_stacks_config_as_its_container_user(layout):
    assert make_secrets(layout).returncode == 0
    secrets_dir = layout / "deploy" / "secrets"
    service = compose()["services"]["alertrelay"]
    uid, gid = user_of("alertrelay", service)
    top = container_root(layout, "alertrelay", service, secrets_dir)

    # The config the service runs: --config.file in its command, found through its volumes.
    command = service["command"]
    config_in_container = command[command.index("--config.file") + 1]
    config = None
    for volume in service["volumes"]:
        source, target = volume.split(":")[:2]
        if config_in_container.startswith(target.rstrip("/") + "/"):
            config = (DEPLOY / source).resolve() / config_in_container[len(target.rstrip("/")) + 1:]
    assert config is not None and config.exists(), f"{config_in_container} is mounted from nowhere"
    if not usable_by_others(config, 0o4):
        shutil.copytree(config.parent, layout / "config")
        config = layout / "config" / config.name
    binary = pathlib.Path(BINARY)
    if not usable_by_others(binary, 0o5):
        shutil.copy(binary, layout / "alertrelay")
        os.chmod(layout / "alertrelay", 0o755)
        binary = layout / "alertrelay"

    environment = {"PATH": os.environ["PATH"]}
    for variable, value in service["environment"].items():
        value = str(value)
        environment[variable] = str(top / value.lstrip("/")) if value.startswith("/run/secrets/") else value
    # Out of the box, make-secrets' placeholders stop AlertRelay at the start, one line per secret to fill in,
    # rather than every alert for those sinks retried for a day and ending as a dead letter.
    unfilled = as_user(uid, gid, groups_of(service), str(binary), "check-config", str(config), env=environment, cwd=layout)
    assert unfilled.returncode == 1, unfilled.stdout
    assert "smtp-password still holds a placeholder" in unfilled.stdout and "slack-platform-url still holds" in unfilled.stdout

    fill_in_placeholders(secrets_dir)
    checked = as_user(uid, gid, groups_of(service), str(binary), "check-config", str(config), env=environment, cwd=layout)
    assert checked.returncode == 0 and "SUCCESS" in checked.stdout, checked.stdout + checked.stderr

    # Without its groups (as Compose runs it when secrets keep make-secrets' old 0600), it cannot.
    refused = as_user(uid, gid, [], str(binary), "check-config", str(config), env=environment, cwd=layout)
    assert refused.returncode != 0 and "ermission denied" in refused.stdout + refused.stderr, refused.stdout


@as_root
def test_make_secrets_is_idempotent_and_puts_modes_and_groups_right(layout):
    assert make_secrets(layout).returncode == 0
    secrets_dir = layout / "deploy" / "secrets"
    before = {path.name: path.read_text() for path in secrets_dir.iterdir()}
    os.chmod(secrets_dir / "alertrelay-token", 0o600)       # as the old make-secrets.sh left them
    os.chown(secrets_dir / "smtp-password", 0, 0)
    os.chmod(secrets_dir / "grafana-admin-password", 0o644)
    os.chmod(secrets_dir / "litellm.env", 0o644)
    os.chmod(secrets_dir, 0o755)
    (secrets_dir / "slack-platform-url").write_text("https://hooks.slack.com/services/T0/B0/real\n")  # filled in
    env_file = (secrets_dir / "litellm.env").read_text()
    env_file = re.sub(r"LITELLM_MASTER_KEY=.*", "LITELLM_MASTER_KEY=sk-rotated-by-hand", env_file)
    (secrets_dir / "litellm.env").write_text(env_file)

    again = make_secrets(layout)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "wrote" not in again.stdout.replace("updated litellm-master-key", "")
    assert "updated litellm-master-key" in again.stdout
    after = {path.name: path.read_text() for path in secrets_dir.iterdir()}
    expected = dict(before, **{"slack-platform-url": "https://hooks.slack.com/services/T0/B0/real\n",
                               "litellm.env": env_file, "litellm-master-key": "sk-rotated-by-hand\n"})
    assert after == expected, "nothing written over, only the master key follows litellm.env"
    gids = compose()["x-secret-gids"]
    for name, gid in gids.items():
        info = (secrets_dir / name).stat()
        assert (stat.S_IMODE(info.st_mode), info.st_gid) == (0o640, int(gid)), name
    assert stat.S_IMODE((secrets_dir / "litellm.env").stat().st_mode) == 0o600
    assert stat.S_IMODE(secrets_dir.stat().st_mode) == 0o700
    assert "Still to replace with the real values: litellm.env slack-finops-url slack-providers-url smtp-password" in again.stdout


@as_root
def test_make_secrets_run_as_a_user_sets_the_groups_through_sudo(layout):
    """A user cannot give a file a group they are not in: the script says so and runs sudo chgrp (here a
    stand-in sudo that only records what it was asked, so the groups stay wrong and the script says that too)."""
    user = (4242, 4242, [])
    for path in [layout / "deploy", layout / "deploy" / "secrets", *(layout / "deploy").rglob("*")]:
        os.chown(path, 4242, 4242)
    bin_dir = layout / "bin"
    bin_dir.mkdir(mode=0o755)
    log = layout / "sudo.log"
    log.touch()
    os.chown(log, 4242, 4242)
    (bin_dir / "sudo").write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    os.chmod(bin_dir / "sudo", 0o755)
    made = make_secrets(layout, user=user, env={"PATH": f"{bin_dir}:{os.environ['PATH']}"})
    assert made.returncode == 1, made.stdout + made.stderr
    assert "takes root: running sudo chgrp" in made.stdout
    asked = log.read_text().splitlines()
    assert sorted(asked) == sorted(f"chgrp {gid} {name}" for name, gid in compose()["x-secret-gids"].items())
    assert "not mode 640, group 40002" in made.stderr


# ---- the compose file


def test_every_service_is_pinned_healthchecked_restarted_and_local():
    file = compose()
    text = COMPOSE_FILE.read_text()
    # Which program each image's healthcheck may use: what the image has.
    tools = {"ghcr.io/berriai/litellm": "python3", "postgres": "pg_isready", "prom/prometheus": "wget",
             "prom/alertmanager": "wget", "quay.io/prometheuscommunity/postgres-exporter": "wget",
             "alertrelay": "curl", "grafana/grafana": "curl"}
    for name, service in file["services"].items():
        image = service["image"]
        tag = image.rsplit(":", 1)[1] if ":" in image.split("/")[-1] else ""
        assert re.match(r"^v?\d+\.\d+", tag) and "latest" not in tag and "main" not in tag, f"{name}: pin {image}"
        assert service.get("restart") == "unless-stopped", name
        check = service.get("healthcheck", {}).get("test")
        assert check and check[0] == "CMD" and check[1] == tools[image_name(service)], f"{name}: {check}"
        assert any("127.0.0.1" in str(part) for part in check), f"{name}: checks itself on loopback"
        for port in service.get("ports", []):
            match = re.fullmatch(r"(127\.0\.0\.1|\$\{\w+:-127\.0\.0\.1\}):(\d+):(\d+)", port)
            assert match, f"{name}: {port} is not published on 127.0.0.1 (by default)"
        for dependency, how in (service.get("depends_on") or {}).items():
            assert how["condition"] in ("service_healthy", "service_started"), f"{name} -> {dependency}"
    assert re.search(r"image: ghcr\.io/berriai/litellm:\S+ +# LITELLM_TAG", text), "the LiteLLM tag's marker"
    services = file["services"]
    for name in ("prometheus", "alertmanager", "alertrelay"):
        assert not services[name].get("depends_on"), f"{name} is on the alert path: it waits for nothing"
    assert services["litellm"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["grafana"]["ports"] == ["127.0.0.1:3001:3000"]
    for name, variable, port in [("prometheus", "PROMETHEUS_EXTERNAL_URL", 9090), ("alertmanager", "ALERTMANAGER_EXTERNAL_URL", 9093)]:
        assert f"--web.external-url=${{{variable}:-http://localhost:{port}}}" in services[name]["command"]
        assert "--web.route-prefix=/" in services[name]["command"], "the healthcheck's and Prometheus' paths stay at /"
    assert services["grafana"]["environment"]["GF_SERVER_ROOT_URL"] == "${GRAFANA_EXTERNAL_URL:-http://localhost:3001}"
    alertrelay = services["alertrelay"]
    assert alertrelay["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    version = subprocess.run([BINARY, "--version"], capture_output=True, text=True, timeout=30).stdout.split()[2]
    assert alertrelay["image"] == f"alertrelay:{version}", "the image is named after the version it builds"
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "curl" in dockerfile.split("\nFROM ")[-1], "the runtime image has the healthcheck's curl"


def test_the_stacks_alertrelay_config_sends_nowhere_that_does_not_exist():
    """Out of the box, no alert goes to a host the stack does not have: the custom integration waits for its
    URL (a receiver without sinks), and what is left (SMTP, Slack) reads the secrets the user fills in."""
    config = yaml.safe_load((REPO / "config" / "litellm.yml").read_text())
    services = set(compose()["services"])
    receivers = {receiver["name"]: receiver for receiver in config["receivers"]}
    assert set(receivers["integrations-webhook"]) == {"name"}
    for receiver in receivers.values():
        for webhook in receiver.get("webhook_configs", []):
            url = webhook["url"]
            if isinstance(url, str):
                host = re.match(r"https?://([^/:]+)", url).group(1)
                assert host in services, f"{receiver['name']} sends to {host}, which is not in the stack"
        for slack in receiver.get("slack_configs", []):
            assert isinstance(slack["api_url"], dict), f"{receiver['name']}: the Slack URL is the user's secret"


def test_the_build_context_leaves_out_builds_data_and_secrets():
    ignored = [line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    for wanted in [".git", ".build", ".build-*", "deploy/secrets"]:
        assert wanted in ignored, wanted
    for needed in ["Sources", "Package.swift", "config", "Plugins", "scripts"]:
        assert needed not in ignored and f"{needed}/" not in ignored, f"the Dockerfile's build needs {needed}"


def test_monitor_defaults_are_the_ports_compose_publishes():
    monitor = (REPO / "scripts" / "monitor.sh").read_text()
    defaults = dict(re.findall(r'url_of\("(\w+)_URL", "http://127\.0\.0\.1:(\d+)"\)', monitor))
    services = compose()["services"]
    for variable, service in [("ALERTRELAY", "alertrelay"), ("LITELLM", "litellm"), ("PROMETHEUS", "prometheus"),
                              ("ALERTMANAGER", "alertmanager"), ("GRAFANA", "grafana")]:
        published = [re.search(r":(\d+):\d+$", port).group(1) for port in services[service]["ports"]]
        assert defaults.get(variable) in published, f"{variable}_URL's default is not {service}'s port {published}"


# ---- scripts/monitor.sh --stack


class FakeService(BaseHTTPRequestHandler):
    """LiteLLM's /health endpoints and Grafana's /api/health, as the test sets them."""
    answers = {}

    def do_GET(self):
        status, body = FakeService.answers.get(self.path, (404, "not found"))
        data = (body if isinstance(body, str) else json.dumps(body)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def serve(handler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Prometheus:
    """A real Prometheus (Debian's) scraping the given targets every second, with rules, alerting to `alertmanager`."""

    def __init__(self, directory: pathlib.Path, alertmanager: str, targets: dict, rules: str):
        directory.mkdir()
        (directory / "rules.yml").write_text(rules)
        (directory / "trouble.json").write_text("[]")
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(directory / "rules.yml")],
            "alerting": {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]},
            "scrape_configs": [{"job_name": job, "static_configs": [{"targets": [target]}]} for job, target in targets.items()]
            + [{"job_name": "trouble", "file_sd_configs": [{"files": [str(directory / "trouble.json")], "refresh_interval": "1s"}]}],
        }
        (directory / "prometheus.yml").write_text(yaml.safe_dump(config))
        self.directory = directory
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [PROMETHEUS, f"--config.file={directory / 'prometheus.yml'}", f"--storage.tsdb.path={directory / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}",
             # A firing alert is sent again every second (default 1m): the first send can come before the
             # Alertmanager is discovered, and is dropped.
             "--rules.alert.resend-delay=1s"],
            stdout=open(directory / "prometheus.log", "w"), stderr=subprocess.STDOUT)
        if not wait_until(self.ready, timeout=30):
            self.stop()
            raise RuntimeError("prometheus did not start:\n" + (directory / "prometheus.log").read_text())

    def ready(self):
        try:
            return requests.get(f"{self.url}/-/ready", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def targets(self):
        return requests.get(f"{self.url}/api/v1/targets", timeout=5).json()["data"]["activeTargets"]

    def stop(self):
        stop_process(self.process)


def run_monitor(env):
    return subprocess.run([str(REPO / "scripts" / "monitor.sh"), "--stack"], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, **env))


@pytest.mark.skipif(PROMETHEUS is None or ALERTMANAGER is None,
                    reason="prometheus and prometheus-alertmanager are not installed (scripts/install-deps.sh installs them)")
def test_monitor_stack_looks_at_every_part(tmp_path):
    (tmp_path / "relay").mkdir()
    relay = start_relay(tmp_path / "relay")
    fake = serve(FakeService)
    closed = free_port()
    alertmanager = prometheus = None
    try:
        alertmanager = Alertmanager(tmp_path / "alertmanager", textwrap.dedent("""
            route: {receiver: "null", group_wait: 1s}
            receivers: [{name: "null"}]
        """))
        rules = textwrap.dedent("""
            groups:
              - name: test
                rules:
                  - alert: Watchdog
                    expr: vector(1)
                    labels: {severity: info}
                  - alert: TargetDown
                    expr: up == 0
                    labels: {severity: critical}
        """)
        prometheus = Prometheus(tmp_path / "prometheus", alertmanager.url.split("//")[1],
                                {"alertrelay": f"127.0.0.1:{relay.port}", "alertmanager": alertmanager.url.split("//")[1]},
                                rules)
        FakeService.answers = {
            "/health/liveliness": (200, "I'm alive!"),
            "/health/readiness": (200, {"status": "healthy", "db": "connected", "litellm_version": "1.83.10"}),
            "/api/health": (200, {"database": "ok", "version": "11.1.0"}),
        }
        fake_url = f"http://127.0.0.1:{fake.server_address[1]}"
        env = {"ALERTRELAY_URL": relay.url, "LITELLM_URL": fake_url, "PROMETHEUS_URL": prometheus.url,
               "ALERTMANAGER_URL": alertmanager.url, "GRAFANA_URL": fake_url}

        def alerts():
            return {a["labels"]["alertname"] for a in requests.get(f"{alertmanager.url}/api/v2/alerts", timeout=5).json()}

        assert wait_until(lambda: all(t["health"] == "up" for t in prometheus.targets()) and "Watchdog" in alerts(),
                          timeout=30), prometheus.targets()
        calm = run_monitor(env)
        assert calm.returncode == 0, calm.stdout + calm.stderr
        for line in ["OK       litellm: alive and ready (version 1.83.10, database connected)",
                     "OK       target alertrelay: 1/1 up", "OK       target alertmanager: 1/1 up",
                     "OK       firing: Watchdog (severity info) x1", "OK       grafana: version 11.1.0, database ok",
                     "ALL OK"]:
            assert line in calm.stdout, calm.stdout
        assert "alertmanager: version" in calm.stdout

        # A target goes down (so TargetDown fires), LiteLLM loses its database.
        (tmp_path / "prometheus" / "trouble.json").write_text(json.dumps([{"targets": [f"127.0.0.1:{closed}"]}]))
        FakeService.answers["/health/readiness"] = (503, {"status": "healthy", "db": "disconnected", "litellm_version": "1.83.10"})
        assert wait_until(lambda: "TargetDown" in alerts(), timeout=30), prometheus.targets()
        trouble = run_monitor(env)
        assert trouble.returncode == 1, trouble.stdout + trouble.stderr
        for line in ["CRITICAL litellm: not ready (HTTP 503, status healthy, database disconnected)",
                     "WARNING  target trouble: 0/1 up", f"WARNING    127.0.0.1:{closed} down:",
                     "WARNING  firing: TargetDown (severity critical) x1"]:
            assert line in trouble.stdout, trouble.stdout
        assert "NEEDS A PERSON: " in trouble.stdout and "TargetDown firing" in trouble.stdout

        # Prometheus cannot be reached: said, exit 2, and the rest still looked at (alerts from Alertmanager).
        gone = run_monitor(dict(env, PROMETHEUS_URL=f"http://127.0.0.1:{closed}"))
        assert gone.returncode == 2, gone.stdout + gone.stderr
        assert f"CRITICAL prometheus at http://127.0.0.1:{closed} is not answering" in gone.stdout
        assert "UNREACHABLE: prometheus" in gone.stdout
        assert "WARNING  firing: TargetDown (severity critical) x1" in gone.stdout and "[alertmanager]" in gone.stdout, gone.stdout
        assert "OK       dead letters: 0" in gone.stdout, "AlertRelay's part still runs"
    finally:
        for stoppable in (prometheus, alertmanager):
            if stoppable is not None:
                stoppable.stop()
        fake.shutdown()
        relay.stop()

def each_service_reads_exactly_its_secrets(layout, services: dict, gids: dict, secrets_dir, everything) -> dict:
    """As each service's user and groups, with its secrets laid out as Compose bind-mounts them: it reads its
    own and is refused every other (`everything` holds a link to each). Returns which services read each secret."""
    readers = {}
    for name, service in services.items():
        mounted = secrets_of(service)
        if not mounted:
            assert not service.get("group_add"), f"{name} has groups but no secrets"
            continue
        uid, gid = user_of(name, service)
        groups = groups_of(service)
        assert uid != 0, f"{name} would read every secret as root"
        assert sorted(groups) == sorted(gids[secret] for secret in mounted), \
            f"{name}: group_add must be the groups of exactly the secrets it mounts"
        top = container_root(layout, name, service, secrets_dir)
        for secret, target in mounted.items():
            readers.setdefault(secret, []).append(name)
            read = as_user(uid, gid, groups, "cat", str(top / target.lstrip("/")))
            assert read.returncode == 0 and read.stdout == (secrets_dir / secret).read_text(), \
                f"{name} (uid {uid}) cannot read its secret {secret}: {read.stderr}"
        for secret in gids:
            read = as_user(uid, gid, groups, "cat", str(everything / secret))
            if secret in mounted:
                assert read.returncode == 0, f"{name} cannot read {secret}: {read.stderr}"
            else:
                assert read.returncode != 0 and "Permission denied" in read.stderr, \
                    f"{name} (uid {uid}, groups {groups}) can read {secret}, which is not its own"
        # What points at a secret in its environment points at one it mounts.
        for variable, value in (service.get("environment") or {}).items():
            if str(value).startswith("/run/secrets/"):
                assert value in mounted.values(), f"{name}: {variable} names {value}, which it does not mount"
    return readers


def fill_in_placeholders(secrets_dir):
    """What a user does after make-secrets.sh: each REPLACE... value replaced by editing the file in place, so
    its owner, group and mode stay."""
    for path in secrets_dir.iterdir():
        if path.name in ("README.md", ".gitignore", "litellm.env") or "REPLACE" not in path.read_text():
            continue
        value = "https://hooks.slack.com/services/T000/B000/XXXX" if path.name.startswith("slack-") else "the-real-password"
        with open(path, "r+") as file:
            file.write(value + "\n")
            file.truncate()
