"""Handled inbound calls that become `phone` time entries, where the customer's contract says so.

They count against the contract's quota like any other session (PRODUCT.md R7). The entries
belong to the customer's "Handled calls" ticket and to the hotline user: the CDR does not say
which engineer answered.
"""

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from plugin import billing
from plugin.db import session
from plugin.models import Call, Contract, Ticket, TimeEntry, TimeSegment, User
from plugin.services import audit, core_rows
from plugin.services.closed_periods import closing_invoice

HOTLINE_USERNAME = "hotline"
TICKET_SOURCE = "quarterhour"


def book_phone_entries(import_id: int, timezone: str) -> tuple[int, int]:
    """Book this import's answered inbound calls as phone entries; (booked, skipped_closed)."""
    # Only customers whose contract asks for it: most imports have none, and a big file's
    # inbound calls must not all be loaded for nothing.
    contracts = defaultdict(list)
    for c in session.scalars(select(Contract).where(Contract.phone_entries.is_(True))
                             .options(selectinload(Contract.installations))):
        contracts[c.customer_id].append(core_rows.core_contract(c))
    booked = skipped = 0
    for customer_id, cores in contracts.items():
        calls = session.scalars(select(Call).where(
            Call.import_id == import_id, Call.customer_id == customer_id,
            Call.direction == "inbound", Call.answered.is_(True), Call.billsec > 0)
            .order_by(Call.started_at)).all()
        ticket = None
        closed = {}
        for call in calls:
            # A hotline call concerns no installation: a contract for all of them covers it.
            if not billing.contract_for(cores, None, billing.local_date(call.started_at,
                                                                        timezone)):
                continue
            period = billing.period_of(call.started_at, timezone)
            if period not in closed:
                closed[period] = closing_invoice(customer_id, period) is not None
            if closed[period]:
                skipped += 1
                continue
            if ticket is None:
                engineer, ticket = hotline_user(), calls_ticket(customer_id)
            _book(call, import_id, engineer, ticket)
            booked += 1
        session.flush()
    return booked, skipped


def _book(call: Call, import_id: int, engineer: User, ticket: Ticket) -> TimeEntry:
    end = call.started_at + timedelta(seconds=call.billsec)
    entry = TimeEntry(engineer=engineer, ticket=ticket,
                      started_at=call.started_at, ended_at=end,
                      duration_seconds=call.billsec, source="phone", billable=True,
                      note=f"Call from {call.caller} (call {call.unique_key})")
    entry.segments.append(TimeSegment(started_at=call.started_at, ended_at=end))
    session.add(entry)
    audit.record(entry, None, "create", None, f"from call import {import_id}")
    return entry


def hotline_user() -> User:
    """The user phone entries are booked to; it has no password and no role, so no login."""
    user = session.scalar(select(User).where(User.username == HOTLINE_USERNAME))
    if user is None:
        user = User(username=HOTLINE_USERNAME, display_name="Hotline (handled calls)")
        session.add(user)
        session.flush()
    return user


def calls_ticket(customer_id: int) -> Ticket:
    key = f"handled-calls-{customer_id}"
    ticket = session.scalar(select(Ticket).where(Ticket.external_source == TICKET_SOURCE,
                                                 Ticket.external_id == key))
    if ticket is None:
        ticket = Ticket(customer_id=customer_id, subject="Handled calls",
                        external_source=TICKET_SOURCE, external_id=key)
        session.add(ticket)
        session.flush()
    return ticket
