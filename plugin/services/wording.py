"""Invoices speak the customer's language: the core's Wording from our Babel catalogs."""

from datetime import date
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import get_decimal_symbol
from babel.support import NullTranslations, Translations

from plugin import billing
from plugin.resources import resource


def language_of(language: str | None) -> str:
    """A customer's language as a locale name, English when it has none or an unknown one."""
    try:
        Locale.parse(language or "en")
    except (UnknownLocaleError, ValueError, TypeError):
        return "en"
    return language or "en"


@cache
def catalog(language: str | None) -> NullTranslations:
    """Our Babel catalog of `language` ('de'); without one, texts stay in English."""
    return Translations.load(str(resource("translations")), [language_of(language)])


@cache
def wording(language: str | None) -> billing.Wording:
    """The texts of invoice lines and notes in `language` ('de'); English without a catalog."""
    found = catalog(language)
    if not isinstance(found, Translations):  # no catalog for it: the core's own English
        return billing.ENGLISH
    locale = Locale.parse(language_of(language))
    months = locale.months["stand-alone"]["wide"]
    return billing.Wording(found.gettext, found.ngettext, get_decimal_symbol(locale),
                           tuple(months[n] for n in range(1, 13)))


def day_text(day: date, language: str | None) -> str:
    """'Nov 14, 2026' / '14.11.2026': a date inside an invoice's text."""
    return format_date(day, "medium", locale=language_of(language))
