"""Phone numbers: one E.164 form for modem, hotline and CDR numbers (phonenumbers library)."""

import phonenumbers


class NumberError(ValueError):
    pass


def to_e164(raw: str, default_country: str = "DE") -> str:
    """'0049 89 1234567', '+49891234567' and '089 1234567' (in DE) all give '+49891234567'.

    Raises NumberError for text that is not a possible phone number.
    """
    text = (raw or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]  # the international call prefix of most of Europe
    try:
        number = phonenumbers.parse(text, default_country.upper())
    except phonenumbers.NumberParseException as e:
        raise NumberError(f"{raw!r} is not a phone number ({e})") from None
    if not phonenumbers.is_possible_number(number):
        raise NumberError(f"{raw!r} is not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
