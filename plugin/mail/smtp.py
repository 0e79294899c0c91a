"""Flask-Mail's message and connection, with the few fixes the outbox needs (each says why)."""

import logging
import smtplib
import ssl
from email.headerregistry import Address
from email.utils import parseaddr

import flask_mail
from flask import current_app

from plugin.mail.settings import MailSettings

log = logging.getLogger(__name__)


class Message(flask_mail.Message):
    """Flask-Mail's message with its address headers written by the email package.

    Flask-Mail joins RFC 2047 words by hand; when the SMTP policy refolds such a header longer
    than a line, it drops the quotes around a name with a comma, and "Müller, Hans <h@…>"
    arrives as two addresses. Address objects are folded correctly.
    """

    def _message(self):
        message = super()._message()
        for header, values in (("From", [self.sender]), ("To", self.recipients),
                               ("Cc", self.cc), ("Reply-To", [self.reply_to])):
            values = [v for v in values if v]
            if values:
                del message[header]
                message[header] = [_address_of(v) for v in values]
        return message


def _address_of(value: str) -> Address:
    name, address = parseaddr(value)
    local, _, domain = address.rpartition("@")
    return Address(display_name=name, username=local,
                   domain=domain.encode("idna").decode("ascii"))


class _KeepsAnswers:
    """smtplib's sendmail returns only the refused recipients and drops the server's answer to
    DATA ("250 2.0.0 Ok: queued as …"), which the delivery log shows; Flask-Mail drops both.
    Keeping them here is our only change to smtplib."""

    data_answer = ""
    refused: dict = {}

    def data(self, msg):
        code, reply = super().data(msg)
        self.data_answer = f"{code} {reply.decode('utf-8', 'replace')}".strip()
        return code, reply

    def sendmail(self, *args, **kwargs):
        self.data_answer, self.refused = "", {}
        self.refused = super().sendmail(*args, **kwargs)
        return self.refused


class _SMTP(_KeepsAnswers, smtplib.SMTP):
    pass


class _SMTPS(_KeepsAnswers, smtplib.SMTP_SSL):
    pass


class Connection(flask_mail.Connection):
    """One SMTP session for a delivery run, opened on first use.

    Unlike Flask-Mail's own: certificates are verified (smtplib's default TLS context verifies
    nothing), every socket operation has the configured timeout (Flask-Mail sets none, so a
    silent server would hang the job), and send() returns the server's answer.
    """

    def __init__(self, mail: MailSettings):
        super().__init__(_state(mail))
        self.settings = mail

    def configure_host(self) -> smtplib.SMTP:
        smtp, timeout = self.settings.smtp, self.settings.timeout_seconds
        context = ssl.create_default_context()
        if smtp.implicit_tls:
            host = _SMTPS(smtp.host, smtp.port, timeout=timeout, context=context)
        else:
            host = _SMTP(smtp.host, smtp.port, timeout=timeout)
        try:
            if smtp.starttls:
                host.starttls(context=context)
            if smtp.username:
                host.login(smtp.username, smtp.password)
        except BaseException:
            host.close()
            raise
        return host

    def open(self) -> None:
        if self.host is None:
            self.host = self.configure_host()

    def close(self) -> None:
        if self.host is None:
            return
        try:
            self.host.quit()
        except (smtplib.SMTPException, OSError):
            self.host.close()  # the server is gone already: no goodbye to say
        self.host = None

    def __exit__(self, *exc) -> None:
        self.close()

    def send(self, message: flask_mail.Message) -> str:
        """Send; the server's answer to DATA, with any recipients it refused."""
        self.open()
        host = self.host
        try:
            super().send(message)
        except Exception:
            if not host.data_answer.startswith("2"):
                raise
            # Accepted: an error after that (a signal receiver) must not make us send again.
            log.exception("after the SMTP server accepted %s", message.msgId)
        refused = refusals(host.refused)
        return "; ".join(x for x in (host.data_answer, refused) if x)


def refusals(refused: dict) -> str:
    """smtplib's {recipient: (code, reply)} as "refused a@b.example: 550 5.1.1 No such user"."""
    return "; ".join(
        f"refused {parseaddr(recipient)[1]}: {code} {reply.decode('utf-8', 'replace')}"
        for recipient, (code, reply) in sorted(refused.items()))


def _state(mail: MailSettings):
    """Flask-Mail's settings object. Its Message reads app.extensions["mail"] when rendered,
    so we register ours unless the host has its own Flask-Mail (then the host's flags apply
    to rendering only; our connection always uses our settings). It carries no password:
    configure_host reads that from our settings."""
    state = flask_mail.Mail().init_mail({
        "MAIL_SERVER": mail.smtp.host, "MAIL_PORT": mail.smtp.port,
        "MAIL_USE_SSL": mail.smtp.implicit_tls, "MAIL_USE_TLS": mail.smtp.starttls,
        "MAIL_DEFAULT_SENDER": mail.sender, "MAIL_SUPPRESS_SEND": False,
    })
    current_app.extensions.setdefault("mail", state)
    return state
