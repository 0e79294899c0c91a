"""Small factories for billing tests: customers, contracts, sessions and calls in the database."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from plugin import billing
from plugin.db import session
from plugin.models import Call, Contract, Customer, Tariff, Ticket, TimeEntry, User

BERLIN = ZoneInfo("Europe/Berlin")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def engineer() -> User:
    user = session.scalar(select(User).where(User.username == "engineer"))
    if user is None:
        from plugin.services.users import create_user

        user = create_user("engineer", "pw-engineer-123", ("engineer",))
    return user


def customer(name: str, **fields) -> Customer:
    row = Customer(name=name, address=fields.pop("address", "Hauptstraße 1\n10115 Berlin"),
                   billing_email=fields.pop("billing_email", "ap@example.com"),
                   buyer_reference=fields.pop("buyer_reference", "04011000-12345-03"), **fields)
    session.add(row)
    session.flush()
    return row


def contract(owner: Customer, **fields) -> Contract:
    defaults = {"name": "Basic", "valid_from": date(2026, 1, 1), "fee": Decimal("100.00"),
                "quota_minutes": 60, "overflow_rate": Decimal("30.00")}
    row = Contract(customer=owner, **{**defaults, **fields})
    session.add(row)
    session.flush()
    return row


def work(owner: Customer, start: datetime, minutes: int, installation=None, **fields):
    ticket = Ticket(customer=owner, installation=installation, subject=f"Work for {owner.name}")
    end = start + timedelta(minutes=minutes)
    entry = TimeEntry(engineer=engineer(), ticket=ticket, started_at=start, ended_at=end,
                      duration_seconds=minutes * 60, note=fields.pop("note", "remote session"),
                      **fields)
    session.add(entry)
    session.flush()
    return entry


def call(owner: Customer, start: datetime, seconds: int, installation=None,
         cost: str = "0.10") -> Call:
    tariff = session.scalar(select(Tariff).where(Tariff.prefix == "+49"))
    if tariff is None:
        tariff = Tariff(name="DE landline", prefix="+49", valid_from=date(2026, 1, 1),
                        price_per_minute=Decimal("0.02"), first_increment=60,
                        next_increment=60)
        session.add(tariff)
    row = Call(unique_key=f"{owner.id}-{start.isoformat()}-{seconds}", direction="outbound",
               caller="+4989998877", callee="+49301234567", started_at=start,
               duration_seconds=seconds, billsec=seconds, cost=Decimal(cost),
               rated_seconds=billing.rated_seconds(seconds, tariff.first_increment,
                                                   tariff.next_increment),
               customer=owner, installation=installation, tariff=tariff)
    session.add(row)
    session.flush()
    return row
