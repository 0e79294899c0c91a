"""CSV of the evidence logs: one row per session and call, each with the line that bills it."""

from datetime import datetime

from plugin import csv_export
from plugin.billing.units import format_duration
from plugin.config import Settings
from plugin.exports.document import document

COLUMNS = ("invoice_number", "period", "customer_id", "customer_name", "record", "lines",
           "start", "end", "duration", "duration_seconds", "units", "bucket", "engineer",
           "ticket_id", "ticket", "installation", "note", "source", "billable", "call_id",
           "number", "billsec", "rated_seconds", "tariff", "cost")


def _local(instant: str | None, settings: Settings) -> str:
    if not instant:
        return ""
    return datetime.fromisoformat(instant).astimezone(settings.timezone).isoformat()


def rows(invoice, settings: Settings) -> list[dict]:
    """The frozen evidence log of a numbered invoice; times in the operator's timezone."""
    doc = document(invoice)
    head = {"invoice_number": doc["number"], "period": doc["period"],
            "customer_id": doc["buyer"].get("customer_id"),
            "customer_name": doc["buyer"].get("name")}
    evidence = doc["evidence"]
    out = []
    for s in evidence.get("sessions", []):
        out.append({
            **head, "record": "session", "lines": " ".join(map(str, s.get("lines") or [])),
            "start": _local(s.get("start"), settings), "end": _local(s.get("end"), settings),
            "duration": format_duration(s["seconds"]), "duration_seconds": s["seconds"],
            "units": s["units"],
            "bucket": " + ".join(f"{b} {n}" for b, n in s.get("parts", {}).items()),
            "engineer": s.get("engineer", ""), "ticket_id": s.get("ticket_id"),
            "ticket": s.get("ticket", ""), "installation": s.get("installation") or "",
            "note": s.get("note") or "", "source": s.get("source", ""),
            "billable": "yes" if s.get("billable") else "no"})
    for c in evidence.get("calls", []):
        out.append({
            **head, "record": "call", "lines": c.get("line") or "",
            "start": _local(c.get("start"), settings), "call_id": c.get("call_id"),
            "number": c.get("number"), "billsec": c.get("billsec"),
            "rated_seconds": c.get("rated_seconds"), "tariff": c.get("tariff"),
            "cost": c.get("cost")})
    return out


def render(invoices, settings: Settings) -> bytes:
    return csv_export.write(COLUMNS, (row for invoice in invoices
                                      for row in rows(invoice, settings))).encode("utf-8")
