"""The email sink end to end: the built binary sending through libcurl's SMTP to a real SMTP server
(aiosmtpd), plain, with STARTTLS and AUTH, and answering 451 and 550."""
import datetime
import email
import email.policy
import json
import ssl
import threading

import pytest
import requests
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from conftest import FIXTURES, free_port, start_relay, wait_until


class Mailbox:
    """Records each message; `answers` scripts the reply to DATA (default 250)."""

    def __init__(self):
        self.messages = []
        self.answers = []
        self.attempts = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.attempts += 1
            answer = self.answers.pop(0) if self.answers else "250 OK"
            if answer.startswith("250"):
                self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return answer


def certificate(directory):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    (directory / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                           serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(directory / "cert.pem", directory / "key.pem")
    return context


def smtp_server(mailbox, tls_context=None, auth=False):
    port = free_port()
    kwargs = {}
    if tls_context is not None:
        kwargs.update(tls_context=tls_context, require_starttls=True)
    if auth:
        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == b"relay" and auth_data.password == b"mail-pass"
            return AuthResult(success=ok, handled=False)
        kwargs.update(authenticator=authenticator, auth_require_tls=tls_context is not None)
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    return controller, port


def relay_config(port, smtp_port, extra=""):
    return f"""
server: {{listen_address: 127.0.0.1:{port}}}
storage: {{path: data}}
sources:
  am: {{auth: [{{type: bearer, credentials: [t]}}]}}
route: {{receiver: oncall}}
retry: {{initial_interval: 200ms, max_interval: 1s}}
admin: {{token: e2e-admin-token}}
receivers:
  - name: oncall
    email_configs:
      - to: oncall@example.org, sre@example.org
        from: AlertRelay <alertrelay@example.org>
        smarthost: 127.0.0.1:{smtp_port}
        send_resolved: true
{extra}"""


def post(relay, body: bytes):
    return requests.post(f"{relay.url}/webhook/am", data=body, timeout=5,
                         headers={"Content-Type": "application/json", "Authorization": "Bearer t"})


@pytest.fixture
def mailbox():
    return Mailbox()


def test_a_real_alertmanager_group_arrives_as_a_threaded_multipart_mail(tmp_path, mailbox):
    controller, smtp_port = smtp_server(mailbox)
    port = free_port()
    relay = start_relay(tmp_path, relay_config(port, smtp_port, "        require_tls: false\n"), port=port)
    try:
        firing = json.loads((FIXTURES / "alertmanager" / "01-firing-2-alerts.json").read_text())
        firing["alerts"][0]["labels"]["instance"] = "db1\r\nBcc: attacker@example.org"
        firing["alerts"][0]["annotations"]["summary"] = "Disque plein <script>alert(1)</script> ✓"
        assert post(relay, json.dumps(firing).encode()).status_code == 202
        resolved = (FIXTURES / "alertmanager" / "03-resolved.json").read_bytes()
        assert post(relay, resolved).status_code == 202
        assert wait_until(lambda: len(mailbox.messages) == 2, timeout=20), relay.log()

        # The two are separate jobs, delivered concurrently: find the firing one by its subject.
        mailbox.messages.sort(key=lambda m: b"Subject: [FIRING" not in m[2])
        mail_from, recipients, content = mailbox.messages[0]
        assert mail_from == "alertrelay@example.org"
        assert recipients == ["oncall@example.org", "sre@example.org"]
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert message["Subject"] == "[FIRING:2] DiskFull"
        assert message["From"] == "AlertRelay <alertrelay@example.org>"
        assert message["Date"] is not None and message["Message-Id"].endswith("@alertrelay>")
        assert "Bcc" not in message, "a label value never creates a header"
        assert message.get_content_type() == "multipart/alternative"
        parts = {part.get_content_type(): part.get_content() for part in message.iter_parts()}
        assert set(parts) == {"text/plain", "text/html"}
        assert "Disque plein <script>alert(1)</script> ✓" in parts["text/plain"]
        assert "&lt;script&gt;" in parts["text/html"] and "<script>" not in parts["text/html"]
        assert "https://runbooks.example.org/disk" in parts["text/html"]

        second = email.message_from_bytes(mailbox.messages[1][2], policy=email.policy.default)
        assert second["Subject"].startswith("[RESOLVED]")
        assert message["References"] == second["References"] == message["In-Reply-To"], "one thread per alert group"
        assert message["Message-Id"] != second["Message-Id"]
    finally:
        relay.stop()
        controller.stop()


def test_subject_and_bodies_come_from_the_configured_templates(tmp_path, mailbox):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "oncall.html.mustache").write_text(
        "<h1>{{subject}}</h1>\n<ul>\n{{#alerts}}\n<li>{{labels.instance}}: {{summary}}</li>\n{{/alerts}}\n</ul>\n")
    (templates / "email.text.mustache").write_text("{{#alerts}}\n{{labels.instance}} {{status}}\n{{/alerts}}\n")
    controller, smtp_port = smtp_server(mailbox)
    port = free_port()
    extra = ("        require_tls: false\n"
             "        headers: {Subject: '{{commonLabels.severity}}: {{counts.firing}} {{commonLabels.alertname}}', X-Team: '{{commonLabels.job}}'}\n"
             "        html: '{{> oncall.html}}'\n"
             "templates: ['templates/*.mustache']\n")
    relay = start_relay(tmp_path, relay_config(port, smtp_port, extra), port=port)
    try:
        firing = json.loads((FIXTURES / "alertmanager" / "01-firing-2-alerts.json").read_text())
        firing["alerts"][1]["annotations"]["summary"] = "<b>full</b> & more"
        assert post(relay, json.dumps(firing).encode()).status_code == 202
        assert wait_until(lambda: len(mailbox.messages) == 1, timeout=20), relay.log()
        message = email.message_from_bytes(mailbox.messages[0][2], policy=email.policy.default)
        assert message["Subject"] == "critical: 2 DiskFull"
        assert message["X-Team"] == "node"
        parts = {part.get_content_type(): part.get_content() for part in message.iter_parts()}
        assert parts["text/plain"] == "db1:9100 firing\r\ndb2:9100 firing\r\n", "a file named like a default replaces it"
        assert parts["text/html"].startswith("<h1>critical: 2 DiskFull</h1>")
        assert "<li>db2:9100: &lt;b&gt;full&lt;/b&gt; &amp; more</li>" in parts["text/html"]
    finally:
        relay.stop()
        controller.stop()


def test_starttls_and_auth(tmp_path, mailbox):
    controller, smtp_port = smtp_server(mailbox, tls_context=certificate(tmp_path), auth=True)
    port = free_port()
    (tmp_path / "mail-password").write_text("mail-pass\n")
    extra = ("        auth_username: relay\n        auth_password_file: mail-password\n"
             "        tls_config: {insecure_skip_verify: true}\n")
    relay = start_relay(tmp_path, relay_config(port, smtp_port, extra), port=port)
    try:
        assert post(relay, (FIXTURES / "alertmanager" / "01-firing-2-alerts.json").read_bytes()).status_code == 202
        assert wait_until(lambda: len(mailbox.messages) == 1, timeout=20), relay.log()
    finally:
        relay.stop()
        controller.stop()


def test_wrong_credentials_are_a_dead_letter_at_once(tmp_path, mailbox):
    controller, smtp_port = smtp_server(mailbox, tls_context=certificate(tmp_path), auth=True)
    port = free_port()
    extra = "        auth_username: relay\n        auth_password: wrong\n        tls_config: {insecure_skip_verify: true}\n"
    relay = start_relay(tmp_path, relay_config(port, smtp_port, extra), port=port)
    try:
        assert post(relay, (FIXTURES / "alertmanager" / "01-firing-2-alerts.json").read_bytes()).status_code == 202

        def dead():
            return relay.admin("GET", "/deliveries?state=dead").json()["deliveries"]

        assert wait_until(lambda: len(dead()) == 1, timeout=20), relay.log()
        assert dead()[0]["attempts"] == 1
        assert "authentication" in dead()[0]["last_error"]
    finally:
        relay.stop()
        controller.stop()


def test_451_is_retried_and_550_is_a_dead_letter(tmp_path, mailbox):
    mailbox.answers = ["451 4.3.0 Try again later", "451 4.3.0 Try again later"]
    controller, smtp_port = smtp_server(mailbox)
    port = free_port()
    relay = start_relay(tmp_path, relay_config(port, smtp_port, "        require_tls: false\n"), port=port)
    try:
        assert post(relay, (FIXTURES / "alertmanager" / "01-firing-2-alerts.json").read_bytes()).status_code == 202
        assert wait_until(lambda: len(mailbox.messages) == 1, timeout=20), relay.log()
        [job] = relay.admin("GET", "/deliveries").json()["deliveries"]
        assert job["attempts"] == 3 and job["state"] == "delivered"
        detail = relay.admin("GET", f"/deliveries/{job['id']}").json()
        assert [attempt["status"] for attempt in detail["attempts"]] == [451, 451, 250]

        mailbox.answers = ["550 5.1.1 No such user"]
        assert post(relay, (FIXTURES / "alertmanager" / "03-resolved.json").read_bytes()).status_code == 202

        def dead():
            return relay.admin("GET", "/deliveries?state=dead").json()["deliveries"]

        assert wait_until(lambda: len(dead()) == 1, timeout=20)
        assert dead()[0]["attempts"] == 1, "a 5xx reply is not retried"
    finally:
        relay.stop()
        controller.stop()
