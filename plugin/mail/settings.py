"""Mail settings: QUARTERHOUR_SMTP_URL and QUARTERHOUR_MAIL_FROM parsed and checked at start-up.

Standard library only (plugin.config imports it). Errors are ValueErrors whose message names
the variable and never contains the password; plugin.config turns them into ConfigErrors.
"""

import ipaddress
from dataclasses import dataclass, field
from email.utils import parseaddr
from urllib.parse import parse_qsl, unquote, urlsplit

PREFIX = "QUARTERHOUR_"
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    implicit_tls: bool  # smtps://: TLS from the first byte (port 465)
    starttls: bool  # smtp://…?starttls=1: upgrade a plain connection (port 587)
    username: str = ""
    password: str = field(default="", repr=False)  # never in a repr, a log line or an error

    def redacted(self) -> str:
        """The URL as it can be logged: the password replaced by ***."""
        scheme = "smtps" if self.implicit_tls else "smtp"
        user = f"{self.username}:***@" if self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        query = "?starttls=1" if self.starttls else ""
        return f"{scheme}://{user}{host}:{self.port}{query}"


@dataclass(frozen=True)
class MailSettings:
    smtp: SmtpSettings | None  # None: QUARTERHOUR_SMTP_URL is empty, the outbox only queues
    sender: str  # QUARTERHOUR_MAIL_FROM, "Name <address>" or "address"
    max_attempts: int
    backoff_seconds: int
    lease_seconds: int
    timeout_seconds: int

    @property
    def sender_domain(self) -> str:
        return parseaddr(self.sender)[1].rpartition("@")[2]


def _redact(url: str) -> str:
    """The URL with everything between the user name and the last @ hidden, parsable or not."""
    if "@" not in url:
        return url
    head, _, host = url.rpartition("@")
    scheme, sep, userinfo = head.partition("://")
    if not sep:
        return "***@" + host
    user, colon, _ = userinfo.partition(":")
    return f"{scheme}://{user}{':***' if colon else ''}@{host}"


def parse_smtp_url(url: str, name: str = PREFIX + "SMTP_URL") -> SmtpSettings | None:
    """`smtp://[user:password@]host[:port][?starttls=1]` or `smtps://…`; empty: None."""
    url = url.strip()
    if not url:
        return None
    shown = _redact(url)

    def bad(why: str) -> ValueError:
        return ValueError(f"{name} {why}, got {shown!r}")

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise bad("is not a valid URL (host or port)") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise bad("must start with smtp:// or smtps://")
    if not parts.hostname:
        raise bad("names no host")
    if parts.path not in ("", "/") or parts.fragment:
        raise bad("may have no path or fragment")
    starttls = False
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key != "starttls":
            raise bad(f"has an unknown option {key!r} (only starttls)")
        if value.lower() not in TRUE + FALSE:
            raise bad("has starttls that is neither 1 nor 0")
        starttls = value.lower() in TRUE
    if scheme == "smtps" and starttls:
        raise bad("asks for starttls on smtps://, which is TLS already")
    username = unquote(parts.username or "")
    password = unquote(parts.password or "")
    if password and not username:
        raise bad("has a password but no user")
    if password and scheme == "smtp" and not starttls and not _is_loopback(parts.hostname):
        raise bad("would send the password unencrypted: use smtps:// or ?starttls=1")
    return SmtpSettings(host=parts.hostname, port=port or DEFAULT_PORTS[scheme],
                        implicit_tls=scheme == "smtps", starttls=starttls,
                        username=username, password=password)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_sender(value: str, name: str = PREFIX + "MAIL_FROM") -> str:
    """`billing@example.com` or `Example GmbH <billing@example.com>`."""
    value = value.strip()
    _, address = parseaddr(value)
    local, at, domain = address.rpartition("@")
    if not (at and local and "." in domain) or any(c in value for c in "\r\n"):
        raise ValueError(f"{name} must be an e-mail address like 'Name <billing@example.com>', "
                         f"got {value!r}")
    return value


def parse(raw) -> MailSettings:
    """The mail settings from `raw(name) -> str` (the QUARTERHOUR_* value of NAME)."""

    def positive(name: str) -> int:
        try:
            number = int(raw(name))
        except ValueError:
            number = 0
        if number < 1:
            raise ValueError(f"{PREFIX}{name} must be a whole number above 0, got {raw(name)!r}")
        return number

    smtp = parse_smtp_url(raw("SMTP_URL"))
    sender = raw("MAIL_FROM").strip()
    if smtp is not None and not sender:
        raise ValueError(f"{PREFIX}MAIL_FROM must be set when {PREFIX}SMTP_URL is")
    timeout, lease = positive("MAIL_TIMEOUT_SECONDS"), positive("MAIL_LEASE_SECONDS")
    # A claim must outlive one delivery (connect, TLS, login, DATA, each up to the timeout),
    # or a second worker could take the row over while the first is still sending it.
    if lease < 6 * timeout:
        raise ValueError(f"{PREFIX}MAIL_LEASE_SECONDS must be at least 6 × "
                         f"{PREFIX}MAIL_TIMEOUT_SECONDS ({6 * timeout}), got {lease}")
    return MailSettings(
        smtp=smtp,
        sender=parse_sender(sender) if sender else "",
        max_attempts=positive("MAIL_MAX_ATTEMPTS"),
        backoff_seconds=positive("MAIL_BACKOFF_SECONDS"),
        lease_seconds=lease,
        timeout_seconds=timeout,
    )
