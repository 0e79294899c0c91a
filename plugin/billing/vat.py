"""VAT treatment of an invoice: standard, reverse charge (EU business abroad) or exempt."""

from decimal import Decimal
from enum import StrEnum

from .money import ZERO

# Country prefixes of EU VAT ids (Greece writes EL).
# fmt: off
EU_VAT_PREFIXES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})
# fmt: on


class VatCategory(StrEnum):
    STANDARD = "standard"
    REVERSE_CHARGE = "reverse_charge"
    EXEMPT = "exempt"

    @property
    def code(self) -> str:
        """The EN 16931 (UNCL 5305) category code the e-invoice exports use."""
        return {"standard": "S", "reverse_charge": "AE", "exempt": "E"}[self.value]


def vat_country(vat_id: str | None) -> str | None:
    """'DE129273398' → 'DE'; 'el 123456789' → 'EL'."""
    cleaned = (vat_id or "").replace(" ", "").upper()
    return cleaned[:2] if len(cleaned) > 2 and cleaned[:2].isalpha() else None


def vat_category(vat_id: str | None, seller_country: str, exempt: bool = False) -> VatCategory:
    """Exempt when the customer is marked so (the admin decides, e.g. for customers outside the
    EU); reverse charge for a VAT id of another EU country than the seller's; else standard."""
    if exempt:
        return VatCategory.EXEMPT
    country = vat_country(vat_id)
    seller = "EL" if seller_country.upper() == "GR" else seller_country.upper()
    if country in EU_VAT_PREFIXES and country != seller:
        return VatCategory.REVERSE_CHARGE
    return VatCategory.STANDARD


def vat_rate(category: VatCategory, standard_rate: Decimal) -> Decimal:
    return standard_rate if category is VatCategory.STANDARD else ZERO


def vat_id_country(country: str) -> str:
    """The prefix a country's VAT ids carry: Greece (GR) writes EL."""
    country = (country or "").upper()
    return "EL" if country == "GR" else country


def reverse_charge_vat_id(vat_id: str | None, country: str, valid: bool) -> str | None:
    """The customer's VAT id as the VAT treatment may count it: only an id that is valid
    (`valid`, as a checking library judged it) and agrees with the customer's country, so a
    malformed id or one of another country never zero-rates an invoice as reverse charge."""
    if not vat_id or not valid or vat_country(vat_id) != vat_id_country(country):
        return None
    return vat_id
