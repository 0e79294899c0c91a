"""Request Tracker 5 over REST2: tickets by TicketSQL, time written back as comments."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

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
    check_reference,
    check_since,
    minutes_text,
    utc,
)

API = "/REST/2.0"
FIELDS = "Subject,Status,Queue,Requestor,TimeWorked,LastUpdated,CustomFields"
# RT's default lifecycle: new, open, stalled are active; these are its inactive statuses.
CLOSED_STATUSES = frozenset({"resolved", "rejected", "deleted"})
# TicketSQL reads a date in the RT user's own timezone (RT::Date, format 'unknown'), which we do
# not know; asking for a day more than needed and filtering here is right in every timezone.
SINCE_MARGIN = timedelta(hours=26)
TOKEN_RE = re.compile(r"1-(\d+)-[0-9a-f]{32}", re.IGNORECASE)  # RT::AuthToken's auth string
TRANSACTION_RE = re.compile(r"/transaction/(\d+)$")


def marker(idempotency_ref: str) -> str:
    """What a pushed comment carries in its subject, so find_push can recognise it. The closing
    parenthesis ends the reference (ref 1 must not find ref 10); no "[": REST2 takes any query
    containing one for a JSON search."""
    return f"(quarterhour:{idempotency_ref})"


def _ticket_id(external_id: str) -> int:
    text = str(external_id).strip()
    if not text.isdigit():
        raise NotFound(f"{text!r} is not an RT ticket number")
    return int(text)


class RequestTracker(Helpdesk):
    """RT 5 REST2 client. Numbers arrive as strings; a comment's id comes in its Location."""

    source = "rt"
    name = "Request Tracker"
    finds_pushes = True

    def __init__(self, url: str, token: str, *, per_page: int = 100,
                 closed_statuses=CLOSED_STATUSES, **options):
        super().__init__(url, token, **options)
        self.per_page = per_page  # RT caps it at 100
        self.closed_statuses = frozenset(closed_statuses)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def error_detail(self, answer: requests.Response) -> str:
        try:
            return str(answer.json().get("message", "")).strip()
        except (ValueError, AttributeError):
            return ""

    def check(self) -> Identity:
        """GET /rt answers only to a valid token; REST2 has no "who am I", but RT's token says
        which user it belongs to (1-<user id>-<secret>), and /user/<id> names that user."""
        try:
            info = self.get_json(f"{API}/rt")
        except NotFound:
            raise NotAHelpdesk(f"{self.url} has no RT REST2 API ({API}/rt: HTTP 404): give RT's "
                               f"base address, the one a browser opens, without {API}",
                               404) from None
        version = info.get("Version") if isinstance(info, dict) else None
        if not version:
            raise NotAHelpdesk(f"{self.url}{API}/rt does not describe a Request Tracker")
        user = "?"
        match = TOKEN_RE.fullmatch(self.token.strip())
        if match:
            user = str(self.get_json(f"{API}/user/{match.group(1)}").get("Name") or user)
        return Identity(user=user, version=str(version))

    def tickets(self, query: str, since: datetime | None = None) -> Iterator[Ticket]:
        """Every ticket TicketSQL `query` finds, in id order, page by page to the end; with
        `since` (aware), only those updated at or after it. Pass the start of the previous
        sync as `since`: a ticket that changes while we page is then caught next time."""
        if not (query or "").strip():
            raise Refused("give a TicketSQL query, e.g. Queue = 'Support' AND Status != 'deleted'")
        check_since(since)
        sql = query.strip()
        if since is not None:
            cutoff = (since - SINCE_MARGIN).astimezone(UTC)
            sql = f"({sql}) AND LastUpdated >= '{cutoff:%Y-%m-%d %H:%M:%S}'"
        page = 1
        while True:
            data = self.get_json(f"{API}/tickets", params={
                "query": sql, "fields": FIELDS, "fields[Queue]": "Name",
                "fields[Requestor]": "EmailAddress", "orderby": "id", "order": "ASC",
                "page": page, "per_page": self.per_page})
            items = data.get("items") or []
            for item in items:
                ticket = self.parse(item)
                if since is None or (ticket.updated_at and ticket.updated_at >= since):
                    yield ticket
            # next_page is there while pages remain ("pages" may be the float 0.0)
            if not items or not data.get("next_page"):
                return
            page += 1

    def ticket(self, external_id: str) -> Ticket:
        number = _ticket_id(external_id)
        for ticket in self.tickets(f"id = {number}"):
            return ticket
        raise NotFound(f"RT has no ticket {number} (or the token's user may not see it)")

    def parse(self, item: dict) -> Ticket:
        queue = item.get("Queue") or {}
        hints: dict[str, tuple[str, ...]] = {
            "queue": (str(queue.get("Name") or queue.get("id") or ""),),
            "requestor": tuple(str(r.get("EmailAddress") or r.get("id"))
                               for r in item.get("Requestor") or []),
        }
        for custom in item.get("CustomFields") or []:
            hints[f"cf:{custom.get('name')}"] = tuple(str(v) for v in custom.get("values") or [])
        status = str(item.get("Status") or "")
        return Ticket(
            external_id=str(item["id"]), subject=str(item.get("Subject") or ""),
            status=CLOSED if status in self.closed_statuses else OPEN, helpdesk_status=status,
            updated_at=utc(item.get("LastUpdated")), hints=hints,
            time_worked=minutes_text(item.get("TimeWorked")))

    def push_time(self, external_id: str, minutes: int, note: str, idempotency_ref: str) -> str:
        """Comment on the ticket with TimeTaken = minutes (RT adds them to TimeWorked); return
        the comment's transaction id. The subject carries marker(idempotency_ref)."""
        check_push(minutes, idempotency_ref)
        number = _ticket_id(external_id)
        path = f"{API}/ticket/{number}/comment"
        try:
            answer = self.request("POST", path, expect=(201,), json={
                "Subject": f"Quarterhour {marker(idempotency_ref)}",
                "Content": note or "Time recorded in Quarterhour",
                "ContentType": "text/plain", "TimeTaken": minutes})
        except Refused as e:
            # RT says "Message could not be recorded" (400) for a ticket that does not exist
            if e.status == 400:
                self.time_worked(str(number))  # raises NotFound when that is the reason
            raise
        match = TRANSACTION_RE.search(answer.headers.get("Location", ""))
        if match:
            return match.group(1)
        found = self.find_push(str(number), idempotency_ref)
        if found:
            return found
        raise NotAHelpdesk(f"RT took the comment on ticket {number} but named no transaction")

    def find_push(self, external_id: str, idempotency_ref: str) -> str | None:
        """The transaction id of the comment pushed with this reference, or None."""
        check_reference(idempotency_ref)
        number = _ticket_id(external_id)
        data = self.get_json(f"{API}/transactions", params={
            "query": (f"ObjectType = 'RT::Ticket' AND ObjectId = {number} AND Type = 'Comment' "
                      f"AND Subject LIKE '{marker(idempotency_ref)}'"),
            "orderby": "id", "order": "ASC", "per_page": 1})
        items = data.get("items") or []
        return str(items[0]["id"]) if items else None

    def time_worked(self, external_id: str) -> Decimal:
        number = _ticket_id(external_id)
        try:
            data = self.get_json(f"{API}/ticket/{number}")
        except NotFound:
            raise NotFound(f"RT has no ticket {number} (or the token's user may not see it)",
                           404) from None
        return minutes_text(data.get("TimeWorked")) or Decimal(0)
