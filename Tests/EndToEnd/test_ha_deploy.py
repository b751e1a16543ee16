"""AlertRelay's two-replica deploy files without Docker or Kubernetes, as test_compose.py and test_kubernetes.py
check the single-replica ones: deploy/docker-compose.ha.yml merged onto docker-compose.monitoring.yml as Compose
merges an overlay, its secrets made by make-secrets.sh and read as each service's user and groups, config/ha.yml
checked as the replicas' user 10001; deploy/kubernetes/ha/ laid out as the kubelet lays it out (the emptyDir
included) and a pod started on it; and the premise of the layout run for real: two replicas on config/ha.yml
sharing one PostgreSQL schema, the same Alertmanager notification posted to both (as alertmanager-ha.yml's two
webhook_configs do), one delivery to the sink, also while one replica is down and when it answers the retry."""
import concurrent.futures
import copy
import datetime
import json
import os
import pathlib
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time
import urllib.parse

import pytest
import requests
import yaml

from conftest import ALERTMANAGER, BINARY, REPO, Alertmanager, fixture_request, free_port, require_postgres, start_relay, wait_until
from test_compose import (COMPOSE_FILE, DEPLOY, SETPRIV, as_user, container_root, each_service_reads_exactly_its_secrets, fill_in_placeholders, groups_of, image_name,
                          make_secrets, secrets_of, usable_by_others, user_of)
from test_kubernetes import kubelet_volume
from test_postgres import Sink

HA_FILE = DEPLOY / "docker-compose.ha.yml"
HA_CONFIG = REPO / "config" / "ha.yml"
AM_HA = DEPLOY / "alertmanager" / "alertmanager-ha.yml"
PROMETHEUS_HA = DEPLOY / "prometheus" / "prometheus-ha.yml"
K8S_HA = DEPLOY / "kubernetes" / "ha"
K8S_SINGLE = DEPLOY / "kubernetes" / "alertrelay.yaml"
AMTOOL, PROMTOOL, KUBECTL = shutil.which("amtool"), shutil.which("promtool"), shutil.which("kubectl")
REPLICAS = ["alertrelay-a", "alertrelay-b"]
needs_root = pytest.mark.skipif(os.geteuid() != 0 or SETPRIV is None,
                                reason="laying out files owned by other users and running as them needs root and setpriv")


# ---- Compose: the overlay merged as Compose merges it


def load(path: pathlib.Path) -> dict:
    return yaml.safe_load(path.read_text())


def merge(base, override, key=""):
    """Compose's merge of an override file (the rules this overlay relies on): mappings merge key by key,
    `command`, `entrypoint` and `healthcheck.test` are replaced whole, volumes merge by their target, other
    sequences (ports, secrets, group_add, profiles) are the base's plus the override's new entries."""
    if isinstance(base, dict) and isinstance(override, dict):
        result = dict(base)
        for name, value in override.items():
            result[name] = merge(base[name], value, name) if name in base else copy.deepcopy(value)
        return result
    if isinstance(base, list) and isinstance(override, list) and key not in ("command", "entrypoint", "test"):
        if key == "volumes":
            by_target = {str(v).split(":")[1]: v for v in base}
            by_target.update({str(v).split(":")[1]: v for v in override})
            return list(by_target.values())
        return base + [entry for entry in override if entry not in base]
    return copy.deepcopy(override)


def merged() -> dict:
    """The model `docker compose -f docker-compose.monitoring.yml -f docker-compose.ha.yml` runs."""
    return merge(load(COMPOSE_FILE), load(HA_FILE))


def active(model: dict) -> dict:
    """The services `up` starts: those without profiles (no profile is enabled)."""
    return {name: service for name, service in model["services"].items() if not service.get("profiles")}


def secret_gids() -> dict:
    """Both files' x-secret-gids, which must agree where they overlap (make-secrets.sh refuses otherwise)."""
    single, overlay = load(COMPOSE_FILE)["x-secret-gids"], load(HA_FILE)["x-secret-gids"]
    for name in set(single) & set(overlay):
        assert single[name] == overlay[name], f"{name}: group {single[name]} in the monitoring file, {overlay[name]} in the overlay"
    return {name: int(gid) for name, gid in {**single, **overlay}.items()}


def test_the_overlay_replaces_the_single_relay_with_two_replicas_and_their_database():
    single, overlay, model = load(COMPOSE_FILE), load(HA_FILE), merged()
    services = active(model)
    # The single relay is disabled (an overlay cannot remove it) and nothing it had is changed otherwise.
    assert overlay["services"]["alertrelay"] == {"profiles": ["single-relay"]}
    assert "alertrelay" not in services
    assert set(services) == set(single["services"]) - {"alertrelay"} | {*REPLICAS, "alertrelay-db"}
    assert not any("alertrelay" in (s.get("depends_on") or {}) for s in services.values()), \
        "nothing depends on the disabled service"
    # Only the alert path's own services are touched: the relays, their database, Alertmanager, Prometheus.
    assert set(overlay["services"]) == {"alertrelay", *REPLICAS, "alertrelay-db", "alertmanager", "prometheus"}

    tools = {"ghcr.io/berriai/litellm": "python3", "postgres": "pg_isready", "prom/prometheus": "wget",
             "prom/alertmanager": "wget", "quay.io/prometheuscommunity/postgres-exporter": "wget",
             "alertrelay": "curl", "grafana/grafana": "curl"}
    published = []
    for name, service in services.items():
        image = service["image"]
        tag = image.rsplit(":", 1)[1] if ":" in image.split("/")[-1] else ""
        assert re.match(r"^v?\d+\.\d+", tag) and "latest" not in tag, f"{name}: pin {image}"
        assert service.get("restart") == "unless-stopped", name
        check = service.get("healthcheck", {}).get("test")
        assert check and check[0] == "CMD" and check[1] == tools[image_name(service)], f"{name}: {check}"
        assert any("127.0.0.1" in str(part) for part in check), f"{name}: checks itself on loopback"
        for port in service.get("ports", []):
            match = re.fullmatch(r"(127\.0\.0\.1|\$\{\w+:-127\.0\.0\.1\}):(\d+):(\d+)", port)
            assert match, f"{name}: {port} is not published on 127.0.0.1 (by default)"
            published.append(match.group(2))
        for dependency, how in (service.get("depends_on") or {}).items():
            assert dependency in services, f"{name} depends on {dependency}, which is not started"
            assert how["condition"] in ("service_healthy", "service_started"), f"{name} -> {dependency}"
    assert len(published) == len(set(published)), f"two services on one host port: {published}"

    # Two replicas: the same image, command, config, secrets, groups and environment; their own name, host port
    # and data volume; both wait for their database to be healthy.
    a, b = (services[name] for name in REPLICAS)
    differs = {key for key in set(a) | set(b) if a.get(key) != b.get(key)}
    assert differs == {"ports", "volumes"}, f"the replicas differ in {differs}"
    assert a["image"] == single["services"]["alertrelay"]["image"] and a["build"] == single["services"]["alertrelay"]["build"]
    assert a["ports"] == ["127.0.0.1:9099:9099"], "replica a where scripts/monitor.sh looks by default"
    data = [[v for v in s["volumes"] if v.endswith(":/var/lib/alertrelay")] for s in (a, b)]
    assert len(data[0]) == len(data[1]) == 1 and data[0] != data[1], f"each replica has its own data volume: {data}"
    for volume in data[0] + data[1]:
        assert volume.split(":")[0] in model["volumes"], volume
    command = a["command"]
    assert command[command.index("--config.file") + 1] == "/etc/alertrelay/ha.yml"
    assert "../config:/etc/alertrelay:ro" in a["volumes"] and HA_CONFIG.exists()
    for service in (a, b):
        assert service["depends_on"] == {"alertrelay-db": {"condition": "service_healthy"}}
        assert service["stop_grace_period"] == single["services"]["alertrelay"]["stop_grace_period"]

    # Their database: LiteLLM's PostgreSQL image and user, a database and volume of its own, not published.
    database, litellm_db = services["alertrelay-db"], single["services"]["postgres"]
    assert database["image"] == litellm_db["image"] and database["user"] == litellm_db["user"]
    assert "ports" not in database and not database.get("depends_on")
    env = database["environment"]
    url = urllib.parse.urlparse(a["environment"]["ALERTRELAY_DATABASE_URL"])
    assert (url.scheme, url.hostname, url.port, url.path, url.password) == ("postgres", "alertrelay-db", 5432, f"/{env['POSTGRES_DB']}", None)
    assert url.username == env["POSTGRES_USER"]
    assert database["healthcheck"]["test"][-4:] == ["-U", env["POSTGRES_USER"], "-d", env["POSTGRES_DB"]]
    assert env["POSTGRES_PASSWORD_FILE"] == a["environment"]["ALERTRELAY_DATABASE_PASSWORD_FILE"] == "/run/secrets/alertrelay-db-password"
    assert database["volumes"] == ["alertrelay-db-data:/var/lib/postgresql/data"]

    # Alertmanager and Prometheus: the same flags but the config file, which their mounts provide.
    for name, mounted_dir, ha_file in [("alertmanager", "/etc/alertmanager", AM_HA), ("prometheus", "/etc/prometheus", PROMETHEUS_HA)]:
        before, after = single["services"][name]["command"], services[name]["command"]
        flag = next(i for i, arg in enumerate(before) if arg.startswith("--config.file="))
        assert after[:flag] + after[flag + 1:] == before[:flag] + before[flag + 1:], f"{name}: only --config.file changes"
        assert after[flag] == f"--config.file={mounted_dir}/{ha_file.name}"
        assert any(v.split(":")[1] in (mounted_dir, f"{mounted_dir}/{ha_file.name}") and (DEPLOY / v.split(":")[0]).resolve()
                   in (ha_file, ha_file.parent) for v in services[name]["volumes"]), f"{name}: {ha_file.name} is not mounted"
    # Every named volume and secret the started services use is declared.
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source.startswith(".") or source in model["volumes"], f"{name}: volume {source}"
        for secret in secrets_of(service):
            assert secret in model["secrets"], f"{name}: secret {secret}"


@pytest.mark.skipif(AMTOOL is None, reason="amtool (Debian's prometheus-alertmanager) is not installed")
def test_alertmanager_ha_posts_every_notification_to_each_replica():
    checked = subprocess.run([AMTOOL, "check-config", str(AM_HA)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    single, ha = load(DEPLOY / "alertmanager" / "alertmanager.yml"), load(AM_HA)
    receivers = {r["name"]: r for r in ha["receivers"]}
    one = next(r for r in single["receivers"] if r["name"] == "alertrelay")["webhook_configs"]
    hooks = receivers["alertrelay"]["webhook_configs"]
    # The rest of the config is the single-replica one.
    rest = copy.deepcopy(ha)
    next(r for r in rest["receivers"] if r["name"] == "alertrelay")["webhook_configs"] = one
    assert rest == single, "alertmanager-ha.yml differs from alertmanager.yml elsewhere than the alertrelay receiver"
    # One URL per replica service, on its container port and the source config/ha.yml defines; otherwise the
    # single config's webhook (auth, send_resolved, max_alerts).
    services = active(merged())
    replicas = sorted(name for name, s in services.items() if "/etc/alertrelay/ha.yml" in s.get("command", []))
    assert replicas == REPLICAS
    sources = load(HA_CONFIG)["sources"]
    urls = [urllib.parse.urlparse(hook["url"]) for hook in hooks]
    assert sorted(u.hostname for u in urls) == replicas, [hook["url"] for hook in hooks]
    for url, hook in zip(urls, hooks):
        assert url.port == int(services[url.hostname]["ports"][0].rsplit(":", 1)[1]) == 9099
        assert url.path.removeprefix("/webhook/") in sources
        assert {k: v for k, v in hook.items() if k != "url"} == {k: v for k, v in one[0].items() if k != "url"}
    token = hooks[0]["http_config"]["authorization"]["credentials_file"]
    assert token in secrets_of(services["alertmanager"]).values()


@pytest.mark.skipif(PROMTOOL is None, reason="promtool (Debian's prometheus) is not installed")
def test_prometheus_ha_scrapes_both_replicas(tmp_path):
    single, ha = load(DEPLOY / "prometheus" / "prometheus.yml"), load(PROMETHEUS_HA)
    job = next(j for j in ha["scrape_configs"] if j["job_name"] == "alertrelay")
    assert job["static_configs"] == [{"targets": [f"{name}:9099" for name in REPLICAS]}]
    rest = copy.deepcopy(ha)
    next(j for j in rest["scrape_configs"] if j["job_name"] == "alertrelay")["static_configs"] = \
        next(j for j in single["scrape_configs"] if j["job_name"] == "alertrelay")["static_configs"]
    assert rest == single, "prometheus-ha.yml differs from prometheus.yml elsewhere than the alertrelay job"
    # promtool wants every credentials_file to exist: the Docker secrets as dummy files, the rules beside it.
    shutil.copytree(DEPLOY / "prometheus", tmp_path / "prometheus")
    config = (tmp_path / "prometheus" / PROMETHEUS_HA.name).read_text()
    for secret in set(re.findall(r"/run/secrets/([\w.-]+)", config)):
        (tmp_path / secret).write_text("dummy")
        config = config.replace(f"/run/secrets/{secret}", str(tmp_path / secret))
    (tmp_path / "prometheus" / PROMETHEUS_HA.name).write_text(config)
    checked = subprocess.run([PROMTOOL, "check", "config", str(tmp_path / "prometheus" / PROMETHEUS_HA.name)],
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_ha_config_is_the_litellm_config_with_the_queue_in_postgres():
    ha, litellm = load(HA_CONFIG), load(REPO / "config" / "litellm.yml")
    storage = ha.pop("storage")
    litellm.pop("storage")
    assert ha == litellm, "config/ha.yml routes (sources, receivers, templates, ...) as config/litellm.yml does"
    assert storage["type"] == "postgres"
    assert storage["url"] == {"env": "ALERTRELAY_DATABASE_URL"} and storage["password"] == {"env": "ALERTRELAY_DATABASE_PASSWORD"}
    assert storage["tls"] in ("prefer", "disable", "require")
    # A subdirectory of the volume: the kubelet's emptyDir (root's, 2777 with the fsGroup) cannot be made 0700.
    assert storage["path"] == "/var/lib/alertrelay/data"
    syntax = subprocess.run([BINARY, "check-config", "--syntax-only", str(HA_CONFIG)], capture_output=True, text=True,
                            timeout=30, env={"PATH": os.environ["PATH"]})
    assert syntax.returncode == 0, syntax.stdout + syntax.stderr
    # Every variable it reads, each replica gives (as a file, or the URL as itself).
    variables = set(re.findall(r"\{env: (\w+)\}", HA_CONFIG.read_text()))
    for name in REPLICAS:
        environment = active(merged())[name]["environment"]
        given = {variable.removesuffix("_FILE") for variable in environment}
        assert given == variables, f"{name} gives {given}, config/ha.yml reads {variables}"
        assert all(value.startswith("/run/secrets/") for variable, value in environment.items() if variable.endswith("_FILE"))


@pytest.fixture
def ha_layout():
    """deploy/ copied as test_compose's layout, with the overlay beside the monitoring file (so make-secrets.sh
    reads both tables), in a directory every user can traverse."""
    root = pathlib.Path(tempfile.mkdtemp(prefix="alertrelay-compose-ha-"))
    os.chmod(root, 0o755)
    deploy = root / "deploy"
    (deploy / "secrets").mkdir(parents=True)
    for path in (DEPLOY / "make-secrets.sh", COMPOSE_FILE, HA_FILE, DEPLOY / "secrets" / "README.md"):
        shutil.copy(path, deploy / path.relative_to(DEPLOY))
    os.chmod(deploy, 0o755)
    yield root
    shutil.rmtree(root)


@needs_root
def test_make_secrets_with_the_overlay_and_each_service_reads_exactly_its_secrets(ha_layout):
    made = make_secrets(ha_layout)
    assert made.returncode == 0, made.stdout + made.stderr
    assert "wrote alertrelay-db-password" in made.stdout
    secrets_dir = ha_layout / "deploy" / "secrets"
    model, gids = merged(), secret_gids()
    assert set(gids) == set(model["secrets"]), "every secret of the merged model has its group, and no other"
    for name, gid in gids.items():
        info = (secrets_dir / name).stat()
        assert (stat.S_IMODE(info.st_mode), info.st_gid) == (0o640, gid), name
        assert model["secrets"][name]["file"] == f"./secrets/{name}"
    assert re.fullmatch(r"[A-Za-z0-9]{20,}\n", (secrets_dir / "alertrelay-db-password").read_text())
    again = make_secrets(ha_layout)
    assert again.returncode == 0 and "wrote" not in again.stdout, again.stdout + again.stderr

    everything = ha_layout / "host"
    everything.mkdir(mode=0o755)
    for name in gids:
        os.link(secrets_dir / name, everything / name)
    readers = each_service_reads_exactly_its_secrets(ha_layout, active(model), gids, secrets_dir, everything)
    assert sorted(readers["alertrelay-db-password"]) == ["alertrelay-a", "alertrelay-b", "alertrelay-db"]
    assert sorted(readers["alertrelay-token"]) == ["alertmanager", *REPLICAS]
    assert set(readers) == set(gids), f"secrets nobody reads: {set(gids) - set(readers)}"


def replica_environment(service: dict, top: pathlib.Path) -> dict:
    environment = {"PATH": os.environ["PATH"]}
    for variable, value in service["environment"].items():
        value = str(value)
        environment[variable] = str(top / value.lstrip("/")) if value.startswith("/run/secrets/") else value
    return environment


def config_of(service: dict, root: pathlib.Path) -> pathlib.Path:
    """The file --config.file names, found through the service's volumes (copied where every user reads it)."""
    command = service["command"]
    in_container = command[command.index("--config.file") + 1]
    for volume in service["volumes"]:
        source, target = volume.split(":")[:2]
        if in_container.startswith(target.rstrip("/") + "/"):
            config = (DEPLOY / source).resolve() / in_container[len(target.rstrip("/")) + 1:]
            assert config.exists(), config
            if not usable_by_others(config, 0o4):
                shutil.copytree(config.parent, root / "config", dirs_exist_ok=True)
                config = root / "config" / config.name
            return config
    raise AssertionError(f"{in_container} is mounted from nowhere")


def usable_binary(root: pathlib.Path) -> pathlib.Path:
    binary = pathlib.Path(BINARY)
    if not usable_by_others(binary, 0o5):
        binary = root / "alertrelay"
        if not binary.exists():
            shutil.copy(BINARY, binary)
            os.chmod(binary, 0o755)
    return binary


@needs_root
def test_both_replicas_check_config_ha_as_their_container_user(ha_layout):
    assert make_secrets(ha_layout).returncode == 0
    secrets_dir = ha_layout / "deploy" / "secrets"
    services = active(merged())
    binary = usable_binary(ha_layout)
    for name in REPLICAS:
        service = services[name]
        uid, gid = user_of(name, service)
        assert (uid, gid) == (10001, 10001)
        top = container_root(ha_layout, name, service, secrets_dir)
        config = config_of(service, ha_layout)
        environment = replica_environment(service, top)
        syntax = as_user(uid, gid, groups_of(service), str(binary), "check-config", "--syntax-only", str(config), env=environment)
        assert syntax.returncode == 0 and "SUCCESS" in syntax.stdout, syntax.stdout + syntax.stderr
        unfilled = as_user(uid, gid, groups_of(service), str(binary), "check-config", str(config), env=environment)
        assert unfilled.returncode == 1 and "smtp-password still holds a placeholder" in unfilled.stdout, unfilled.stdout
        assert "storage" not in unfilled.stdout, "the database password and URL are fine as make-secrets wrote them"

    fill_in_placeholders(secrets_dir)
    for name in REPLICAS:
        service = services[name]
        uid, gid = user_of(name, service)
        top = ha_layout / "containers" / name
        config, environment = config_of(service, ha_layout), replica_environment(service, top)
        checked = as_user(uid, gid, groups_of(service), str(binary), "check-config", str(config), env=environment)
        assert checked.returncode == 0 and "SUCCESS" in checked.stdout, checked.stdout + checked.stderr
        # Without the database password's group, it cannot start.
        groups = [g for g in groups_of(service) if g != secret_gids()["alertrelay-db-password"]]
        refused = as_user(uid, gid, groups, str(binary), "check-config", str(config), env=environment)
        assert refused.returncode != 0 and "storage.password" in refused.stdout and "ermission denied" in refused.stdout, refused.stdout


# ---- Kubernetes: deploy/kubernetes/ha/


def k8s_documents():
    return [d for d in yaml.safe_load_all((K8S_HA / "alertrelay-ha.yaml").read_text()) if d]


def k8s(kind: str) -> dict:
    return next(d for d in k8s_documents() if d["kind"] == kind)


def test_the_k8s_ha_manifest_runs_two_spread_replicas_without_a_volume_and_a_disruption_budget():
    kinds = [d["kind"] for d in k8s_documents()]
    assert sorted(kinds) == ["Deployment", "PodDisruptionBudget", "Service"], "no PersistentVolumeClaim"
    deployment, budget, service = k8s("Deployment"), k8s("PodDisruptionBudget"), k8s("Service")
    single = next(d for d in yaml.safe_load_all(K8S_SINGLE.read_text()) if d and d["kind"] == "Deployment")
    spec, pod = deployment["spec"], deployment["spec"]["template"]["spec"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert spec["replicas"] == 2
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    assert budget["apiVersion"] == "policy/v1" and budget["spec"]["minAvailable"] == 1
    assert budget["spec"]["selector"]["matchLabels"] == spec["selector"]["matchLabels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert deployment["metadata"]["name"] == single["metadata"]["name"], "it replaces the single-replica Deployment"

    # On different nodes: a hard spread over hostnames (or a required anti-affinity) selecting these pods.
    spread = [c for c in pod.get("topologySpreadConstraints", []) if c["topologyKey"] == "kubernetes.io/hostname"]
    anti = pod.get("affinity", {}).get("podAntiAffinity", {}).get("requiredDuringSchedulingIgnoredDuringExecution", [])
    hard = [c for c in spread if c["whenUnsatisfiable"] == "DoNotSchedule" and c["maxSkew"] == 1] + \
           [t for t in anti if t["topologyKey"] == "kubernetes.io/hostname"]
    assert hard, "nothing keeps the two replicas on different nodes"
    for constraint in hard:
        assert constraint["labelSelector"]["matchLabels"].items() <= labels.items()

    # As hardened as the single-replica pod; no PVC, the data directory an emptyDir.
    single_pod, container = single["spec"]["template"]["spec"], pod["containers"][0]
    assert pod["securityContext"] == single_pod["securityContext"]
    assert container["securityContext"] == single_pod["containers"][0]["securityContext"]
    assert container["image"] == "alertrelay:0.2.0" and container["imagePullPolicy"] == "IfNotPresent"
    assert container["readinessProbe"]["httpGet"]["path"] == "/-/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/-/healthy"
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert not any("persistentVolumeClaim" in v for v in volumes.values())
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert "emptyDir" in volumes["data"] and mounts["data"] == "/var/lib/alertrelay"
    assert load(HA_CONFIG)["storage"]["path"].startswith(mounts["data"] + "/"), "storage.path is a subdirectory of it"
    # A ConfigMap of its own (never the single-replica config), and only the Secret keys it reads.
    assert volumes["config"]["configMap"]["name"] != single_pod["volumes"][0]["configMap"]["name"]
    items = {i["path"] for i in volumes["secrets"]["secret"]["items"]}
    read = {pathlib.PurePath(e["value"]).name for e in container["env"] if e["name"].endswith("_FILE")}
    assert items == read and {"alertrelay-db-url", "alertrelay-db-password"} <= items
    assert all(e["value"].startswith(mounts["secrets"] + "/") for e in container["env"])
    given = {e["name"].removesuffix("_FILE") for e in container["env"]}
    assert given == set(re.findall(r"\{env: (\w+)\}", HA_CONFIG.read_text()))

    kustomization = load(K8S_HA / "kustomization.yaml")
    reference = load(K8S_SINGLE.parent / "kustomization.yaml")
    assert kustomization["resources"] == ["alertrelay-ha.yaml"]
    assert kustomization["namespace"] == reference["namespace"] and kustomization["images"] == reference["images"]
    assert kustomization["images"][0]["name"] == container["image"].split(":")[0]


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")
def test_kustomize_renders_the_ha_manifest_with_your_image():
    rendered = subprocess.run([KUBECTL, "kustomize", str(K8S_HA)], capture_output=True, text=True, timeout=60)
    assert rendered.returncode == 0, rendered.stderr
    documents = [d for d in yaml.safe_load_all(rendered.stdout) if d]
    assert sorted(d["kind"] for d in documents) == ["Deployment", "PodDisruptionBudget", "Service"]
    assert all(d["metadata"]["namespace"] == "monitoring" for d in documents)
    image = next(d for d in documents if d["kind"] == "Deployment")["spec"]["template"]["spec"]["containers"][0]["image"]
    new = load(K8S_HA / "kustomization.yaml")["images"][0]
    assert image == f"{new['newName']}:{new['newTag']}"


def lay_out_pod(root: pathlib.Path, config_text: bytes, db_url: str):
    """The pod's filesystem as the kubelet makes it: the ConfigMap (config_text as alertrelay.yml, and the
    templates) and the Secret's items as ..data links, and the emptyDir: root's, mode 2777 with the fsGroup."""
    spec = k8s("Deployment")["spec"]["template"]["spec"]
    container, fs_group = spec["containers"][0], spec["securityContext"]["fsGroup"]
    volumes = {v["name"]: v for v in spec["volumes"]}
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    files = {}
    for item in volumes["config"]["configMap"]["items"]:
        files[item["path"]] = config_text if item["key"] == "alertrelay.yml" else (REPO / "config" / "templates" / item["key"]).read_bytes()
    kubelet_volume(root / mounts["config"].lstrip("/"), files, 0o644, fs_group)
    secret = volumes["secrets"]["secret"]
    values = {item["key"]: f"value-of-{item['key']}".encode() for item in secret["items"]}
    values["integrations-signing-secret"] = b"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    values["alertrelay-db-url"] = db_url.encode()
    for key in values:
        if key.startswith("slack-"):
            values[key] = f"https://hooks.slack.com/services/T000/B000/{key}".encode()
    kubelet_volume(root / mounts["secrets"].lstrip("/"), {i["path"]: values[i["key"]] for i in secret["items"]},
                   secret["defaultMode"] | 0o040, fs_group)
    data = root / mounts["data"].lstrip("/")
    data.mkdir(parents=True)
    os.chown(data, 0, fs_group)
    os.chmod(data, 0o2777)
    environment = {"PATH": "/usr/bin:/bin"}
    for variable in container["env"]:
        value = variable["value"]
        environment[variable["name"]] = str(root / value.lstrip("/")) if value.startswith("/") else value
    return spec, root / mounts["config"].lstrip("/") / "alertrelay.yml", environment, data


def as_pod_user(spec, root: pathlib.Path, *arguments):
    context = spec["securityContext"]
    return ["setpriv", f"--reuid={context['runAsUser']}", f"--regid={context['runAsGroup']}",
            f"--groups={context['fsGroup']}", "--", str(root / "alertrelay"), *arguments]


@pytest.fixture
def pod_root():
    root = pathlib.Path(tempfile.mkdtemp(prefix="alertrelay-k8s-ha-"))
    os.chmod(root, 0o755)
    shutil.copy(BINARY, root / "alertrelay")
    os.chmod(root / "alertrelay", 0o755)
    yield root
    shutil.rmtree(root)


@needs_root
def test_check_config_passes_as_the_pods_user_on_the_kubelets_layout(pod_root):
    spec, config, environment, _ = lay_out_pod(pod_root, HA_CONFIG.read_bytes(), "postgres://alertrelay@postgres.example.org:5432/alertrelay")
    for arguments in (["check-config", "--syntax-only", str(config)], ["check-config", str(config)]):
        result = subprocess.run(as_pod_user(spec, pod_root, *arguments), capture_output=True,
                                text=True, timeout=60, env=environment)
        assert result.returncode == 0 and "SUCCESS" in result.stdout, result.stdout + result.stderr


@needs_root
def test_a_pod_starts_on_the_kubelets_emptydir_and_would_not_on_its_mount_point(pod_root, postgres_schema):
    """The emptyDir is root's and open to everyone (2777): AlertRelay, as 10001, cannot make it 0700 and would
    refuse it as its data directory; config/ha.yml's storage.path, a subdirectory, it creates private and runs."""
    ha = HA_CONFIG.read_text()
    # The container's absolute data path under this pod's root, and a schema of the test's own.
    config_text = ha.replace("path: /var/lib/alertrelay/data", f"path: {pod_root}/var/lib/alertrelay/data") \
                    .replace("schema: alertrelay\n", f"schema: {postgres_schema}\n")
    assert config_text.count(str(pod_root)) == 1 and postgres_schema in config_text
    spec, config, environment, data = lay_out_pod(pod_root, config_text.encode(), require_postgres())
    port = free_port()
    log = open(pod_root / "serve.log", "w")
    process = subprocess.Popen(as_pod_user(spec, pod_root, "serve", "--config.file", str(config), "--web.listen-address",
                                           f"127.0.0.1:{port}"),
                               stdout=log, stderr=subprocess.STDOUT, env=environment)
    try:
        def ready():
            try:
                return requests.get(f"http://127.0.0.1:{port}/-/ready", timeout=1).status_code == 200
            except requests.RequestException:
                return False
        assert wait_until(lambda: ready() or process.poll() is not None, timeout=20) and process.poll() is None, \
            (pod_root / "serve.log").read_text()
        info = (data / "data").stat()
        assert (info.st_uid, stat.S_IMODE(info.st_mode) & 0o777) == (10001, 0o700)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0, (pod_root / "serve.log").read_text()

    # The mount point itself as the data directory: refused, with the reason.
    at_mount = config_text.replace(f"path: {pod_root}/var/lib/alertrelay/data", f"path: {pod_root}/var/lib/alertrelay")
    config.resolve().write_text(at_mount)
    refused = subprocess.run(as_pod_user(spec, pod_root, "serve", "--config.file", str(config), "--web.listen-address",
                                         f"127.0.0.1:{port}"),
                             capture_output=True, text=True, timeout=30, env=environment)
    assert refused.returncode == 1 and "cannot be made 0700" in refused.stderr, refused.stdout + refused.stderr


# ---- The premise, for real: two replicas on config/ha.yml, one PostgreSQL, one delivery per sink


def replica_config(schema: str, directory: pathlib.Path, sink_url: str) -> str:
    """config/ha.yml with its storage settings kept (URL and password from the environment, tls, pool, lease)
    but the test's schema and data directory, and its receivers replaced by one webhook to the local sink."""
    config = load(HA_CONFIG)
    config["storage"].update(schema=schema, path=str(directory / "data"))
    config["server"]["shutdown_timeout"] = "5s"
    config["templates"] = [str(REPO / "config" / "templates" / "*.mustache")]
    config["route"] = {"receiver": "sink"}
    config["receivers"] = [{"name": "sink", "webhook_configs": [{"url": sink_url, "timeout": "2s"}]}]
    return yaml.safe_dump(config, sort_keys=False)


@pytest.fixture
def sink():
    sink = Sink()
    yield sink
    sink.close()


def notified(sink):
    """Each accepted notification: its status and the instances of its alerts."""
    return [(json.loads(r["body"])["status"], sorted(a["labels"]["instance"] for a in json.loads(r["body"])["alerts"]))
            for r in sink.accepted()]


class Pair:
    """Replicas a and b of config/ha.yml (see replica_config) on one schema, each with its own directory and port."""

    def __init__(self, base: pathlib.Path, schema: str, sink, environment: dict):
        self.base, self.schema, self.sink, self.environment = base, schema, sink, environment
        self.relays, self.started = {}, []

    def start(self, name: str):
        directory = self.base / name
        if name in self.relays:  # again, on its directory, config and port
            relay = start_relay(directory, None, env=self.environment, port=self.relays[name].port)
        else:
            directory.mkdir()
            relay = start_relay(directory, replica_config(self.schema, directory, self.sink.url), env=self.environment)
        self.relays[name] = relay
        self.started.append(relay)
        return relay

    def logs(self) -> str:
        return "\n".join(f"--- replica {name} ---\n{relay.log()[-3000:]}" for name, relay in self.relays.items())


@pytest.fixture
def pair(tmp_path, postgres_schema, sink):
    token = fixture_request("01-firing-2-alerts")[1]["Authorization"].split()[1]
    (tmp_path / "db-password").write_text("unused-by-the-test-cluster\n")
    environment = {"ALERTRELAY_DATABASE_URL": require_postgres(),
                   "ALERTRELAY_DATABASE_PASSWORD_FILE": str(tmp_path / "db-password"),
                   "ALERTMANAGER_TOKEN": token, "ADMIN_TOKEN": "e2e-admin-token"}
    pair = Pair(tmp_path, postgres_schema, sink, environment)
    yield pair
    codes = [relay.stop() for relay in pair.started]
    assert all(code == 0 for code in codes), f"exit codes on SIGTERM: {codes}\n" + pair.logs()


def test_two_replicas_on_one_database_deliver_what_both_were_posted_once(pair, sink):
    relays = {name: pair.start(name) for name in ("a", "b")}

    def post_to_both(fixture, names=("a", "b")):
        """As alertmanager-ha.yml's receiver does: the same notification to each replica, at the same time."""
        body, headers = fixture_request(fixture)

        def post(name):
            try:
                response = pair.relays[name].post("alertmanager", body, headers=headers)
                return name, response.status_code, response.json().get("status")
            except requests.ConnectionError:
                return name, "refused", None
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            return {name: (code, status) for name, code, status in pool.map(post, names)}

    # Both up: one replica accepts, the other answers duplicate; the sink gets it once.
    answers = post_to_both("01-firing-2-alerts")
    assert sorted(answers.values()) == [(200, "duplicate"), (202, "accepted")], answers
    assert wait_until(lambda: len(sink.accepted()) >= 1, timeout=15), pair.logs()
    time.sleep(2.5)  # time for a second delivery, were there one (replicas poll each other's jobs about every second)
    assert notified(sink) == [("firing", ["db1:9100", "db2:9100"])], pair.logs()

    # Replica b down: its webhook is refused (Alertmanager retries it), a takes the notification alone.
    assert relays["b"].stop() == 0, relays["b"].log()
    answers = post_to_both("02-firing-1-resolved-1-firing")
    assert answers == {"a": (202, "accepted"), "b": ("refused", None)}, answers
    assert wait_until(lambda: len(sink.accepted()) >= 2, timeout=15), pair.logs()
    # b back: Alertmanager's retry of b's webhook is a duplicate, nothing is sent again.
    pair.start("b")
    answers = post_to_both("02-firing-1-resolved-1-firing", names=("b",))
    assert answers == {"b": (200, "duplicate")}, answers
    time.sleep(2.5)
    second = notified(sink)[1:]
    assert second == [("firing", ["db1:9100", "db2:9100"])], \
        f"the second notification (db1 resolved, db2 firing) reached the sink {len(second)} times: {second}\n{pair.logs()}"


def received(relay, outcome: str) -> float:
    """alertrelay_webhooks_received_total{source="alertmanager", outcome=...} of one replica."""
    total = 0.0
    for line in requests.get(f"{relay.url}/metrics", timeout=5).text.splitlines():
        if line.startswith("alertrelay_webhooks_received_total{") and 'source="alertmanager"' in line and f'outcome="{outcome}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


class LoneAlertmanager(Alertmanager):
    """conftest's Alertmanager without a gossip cluster, as the compose file runs it (--cluster.listen-address=):
    it notifies without first waiting for a cluster to settle."""

    def __init__(self, directory: pathlib.Path, config_text: str):
        self.directory = directory
        directory.mkdir()
        (directory / "alertmanager.yml").write_text(config_text)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [ALERTMANAGER, f"--config.file={directory / 'alertmanager.yml'}", f"--storage.path={directory / 'data'}",
             f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
            stdout=open(directory / "alertmanager.log", "w"), stderr=subprocess.STDOUT)

        def up():
            try:
                return requests.get(f"{self.url}/-/ready", timeout=1).status_code == 200
            except requests.RequestException:
                return False
        if not wait_until(up, timeout=20):
            self.stop()
            raise RuntimeError("alertmanager did not start:\n" + self.log())


@pytest.mark.skipif(ALERTMANAGER is None, reason="prometheus-alertmanager is not installed (scripts/install-deps.sh installs it)")
def test_alertmanager_ha_yml_on_a_real_alertmanager_notifies_the_sink_once(pair, sink, tmp_path):
    """deploy/alertmanager/alertmanager-ha.yml itself, on a real Alertmanager: the replicas' service names pointed
    at the two local replicas, its /run/secrets files at local ones, its timings shortened. One alert: both
    replicas are notified (one accepts, one answers duplicate) and the sink gets it once."""
    relays = {name: pair.start(name) for name in ("a", "b")}
    text = AM_HA.read_text()
    for name, relay in relays.items():
        assert text.count(f"http://alertrelay-{name}:9099/") == 1
        text = text.replace(f"http://alertrelay-{name}:9099/", f"{relay.url}/")
    for secret in set(re.findall(r"/run/secrets/([\w.-]+)", text)):
        value = pair.environment["ALERTMANAGER_TOKEN"] if secret == "alertrelay-token" else "unused"
        (tmp_path / secret).write_text(value + "\n")
        text = text.replace(f"/run/secrets/{secret}", str(tmp_path / secret))
    config = yaml.safe_load(text)
    config["route"].update(group_wait="1s", group_interval="1s")
    manager = LoneAlertmanager(tmp_path / "alertmanager", yaml.safe_dump(config))
    try:
        starts_at = datetime.datetime.now(tz=datetime.timezone.utc).replace(microsecond=0).isoformat()
        manager.post_alerts([{"labels": {"alertname": "LiteLLMDown", "severity": "critical", "alert_group": "availability",
                                         "instance": "litellm:4000"}, "startsAt": starts_at}])
        both = lambda: all(received(r, "accepted") + received(r, "duplicate") >= 1 for r in relays.values())  # noqa: E731
        assert wait_until(both, timeout=20), pair.logs() + manager.log()
        assert wait_until(lambda: len(sink.accepted()) >= 1, timeout=15), pair.logs()
        time.sleep(2.5)
        assert notified(sink) == [("firing", ["litellm:4000"])], pair.logs()
        outcomes = sorted((received(r, "accepted"), received(r, "duplicate")) for r in relays.values())
        assert outcomes == [(0.0, 1.0), (1.0, 0.0)], f"(accepted, duplicate) per replica: {outcomes}"
    finally:
        manager.stop()
