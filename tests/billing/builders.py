"""Test data in the product's words: local Berlin times, and worked example A of PRODUCT.md §4."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from plugin.billing import Call, Contract, Customer, Entry, Installation, Period, Tariff

BERLIN = ZoneInfo("Europe/Berlin")
OCTOBER = Period(2026, 10)


def berlin(year, month, day, hour=0, minute=0, second=0, fold=0) -> datetime:
    """A local Berlin wall-clock time as the aware UTC instant the database stores."""
    local = datetime(year, month, day, hour, minute, second, tzinfo=BERLIN, fold=fold)
    return local.astimezone(UTC)


def session(entry_id, start, end, ticket_id=None, **fields) -> Entry:
    return Entry(entry_id, ticket_id if ticket_id is not None else entry_id, start, end, **fields)


def minutes_session(entry_id, start, minutes, **fields) -> Entry:
    return session(entry_id, start, start + timedelta(minutes=minutes), **fields)


# Worked example A: Müller Anlagenbau GmbH, October 2026.
MUELLER = Customer(1, "Müller Anlagenbau GmbH", Decimal("95.00"), vat_id="DE129273398")
PRESS_LINE_3 = Installation(3, "Press line 3", warranty_until=date(2026, 3, 31))
ROBOT_CELL_7 = Installation(7, "Robot cell 7", warranty_until=date(2027, 6, 30))
REMOTE_SERVICE_BASIC = Contract(
    id=1,
    name="Remote Service Basic",
    valid_from=date(2026, 1, 1),
    valid_to=date(2026, 12, 31),
    fee=Decimal("200.00"),
    quota_minutes=120,
    overflow_rate=Decimal("45.00"),
)
EXAMPLE_A_ENTRIES = (
    session(1, berlin(2026, 10, 2, 9, 0, 0), berlin(2026, 10, 2, 9, 31, 0), installation_id=3),
    session(2, berlin(2026, 10, 9, 14, 10), berlin(2026, 10, 9, 14, 22)),
    session(3, berlin(2026, 10, 15, 10, 0), berlin(2026, 10, 15, 10, 46)),
    session(4, berlin(2026, 10, 20, 16, 5, 0), berlin(2026, 10, 20, 16, 20, 1)),
    session(5, berlin(2026, 10, 28, 8, 0), berlin(2026, 10, 28, 8, 40), installation_id=7),
    session(6, berlin(2026, 10, 31, 23, 50), berlin(2026, 11, 1, 0, 35)),
)
DE_LANDLINE = Tariff("DE landline", "+49", Decimal("0.02"))
EXAMPLE_A_CALLS = (
    Call("modem-1", berlin(2026, 10, 2, 9, 0), "+49891234567", 1830),
    Call("modem-2", berlin(2026, 10, 20, 16, 5), "+49891234567", 61),
)
