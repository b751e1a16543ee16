"""The main listener under a hostile or careless network: TLS with certificates renewed by a reload, client
certificates required per source, a cap on concurrent connections, HTTP/1.1 pipelining and keep-alive abuse.
Each test checks that other clients are still served."""
import datetime
import hashlib
import json
import re
import signal
import socket
import ssl
import threading
import time

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import free_port, start_relay, wait_until

BEARER = {"Authorization": "Bearer listener-token", "Content-Type": "application/json"}


def alert(n):
    return json.dumps({
        "version": "4", "status": "firing", "receiver": "relay", "groupKey": f"{{}}:{{n=\"{n}\"}}",
        "alerts": [{"status": "firing", "labels": {"alertname": "Listener", "n": str(n)}, "annotations": {},
                    "startsAt": "2026-11-30T00:00:00Z", "endsAt": "0001-01-01T00:00:00Z", "fingerprint": f"{n:016x}"}],
    }).encode()


# --- certificates -------------------------------------------------------------------------------------------

def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write(path, key, cert):
    path.with_suffix(".key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    path.with_suffix(".pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    path.with_suffix(".key").chmod(0o600)
    return str(path.with_suffix(".pem")), str(path.with_suffix(".key"))


def make_ca(path, cn):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn)).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    _write(path, key, cert)
    return key, cert


def issue(path, ca, cn, server=False):
    ca_key, ca_cert = ca
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(ca_cert.subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
               .not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True))
    if server:
        import ipaddress
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        usage = x509.oid.ExtendedKeyUsageOID.SERVER_AUTH
    else:
        usage = x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH
    builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    return _write(path, key, builder.sign(ca_key, hashes.SHA256()))


@pytest.fixture
def pki(tmp_path):
    d = tmp_path / "pki"
    d.mkdir()
    server_ca = make_ca(d / "server-ca", "AlertRelay test server CA")
    client_ca = make_ca(d / "client-ca", "AlertRelay test client CA")
    rogue_ca = make_ca(d / "rogue-ca", "Someone else's CA")
    return {
        "dir": d,
        "server_ca": server_ca,
        "server_ca_file": str(d / "server-ca.pem"),
        "client_ca_file": str(d / "client-ca.pem"),
        "server": issue(d / "server", server_ca, "alertrelay.test", server=True),
        "alertmanager": issue(d / "alertmanager-0", client_ca, "alertmanager-0"),
        "other": issue(d / "grafana", client_ca, "grafana"),
        "rogue": issue(d / "rogue", rogue_ca, "alertmanager-0"),
    }


TLS_CONFIG = """
server:
  listen_address: 127.0.0.1:{port}
  tls:
    cert_file: pki/server.pem
    key_file: pki/server.key
    client_ca_file: pki/client-ca.pem
storage: {{path: data}}
sources:
  alertmanager:
    client_certificate: {{common_names: [alertmanager-0]}}
    auth: [{{type: bearer, credentials: [listener-token]}}]
  anyone-with-a-client-cert:
    client_certificate: {{}}
    auth: [{{type: bearer, credentials: [listener-token]}}]
  bearer-only:
    auth: [{{type: bearer, credentials: [listener-token]}}]
route: {{receiver: outbox}}
receivers:
  - name: outbox
    file_configs: [{{path: outbox.jsonl}}]
admin: {{token: listener-admin}}
"""


def served_certificate(port, ca_file):
    context = ssl.create_default_context(cafile=ca_file)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return hashlib.sha256(tls.getpeercert(binary_form=True)).hexdigest()


def test_tls_listener_verifies_client_certificates_per_source(tmp_path, pki):
    port = free_port()
    relay = start_relay(tmp_path, TLS_CONFIG.format(port=port), port=port, tls_ca=pki["server_ca_file"])
    try:
        ca = pki["server_ca_file"]

        def post(source, cert=None, n=1):
            return requests.post(f"{relay.url}/webhook/{source}", data=alert(n), headers=BEARER, verify=ca, cert=cert, timeout=10)

        # Plain HTTP on the TLS port gets no answer.
        with pytest.raises(requests.RequestException):
            requests.get(f"http://127.0.0.1:{port}/-/healthy", timeout=5)
        assert requests.get(f"{relay.url}/-/ready", verify=ca, timeout=5).status_code == 200

        # The source that names a common name: only that certificate, from the client CA, gets in.
        assert post("alertmanager", n=1).status_code == 401
        assert post("alertmanager", cert=pki["other"], n=2).status_code == 401
        assert post("alertmanager", cert=pki["alertmanager"], n=3).status_code == 202
        # A certificate from another CA (even with the right name) fails the handshake.
        with pytest.raises(requests.exceptions.SSLError):
            post("alertmanager", cert=pki["rogue"], n=4)
        # Any certificate of the client CA, when no name is given; still the bearer token as well.
        assert post("anyone-with-a-client-cert", cert=pki["other"], n=5).status_code == 202
        assert post("anyone-with-a-client-cert", n=6).status_code == 401
        no_token = requests.post(f"{relay.url}/webhook/alertmanager", data=alert(7), verify=ca, cert=pki["alertmanager"],
                                 headers={"Content-Type": "application/json"}, timeout=10)
        assert no_token.status_code == 401
        # Sources without client_certificate take TLS clients without one.
        assert post("bearer-only", n=8).status_code == 202

        relay.wait_for_outbox(3)
        delivered = sorted(json.loads(line)["notification"]["alerts"][0]["labels"]["n"] for line in relay.outbox_lines())
        assert delivered == ["3", "5", "8"]
        assert "without an acceptable client certificate" in relay.log()
    finally:
        assert relay.stop() == 0


def test_a_renewed_certificate_is_served_after_sighup_and_a_broken_one_is_refused(tmp_path, pki):
    port = free_port()
    relay = start_relay(tmp_path, TLS_CONFIG.format(port=port), port=port, tls_ca=pki["server_ca_file"])
    try:
        ca = pki["server_ca_file"]
        first = served_certificate(port, ca)
        # An open keep-alive connection across the renewal keeps working.
        session = requests.Session()
        assert session.get(f"{relay.url}/-/healthy", verify=ca, timeout=5).status_code == 200

        issue(pki["dir"] / "server", pki["server_ca"], "alertrelay.test", server=True)  # renewal, in place
        relay.process.send_signal(signal.SIGHUP)
        assert wait_until(lambda: served_certificate(port, ca) != first, timeout=10), relay.log()
        renewed = served_certificate(port, ca)
        assert session.get(f"{relay.url}/-/healthy", verify=ca, timeout=5).status_code == 200

        # A key that does not parse: the reload is refused, the renewed certificate keeps being served.
        (pki["dir"] / "server.key").write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
        relay.process.send_signal(signal.SIGHUP)
        assert wait_until(lambda: "server.tls.key_file" in relay.log(), timeout=10), relay.log()
        assert served_certificate(port, ca) == renewed
        metrics = requests.get(f"{relay.url}/metrics", verify=ca, timeout=5).text
        assert "alertrelay_config_last_reload_successful 0" in metrics
        assert requests.post(f"{relay.url}/webhook/bearer-only", data=alert(1), headers=BEARER, verify=ca, timeout=10).status_code == 202
    finally:
        assert relay.stop() == 0


def test_check_config_names_a_missing_or_unreadable_tls_file(tmp_path, pki):
    import subprocess
    from conftest import BINARY
    config = tmp_path / "alertrelay.yml"
    config.write_text(TLS_CONFIG.format(port=free_port()).replace("pki/client-ca.pem", "pki/nope.pem"))
    result = subprocess.run([BINARY, "check-config", str(config)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "server.tls.client_ca_file: no such file" in result.stdout + result.stderr
    # A certificate file that is not PEM is caught by check-config too, not at the first connection.
    config.write_text(TLS_CONFIG.format(port=free_port()))
    (pki["dir"] / "server.pem").write_text("garbage\n")
    result = subprocess.run([BINARY, "check-config", str(config)], capture_output=True, text=True)
    assert result.returncode == 1, result.stdout
    assert "server.tls.cert_file" in result.stdout + result.stderr


# --- connections ----------------------------------------------------------------------------------------------

LIMIT_CONFIG = """
server:
  listen_address: 127.0.0.1:{port}
  max_connections: {limit}
  max_connections_per_client: {limit}   # every test client is 127.0.0.1: this test is about the total
  read_timeout: 30s
  idle_timeout: 30s
storage: {{path: data}}
sources:
  alertmanager:
    auth: [{{type: bearer, credentials: [listener-token]}}]
route: {{receiver: outbox}}
receivers:
  - name: outbox
    file_configs: [{{path: outbox.jsonl}}]
"""


def closed_without_answer(port):
    """Connects and sends a request; True when the server closes the connection instead of answering."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
            return s.recv(1024) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True


def test_connections_over_the_limit_are_closed_and_the_limit_frees_up(tmp_path):
    port = free_port()
    relay = start_relay(tmp_path, LIMIT_CONFIG.format(port=port, limit=8), port=port)
    hogs = []
    try:
        # Until start_relay's health checks are closed on the server's side too, they count: wait until the
        # only connection is the one asking (closed by the server, so it is not counted afterwards either).
        def only_connection():
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                text = b""
                while chunk := s.recv(65536):
                    text += chunk
            return re.search(rb'^alertrelay_http_connections\{listener="main"\} 1(\.0)?$', text, re.M) is not None

        assert wait_until(only_connection)
        time.sleep(0.2)
        for _ in range(8):  # idle connections that never send a byte: the limit's worth
            hogs.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        time.sleep(0.3)
        assert closed_without_answer(port)
        with pytest.raises(requests.RequestException):
            requests.post(f"{relay.url}/webhook/alertmanager", data=alert(1), headers=BEARER, timeout=5)
        hogs.pop().close()
        hogs.pop().close()
        # Freed: a sender gets in again, and the refusals were counted and logged.
        assert wait_until(lambda: _post_ok(relay, 2), timeout=5)
        metrics = requests.get(f"{relay.url}/metrics", timeout=5).text
        refused = [line for line in metrics.splitlines() if line.startswith("alertrelay_http_connections_refused_total")]
        assert refused and float(refused[0].split()[-1]) >= 2, refused
        assert "Connection limit reached" in relay.log()
    finally:
        for hog in hogs:
            hog.close()
        assert relay.stop() == 0


def _post_ok(relay, n):
    try:
        return requests.post(f"{relay.url}/webhook/alertmanager", data=alert(n), headers=BEARER, timeout=5).status_code == 202
    except requests.RequestException:
        return False


def read_responses(sock, count, timeout=10):
    """Reads `count` HTTP/1.1 responses (with Content-Length bodies) off one connection; returns (status, body)."""
    sock.settimeout(timeout)
    buffer = b""
    responses = []
    while len(responses) < count:
        while b"\r\n\r\n" not in buffer:
            chunk = sock.recv(65536)
            if not chunk:
                return responses
            buffer += chunk
        head, buffer = buffer.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        length = next((int(l.split(":", 1)[1]) for l in lines if l.lower().startswith("content-length:")), 0)
        while len(buffer) < length:
            chunk = sock.recv(65536)
            if not chunk:
                return responses
            buffer += chunk
        responses.append((int(lines[0].split()[1]), buffer[:length]))
        buffer = buffer[length:]
    return responses


def test_pipelined_requests_are_answered_in_order_while_others_are_served(tmp_path):
    port = free_port()
    relay = start_relay(tmp_path, LIMIT_CONFIG.format(port=port, limit=64), port=port)
    try:
        bodies = [alert(1000 + i) for i in range(100)]
        burst = b"".join(
            b"POST /webhook/alertmanager HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer listener-token\r\n"
            b"Content-Type: application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
            for body in bodies
        ) + b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n"
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(burst)  # 100 webhooks and a health check in one write, none waiting for an answer
            # Meanwhile another client is answered.
            assert requests.get(f"{relay.url}/-/ready", timeout=5).status_code == 200
            responses = read_responses(s, 101)
        assert [status for status, _ in responses] == [202] * 100 + [200]
        accepted = [json.loads(body)["id"] for _, body in responses[:100]]
        assert len(set(accepted)) == 100
        assert responses[100][1].startswith(b"AlertRelay is Healthy")
        relay.wait_for_outbox(100)
    finally:
        assert relay.stop() == 0


def test_keep_alive_abuse_neither_starves_others_nor_holds_connections(tmp_path):
    port = free_port()
    config = LIMIT_CONFIG.format(port=port, limit=64).replace("idle_timeout: 30s", "idle_timeout: 1s")
    relay = start_relay(tmp_path, config, port=port)
    stop = threading.Event()
    served = []
    try:
        # Many requests down one kept-alive connection, as fast as it can go, from four clients at once.
        def hammer():
            with socket.create_connection(("127.0.0.1", port)) as s:
                while not stop.is_set():
                    s.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n" * 20)
                    got = read_responses(s, 20)
                    if len(got) < 20:
                        return
                    served.append(len(got))

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for thread in threads:
            thread.start()
        # A sender still gets each webhook through quickly.
        latencies = []
        for n in range(20):
            started = time.monotonic()
            assert _post_ok(relay, n)
            latencies.append(time.monotonic() - started)
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        assert sum(served) * 1 > 1000, sum(served)
        assert max(latencies) < 2, latencies

        # A kept-alive connection that goes quiet is closed after idle_timeout, not held forever.
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
            assert read_responses(s, 1)[0][0] == 200
            s.settimeout(5)
            started = time.monotonic()
            assert s.recv(1024) == b""
            assert time.monotonic() - started < 3
    finally:
        stop.set()
        assert relay.stop() == 0
