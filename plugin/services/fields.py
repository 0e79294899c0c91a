"""Values typed by people (forms, JSON, CSV), parsed; each error names its field."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from babel import numbers

from plugin.services.errors import N_, FieldError, FieldErrors, Word


class AmountError(FieldError):
    """An amount refused (a FieldError: a screen says it in its user's language)."""


# The largest amount any form, JSON body or file may give: below every Money column's limit
# (14 digits), and far above any fee or rate a helpdesk agrees (docs/configuration.md).
MAX_AMOUNT = Decimal("1000000000")
# The languages an amount is read in, named in an error message (for the catalog).
LANGUAGES = (N_("English"), N_("German"))
# Digits, a sign, the separators of the languages we speak, spaces: nothing else (no "1e5").
_PLAIN_NUMBER = re.compile(r"[-+]?[\d.,\s'\u00a0\u202f]*\d[\d.,\s'\u00a0\u202f]*")


def decimal_text(value, field: str, *, locale: str | None = None, places: int = 2,
                 maximum: Decimal = MAX_AMOUNT, noun: str = N_("an amount")) -> Decimal:
    """A number typed by a person or sent by a program, as an exact Decimal in 0 ≤ x <
    `maximum` with at most `places` decimals — the one parser of amounts and rates.

    With `locale` (a form: the operator's language) the text is read as written there:
    "1,5" in German, "1.5" in English, each with its digit grouping (Babel's parse_decimal,
    strict); without it (JSON, files) a decimal point, or a lone decimal comma ("0,02" of a
    German price list). Exponents ("1e5"), words and floats are refused.
    """
    if isinstance(value, bool):
        raise FieldError(field, "must be %(noun)s, not true or false", noun=Word(noun))
    if isinstance(value, float):
        raise FieldError(field, "send %(noun)s as a string (\"45.00\"), not a floating point "
                         "number", noun=Word(noun))
    if isinstance(value, Decimal | int):
        amount = Decimal(value)
    else:
        text = str(value).strip()
        if not _PLAIN_NUMBER.fullmatch(text):
            raise AmountError(field, "%(value)r is not %(noun)s: write digits, e.g. %(example)s",
                              value=value, noun=Word(noun), example=_example(locale))
        amount = _parse(text, value, field, locale, noun)
    if not amount.is_finite() or amount < 0 or amount >= maximum:
        largest = _largest(maximum, places)
        raise AmountError(field, "must be between 0 and %(largest)s", largest=largest)
    if amount.as_tuple().exponent < -places:
        raise AmountError(field, "at most %(places)s decimal places", places=places)
    return amount


def _parse(text: str, value, field: str, locale: str | None, noun: str) -> Decimal:
    if locale is not None:
        try:
            return numbers.parse_decimal(text, locale=locale, strict=True)
        except numbers.NumberFormatError as e:
            language = numbers.Locale.parse(locale).english_name
            suggestion = e.suggestions[-1] if getattr(e, "suggestions", None) else None
            if suggestion:
                raise AmountError(field, "%(value)r is not %(noun)s as written in "
                                         "%(language)s: did you mean %(suggestion)s?",
                                  value=value, noun=Word(noun), language=Word(language),
                                  suggestion=suggestion) from None
            raise AmountError(field, "%(value)r is not %(noun)s as written in %(language)s, "
                                     "e.g. %(example)s", value=value, noun=Word(noun),
                              language=Word(language), example=_example(locale)) from None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise FieldError(field, "%(value)r is not %(noun)s", value=value, noun=Word(noun)) \
            from None


def _example(locale: str | None) -> str:
    return numbers.format_decimal(Decimal("1234.50"), format="0.00", locale=locale or "en")


def _largest(maximum: Decimal, places: int) -> str:
    return str(maximum - Decimal(1).scaleb(-places))


def money(value, field: str, *, required=True, places=2, locale: str | None = None,
          maximum: Decimal = MAX_AMOUNT) -> Decimal | None:
    """A non-negative amount with at most `places` decimals, from text or a number."""
    if value is None or value == "":
        if required:
            raise FieldError(field, "is required")
        return None
    return decimal_text(value, field, locale=locale, places=places, maximum=maximum)


def whole(value, field: str, *, required=True, minimum=0) -> int | None:
    if value is None or value == "":
        if required:
            raise FieldError(field, "is required")
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise FieldError(field, "%(value)r is not a whole number", value=value) from None
    if number < minimum:
        raise FieldError(field, "must be at least %(minimum)s", minimum=minimum)
    return number


def day(value, field: str, *, required=True) -> date | None:
    if value is None or value == "":
        if required:
            raise FieldError(field, "is required")
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise FieldError(field, "%(value)r is not a date (YYYY-MM-DD)", value=value) from None


def text(value, field: str, *, required=True, max_length=200) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise FieldError(field, "is required")
        return None
    if len(value) > max_length:
        raise FieldError(field, "at most %(max_length)s characters", max_length=max_length)
    if "\x00" in value:
        raise FieldError(field, "must not contain NUL characters")  # PostgreSQL refuses it
    return value


class Collected:
    """Check every field of a form or body in one pass: `check(fn, …)` runs one parser and
    keeps its FieldError; `done()` raises them all at once (FieldErrors) before anything is
    queried or stored."""

    def __init__(self):
        self.errors: list[FieldError] = []

    def __call__(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except FieldError as e:
            self.errors.append(e)
            return None

    def add(self, field: str, message: str, **values) -> None:
        self.errors.append(FieldError(field, message, **values))

    def keep(self, error: FieldError | None) -> None:
        """Keep an error a check returned (None: it found nothing)."""
        if error is not None:
            self.errors.append(error)

    def done(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise FieldErrors(self.errors)
