"""The built-in ticket list: finding, creating, changing, closing and reopening tickets."""

from sqlalchemy import or_, select

from plugin.db import session
from plugin.models import Customer, Installation, Ticket, TimeEntry
from plugin.services.errors import FieldError


def search(q: str = "", status: str | None = "open", engineer_id: int | None = None,
           limit: int = 200):
    """Tickets matching a customer name, subject or external id; `engineer_id`: only mine."""
    stmt = select(Ticket).join(Customer).order_by(Ticket.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(Ticket.status == status)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Customer.name.ilike(like), Ticket.subject.ilike(like),
                              Ticket.external_id.ilike(like)))
    if engineer_id is not None:
        stmt = stmt.where(Ticket.id.in_(
            select(TimeEntry.ticket_id).where(TimeEntry.engineer_id == engineer_id)))
    return session.scalars(stmt).all()


def create_ticket(customer_id: int, subject: str, installation_id: int | None = None,
                  external_source: str | None = None, external_id: str | None = None) -> Ticket:
    customer = session.get(Customer, customer_id) if customer_id else None
    if customer is None:
        raise FieldError("customer_id", "no customer with id %(customer_id)s",
                         customer_id=customer_id)
    subject = (subject or "").strip()
    if not subject or len(subject) > 300:
        raise FieldError("subject", "give a subject of 1–300 characters")
    installation_id = _installation(customer, installation_id)
    if (external_source is None) != (external_id is None):
        raise FieldError("external_id", "give external_source and external_id together")
    if external_id is not None and session.scalar(select(Ticket.id).where(
            Ticket.external_source == external_source, Ticket.external_id == external_id)):
        raise FieldError("external_id", "ticket %(external_source)s:%(external_id)s exists "
                         "already", external_source=external_source, external_id=external_id)
    ticket = Ticket(customer=customer, subject=subject, installation_id=installation_id,
                    external_source=external_source, external_id=external_id)
    session.add(ticket)
    session.flush()
    return ticket


STATUSES = ("open", "closed")


def _installation(customer: Customer, installation_id: int | None) -> int | None:
    if installation_id is None:
        return None
    inst = session.get(Installation, installation_id)
    if inst is None or inst.customer_id != customer.id:
        raise FieldError("installation_id", "installation %(installation_id)s is not one of "
                         "%(name)s's", installation_id=installation_id, name=customer.name)
    return inst.id


def update_ticket(ticket: Ticket, subject: str, installation_id: int | None) -> Ticket:
    """Change a ticket's subject and installation (its customer stays: its time is billed
    there)."""
    subject = (subject or "").strip()
    if not subject or len(subject) > 300:
        raise FieldError("subject", "give a subject of 1–300 characters")
    ticket.installation_id = _installation(ticket.customer, installation_id)
    ticket.subject = subject
    session.flush()
    return ticket


def set_status(ticket: Ticket, status: str) -> Ticket:
    """Close or reopen a ticket; a ticket with a timer running on it is not closed."""
    if status not in STATUSES:
        raise FieldError("status", "open or closed")
    if status == "closed" and ticket.status != "closed":
        running = session.scalar(select(TimeEntry.id).where(
            TimeEntry.ticket_id == ticket.id, TimeEntry.ended_at.is_(None),
            TimeEntry.voided_at.is_(None)).limit(1))
        if running is not None:
            raise FieldError("status", "a timer runs on ticket #%(id)s (entry #%(running)s): stop "
                             "it first", id=ticket.id, running=running)
    ticket.status = status
    session.flush()
    return ticket
