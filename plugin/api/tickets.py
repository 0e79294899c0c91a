"""API: the ticket list; a ticket created, changed, closed and reopened."""

from typing import Literal

from flask import jsonify
from pydantic import Field

from plugin.access import allow, current_user
from plugin.api import bp, commit_or_field_error, doc, list_of
from plugin.api.errors import ApiError
from plugin.api.schemas import Body, Id, Query, Text
from plugin.db import session
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


def _get(ticket_id: int) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise ApiError(404, "not_found", f"No ticket #{ticket_id}.")
    return ticket


@bp.get("/tickets/<int:ticket_id>")
@allow("engineer", "admin", "billing")
@doc("One ticket", response=TICKET)
def ticket_get(ticket_id: int):
    return jsonify(ticket_json(_get(ticket_id)))


class TicketChange(Body):
    subject: Text(300) | None = None
    installation_id: Id | None = None


@bp.patch("/tickets/<int:ticket_id>")
@allow("admin")
@doc("Change a ticket's subject or installation (send what changes; the customer stays; "
     "`installation_id: null` detaches it)", body=TicketChange, response=TICKET)
def ticket_update(ticket_id: int, body: TicketChange):
    ticket = _get(ticket_id)
    subject = body.subject
    installation_id = (body.installation_id if "installation_id" in body.model_fields_set
                       else ticket.installation_id)
    commit_or_field_error(tickets.update_ticket, ticket,
                          ticket.subject if subject is None else subject, installation_id)
    return jsonify(ticket_json(ticket))


@bp.post("/tickets/<int:ticket_id>/close")
@allow("engineer", "admin")
@doc("Close a ticket (no timer can run on it; 422 while one runs); closing twice changes "
     "nothing", response=TICKET)
def ticket_close(ticket_id: int):
    ticket = _get(ticket_id)
    commit_or_field_error(tickets.set_status, ticket, "closed")
    return jsonify(ticket_json(ticket))


@bp.post("/tickets/<int:ticket_id>/reopen")
@allow("engineer", "admin")
@doc("Reopen a closed ticket", response=TICKET)
def ticket_reopen(ticket_id: int):
    ticket = _get(ticket_id)
    commit_or_field_error(tickets.set_status, ticket, "open")
    return jsonify(ticket_json(ticket))
