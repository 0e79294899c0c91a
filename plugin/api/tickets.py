"""API: the ticket list; a ticket created, changed, closed and reopened."""

from flask import jsonify, request

from plugin.access import allow, current_user
from plugin.api import bp, commit_or_field_error, doc, field, json_body, list_of
from plugin.api.errors import ApiError
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


@bp.get("/tickets")
@allow("engineer", "admin", "billing")
@doc("Tickets matching a search", response=list_of(TICKET), query={
    "q": {"type": "string", "description": "customer name, subject or external id"},
    "status": {"type": "string", "enum": ["open", "closed", "all"], "default": "open"},
    "mine": {"type": "string", "enum": ["1"], "description": "only tickets I worked on"}})
def ticket_list():
    status = request.args.get("status", "open")
    if status not in ("open", "closed", "all"):
        raise ApiError(422, "invalid_field", "status must be open, closed or all.", "status")
    rows = tickets.search(request.args.get("q", ""), None if status == "all" else status,
                          current_user().id if request.args.get("mine") == "1" else None)
    return jsonify([ticket_json(t) for t in rows])


@bp.post("/tickets")
@allow("admin")
@doc("Create a ticket", body={"type": "object", "required": ["customer_id", "subject"],
                              "properties": {k: TICKET["properties"][k] for k in (
                                  "customer_id", "installation_id", "subject",
                                  "external_source", "external_id")}},
     response=TICKET, status=201)
def ticket_create():
    data = json_body()
    ticket = commit_or_field_error(
        tickets.create_ticket, field(data, "customer_id", int), field(data, "subject"),
        installation_id=field(data, "installation_id", int, required=False),
        external_source=field(data, "external_source", required=False),
        external_id=field(data, "external_id", required=False))
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


@bp.patch("/tickets/<int:ticket_id>")
@allow("admin")
@doc("Change a ticket's subject or installation (send what changes; the customer stays)",
     body={"type": "object", "properties": {k: TICKET["properties"][k] for k in (
         "subject", "installation_id")}}, response=TICKET)
def ticket_update(ticket_id: int):
    ticket = _get(ticket_id)
    data = json_body()
    subject = field(data, "subject", required=False)
    installation_id = (field(data, "installation_id", int, required=False)
                       if "installation_id" in data else ticket.installation_id)
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
