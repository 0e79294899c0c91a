"""Which customer (and installation) a helpdesk ticket belongs to, by the admin's mappings.

A mapping says: a ticket whose `hint` has `value` belongs to this customer. The most specific
hint that matches decides the customer (a custom field or organisation id before a requestor,
a requestor before a queue or group); ties go to the older mapping. The installation comes from
the best matching mapping of that customer that names one, so "queue Support → Müller" and
"cf:Installation Press line 3 → Müller, Press line 3" work together.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select

from plugin.db import session
from plugin.models import (
    Customer,
    HelpdeskConnection,
    HelpdeskMapping,
    HelpdeskTicket,
    Installation,
)
from plugin.services.errors import FieldError

# What the clients put in Ticket.hints, for the mapping screen (cf:<name> for any RT field).
HINTS = {
    "rt": ("queue", "requestor", "cf:Installation"),
    "zammad": ("organization_id", "organization", "customer", "group"),
}


@dataclass(frozen=True)
class Rule:
    id: int
    hint: str
    value: str
    customer_id: int
    installation_id: int | None


@dataclass(frozen=True)
class Match:
    customer_id: int | None
    installation_id: int | None
    reason: str  # why it matched, or why nothing did


def specificity(hint: str) -> int:
    if hint.startswith("cf:") or hint == "organization_id":
        return 0
    if hint in ("requestor", "organization"):
        return 1
    if hint == "customer":
        return 2
    return 3  # queue, group, anything else


def _matches(rule: Rule, hints: Mapping[str, Iterable[str]]) -> bool:
    wanted = rule.value.strip().lower()
    values = [str(v).strip().lower() for v in hints.get(rule.hint, ())]
    if rule.hint == "requestor" and wanted.startswith("@"):  # a whole domain
        return any(v.endswith(wanted) for v in values)
    return wanted in values


def match(rules: Iterable[Rule], hints: Mapping[str, Iterable[str]]) -> Match:
    found = sorted((r for r in rules if _matches(r, hints)),
                   key=lambda r: (specificity(r.hint), r.id))
    if not found:
        shown = "; ".join(f"{k} {', '.join(map(str, v))}" for k, v in sorted(hints.items()) if v)
        return Match(None, None, f"no mapping matches ({shown or 'the ticket names nothing'})")
    best = found[0]
    installation = next((r.installation_id for r in found
                         if r.customer_id == best.customer_id and r.installation_id), None)
    return Match(best.customer_id, installation, f"{best.hint} {best.value}")


def rules_of(connection: HelpdeskConnection) -> list[Rule]:
    return [Rule(m.id, m.hint, m.value, m.customer_id, m.installation_id)
            for m in connection.mappings]


def add(connection: HelpdeskConnection, hint: str, value: str, customer_id: int | None,
        installation_id: int | None = None) -> HelpdeskMapping:
    hint, value = (hint or "").strip(), (value or "").strip()
    if not hint or len(hint) > 100:
        raise FieldError("hint", "name what to match: queue, requestor, cf:<custom field>, "
                                 "organization, organization_id, customer, group")
    if not value or len(value) > 300:
        raise FieldError("value", "give the value to match (1-300 characters)")
    customer = session.get(Customer, customer_id) if customer_id else None
    if customer is None:
        raise FieldError("customer_id", "there is no customer %(customer_id)s",
                         customer_id=customer_id)
    if installation_id:
        installation = session.get(Installation, installation_id)
        if installation is None or installation.customer_id != customer.id:
            raise FieldError("installation_id", "installation %(installation_id)s is not one of "
                             "%(name)s's", installation_id=installation_id, name=customer.name)
    if session.scalar(select(HelpdeskMapping.id).where(
            HelpdeskMapping.connection_id == connection.id, HelpdeskMapping.hint == hint,
            HelpdeskMapping.value == value)):
        raise FieldError("value", "%(hint)s %(value)r is mapped already", hint=hint, value=value)
    mapping = HelpdeskMapping(connection=connection, hint=hint, value=value,
                              customer_id=customer.id, installation_id=installation_id or None)
    session.add(mapping)
    session.flush()
    return mapping


def remove(mapping_id: int) -> HelpdeskMapping:
    mapping = session.get(HelpdeskMapping, mapping_id)
    if mapping is None:
        raise FieldError("mapping_id", "there is no mapping %(mapping_id)s", mapping_id=mapping_id)
    session.delete(mapping)
    session.flush()
    return mapping


def unmapped(connection_id: int | None = None, limit: int = 500) -> list[HelpdeskTicket]:
    stmt = (select(HelpdeskTicket).where(HelpdeskTicket.ticket_id.is_(None))
            .order_by(HelpdeskTicket.last_seen_at.desc(), HelpdeskTicket.id.desc()).limit(limit))
    if connection_id is not None:
        stmt = stmt.where(HelpdeskTicket.connection_id == connection_id)
    return list(session.scalars(stmt))


def hints_of(origin: HelpdeskTicket) -> dict[str, list[str]]:
    try:
        data = json.loads(origin.hints or "{}")
    except ValueError:
        return {}
    return {str(k): [str(x) for x in v] for k, v in data.items() if isinstance(v, list)}

