"""The built-in ticket list: finding and creating tickets."""

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
        raise FieldError("customer_id", f"no customer with id {customer_id}")
    subject = (subject or "").strip()
    if not subject or len(subject) > 300:
        raise FieldError("subject", "give a subject of 1–300 characters")
    if installation_id is not None:
        inst = session.get(Installation, installation_id)
        if inst is None or inst.customer_id != customer.id:
            raise FieldError("installation_id",
                              f"installation {installation_id} is not one of {customer.name}'s")
    if (external_source is None) != (external_id is None):
        raise FieldError("external_id", "give external_source and external_id together")
    if external_id is not None and session.scalar(select(Ticket.id).where(
            Ticket.external_source == external_source, Ticket.external_id == external_id)):
        raise FieldError("external_id",
                          f"ticket {external_source}:{external_id} exists already")
    ticket = Ticket(customer=customer, subject=subject, installation_id=installation_id,
                    external_source=external_source, external_id=external_id)
    session.add(ticket)
    session.flush()
    return ticket
