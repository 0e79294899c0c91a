"""Settings: plugin.toml defaults, overridden by the environment, then by the host's config."""

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app

from plugin import billing
from plugin.mail import settings as mail_settings
from plugin.manifest import MANIFEST

PREFIX = "QUARTERHOUR_"


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    timezone: ZoneInfo
    cdr_timezone: ZoneInfo
    currency: str
    default_country: str
    languages: tuple[str, ...]
    default_language: str
    vat_rate: Decimal
    payment_terms_days: int
    invoice_number_format: str
    default_hourly_rate: Decimal
    timer_max_hours: int
    scheduler: bool
    company_name: str
    company_address: str
    company_country: str
    company_vat_id: str
    company_email: str
    company_iban: str
    company_bic: str
    company_phone: str
    # The accounting push: off while accounting_url is empty.
    accounting_url: str
    accounting_secret: str
    accounting_max_attempts: int
    accounting_backoff_seconds: float
    accounting_timeout_seconds: float
    accounting_give_up_after: int
    mail: mail_settings.MailSettings  # SMTP_URL, MAIL_FROM, MAIL_* (see docs/mail.md)
    # Plausibility (services/entry_checks.py): the longest session, and how far back an entry
    # may start or a billed month may lie.
    entry_max_hours: int = 24
    max_days_back: int = 366


def settings() -> Settings:
    """The settings of the app in whose context we run (parsed once, by init_app): what views,
    jobs and commands hand to the services."""
    return current_app.extensions["quarterhour"].settings


def current_period(now: datetime | None = None) -> billing.Period:
    """The month of `now` (default: this moment), in the operator's timezone."""
    return billing.period_of(now or datetime.now(UTC), str(settings().timezone))


def load_into(config: dict, environ=os.environ) -> None:
    """Fill every QUARTERHOUR_* key the host did not set, from the environment or the manifest."""
    for name, default in MANIFEST.settings.items():
        key = PREFIX + name
        config.setdefault(key, environ.get(key, default))


def parse(config: dict) -> Settings:
    """Validate the QUARTERHOUR_* keys of a Flask config into typed settings."""

    def raw(name):
        return str(config[PREFIX + name])

    def decimal(name):
        try:
            return Decimal(raw(name))
        except InvalidOperation:
            raise ConfigError(f"{PREFIX}{name} must be a decimal number, got {raw(name)!r}") \
                from None

    def integer(name):
        try:
            return int(raw(name))
        except ValueError:
            raise ConfigError(f"{PREFIX}{name} must be a whole number, got {raw(name)!r}") from None

    def positive(name):
        value = integer(name)
        if value < 1:
            raise ConfigError(f"{PREFIX}{name} must be at least 1, got {raw(name)!r}")
        return value

    def seconds(name):
        try:
            value = float(raw(name))
        except ValueError:
            raise ConfigError(f"{PREFIX}{name} must be a number of seconds, got {raw(name)!r}") \
                from None
        if value < 0:
            raise ConfigError(f"{PREFIX}{name} cannot be negative, got {raw(name)!r}")
        return value

    def zone(name):
        try:
            return ZoneInfo(raw(name))
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"{PREFIX}{name} is not an IANA time zone: {raw(name)!r}") \
                from None

    tz = zone("TIMEZONE")
    currency = raw("CURRENCY").upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ConfigError(f"{PREFIX}CURRENCY must be an ISO 4217 code, got {currency!r}")
    languages = tuple(x.strip() for x in raw("LANGUAGES").split(",") if x.strip())
    if raw("DEFAULT_LANGUAGE") not in languages:
        raise ConfigError(f"{PREFIX}DEFAULT_LANGUAGE must be one of {PREFIX}LANGUAGES")
    try:
        raw("INVOICE_NUMBER_FORMAT").format(year=2026, number=1)
    except (KeyError, ValueError, IndexError):
        raise ConfigError(
            f"{PREFIX}INVOICE_NUMBER_FORMAT may use only {{year}} and {{number}}"
        ) from None
    try:
        mail = mail_settings.parse(raw)
    except ValueError as e:
        raise ConfigError(str(e)) from None
    return Settings(
        timezone=tz,
        cdr_timezone=zone("CDR_TIMEZONE") if raw("CDR_TIMEZONE") else tz,
        currency=currency,
        default_country=raw("DEFAULT_COUNTRY").upper(),
        languages=languages,
        default_language=raw("DEFAULT_LANGUAGE"),
        vat_rate=decimal("VAT_RATE"),
        payment_terms_days=integer("PAYMENT_TERMS_DAYS"),
        invoice_number_format=raw("INVOICE_NUMBER_FORMAT"),
        default_hourly_rate=decimal("DEFAULT_HOURLY_RATE"),
        timer_max_hours=integer("TIMER_MAX_HOURS"),
        scheduler=raw("SCHEDULER").lower() in ("on", "true", "1", "yes"),
        company_name=raw("COMPANY_NAME"),
        company_address=raw("COMPANY_ADDRESS"),
        company_country=raw("COMPANY_COUNTRY").upper(),
        company_vat_id=raw("COMPANY_VAT_ID"),
        company_email=raw("COMPANY_EMAIL"),
        company_iban=raw("COMPANY_IBAN"),
        company_bic=raw("COMPANY_BIC"),
        company_phone=raw("COMPANY_PHONE"),
        accounting_url=raw("ACCOUNTING_URL"),
        accounting_secret=raw("ACCOUNTING_SECRET"),
        accounting_max_attempts=integer("ACCOUNTING_MAX_ATTEMPTS"),
        accounting_backoff_seconds=seconds("ACCOUNTING_BACKOFF_SECONDS"),
        accounting_timeout_seconds=seconds("ACCOUNTING_TIMEOUT_SECONDS"),
        accounting_give_up_after=integer("ACCOUNTING_GIVE_UP_AFTER"),
        mail=mail,
        entry_max_hours=positive("ENTRY_MAX_HOURS"),
        max_days_back=positive("MAX_DAYS_BACK"),
    )
