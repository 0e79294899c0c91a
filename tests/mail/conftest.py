"""Fixtures for mail: a real SMTP server (aiosmtpd in a thread), an app that sends to it, a clock.

`mailbox` is the server's handler: what it accepted (parsed with the email package), and
scripted answers for the next RCPT or DATA commands, so a test makes it refuse (4xx, 5xx).
"""

import asyncio
import socket
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.conftest import make_app

SENDER = "Quarterhour Billing <billing@quarterhour.example>"


class Mailbox:
    """The aiosmtpd handler: stores accepted messages; answers from a script first."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.raw: list[bytes] = []  # as received, for headers the modern parser misreads
        self.data_answers: list[str] = []  # e.g. ["451 4.3.0 try again later"], used up in order
        self.rcpt_answers: list[str] = []
        self.logins: list[tuple[str, str]] = []
        self.delay = 0.0  # seconds before answering DATA (for overlapping workers)
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self._lock:
            answer = self.rcpt_answers.pop(0) if self.rcpt_answers else None
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            answer = self.data_answers.pop(0) if self.data_answers else None
            if answer:
                return answer
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.raw.append(envelope.content)
            return f"250 2.0.0 Ok: queued as Q{len(self.messages)}"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        login = (auth_data.login.decode(), auth_data.password.decode())
        self.logins.append(login)
        return AuthResult(success=login == ("mailer", "s3cret:/@pw"), handled=False)

    def subjects(self) -> list[str]:
        return [m["Subject"] for m in self.messages]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(mailbox: Mailbox, **kwargs) -> Controller:
    for _ in range(5):  # the free port may be taken between finding and binding it
        controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), **kwargs)
        try:
            controller.start()
            return controller
        except OSError:
            continue
    raise RuntimeError("no free port for the test SMTP server")


@pytest.fixture
def mailbox():
    return Mailbox()


@pytest.fixture
def smtp_server(mailbox):
    controller = start_server(mailbox)
    yield controller
    controller.stop()


def mail_app(url: str, smtp_url: str, **config):
    return make_app(url, QUARTERHOUR_SMTP_URL=smtp_url, QUARTERHOUR_MAIL_FROM=SENDER,
                    QUARTERHOUR_MAIL_MAX_ATTEMPTS="4", **config)


@pytest.fixture
def app(database_url, smtp_server):
    app = mail_app(database_url, f"smtp://127.0.0.1:{smtp_server.port}")
    yield app
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()


@pytest.fixture
def settings(app):
    return app.extensions["quarterhour"].settings


def with_mail(settings, **changes):
    """The same settings with some mail settings changed (e.g. smtp pointing elsewhere)."""
    return replace(settings, mail=replace(settings.mail, **changes))


class Clock:
    """A clock the test moves by hand: deliver_due(clock, …) reads it at every step."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock():
    return Clock(datetime(2026, 11, 2, 8, 0, tzinfo=UTC))
