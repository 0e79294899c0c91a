"""Values typed by people (forms, JSON, CSV), parsed; each error names its field."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from babel import numbers

from plugin.services.errors import FieldError, FieldErrors


class AmountError(FieldError):
    """An amount refused; `reason` ("digits", "language", "range", "places") and `values`
    let a screen say it in its user's language."""

    def __init__(self, field: str, message: str, reason: str, **values):
        super().__init__(field, message)
        self.reason, self.values = reason, values


# The largest amount any form, JSON body or file may give: below every Money column's limit
# (14 digits), and far above any fee or rate a helpdesk agrees (docs/configuration.md).
MAX_AMOUNT = Decimal("1000000000")
# Digits, a sign, the separators of the languages we speak, spaces: nothing else (no "1e5").
_PLAIN_NUMBER = re.compile(r"[-+]?[\d.,\s'\u00a0\u202f]*\d[\d.,\s'\u00a0\u202f]*")


def decimal_text(value, field: str, *, locale: str | None = None, places: int = 2,
                 maximum: Decimal = MAX_AMOUNT, noun: str = "an amount") -> Decimal:
    """A number typed by a person or sent by a program, as an exact Decimal in 0 ≤ x <
    `maximum` with at most `places` decimals — the one parser of amounts and rates.

    With `locale` (a form: the operator's language) the text is read as written there:
    "1,5" in German, "1.5" in English, each with its digit grouping (Babel's parse_decimal,
    strict); without it (JSON, files) a decimal point, or a lone decimal comma ("0,02" of a
    German price list). Exponents ("1e5"), words and floats are refused.
    """
    if isinstance(value, bool):
        raise FieldError(field, f"must be {noun}, not true or false")
    if isinstance(value, float):
        raise FieldError(field, f"send {noun} as a string (\"45.00\"), not a floating point "
                                "number")
    if isinstance(value, Decimal | int):
        amount = Decimal(value)
    else:
        text = str(value).strip()
        if not _PLAIN_NUMBER.fullmatch(text):
            raise AmountError(field, f"{value!r} is not {noun}: write digits, e.g. "
                                     f"{_example(locale)}", "digits", text=text,
                              example=_example(locale))
        amount = _parse(text, value, field, locale, noun)
    if not amount.is_finite() or amount < 0 or amount >= maximum:
        largest = _largest(maximum, places)
        raise AmountError(field, f"must be between 0 and {largest}", "range", largest=largest)
    if amount.as_tuple().exponent < -places:
        raise AmountError(field, f"at most {places} decimal places", "places", places=places)
    return amount


def _parse(text: str, value, field: str, locale: str | None, noun: str) -> Decimal:
    if locale is not None:
        try:
            return numbers.parse_decimal(text, locale=locale, strict=True)
        except numbers.NumberFormatError as e:
            suggestion = e.suggestions[-1] if getattr(e, "suggestions", None) else None
            hint = f": did you mean {suggestion}?" if suggestion \
                else f", e.g. {_example(locale)}"
            raise AmountError(field, f"{value!r} is not {noun} as written in "
                                     f"{numbers.Locale.parse(locale).english_name}{hint}",
                              "language", text=text, suggestion=suggestion,
                              example=_example(locale)) from None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise FieldError(field, f"{value!r} is not {noun}") from None


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
        raise FieldError(field, f"{value!r} is not a whole number") from None
    if number < minimum:
        raise FieldError(field, f"must be at least {minimum}")
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
        raise FieldError(field, f"{value!r} is not a date (YYYY-MM-DD)") from None


def text(value, field: str, *, required=True, max_length=200) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise FieldError(field, "is required")
        return None
    if len(value) > max_length:
        raise FieldError(field, f"at most {max_length} characters")
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

    def add(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def done(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise FieldErrors(self.errors)
