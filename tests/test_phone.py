"""Numbers normalize to E.164 with a default country."""

import pytest

from plugin.phone import NumberError, to_e164


@pytest.mark.parametrize("raw", ["0049891234567", "+49891234567", "0891234567",
                                 "+49 89 1234567", "(089) 123 45 67", "0049 (0)89 1234567"])
def test_the_same_munich_number_in_every_spelling_is_one_number(raw):
    assert to_e164(raw) == "+49891234567"


def test_a_national_number_takes_the_default_country():
    assert to_e164("01 234 5678", "AT") == "+4312345678"


@pytest.mark.parametrize("raw", ["", "hello", "+999 123", "+49"])
def test_text_that_is_no_phone_number_is_refused(raw):
    with pytest.raises(NumberError):
        to_e164(raw)
