"""Demo data: worked example A of PRODUCT.md exactly, plus one user per role."""

import secrets
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from plugin import billing
from plugin.config import Settings
from plugin.db import session, utcnow
from plugin.models import (
    Call,
    Contract,
    Customer,
    Installation,
    Tariff,
    Ticket,
    TimeEntry,
    TimeSegment,
    User,
)
from plugin.services import audit, company, core_rows
from plugin.services.users import create_user

BERLIN = ZoneInfo("Europe/Berlin")
DEMO_USERS = (
    ("engineer", "Erika Engineer", ("engineer",)),
    ("admin", "Anton Admin", ("admin",)),
    ("billing", "Berta Billing", ("billing",)),
)


class DemoExists(RuntimeError):
    pass


def _local(y, mo, d, h, mi, s=0):
    return datetime(y, mo, d, h, mi, s, tzinfo=BERLIN)


# Worked example A: (start, end, installation, ticket subject, note)
EXAMPLE_A_SESSIONS = (
    (_local(2026, 10, 2, 9, 0), _local(2026, 10, 2, 9, 31), "Press line 3",
     "Press line 3 stops with fault 4711", "Remote diagnosis by modem"),
    (_local(2026, 10, 9, 14, 10), _local(2026, 10, 9, 14, 22), "Press line 3",
     "Press line 3 stops with fault 4711", "Parameter check"),
    (_local(2026, 10, 15, 10, 0), _local(2026, 10, 15, 10, 46), "Press line 3",
     "Press line 3: new recipe for part 0815", "Recipe loaded and tested"),
    (_local(2026, 10, 20, 16, 5), _local(2026, 10, 20, 16, 20, 1), "Press line 3",
     "Press line 3: new recipe for part 0815", "Follow-up call"),
    (_local(2026, 10, 28, 8, 0), _local(2026, 10, 28, 8, 40), "Robot cell 7",
     "Robot cell 7 gripper calibration", "Calibration via VPN"),
    (_local(2026, 10, 31, 23, 50), _local(2026, 11, 1, 0, 35), "Press line 3",
     "Press line 3 emergency stop at night shift", "Night call-out"),
)
# Outbound modem calls: (start, billed seconds as the telephone system reports them)
EXAMPLE_A_CALLS = ((_local(2026, 10, 2, 8, 59), 1830), (_local(2026, 10, 20, 16, 4), 61))


# A plausible seller, so the demo's invoices are complete (§14 UStG, XRechnung): set where
# neither the environment nor the Company screen gave a value.
DEMO_COMPANY = {
    "vat_id": "DE811907980", "tax_number": "143/815/08155",
    "iban": "DE02120300000000202051", "bic": "BYLADEM1001", "bank_name": "Deutsche Kreditbank",
    "contact_name": "Berta Billing", "email": "billing@quarterhour.example",
    "phone": "+49 89 1234560", "sender_email": "billing@quarterhour.example",
}


def load_demo(settings: Settings | None = None) -> list[tuple[str, str, tuple[str, ...]]]:
    """Load the demo once; on later calls give the demo users new passwords. With `settings`,
    also the company settings nobody set yet (DEMO_COMPANY).

    Returns (username, password, roles) for printing; passwords are random, never stored.
    """
    if settings is not None:
        _demo_company(settings)
    users = []
    for username, name, roles in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            user = create_user(username, password, roles, display_name=name)
        else:
            user.set_password(password)
        users.append((username, password, roles))
    if session.scalar(select(Customer.id).where(Customer.name == "Müller Anlagenbau GmbH")):
        return users
    _example_a(session.scalar(select(User).where(User.username == "engineer")))
    _more_customers()
    session.flush()
    return users


def _demo_company(settings: Settings) -> None:
    stored, defaults = company.stored(), company.defaults(settings)
    wanted = {name: value for name, value in DEMO_COMPANY.items()
              if name not in stored and not defaults[name]}
    if wanted:
        company.save(wanted, settings, None, utcnow())


def _example_a(engineer: User) -> None:
    muller = Customer(
        name="Müller Anlagenbau GmbH",
        address="Industriestraße 12\n80939 München",
        country="DE",
        vat_id="DE129273398",
        billing_email="rechnung@mueller-anlagenbau.example",
        currency="EUR",
        language="de",
        default_hourly_rate=Decimal("160.00"),
        # Its invoices go out as XRechnung by e-mail; a test Leitweg-ID of the KoSIT examples.
        invoice_delivery="xrechnung", buyer_reference="991-33333TEST-33",
    )
    press = Installation(customer=muller, name="Press line 3", connection="modem",
                         modem_number="+49891234567", warranty_until=date(2026, 3, 31))
    robot = Installation(customer=muller, name="Robot cell 7", connection="vpn",
                         warranty_until=date(2027, 6, 30))
    session.add_all([muller, press, robot])
    session.add(Contract(
        customer=muller, name="Remote Service Basic",
        valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31),
        fee=Decimal("200.00"), quota_minutes=120, overflow_rate=Decimal("45.00"),
        unit_seconds=900, rounding_scope="entry",
    ))
    landline = Tariff(name="DE landline", prefix="+49", valid_from=date(2026, 1, 1),
                      price_per_minute=Decimal("0.02"), connect_fee=Decimal("0"),
                      first_increment=60, next_increment=60)
    session.add(landline)
    installations = {"Press line 3": press, "Robot cell 7": robot}
    tickets: dict[str, Ticket] = {}
    for start, end, inst, subject, note in EXAMPLE_A_SESSIONS:
        ticket = tickets.get(subject)
        if ticket is None:
            ticket = tickets[subject] = Ticket(customer=muller, installation=installations[inst],
                                               subject=subject, status="closed")
        entry = TimeEntry(engineer=engineer, ticket=ticket, started_at=start, ended_at=end,
                          duration_seconds=int((end - start).total_seconds()),
                          note=note, billable=True, source="timer")
        entry.segments.append(TimeSegment(started_at=start, ended_at=end))
        session.add(entry)
        audit.record(entry, engineer, "create", None, "demo data")
    session.flush()  # the tariff's defaults (markup, minimum) are set by the INSERT
    core_tariff = core_rows.core_tariff(landline)
    for start, billsec in EXAMPLE_A_CALLS:
        rated, cost = billing.rate(core_tariff, billsec)
        session.add(Call(
            unique_key=f"demo-{start:%Y%m%d%H%M}", direction="outbound",
            caller="+4989998877", callee="+49891234567", started_at=start,
            duration_seconds=billsec + 12, billsec=billsec, disposition="ANSWERED",
            rated_seconds=rated, cost=cost,
            customer=muller, installation=press, tariff=landline,
        ))
    session.add(Ticket(customer=muller, installation=press, subject="Press line 3: spare parts "
                       "list for hydraulic unit", status="open"))


def _more_customers() -> None:
    huber = Customer(name="Bäckerei Huber KG", address="Marktplatz 3\n85354 Freising",
                     country="DE", currency="EUR", language="de",
                     default_hourly_rate=Decimal("120.00"),
                     billing_email="buchhaltung@baeckerei-huber.example", invoice_delivery="pdf")
    oven = Installation(customer=huber, name="Tunnel oven 2", connection="vpn")
    session.add_all([huber, oven])
    session.add(Ticket(customer=huber, installation=oven, subject="Oven 2 temperature drifts",
                       status="open"))
