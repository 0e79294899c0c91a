"""Phone numbers: one E.164 form for modem, hotline and CDR numbers (phonenumbers library)."""

import phonenumbers

from plugin.services.errors import FieldError


class NumberError(FieldError):
    """Not a phone number; in our words, not the library's ("(0) Missing or invalid default
    region."): how to write one."""


def to_e164(raw: str, default_country: str = "DE") -> str:
    """'0049 89 1234567', '+49891234567' and '089 1234567' (in DE) all give '+49891234567'.

    Raises NumberError for text that is not a possible phone number.
    """
    text = (raw or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]  # the international call prefix of most of Europe
    try:
        number = phonenumbers.parse(text, default_country.upper())
    except phonenumbers.NumberParseException:
        raise NumberError("number", "%(raw)r is not a phone number: write it with its area "
                          "code, e.g. 089 1234567, +49 89 1234567 or 0049 89 1234567",
                          raw=raw) from None
    if not phonenumbers.is_possible_number(number):
        raise NumberError("number", "%(raw)r has too few or too many digits for a phone number: "
                          "write it with its area code, e.g. 089 1234567, +49 89 1234567 or "
                          "0049 89 1234567", raw=raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def shown(e164: str | None) -> str:
    """A stored number as people read it: '+49891234567' → '+49 89 1234567' (international
    format); text that is no number is shown as it is."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
