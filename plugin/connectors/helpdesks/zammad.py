"""Zammad over its REST API: tickets by search, organisations, time written back as accountings.

Shapes as documented at docs.zammad.org ("API": Introduction — expand, pagination, sorting;
Ticket; Organization; User "me"; Ticket → Time Accounting) and admin-docs.zammad.org
("Webhook Payload").
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import requests

from .base import (
    CLOSED,
    OPEN,
    Helpdesk,
    Identity,
    NotAHelpdesk,
    NotFound,
    Refused,
    Ticket,
    check_push,
    check_since,
    minutes_text,
    utc,
)

API = "/api/v1"
# Zammad's default states; "merged" and "removed" end a ticket as "closed" does.
CLOSED_STATES = frozenset({"closed", "merged", "removed"})


@dataclass(frozen=True)
class Organization:
    """A Zammad organisation: what the mapping screen offers to map to one of our customers."""

    id: str
    name: str
    active: bool


def _ticket_id(external_id: str) -> int:
    text = str(external_id).strip()
    if not text.isdigit():
        raise NotFound(f"{text!r} is not a Zammad ticket id")
    return int(text)


def _name(value: Any) -> str:
    """A relation as expand=true names it ("Sales"), or as a webhook nests it ({"name": …})."""
    if isinstance(value, dict):
        value = value.get("name") or value.get("login") or value.get("email")
    return "" if value is None else str(value)


def _updated_since(ticket: Ticket, since: datetime) -> bool:
    return ticket.updated_at is not None and ticket.updated_at >= since


def parse_ticket(data: dict, closed_states=CLOSED_STATES) -> Ticket:
    """A ticket from a search with expand=true, GET /tickets/{id}?expand=true, or the "ticket"
    of a webhook's default payload (where organization, customer and group are objects)."""
    try:
        external_id = str(int(data["id"]))
    except (KeyError, TypeError, ValueError):
        raise ValueError("ticket.id: missing or not a number") from None
    organization = data.get("organization")
    organization_id = data.get("organization_id")
    if organization_id is None and isinstance(organization, dict):
        organization_id = organization.get("id")
    hints = {
        "organization_id": str(organization_id) if organization_id is not None else "",
        "organization": _name(organization),
        "customer": _name(data.get("customer")),
        "group": _name(data.get("group")),
    }
    state = _name(data.get("state"))
    return Ticket(
        external_id=external_id, subject=str(data.get("title") or ""),
        status=CLOSED if state in closed_states else OPEN, helpdesk_status=state,
        updated_at=utc(data.get("updated_at")),
        hints={key: (value,) for key, value in hints.items() if value})


class Zammad(Helpdesk):
    """Zammad REST client (token auth). Time units are minutes, sent and returned as strings."""

    source = "zammad"
    name = "Zammad"
    finds_pushes = False  # a time accounting has no text field that could carry a reference

    def __init__(self, url: str, token: str, *, per_page: int = 100,
                 closed_states=CLOSED_STATES, **options):
        super().__init__(url, token, **options)
        self.per_page = per_page  # Zammad caps a page at 200
        self.closed_states = frozenset(closed_states)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token token={self.token}"}

    def error_detail(self, answer: requests.Response) -> str:
        try:
            data = answer.json()
            return str(data.get("error_human") or data.get("error") or "").strip()
        except (ValueError, AttributeError):
            return ""

    def check(self) -> Identity:
        """GET /users/me names the token's user. The documentation names no version endpoint
        an agent may call, so the version stays unknown."""
        try:
            me = self.get_json(f"{API}/users/me")
        except NotFound:
            raise NotAHelpdesk(f"{self.url} has no Zammad API ({API}/users/me: HTTP 404): give "
                               "Zammad's base address, the one a browser opens", 404) from None
        if not isinstance(me, dict) or "id" not in me:
            raise NotAHelpdesk(f"{self.url}{API}/users/me does not describe a Zammad user")
        return Identity(user=str(me.get("login") or me.get("email") or me["id"]), version=None)

    def tickets(self, query: str, since: datetime | None = None) -> Iterator[Ticket]:
        """Every ticket the search `query` finds, newest update first, page by page until a
        short page (Zammad gives no total); with `since`, stop at the first page updated
        wholly before it. Pass the start of the previous sync as `since`."""
        if not (query or "").strip():
            raise Refused("give a Zammad search, e.g. state.name:open OR state.name:new")
        check_since(since)
        page = 1
        while True:
            items = self.get_json(f"{API}/tickets/search", params={
                "query": query.strip(), "expand": "true", "sort_by": "updated_at",
                "order_by": "desc", "page": page, "per_page": self.per_page})
            if not isinstance(items, list):
                raise NotAHelpdesk(f"{self.url}{API}/tickets/search with expand=true did not "
                                   "answer with a list of tickets")
            tickets = [parse_ticket(item, self.closed_states) for item in items]
            recent = [t for t in tickets if since is None or _updated_since(t, since)]
            yield from recent
            if len(items) < self.per_page or (since is not None and not recent):
                return
            page += 1

    def ticket(self, external_id: str) -> Ticket:
        number = _ticket_id(external_id)
        try:
            data = self.get_json(f"{API}/tickets/{number}", params={"expand": "true"})
        except NotFound:
            raise NotFound(f"Zammad has no ticket {number} (or the token's user may not see it)",
                           404) from None
        return parse_ticket(data, self.closed_states)

    def organizations(self) -> Iterator[Organization]:
        page = 1
        while True:
            items = self.get_json(f"{API}/organizations",
                                  params={"page": page, "per_page": self.per_page})
            for item in items:
                yield Organization(id=str(item["id"]), name=str(item.get("name") or ""),
                                   active=bool(item.get("active", True)))
            if len(items) < self.per_page:
                return
            page += 1

    def push_time(self, external_id: str, minutes: int, note: str, idempotency_ref: str) -> str:
        """POST a time accounting of `minutes`; return its id. Zammad keeps no text with it,
        so `note` and the reference stay with us (the caller's idempotency record)."""
        check_push(minutes, idempotency_ref)
        number = _ticket_id(external_id)
        path = f"{API}/tickets/{number}/time_accountings"
        answer = self.request("POST", path, json={"time_unit": str(minutes)}, expect=(200, 201))
        data = self.json_of(answer, path)
        if not isinstance(data, dict) or "id" not in data:
            raise NotAHelpdesk(f"Zammad took the time accounting on ticket {number} but named "
                               "no id")
        return str(data["id"])

    def time_worked(self, external_id: str) -> Decimal:
        number = _ticket_id(external_id)
        try:
            items = self.get_json(f"{API}/tickets/{number}/time_accountings")
        except NotFound:
            raise NotFound(f"Zammad has no ticket {number} (or the token's user may not see it)",
                           404) from None
        return sum((minutes_text(item.get("time_unit")) or Decimal(0) for item in items),
                   Decimal(0))
