from decimal import Decimal

import pytest

from plugin.billing.vat import VatCategory, reverse_charge_vat_id, vat_category, vat_rate


@pytest.mark.parametrize(
    ("vat_id", "exempt", "category"),
    [
        ("DE129273398", False, VatCategory.STANDARD),  # example A: a German customer
        (None, False, VatCategory.STANDARD),  # a consumer or a business without a VAT id
        ("ATU12345678", False, VatCategory.REVERSE_CHARGE),
        ("el 123456789", False, VatCategory.REVERSE_CHARGE),  # Greece writes EL
        ("NO123456789MVA", False, VatCategory.STANDARD),  # not an EU VAT id: the admin decides
        ("NO123456789MVA", True, VatCategory.EXEMPT),
        ("ATU12345678", True, VatCategory.EXEMPT),
    ],
)
def test_the_vat_treatment_follows_the_customers_vat_id_and_exemption(vat_id, exempt, category):
    assert vat_category(vat_id, "DE", exempt) == category


def test_a_seller_in_austria_charges_austrian_customers_standard_vat():
    assert vat_category("ATU12345678", "AT") == VatCategory.STANDARD
    assert vat_category("DE129273398", "AT") == VatCategory.REVERSE_CHARGE


def test_only_standard_treatment_charges_the_standard_rate():
    assert vat_rate(VatCategory.STANDARD, Decimal("19")) == Decimal("19")
    assert vat_rate(VatCategory.REVERSE_CHARGE, Decimal("19")) == 0
    assert vat_rate(VatCategory.EXEMPT, Decimal("19")) == 0


def test_categories_carry_their_en_16931_codes():
    assert [c.code for c in VatCategory] == ["S", "AE", "E"]


@pytest.mark.parametrize(("vat_id", "country", "valid", "counted"), [
    ("ATU13585627", "AT", True, "ATU13585627"),
    ("ATU13585627", "AT", False, None),   # the checking library refused it
    ("ATU13585627", "DE", True, None),    # of another country than the customer's
    ("EL094259216", "GR", True, "EL094259216"),  # Greece writes EL
    (None, "AT", True, None),
])
def test_only_a_valid_vat_id_of_the_customers_country_counts_for_reverse_charge(
        vat_id, country, valid, counted):
    assert reverse_charge_vat_id(vat_id, country, valid) == counted


def test_what_an_invoice_lacks_depends_on_vat_treatment_and_delivery():
    from plugin.billing.completeness import Missing, missing

    seller = {"name": "Q GmbH", "address": "Weg 1\n80331 München", "tax_number": "143/815/08155"}
    buyer = {"name": "M GmbH", "address": "Str 2\n80939 München"}
    assert missing(seller, buyer, reverse_charge=False, delivery="none") == []
    assert missing(seller, buyer, reverse_charge=False, delivery="pdf") == [Missing.BUYER_EMAIL]
    assert missing(seller, buyer, reverse_charge=True, delivery="none") == [
        Missing.SELLER_VAT_ID, Missing.BUYER_VAT_ID]
    assert missing(seller, {**buyer, "email": "a@b.example"}, reverse_charge=False,
                   delivery="xrechnung") == [
        Missing.SELLER_E_INVOICE_VAT_ID, Missing.SELLER_EMAIL, Missing.SELLER_PHONE,
        Missing.SELLER_IBAN, Missing.BUYER_REFERENCE]
    assert missing({}, {}, reverse_charge=False, delivery="none") == [
        Missing.SELLER_NAME, Missing.SELLER_ADDRESS, Missing.SELLER_TAX_ID, Missing.BUYER_NAME,
        Missing.BUYER_ADDRESS]
