"""The EN 16931 e-invoice in the CII syntax, built with drafthorse (never XML by hand).

Two profiles: XRechnung 3.0 (buyer reference / Leitweg-ID, seller contact, electronic addresses,
payment instructions) and ZUGFeRD / Factur-X EN 16931 (the XML that zugferd.py embeds in a PDF/A-3).
A credit note is type 381 with positive amounts and a reference to the invoice it reverses.
"""

import re
from datetime import date
from decimal import Decimal

from drafthorse.models.accounting import ApplicableTradeTax
from drafthorse.models.document import Document
from drafthorse.models.note import IncludedNote
from drafthorse.models.party import TaxRegistration
from drafthorse.models.payment import PaymentMeans, PaymentTerms
from drafthorse.models.tradelines import LineItem

from plugin import billing
from plugin.exports.document import document

XRECHNUNG = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
EN16931 = "urn:cen.eu:en16931:2017"
PEPPOL_PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
# UN/ECE Recommendation 20 unit codes for the units our lines are counted in.
# A handled call has no code of its own: C62 ("one"), counted like a unit.
UNIT_CODES = {"month": "MON", "lump sum": "LS", "unit": "C62", "seat": "C62", "minute": "MIN",
              "hour": "HUR", "call": "C62"}
EXEMPTION = {"AE": ("Reverse charge", "VATEX-EU-AE"), "E": ("VAT exempt", None)}
_POSTCODE_CITY = re.compile(r"^\s*([A-Z]{0,2}-?\d{3,6}(?:\s\d{2})?)\s+(.+?)\s*$")


class EInvoiceError(ValueError):
    """Something the e-invoice needs is missing; the message names the setting or field."""


def _address(party, text: str, country: str) -> None:
    lines = [line.strip() for line in (text or "").replace("\\n", "\n").splitlines()
             if line.strip()]
    postcode, city = "", ""
    if lines:
        match = _POSTCODE_CITY.match(lines[-1])
        postcode, city = (match[1], match[2]) if match else ("", lines[-1])
        lines = lines[:-1]
    if postcode:
        party.address.postcode = postcode
    for attr, line in zip(("line_one", "line_two", "line_three"), lines, strict=False):
        setattr(party.address, attr, line)
    if city:
        party.address.city_name = city
    party.address.country_id = (country or "DE").upper()


def _d(value: str) -> Decimal:
    return Decimal(value)


def build(invoice, xrechnung: bool) -> bytes:
    """The CII XML of a numbered invoice or credit note."""
    doc = document(invoice)
    seller, buyer = doc["seller"], doc["buyer"]
    _require(doc, xrechnung)
    credit = doc["kind"] == "credit_note"
    sign = Decimal(-1) if credit else Decimal(1)  # a credit note states its amounts positive

    x = Document()
    x.context.guideline_parameter.id = XRECHNUNG if xrechnung else EN16931
    if xrechnung:
        x.context.business_parameter.id = PEPPOL_PROCESS
    x.header.id = doc["number"]
    x.header.type_code = "381" if credit else "380"
    x.header.issue_date_time = date.fromisoformat(doc["issued_on"])
    for text in [*doc["notes"], f"Period {doc['period']}"]:
        note = IncludedNote()
        note.content = text
        x.header.notes.add(note)

    agreement = x.trade.agreement
    agreement.buyer_reference = buyer.get("buyer_reference") or ""
    s = agreement.seller
    s.name = seller["name"]
    if xrechnung or seller.get("email") or seller.get("phone"):
        s.contact.person_name = seller.get("contact_name") or seller["name"]
        if seller.get("phone"):
            s.contact.telephone.number = seller["phone"]
        if seller.get("email"):
            s.contact.email.address = seller["email"]
    _address(s, seller.get("address", ""), seller.get("country", "DE"))
    if seller.get("email"):
        s.electronic_address.uri_ID = ("EM", seller["email"])
    if seller.get("vat_id"):
        s.tax_registrations.add(TaxRegistration(id=("VA", seller["vat_id"])))
    if seller.get("tax_number"):  # BT-32, the seller's tax registration (Steuernummer)
        s.tax_registrations.add(TaxRegistration(id=("FC", seller["tax_number"])))
    b = agreement.buyer
    b.name = buyer["name"]
    _address(b, buyer.get("address", ""), buyer.get("country", "DE"))
    if buyer.get("email"):
        b.electronic_address.uri_ID = ("EM", buyer["email"])
    if buyer.get("vat_id"):
        b.tax_registrations.add(TaxRegistration(id=("VA", buyer["vat_id"])))

    period = billing.Period.parse(doc["period"])
    settlement = x.trade.settlement
    settlement.currency_code = doc["currency"]
    means = PaymentMeans()
    if seller.get("iban"):
        means.type_code = "58"  # SEPA credit transfer
        means.payee_account.iban = seller["iban"].replace(" ", "")
        if seller.get("bic"):
            means.payee_institution.bic = seller["bic"]
    else:
        means.type_code = "1"  # instrument not defined
    settlement.payment_means.add(means)
    for vat in doc["vat"]:
        tax = ApplicableTradeTax()
        tax.calculated_amount = sign * _d(vat["amount"])
        tax.type_code = "VAT"
        if vat["category"] in EXEMPTION:
            reason, code = EXEMPTION[vat["category"]]
            tax.exemption_reason = reason
            if code:
                tax.exemption_reason_code = code
        tax.basis_amount = sign * _d(vat["base"])
        tax.category_code = vat["category"]
        tax.rate_applicable_percent = _d(vat["rate"])
        settlement.trade_tax.add(tax)
    settlement.period.start = period.first_day
    settlement.period.end = period.last_day
    terms = PaymentTerms()
    terms.description = doc["payment_terms"]
    if doc["due_on"]:
        terms.due = date.fromisoformat(doc["due_on"])
    settlement.terms.add(terms)
    total = settlement.monetary_summation
    total.line_total = sign * _d(doc["net"])
    total.charge_total = Decimal("0.00")
    total.allowance_total = Decimal("0.00")
    total.tax_basis_total = sign * _d(doc["net"])
    total.tax_total = (sign * _d(doc["vat_total"]), doc["currency"])  # BT-110 names it
    total.grand_total = sign * _d(doc["gross"])
    total.due_amount = sign * _d(doc["amount_due"])
    if credit and doc["credits_invoice"]:
        ref = settlement.invoice_referenced_document
        ref.issuer_assigned_id = doc["credits_invoice"]["number"]
        ref.issue_date_time = date.fromisoformat(doc["credits_invoice"]["issued_on"])

    for line in doc["lines"]:
        item = LineItem()
        item.document.line_id = str(line["position"])
        item.product.name = line["description"]
        item.agreement.net.amount = _d(line["unit_price"])
        code = UNIT_CODES.get(line["unit"], "C62")
        item.delivery.billed_quantity = (sign * _d(line["quantity"]), code)
        item.settlement.trade_tax.type_code = "VAT"
        item.settlement.trade_tax.category_code = line["vat_category"]
        item.settlement.trade_tax.rate_applicable_percent = _d(line["vat_rate"])
        item.settlement.monetary_summation.total_amount = sign * _d(line["amount"])
        x.trade.items.add(item)
    return x.serialize(schema="FACTUR-X_EN16931")


def _require(doc: dict, xrechnung: bool) -> None:
    seller, buyer = doc["seller"], doc["buyer"]
    missing = []
    if not seller.get("vat_id"):  # EN 16931 BR-CO-26: a tax number alone does not do
        missing.append("the seller's VAT id (as it was when the invoice was finalized; the "
                       "company settings)")
    if any(v["category"] == "AE" for v in doc["vat"]) and not buyer.get("vat_id"):
        missing.append(f"the VAT id of customer {buyer.get('name')!r} (reverse charge)")
    if xrechnung:
        if not buyer.get("buyer_reference"):
            missing.append(f"the buyer reference (Leitweg-ID) of customer {buyer.get('name')!r}")
        if not buyer.get("email"):
            missing.append(f"the billing e-mail of customer {buyer.get('name')!r}")
        for key, name in (("email", "EMAIL"), ("phone", "PHONE"), ("iban", "IBAN")):
            if not seller.get(key):
                missing.append(f"QUARTERHOUR_COMPANY_{name}")
    if missing:
        kind = "An XRechnung" if xrechnung else "An e-invoice"
        raise EInvoiceError(f"{kind} of {doc['number']} needs " + ", ".join(missing) + ".")
