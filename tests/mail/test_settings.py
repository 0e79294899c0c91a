"""QUARTERHOUR_SMTP_URL and QUARTERHOUR_MAIL_FROM: parsed at start-up, the password never shown."""

import pytest

from plugin.config import ConfigError
from plugin.mail.settings import SmtpSettings, parse_smtp_url
from tests.conftest import make_app


def settings_of(**config):
    return make_app("sqlite://", **{f"QUARTERHOUR_{k}": v for k, v in config.items()}
                    ).extensions["quarterhour"].settings.mail


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://127.0.0.1:8025", SmtpSettings("127.0.0.1", 8025, False, False)),
    ("smtp://mail.example.com", SmtpSettings("mail.example.com", 25, False, False)),
    ("smtps://mail.example.com", SmtpSettings("mail.example.com", 465, True, False)),
    ("smtp://billing%40example.com:p%40ss%3Aw0rd@mail.example.com:587?starttls=1",
     SmtpSettings("mail.example.com", 587, False, True, "billing@example.com", "p@ss:w0rd")),
    ("SMTPS://u:pw@[::1]:2465", SmtpSettings("::1", 2465, True, False, "u", "pw")),
    ("smtp://u:pw@localhost:25", SmtpSettings("localhost", 25, False, False, "u", "pw")),
])
def test_smtp_urls_are_read_as_documented(url, expected):
    assert parse_smtp_url(url) == expected


def test_an_empty_smtp_url_leaves_mail_queued_but_unsent():
    assert settings_of(SMTP_URL="").smtp is None


@pytest.mark.parametrize(("url", "why"), [
    ("http://mail.example.com", "must start with smtp:// or smtps://"),
    ("mail.example.com:25", "must start with smtp:// or smtps://"),
    ("smtp://", "names no host"),
    ("smtp://mail.example.com:99999", "host or port"),
    ("smtp://mail.example.com:twenty-five", "host or port"),
    ("smtp://mail.example.com:25/inbox", "no path"),
    ("smtp://mail.example.com:587?tls=1", "unknown option 'tls'"),
    ("smtp://mail.example.com:587?starttls=maybe", "neither 1 nor 0"),
    ("smtps://mail.example.com?starttls=1", "TLS already"),
    ("smtp://:topsecret@mail.example.com:587?starttls=1", "a password but no user"),
    ("smtp://mailer:topsecret@mail.example.com:25", "unencrypted"),
])
def test_a_malformed_smtp_url_stops_start_up_naming_the_variable_not_the_password(url, why):
    with pytest.raises(ConfigError) as raised:
        settings_of(SMTP_URL=url, MAIL_FROM="billing@example.com")
    message = str(raised.value)
    assert message.startswith("QUARTERHOUR_SMTP_URL ") and why in message
    assert "topsecret" not in message


def test_a_password_in_an_unparsable_url_is_hidden_too():
    with pytest.raises(ConfigError) as raised:
        settings_of(SMTP_URL="smtp://mailer:top@secret@[mail.example.com:25",
                    MAIL_FROM="billing@example.com")
    assert "QUARTERHOUR_SMTP_URL" in str(raised.value) and "secret" not in str(raised.value)


def test_the_password_is_in_no_repr_of_the_settings():
    mail = settings_of(SMTP_URL="smtps://mailer:topsecret@mail.example.com",
                       MAIL_FROM="billing@example.com")
    assert mail.smtp.password == "topsecret"
    assert "topsecret" not in repr(mail) and "topsecret" not in mail.smtp.redacted()
    assert mail.smtp.redacted() == "smtps://mailer:***@mail.example.com:465"


def test_a_sender_is_needed_once_mail_is_sent():
    with pytest.raises(ConfigError, match="QUARTERHOUR_MAIL_FROM must be set"):
        settings_of(SMTP_URL="smtp://127.0.0.1:8025")


@pytest.mark.parametrize("sender", ["billing", "Billing <billing>",
                                    "a@b.example\nBcc: x@y.example"])
def test_a_malformed_sender_stops_start_up_naming_the_variable(sender):
    with pytest.raises(ConfigError, match="QUARTERHOUR_MAIL_FROM must be an e-mail address"):
        settings_of(SMTP_URL="smtp://127.0.0.1:8025", MAIL_FROM=sender)


def test_a_sender_with_a_name_is_kept_as_written():
    mail = settings_of(SMTP_URL="smtp://127.0.0.1:8025",
                       MAIL_FROM="Quarterhour Billing <billing@quarterhour.example>")
    assert mail.sender == "Quarterhour Billing <billing@quarterhour.example>"
    assert mail.sender_domain == "quarterhour.example"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("MAIL_MAX_ATTEMPTS", "0", "QUARTERHOUR_MAIL_MAX_ATTEMPTS must be a whole number above 0"),
    ("MAIL_BACKOFF_SECONDS", "soon", "QUARTERHOUR_MAIL_BACKOFF_SECONDS must be a whole number"),
    ("MAIL_LEASE_SECONDS", "60", "QUARTERHOUR_MAIL_LEASE_SECONDS must be at least 6 ×"),
])
def test_malformed_retry_settings_stop_start_up_naming_the_variable(name, value, message):
    with pytest.raises(ConfigError, match=message):
        settings_of(**{name: value})


def test_a_malformed_delivery_crontab_stops_start_up_naming_the_variable():
    with pytest.raises(ConfigError, match="QUARTERHOUR_OUTBOX_DELIVERY_CRON"):
        make_app("sqlite://", TESTING=False, QUARTERHOUR_SCHEDULER="on",
                 QUARTERHOUR_OUTBOX_DELIVERY_CRON="every minute")
