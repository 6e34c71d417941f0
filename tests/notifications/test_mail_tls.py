"""E-mail over STARTTLS to a real local SMTP server (aiosmtpd with a certificate made by the
test): the login happens inside TLS, the server's certificate is checked against ``ca_file``,
and a certificate the mailer cannot verify is a recorded failure, not a silent downgrade."""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from onshore.services.mailer import Mailer, MailError
from tests.notifications.conftest import SMTP_PASSWORD, SMTP_USER, free_port


def _certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "onshore test smtp")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp.crt", directory / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Box:
    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.logins: list[bool] = []  # was the session under TLS when it logged in

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 Message accepted"


@pytest.fixture
def tls_smtp(tmp_path: Path) -> Iterator[tuple[_Box, int, Path]]:
    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box, port = _Box(), free_port()

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:  # fmt: skip
        box.logins.append(session.ssl is not None)
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (SMTP_USER, SMTP_PASSWORD)
        return AuthResult(success=ok)

    controller = Controller(
        box, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
        authenticator=authenticator,
    )  # fmt: skip
    controller.start()
    yield box, port, cert
    controller.stop()


def test_starttls_then_login_with_the_servers_certificate_checked(
    tls_smtp: tuple[_Box, int, Path],
) -> None:
    box, port, cert = tls_smtp
    mailer = Mailer("127.0.0.1", port, "onshore@platform.example", starttls=True,
                    username=SMTP_USER, password=SMTP_PASSWORD, ca_file=cert)  # fmt: skip
    mailer.send(["legal@platform.example"], "[onshore] test", "body\n")
    assert box.logins == [True]  # the password crossed the wire inside TLS
    assert len(box.messages) == 1 and b"[onshore] test" in box.messages[0]


def test_a_certificate_the_mailer_cannot_verify_stops_the_message(
    tls_smtp: tuple[_Box, int, Path],
) -> None:
    box, port, _ = tls_smtp
    mailer = Mailer("127.0.0.1", port, "onshore@platform.example", starttls=True,
                    username=SMTP_USER, password=SMTP_PASSWORD)  # fmt: skip
    with pytest.raises(MailError, match="SSLCertVerificationError") as exc:
        mailer.send(["legal@platform.example"], "[onshore] test", "body\n")
    assert SMTP_PASSWORD not in str(exc.value)
    assert box.logins == [] and box.messages == []


def test_without_starttls_a_server_requiring_it_refuses(tls_smtp: tuple[_Box, int, Path]) -> None:
    box, port, _ = tls_smtp
    mailer = Mailer("127.0.0.1", port, "onshore@platform.example", starttls=False)
    with pytest.raises(MailError, match="530"):
        mailer.send(["legal@platform.example"], "[onshore] test", "body\n")
    assert box.messages == []
