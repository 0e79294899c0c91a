"""Values typed by people (forms, JSON, CSV), parsed; each error names its field."""

from datetime import date
from decimal import Decimal, InvalidOperation

from plugin.services.errors import FieldError


def money(value, field: str, *, required=True, places=2) -> Decimal | None:
    """A non-negative amount with at most `places` decimals, from text or a number."""
    if value is None or value == "":
        if required:
            raise FieldError(field, "is required")
        return None
    if isinstance(value, float):
        raise FieldError(field, "send amounts as strings (\"45.00\"), not floating point")
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise FieldError(field, f"{value!r} is not an amount") from None
    if not amount.is_finite() or amount < 0:
        raise FieldError(field, "must be zero or more")
    if amount.as_tuple().exponent < -places:
        raise FieldError(field, f"at most {places} decimal places")
    return amount


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
