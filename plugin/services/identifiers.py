"""Identifiers people type, checked by python-stdnum (check digits, lengths, formats), never by
hand: VAT ids, IBANs, BICs, German tax numbers, and ISO 3166 country codes (Babel's list)."""

from functools import cache

from babel import Locale
from stdnum import bic, get_cc_module, iban
from stdnum.de import stnr
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError

from plugin.billing.vat import EU_VAT_PREFIXES, vat_country, vat_id_country
from plugin.services.errors import FieldError


@cache
def _countries() -> frozenset[str]:
    return frozenset(code for code in Locale("en").territories
                     if len(code) == 2 and code.isalpha() and code != "ZZ")


def country_problem(code: str, field: str = "country") -> FieldError | None:
    if code not in _countries():
        return FieldError(field, "%(code)r is not an ISO 3166 country code (e.g. DE, AT, CH)",
                          code=code)
    return None


def compact_vat_id(value: str) -> str:
    """'de 129 273 398' → 'DE129273398'; an id stdnum cannot take apart stays as typed."""
    if not value:
        return ""
    try:
        return eu_vat.compact(value)
    except ValidationError:
        return "".join(value.split()).upper()


def vat_id_problem(vat_id: str, country: str, field: str = "vat_id") -> FieldError | None:
    """Why `vat_id` is not a valid VAT id of `country` (None: it is)."""
    compact = compact_vat_id(vat_id)
    prefix = vat_country(compact)
    if prefix in EU_VAT_PREFIXES or prefix == "XI":
        if not eu_vat.is_valid(compact):
            return FieldError(field, "%(vat_id)r is not a valid VAT id (wrong length or check "
                              "digit)", vat_id=vat_id)
        if prefix != vat_id_country(country):
            return FieldError(field, "%(vat_id)r is a VAT id of %(prefix)s, but the country is "
                              "%(country)s", vat_id=vat_id, prefix=prefix, country=country)
        return None
    module = get_cc_module(country.lower(), "vat")
    if module is None:
        return None  # a country stdnum does not know: taken as typed
    try:
        module.validate(vat_id)
    except ValidationError:
        return FieldError(field, "%(vat_id)r is not a valid VAT id of %(country)s",
                          vat_id=vat_id, country=country)
    return None


def vat_id_valid(vat_id: str | None, country: str) -> bool:
    return bool(vat_id) and vat_id_problem(vat_id, country) is None


def iban_problem(value: str, field: str = "iban") -> FieldError | None:
    try:
        iban.validate(value)
    except ValidationError:
        return FieldError(field, "%(value)r is not a valid IBAN (wrong length or check digits)",
                          value=value)
    return None


def bic_problem(value: str, field: str = "bic") -> FieldError | None:
    try:
        bic.validate(value)
    except ValidationError:
        return FieldError(field, "%(value)r is not a BIC (8 or 11 letters and digits, e.g. "
                          "COBADEFFXXX)", value=value)
    return None


def tax_number_problem(value: str, country: str, field: str = "tax_number") -> FieldError | None:
    """A German Steuernummer is checked (any of the states' formats); others as typed."""
    if country == "DE" and not stnr.is_valid(value):
        return FieldError(field, "%(value)r is not a German tax number (e.g. 143/815/08155)",
                          value=value)
    return None
