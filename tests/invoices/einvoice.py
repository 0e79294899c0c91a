"""Reading our e-invoices back: totals, and BR-CO-25 (which the CEN artefacts no longer test)."""

from decimal import Decimal

from lxml import etree

NS = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
      "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
      "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"}
SUMMATION = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"


def parse(xml: bytes):
    return etree.fromstring(xml)


def one(doc, path: str) -> str:
    found = doc.xpath(path, namespaces=NS)
    assert len(found) == 1, f"{path}: {len(found)} found"
    return found[0].text if hasattr(found[0], "text") else str(found[0])


def totals(xml: bytes) -> tuple[Decimal, Decimal, Decimal]:
    doc = parse(xml)
    return (Decimal(one(doc, SUMMATION + "TaxBasisTotalAmount")),
            Decimal(one(doc, SUMMATION + "TaxTotalAmount")),
            Decimal(one(doc, SUMMATION + "GrandTotalAmount")))


def check_br_co_25(xml: bytes) -> None:
    """BR-CO-25: when the amount due is positive, a due date or payment terms are given."""
    doc = parse(xml)
    due = Decimal(one(doc, SUMMATION + "DuePayableAmount"))
    terms = doc.xpath("//ram:SpecifiedTradePaymentTerms", namespaces=NS)
    if due > 0:
        assert terms, "BR-CO-25: an amount is due but there are no payment terms"
        has_date = terms[0].xpath("ram:DueDateDateTime/udt:DateTimeString", namespaces=NS)
        has_text = terms[0].xpath("ram:Description/text()", namespaces=NS)
        assert has_date or (has_text and has_text[0].strip()), "BR-CO-25: neither due date " \
            "nor payment terms text"
