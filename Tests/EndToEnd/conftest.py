"""Fixtures that run the built `alertrelay` binary as a user would: a config file, a free port, a data dir."""
import os
import pathlib
import secrets
import shutil
import signal
import socket
import subprocess
import time

import pytest
import requests

REPO = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = REPO / "Tests" / "Fixtures"
BINARY = os.path.abspath(os.environ.get("ALERTRELAY_BIN", str(REPO / ".build" / "debug" / "alertrelay")))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=15.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


CONFIG = """
server:
  listen_address: 127.0.0.1:{port}
  max_body_size: 1MiB
storage:
  path: data
sources:
  alertmanager:
    auth:
      - type: bearer
        credentials: [spike-bearer-token-123]
      - type: basic
        users: [{{username: am, password_file: am-password}}]
  grafana:
    auth:
      - type: grafana
        secrets: [{{env: E2E_GRAFANA_SECRET}}]
        timestamp_header: X-Grafana-Alerting-Timestamp
  signed:
    auth:
      - type: standard-webhooks
        secrets: [whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw]
  noauth:
    auth: [{{type: none}}]
route:
  receiver: outbox
receivers:
  - name: outbox
    file_configs: [{{path: outbox.jsonl}}]
admin:
  token: e2e-admin-token
"""


class Relay:
    def __init__(self, directory: pathlib.Path, port: int, process: subprocess.Popen, tls_ca: str | None = None):
        self.directory = directory
        self.port = port
        self.process = process
        self.tls_ca = tls_ca
        self.url = f"{'https' if tls_ca else 'http'}://127.0.0.1:{port}"

    @property
    def outbox(self) -> pathlib.Path:
        return self.directory / "data" / "outbox.jsonl"

    def outbox_lines(self):
        if not self.outbox.exists():
            return []
        return [line for line in self.outbox.read_text().split("\n") if line]

    def wait_for_outbox(self, count: int, timeout=15.0):
        """Delivery is asynchronous: waits until the file sink holds `count` lines."""
        assert wait_until(lambda: len(self.outbox_lines()) >= count, timeout=timeout), self.log()
        return self.outbox_lines()

    def admin(self, method, path, **kwargs):
        return requests.request(method, f"{self.url}/api/v1{path}", headers={"Authorization": "Bearer e2e-admin-token"},
                                timeout=10, **kwargs)

    def post(self, source, body: bytes, headers=None, **kwargs):
        all_headers = {"Content-Type": "application/json"}
        all_headers.update(headers or {})
        return requests.post(f"{self.url}/webhook/{source}", data=body, headers=all_headers, timeout=10, **kwargs)

    def healthy(self) -> bool:
        try:
            return requests.get(f"{self.url}/-/healthy", timeout=2, verify=self.tls_ca or True).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def log(self) -> str:
        return (self.directory / "alertrelay.log").read_text()


def start_relay(directory: pathlib.Path, config_text: str | None = None, env=None, port: int | None = None,
                args=(), tls_ca: str | None = None) -> Relay:
    """Starts the binary on `config_text` (or the default e2e config); `tls_ca` when it serves HTTPS."""
    port = port or free_port()
    (directory / "am-password").write_text("s3cret\n")
    config = directory / "alertrelay.yml"
    if config_text is not None or not config.exists():
        config.write_text(config_text if config_text is not None else CONFIG.format(port=port))
    environment = dict(os.environ, E2E_GRAFANA_SECRET="grafana-test-secret")
    environment.update(env or {})
    log = open(directory / "alertrelay.log", "w")
    process = subprocess.Popen(
        [BINARY, "serve", "--config.file", str(config), "--web.listen-address", f"127.0.0.1:{port}", *args],
        stdout=log, stderr=subprocess.STDOUT, env=environment,
    )
    relay = Relay(directory, port, process, tls_ca=tls_ca)
    if not wait_until(lambda: relay.healthy() or process.poll() is not None) or process.poll() is not None:
        relay.stop()
        raise RuntimeError("alertrelay did not start:\n" + relay.log())
    return relay


@pytest.fixture
def relay(tmp_path):
    relay = start_relay(tmp_path)
    yield relay
    code = relay.stop()
    assert code == 0, f"alertrelay exited with {code} on SIGTERM:\n{relay.log()}"


def fixture_request(name: str):
    """The body and headers Alertmanager 0.25 really sent (captured in Tests/Fixtures)."""
    body = (FIXTURES / "alertmanager" / f"{name}.json").read_bytes()
    headers = {}
    for line in (FIXTURES / "alertmanager" / f"{name}.headers.txt").read_text().splitlines()[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            if key.lower() not in ("host", "content-length"):
                headers[key.strip()] = value.strip()
    return body, headers


ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")


class Alertmanager:
    """A real Alertmanager (Debian's prometheus-alertmanager) on loopback, with the given config."""

    def __init__(self, directory: pathlib.Path, config_text: str):
        self.directory = directory
        directory.mkdir(exist_ok=True)
        (directory / "alertmanager.yml").write_text(config_text)
        port, cluster_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [ALERTMANAGER, f"--config.file={directory / 'alertmanager.yml'}", f"--storage.path={directory / 'data'}",
             f"--web.listen-address=127.0.0.1:{port}", f"--cluster.listen-address=127.0.0.1:{cluster_port}"],
            stdout=open(directory / "alertmanager.log", "w"), stderr=subprocess.STDOUT,
        )

        def up():
            try:
                return requests.get(f"{self.url}/-/ready", timeout=1).status_code == 200
            except requests.RequestException:
                return False

        if not wait_until(up, timeout=20):
            self.stop()
            raise RuntimeError("alertmanager did not start:\n" + self.log())

    def post_alerts(self, alerts):
        response = requests.post(f"{self.url}/api/v2/alerts", json=alerts, timeout=5)
        assert response.status_code == 200, response.text

    def log(self) -> str:
        return (self.directory / "alertmanager.log").read_text()

    def stop(self):
        stop_process(self.process)


POSTGRES_URL = os.environ.get("ALERTRELAY_TEST_POSTGRES_URL")


def require_postgres() -> str:
    """The test cluster's URL; fails (never skips) without it: CI always runs through scripts/test.sh."""
    if not POSTGRES_URL:
        pytest.fail("ALERTRELAY_TEST_POSTGRES_URL is not set: scripts/test.sh starts a private PostgreSQL cluster "
                    "(scripts/postgres-cluster.sh) and exports it, with ALERTRELAY_TEST_PGDATA and ALERTRELAY_TEST_PGBIN; "
                    "run the tests through scripts/test.sh or export them yourself", pytrace=False)
    return POSTGRES_URL


def psql(sql: str, timeout=30) -> str:
    """Runs `sql` on the test cluster with psql (the client of ALERTRELAY_TEST_PGBIN, or the one on PATH)."""
    pgbin = os.environ.get("ALERTRELAY_TEST_PGBIN", "")
    client = os.path.join(pgbin, "psql") if pgbin and os.path.exists(os.path.join(pgbin, "psql")) else shutil.which("psql")
    if client is None:
        raise RuntimeError("psql is not installed (scripts/install-deps.sh installs PostgreSQL)")
    result = subprocess.run([client, require_postgres(), "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                            capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"psql failed on {sql!r}: {result.stderr}")
    return result.stdout


@pytest.fixture
def postgres_schema():
    """A fresh schema name on the test cluster (`e2e_<hex>`, created by the relay's migration), dropped after
    the test, so replicas of one test share a queue and tests never share state."""
    require_postgres()
    schema = f"e2e_{secrets.token_hex(6)}"
    yield schema
    try:
        psql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        print(f"\ncould not drop the test schema {schema}: {error}")


def stop_process(process: subprocess.Popen, grace: float = 10.0):
    """SIGTERM, then SIGKILL if it has not exited within `grace` seconds."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
