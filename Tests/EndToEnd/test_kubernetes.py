"""deploy/kubernetes/alertrelay.yaml, laid out on disk as the kubelet lays it out, and AlertRelay run on it as
the manifest's user: ConfigMap and Secret keys are symbolic links (name -> ..data/name -> ..<timestamp>/name)
on a tmpfs of mode 3777 owned by root and the pod's fsGroup, files 0440 (Secret, defaultMode 0400 plus group
read for fsGroup) or 0644 (ConfigMap)."""
import os
import pathlib
import shutil
import signal
import stat
import subprocess
import tempfile

import pytest
import requests
import yaml

from conftest import BINARY, REPO, free_port, wait_until

MANIFEST = REPO / "deploy" / "kubernetes" / "alertrelay.yaml"
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="laying out files owned by other users needs root")


def documents():
    return [d for d in yaml.safe_load_all(MANIFEST.read_text()) if d]


def deployment():
    return next(d for d in documents() if d["kind"] == "Deployment")


def kubelet_volume(mount: pathlib.Path, files: dict, mode: int, group: int):
    """What the kubelet's atomic writer makes of a ConfigMap or Secret volume."""
    timestamped = mount / "..2026_11_30_10_00_00.123456789"
    timestamped.mkdir(parents=True)
    for name, content in files.items():
        target = timestamped / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        os.chown(target, 0, group)
        os.chmod(target, mode)
        top = name.split("/")[0]
        if not (mount / top).is_symlink():
            (mount / top).symlink_to(f"..data/{top}")
    for directory in [timestamped, *[p for p in timestamped.rglob("*") if p.is_dir()]]:
        os.chown(directory, 0, group)
        os.chmod(directory, 0o2755)
    (mount / "..data").symlink_to(timestamped.name)
    os.chown(mount, 0, group)
    os.chmod(mount, 0o3777)


@pytest.fixture
def pod():
    """A root directory standing for the container's filesystem, traversable by the pod's user."""
    root = pathlib.Path(tempfile.mkdtemp(prefix="alertrelay-k8s-"))
    os.chmod(root, 0o755)
    binary = root / "alertrelay"
    shutil.copy(BINARY, binary)
    os.chmod(binary, 0o755)
    yield root
    shutil.rmtree(root)


def lay_out(root: pathlib.Path, storage_under_root: bool = False):
    spec = deployment()["spec"]["template"]["spec"]
    container = spec["containers"][0]
    fs_group = spec["securityContext"]["fsGroup"]
    volumes = {v["name"]: v for v in spec["volumes"]}
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}

    # The ConfigMap, as the README's kubectl command creates it: alertrelay.yml and the templates.
    config_items = volumes["config"]["configMap"]["items"]
    sources = {"alertrelay.yml": REPO / "config" / "litellm.yml"}
    for item in config_items:
        if item["key"] != "alertrelay.yml":
            sources[item["key"]] = REPO / "config" / "templates" / item["key"]
    config_files = {item["path"]: sources[item["key"]].read_bytes() for item in config_items}
    if storage_under_root:  # the container's absolute data path, under this pod's root
        text = config_files["alertrelay.yml"].decode()
        assert "path: /var/lib/alertrelay" in text
        config_files["alertrelay.yml"] = text.replace("path: /var/lib/alertrelay", f"path: {root}/var/lib/alertrelay").encode()
    kubelet_volume(root / mounts["config"].lstrip("/"), config_files, 0o644, fs_group)

    # The Secret, from make-secrets.sh's files: only the items the manifest mounts.
    secret = volumes["secrets"]["secret"]
    values = {item["key"]: f"value-of-{item['key']}".encode() for item in secret["items"]}
    values["integrations-signing-secret"] = b"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    for key in values:
        if key.startswith("slack-"):
            values[key] = f"https://hooks.slack.com/services/T000/B000/{key}".encode()
    kubelet_volume(root / mounts["secrets"].lstrip("/"), {i["path"]: values[i["key"]] for i in secret["items"]},
                   secret["defaultMode"] | 0o040, fs_group)

    environment = {"PATH": "/usr/bin:/bin"}
    for variable in container["env"]:
        value = variable["value"]
        environment[variable["name"]] = str(root / value.lstrip("/")) if value.startswith("/") else value
    config = root / mounts["config"].lstrip("/") / "alertrelay.yml"
    return spec, config, environment


def run_as_pod_user(spec, root, *arguments, environment):
    context = spec["securityContext"]
    command = ["setpriv", f"--reuid={context['runAsUser']}", f"--regid={context['runAsGroup']}",
               f"--groups={context['fsGroup']}", "--", str(root / "alertrelay"), *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=environment)


def test_check_config_passes_as_the_pods_user_on_the_kubelets_layout(pod):
    spec, config, environment = lay_out(pod)
    result = run_as_pod_user(spec, pod, "check-config", str(config), environment=environment)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_the_pod_mounts_only_the_secrets_alertrelay_reads():
    container = deployment()["spec"]["template"]["spec"]["containers"][0]
    mounted = {i["path"] for i in next(v for v in deployment()["spec"]["template"]["spec"]["volumes"] if v["name"] == "secrets")["secret"]["items"]}
    read = {pathlib.PurePath(e["value"]).name for e in container["env"] if e["name"].endswith("_FILE")}
    assert mounted == read


def test_a_secret_in_a_directory_any_user_can_replace_it_in_is_refused(pod):
    spec, config, environment = lay_out(pod)
    secrets = pathlib.Path(environment["ALERTMANAGER_TOKEN_FILE"]).parent
    os.chmod(secrets, 0o777)  # world-writable without the sticky bit: anyone could swap the links
    result = run_as_pod_user(spec, pod, "check-config", str(config), environment=environment)
    assert result.returncode == 1
    assert "which every user of this host can write to" in result.stdout


def test_the_image_reference_is_pinned_with_a_pull_policy():
    container = deployment()["spec"]["template"]["spec"]["containers"][0]
    assert ":" in container["image"] and not container["image"].endswith(":latest")
    assert container["imagePullPolicy"] == "IfNotPresent"
    kustomization = yaml.safe_load((MANIFEST.parent / "kustomization.yaml").read_text())
    assert kustomization["images"][0]["name"] == container["image"].split(":")[0]


def test_the_pod_starts_on_a_fresh_volume_as_the_kubelet_hands_it_over(pod):
    """A fresh PersistentVolume with fsGroup: its root is root's, group 10001, mode 2775. AlertRelay (10001)
    cannot make that private, so the shipped config keeps its queue in a directory of its own inside it, which
    it creates 0700; the pod becomes ready on SQLite and stops cleanly."""
    spec, config, environment = lay_out(pod, storage_under_root=True)
    mounts = {m["name"]: m["mountPath"] for m in spec["containers"][0]["volumeMounts"]}
    volume = pod / mounts["data"].lstrip("/")
    volume.mkdir(parents=True)
    os.chown(volume, 0, spec["securityContext"]["fsGroup"])
    os.chmod(volume, 0o2775)
    port = free_port()
    context = spec["securityContext"]
    command = ["setpriv", f"--reuid={context['runAsUser']}", f"--regid={context['runAsGroup']}",
               f"--groups={context['fsGroup']}", "--", str(pod / "alertrelay"), "serve", "--config.file", str(config),
               "--web.listen-address", f"127.0.0.1:{port}"]
    log = pod / "serve.log"
    with open(log, "w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=environment)
    try:
        def ready():
            try:
                return requests.get(f"http://127.0.0.1:{port}/-/ready", timeout=1).status_code == 200
            except requests.RequestException:
                return False
        assert wait_until(lambda: ready() or process.poll() is not None, timeout=20) and process.poll() is None, log.read_text()
        info = (volume / "data").stat()
        assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (context["runAsUser"], 0o700)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0, log.read_text()
