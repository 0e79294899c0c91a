"""One invoice as plain data: what every export format writes (and the JSON export is)."""

from decimal import Decimal

from plugin.billing import to_cents
from plugin.billing.units import format_duration
from plugin.models import Invoice
from plugin.services import core_rows
from plugin.services import invoices as service


def amount(value: Decimal) -> str:
    """'425.66': two decimals, whatever the engine stored (amounts are stored in cents)."""
    return str(to_cents(value))


def price(value: Decimal) -> str:
    """Unit prices keep their agreed decimals (24.375), at least two."""
    cents = to_cents(value)
    return str(cents) if cents == value else format(value.normalize(), "f")


def quantity(value: Decimal) -> str:
    """'3', '1.5': no trailing zeros."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def document(invoice: Invoice) -> dict:
    """The JSON schema of docs/exports.md; amounts are decimal strings."""
    core = core_rows.core_invoice(invoice)  # VAT per rate from the lines; checks the totals
    frozen = service.snapshot(invoice)
    credits = frozen.get("credits")
    return {
        "number": invoice.number,
        "kind": invoice.kind,
        "status": invoice.status,
        "period": invoice.period,
        "issued_on": invoice.issued_on.isoformat() if invoice.issued_on else None,
        "due_on": invoice.due_on.isoformat() if invoice.due_on else None,
        "currency": invoice.currency,
        "credits_invoice": credits,
        "seller": frozen.get("seller", {}),
        "buyer": frozen.get("buyer", {}),
        "lines": [{"position": x.position, "kind": x.kind, "description": x.description,
                   "quantity": quantity(x.quantity), "unit": x.unit,
                   "unit_price": price(x.unit_price), "amount": amount(x.amount),
                   "vat_category": x.vat_category, "vat_rate": amount(x.vat_rate)}
                  for x in invoice.lines],
        "vat": [{"category": v.category.code, "rate": amount(v.rate), "base": amount(v.base),
                 "amount": amount(v.amount)} for v in core.vat],
        "net": amount(invoice.net),
        "vat_total": amount(invoice.vat),
        "gross": amount(invoice.gross),
        "amount_due": amount(invoice.gross),
        "notes": frozen.get("notes", []),
        "payment_terms": frozen.get("payment_terms", ""),
        "evidence": _evidence(frozen.get("evidence") or {}),
    }


def _evidence(frozen: dict) -> dict:
    """The frozen evidence log, each session with its duration as the appendix prints it."""
    sessions = [{**s, "duration": format_duration(s["seconds"])}
                for s in frozen.get("sessions", [])]
    return {"sessions": sessions, "calls": frozen.get("calls", [])}
