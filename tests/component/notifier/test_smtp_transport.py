"""The SMTP transport against a real SMTP server (aiosmtpd) started in the test: what each
answer of the server means for the delivery, STARTTLS and authentication."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from services.notifier.models import Delivery
from services.notifier.outgoing import Outgoing, compose
from services.notifier.settings import NotifierSettings
from services.notifier.transports import (
    PermanentMailError,
    SmtpTransport,
    TransientMailError,
    UncertainMailError,
)
from tests.conftest import free_port


class Server:
    """Accepts, refuses or stalls at the step it is told to."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.rcpt_reply: str | None = None
        self.data_reply: str | None = None
        self.stall_data_s = 0.0
        self.stall_rcpt_s = 0.0

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        await asyncio.sleep(self.stall_rcpt_s)
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.data_reply:
            return self.data_reply
        assert isinstance(envelope.content, bytes)
        self.received.append(envelope.content)
        await asyncio.sleep(self.stall_data_s)
        return "250 OK"


@pytest.fixture
def server() -> Iterator[tuple[int, Server]]:
    port, handler = free_port(), Server()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, handler
    controller.stop()


def _message() -> Outgoing:
    delivery = Delivery(
        event_id="test", case_id="c1", recipient="hoa.nguyen@example.com", template="receipt",
        subject="[PAKN Gia Lai] Đã tiếp nhận phản ánh, kiến nghị", body_text="Kính gửi Quý bà,\n",
    )  # fmt: skip
    return compose(delivery, sender="PAKN Gia Lai <pakn@gialai.gov.vn>")


class Gate:
    """Records whether the transport reached the point of no return."""

    def __init__(self) -> None:
        self.passed = False

    async def __call__(self) -> None:
        self.passed = True


def _transport(port: int, **settings: Any) -> SmtpTransport:
    return SmtpTransport(NotifierSettings(**{"smtp_port": port, "smtp_timeout_s": 1.0, **settings}))


async def test_an_accepted_message_arrives(server: tuple[int, Server]) -> None:
    port, handler = server
    gate, message = Gate(), _message()
    await _transport(port).send(message, point_of_no_return=gate)
    assert gate.passed and handler.received == [message.data]
    assert f"Message-ID: {message.message_id}".encode() in message.data


@pytest.mark.parametrize(
    ("step", "reply", "error"),
    [
        ("rcpt", "451 4.3.0 try later", TransientMailError),
        ("data", "451 4.3.0 try later", TransientMailError),
        ("rcpt", "550 5.1.1 no such user", PermanentMailError),
        ("data", "554 5.7.1 rejected", PermanentMailError),
    ],
)
async def test_refusals_are_transient_or_permanent_by_their_code(
    server: tuple[int, Server], step: str, reply: str, error: type[Exception]
) -> None:
    port, handler = server
    setattr(handler, f"{step}_reply", reply)
    gate = Gate()
    with pytest.raises(error, match=reply.split()[0]):
        await _transport(port).send(_message(), point_of_no_return=gate)
    assert gate.passed is (step == "data") and handler.received == []


async def test_no_server_is_transient_and_nothing_was_handed_over() -> None:
    gate = Gate()
    with pytest.raises(TransientMailError):
        await _transport(free_port()).send(_message(), point_of_no_return=gate)
    assert not gate.passed


async def test_a_timeout_before_data_is_transient(server: tuple[int, Server]) -> None:
    port, handler = server
    handler.stall_rcpt_s = 1.0
    gate = Gate()
    with pytest.raises(TransientMailError):
        await _transport(port, smtp_timeout_s=0.3).send(_message(), point_of_no_return=gate)
    assert not gate.passed


async def test_a_timeout_after_the_message_was_sent_is_uncertain(
    server: tuple[int, Server],
) -> None:
    port, handler = server
    handler.stall_data_s = 1.0  # the server has the message but does not say so in time
    with pytest.raises(UncertainMailError):
        await _transport(port, smtp_timeout_s=0.3).send(_message(), point_of_no_return=Gate())
    assert len(handler.received) == 1


# --- STARTTLS and authentication ------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"pakn", b"mat-khau")
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[tuple[int, Server]]:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    port, handler = free_port(), Server()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        authenticator=_authenticate,
    )
    controller.start()
    yield port, handler
    controller.stop()


async def test_starttls_and_login_deliver(
    tls_server: tuple[int, Server], certificate: tuple[Path, Path]
) -> None:
    port, handler = tls_server
    transport = _transport(
        port,
        smtp_starttls=True,
        smtp_ca_file=certificate[0],
        smtp_username="pakn",
        smtp_password="mat-khau",
    )
    await transport.send(_message(), point_of_no_return=Gate())
    assert len(handler.received) == 1


async def test_wrong_credentials_are_permanent(
    tls_server: tuple[int, Server], certificate: tuple[Path, Path]
) -> None:
    port, handler = tls_server
    transport = _transport(
        port,
        smtp_starttls=True,
        smtp_ca_file=certificate[0],
        smtp_username="pakn",
        smtp_password="sai",
    )
    gate = Gate()
    with pytest.raises(PermanentMailError, match="535"):
        await transport.send(_message(), point_of_no_return=gate)
    assert not gate.passed and handler.received == []


async def test_a_server_that_requires_starttls_refuses_plain_text(
    tls_server: tuple[int, Server],
) -> None:
    port, handler = tls_server
    with pytest.raises(PermanentMailError, match="530"):
        await _transport(port).send(_message(), point_of_no_return=Gate())
    assert handler.received == []
