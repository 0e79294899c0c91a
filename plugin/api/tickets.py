"""API: the ticket list."""

from typing import Literal

from flask import jsonify
from pydantic import Field

from plugin.access import allow, current_user
from plugin.api import bp, commit_or_field_error, doc, list_of
from plugin.api.schemas import Body, Id, Query, Text
from plugin.models import Ticket
from plugin.services import tickets

TICKET = {"type": "object", "properties": {
    "id": {"type": "integer"}, "customer_id": {"type": "integer"},
    "customer": {"type": "string"}, "installation_id": {"type": ["integer", "null"]},
    "subject": {"type": "string"}, "status": {"type": "string", "enum": ["open", "closed"]},
    "external_source": {"type": ["string", "null"]}, "external_id": {"type": ["string", "null"]}}}


def ticket_json(t: Ticket) -> dict:
    return {"id": t.id, "customer_id": t.customer_id, "customer": t.customer.name,
            "installation_id": t.installation_id, "subject": t.subject, "status": t.status,
            "external_source": t.external_source, "external_id": t.external_id}


class TicketQuery(Query):
    q: Text(200) = Field("", description="customer name, subject or external id")
    status: Literal["open", "closed", "all"] = "open"
    mine: Literal["1"] | None = Field(None, description="only tickets I worked on")


class NewTicket(Body):
    customer_id: Id
    installation_id: Id | None = None
    subject: Text(300)
    external_source: Text(50) | None = None
    external_id: Text(100) | None = None


@bp.get("/tickets")
@allow("engineer", "admin", "billing")
@doc("Tickets matching a search", response=list_of(TICKET), query=TicketQuery)
def ticket_list(query: TicketQuery):
    rows = tickets.search(query.q, None if query.status == "all" else query.status,
                          current_user().id if query.mine == "1" else None)
    return jsonify([ticket_json(t) for t in rows])


@bp.post("/tickets")
@allow("admin")
@doc("Create a ticket", body=NewTicket, response=TICKET, status=201)
def ticket_create(body: NewTicket):
    ticket = commit_or_field_error(
        tickets.create_ticket, body.customer_id, body.subject,
        installation_id=body.installation_id, external_source=body.external_source,
        external_id=body.external_id)
    return jsonify(ticket_json(ticket)), 201
