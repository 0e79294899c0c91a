"""What an invoice must carry before it is issued: §14 and §14a UStG, XRechnung, ZUGFeRD."""

from collections.abc import Mapping
from enum import StrEnum


class Missing(StrEnum):
    """One thing an invoice lacks; SELLER_* are set in the company settings, BUYER_* at the
    customer."""

    SELLER_NAME = "seller_name"
    SELLER_ADDRESS = "seller_address"
    SELLER_TAX_ID = "seller_tax_id"  # VAT id or tax number, §14 (4) no. 2 UStG
    SELLER_VAT_ID = "seller_vat_id"  # reverse charge: §14a (1) UStG, EN 16931 BR-AE-02
    # An e-invoice identifies its seller by the VAT id (EN 16931 BR-CO-26: a tax number,
    # BT-32, does not count)
    SELLER_E_INVOICE_VAT_ID = "seller_e_invoice_vat_id"
    SELLER_EMAIL = "seller_email"  # XRechnung: contact e-mail and electronic address
    SELLER_PHONE = "seller_phone"  # XRechnung: contact telephone (BR-DE-6)
    SELLER_IBAN = "seller_iban"  # XRechnung: payment instructions (BR-DE-1)
    BUYER_NAME = "buyer_name"
    BUYER_ADDRESS = "buyer_address"  # §14 (4) no. 1 UStG
    BUYER_VAT_ID = "buyer_vat_id"  # reverse charge: §14a (1) UStG
    BUYER_REFERENCE = "buyer_reference"  # XRechnung: BT-10, the Leitweg-ID (BR-DE-15)
    BUYER_EMAIL = "buyer_email"  # XRechnung: the buyer's electronic address; e-mail delivery

    @property
    def seller(self) -> bool:
        return self.value.startswith("seller_")


E_INVOICE_FORMATS = ("xrechnung", "zugferd")


def missing(seller: Mapping, buyer: Mapping, *, reverse_charge: bool,
            delivery: str) -> list[Missing]:
    """Everything the invoice lacks, sellers' items first; empty: it may be issued.

    `delivery` is the customer's choice (pdf, zugferd, xrechnung or none): by e-mail needs the
    billing address; an XRechnung its own fields.
    """
    def has(data, key):
        return bool(str(data.get(key) or "").strip())

    found = []
    if not has(seller, "name"):
        found.append(Missing.SELLER_NAME)
    if not has(seller, "address"):
        found.append(Missing.SELLER_ADDRESS)
    if reverse_charge and not has(seller, "vat_id"):
        found.append(Missing.SELLER_VAT_ID)
    elif delivery in E_INVOICE_FORMATS and not has(seller, "vat_id"):
        found.append(Missing.SELLER_E_INVOICE_VAT_ID)
    elif not (has(seller, "vat_id") or has(seller, "tax_number")):
        found.append(Missing.SELLER_TAX_ID)
    if delivery == "xrechnung":
        found += [item for item, key in ((Missing.SELLER_EMAIL, "email"),
                                         (Missing.SELLER_PHONE, "phone"),
                                         (Missing.SELLER_IBAN, "iban"))
                  if not has(seller, key)]
    if not has(buyer, "name"):
        found.append(Missing.BUYER_NAME)
    if not has(buyer, "address"):
        found.append(Missing.BUYER_ADDRESS)
    if reverse_charge and not has(buyer, "vat_id"):
        found.append(Missing.BUYER_VAT_ID)
    if delivery == "xrechnung" and not has(buyer, "buyer_reference"):
        found.append(Missing.BUYER_REFERENCE)
    if delivery != "none" and not has(buyer, "email"):
        found.append(Missing.BUYER_EMAIL)
    return found
