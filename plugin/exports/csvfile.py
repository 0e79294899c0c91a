"""CSV: one row per invoice line, every column documented in docs/exports.md."""

from plugin import csv_export
from plugin.exports.document import document

COLUMNS = ("invoice_number", "kind", "status", "period", "issued_on", "due_on", "currency",
           "customer_id", "customer_name", "customer_vat_id", "buyer_reference",
           "credits_invoice_number", "position", "line_kind", "description", "quantity", "unit",
           "unit_price", "amount", "vat_category", "vat_rate", "invoice_net", "invoice_vat",
           "invoice_gross")


def rows(invoice) -> list[dict]:
    doc = document(invoice)
    head = {"invoice_number": doc["number"], "kind": doc["kind"], "status": doc["status"],
            "period": doc["period"], "issued_on": doc["issued_on"], "due_on": doc["due_on"],
            "currency": doc["currency"], "customer_id": doc["buyer"].get("customer_id"),
            "customer_name": doc["buyer"].get("name"),
            "customer_vat_id": doc["buyer"].get("vat_id") or "",
            "buyer_reference": doc["buyer"].get("buyer_reference") or "",
            "credits_invoice_number": (doc["credits_invoice"] or {}).get("number", ""),
            "invoice_net": doc["net"], "invoice_vat": doc["vat_total"],
            "invoice_gross": doc["gross"]}
    return [{**head, "position": x["position"], "line_kind": x["kind"],
             "description": x["description"], "quantity": x["quantity"], "unit": x["unit"],
             "unit_price": x["unit_price"], "amount": x["amount"],
             "vat_category": x["vat_category"], "vat_rate": x["vat_rate"]}
            for x in doc["lines"]]


def render(invoices) -> bytes:
    return csv_export.write(COLUMNS, (row for invoice in invoices for row in rows(invoice))
                            ).encode("utf-8")
