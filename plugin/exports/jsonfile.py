"""JSON: the documents of docs/exports.md, amounts as decimal strings."""

import json

from plugin.exports.document import document

SCHEMA = "quarterhour.invoices/1"


def render(invoices, period: str | None = None) -> bytes:
    body = {"schema": SCHEMA, "period": period,
            "invoices": [document(invoice) for invoice in invoices]}
    return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")
