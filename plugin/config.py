"""Settings: plugin.toml defaults, overridden by the environment, then by the host's config."""

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import limits
import limits.storage
from flask import current_app

from plugin import billing
from plugin.connectors import helpdesk_settings
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
    # The company settings' defaults (plugin.services.company; the screen's values win).
    company_tax_number: str
    company_bank_name: str
    company_contact_name: str
    company_sender_email: str
    # Invoices are queued for e-mail as they are finalized (else: by the button or CLI).
    invoice_send_on_finalize: bool
    # The accounting push: off while accounting_url is empty.
    accounting_url: str
    accounting_secret: str
    accounting_max_attempts: int
    accounting_backoff_seconds: float
    accounting_timeout_seconds: float
    accounting_give_up_after: int
    mail: mail_settings.MailSettings  # SMTP_URL, MAIL_FROM, MAIL_* (see docs/mail.md)
    # Helpdesk connectors: HELPDESK_*, WEBHOOK_SECRET (see docs/connectors.md)
    helpdesk: helpdesk_settings.HelpdeskSettings = field(
        default_factory=helpdesk_settings.HelpdeskSettings)
    # How often each worker recomputes stale live statements (services/live.py).
    statement_refresh_seconds: float = 1.0
    # screens (issue 11): a timer stopped within this many seconds may be discarded.
    discard_seconds: int = 120
    # Sign-in (docs/security.md): where failed sign-ins are counted, the limits, remember-me.
    ratelimit_storage_uri: str = "memory://"
    login_limit_per_account: str = "5 per minute; 20 per hour"
    login_limit_per_address: str = "30 per minute; 200 per hour"
    remember_days: int = 14
    # Profitability control (docs/profitability.md): a follow-up task this many days after an
    # offer was sent without an answer; a sent offer expires after OFFER_EXPIRY_DAYS.
    offer_follow_up_days: int = 7
    offer_expiry_days: int = 30
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
    def rate_limits(name):
        try:
            limits.parse_many(raw(name))
        except ValueError:
            raise ConfigError(f"{PREFIX}{name} must be limits such as '5 per minute; 20 per "
                              f"hour', got {raw(name)!r}") from None
        return raw(name)

    storage_uri = raw("RATELIMIT_STORAGE_URI").strip() or "memory://"
    scheme = storage_uri.split("://", 1)[0]
    if "://" not in storage_uri or scheme not in limits.storage.SCHEMES \
            or scheme.startswith("async+"):
        raise ConfigError(f"{PREFIX}RATELIMIT_STORAGE_URI must be memory:// or a storage such as "
                          f"redis://host:6379/0, got {storage_uri!r}")
    if integer("REMEMBER_DAYS") < 1:
        raise ConfigError(f"{PREFIX}REMEMBER_DAYS must be 1 or more, got {raw('REMEMBER_DAYS')!r}")
    try:
        mail = mail_settings.parse(raw)
        helpdesk = helpdesk_settings.parse(raw)
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
        company_tax_number=raw("COMPANY_TAX_NUMBER"),
        company_bank_name=raw("COMPANY_BANK_NAME"),
        company_contact_name=raw("COMPANY_CONTACT_NAME"),
        company_sender_email=raw("COMPANY_SENDER_EMAIL"),
        invoice_send_on_finalize=raw("INVOICE_SEND_ON_FINALIZE").lower() in ("on", "true", "1",
                                                                             "yes"),
        accounting_url=raw("ACCOUNTING_URL"),
        accounting_secret=raw("ACCOUNTING_SECRET"),
        accounting_max_attempts=integer("ACCOUNTING_MAX_ATTEMPTS"),
        accounting_backoff_seconds=seconds("ACCOUNTING_BACKOFF_SECONDS"),
        accounting_timeout_seconds=seconds("ACCOUNTING_TIMEOUT_SECONDS"),
        accounting_give_up_after=integer("ACCOUNTING_GIVE_UP_AFTER"),
        mail=mail,
        statement_refresh_seconds=seconds("STATEMENT_REFRESH_SECONDS"),
        helpdesk=helpdesk,
        discard_seconds=integer("DISCARD_SECONDS"),
        ratelimit_storage_uri=storage_uri,
        login_limit_per_account=rate_limits("LOGIN_LIMIT_PER_ACCOUNT"),
        login_limit_per_address=rate_limits("LOGIN_LIMIT_PER_ADDRESS"),
        remember_days=integer("REMEMBER_DAYS"),
        offer_follow_up_days=positive("OFFER_FOLLOW_UP_DAYS"),
        offer_expiry_days=positive("OFFER_EXPIRY_DAYS"),
        entry_max_hours=positive("ENTRY_MAX_HOURS"),
        max_days_back=positive("MAX_DAYS_BACK"),
    )


# Helpdesk connectors (issue 16)
def secret_keys() -> tuple[str, ...]:
    """The app's secret key, then its fallbacks: what encrypts and decrypts helpdesk tokens
    (plugin.connectors.vault)."""
    config = current_app.config
    keys = (config.get("SECRET_KEY"), *(config.get("SECRET_KEY_FALLBACKS") or ()))
    return tuple(k for k in keys if k)
