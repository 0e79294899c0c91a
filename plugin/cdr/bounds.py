"""What a phone call can be: the bounds every CDR format's fields are checked against, once.

A value outside them is a corrupt or foreign record, never something to store: the row is
malformed (rejected or quarantined, naming its line and field). The bounds also keep every
stored value inside its column (`qh_calls.billsec` is a 32-bit integer, `cost` NUMERIC(14, 4)).
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

# A call longer than a day is not a call: no telephone system bills one (Asterisk and
# FreeSWITCH hang up long before); anything above is a corrupt or mis-mapped column.
MAX_CALL_SECONDS = 24 * 3600
# Before 2000 there were no CDRs of this product's installations; a year 1 or 1970 start is an
# empty or mis-mapped column (epoch 0), not a call.
EARLIEST_START = datetime(2000, 1, 1, tzinfo=UTC)
# A telephone system's clock may run a little ahead of ours; a start later than that is in the
# future.
CLOCK_SKEW = timedelta(minutes=5)
# The largest cost qh_calls.cost (NUMERIC(14, 4)) holds; a tariff that prices a call above it
# is refused for that call rather than overflowing the column.
MAX_COST = Decimal("9999999999.99")


class OutOfBounds(ValueError):
    """A value no phone call can have; the message names the field and the bound."""


def latest_start(now: datetime) -> datetime:
    """The latest start a call imported at `now` may have."""
    return now + CLOCK_SKEW


def check_start(value: datetime, field: str, latest: datetime) -> datetime:
    if value < EARLIEST_START:
        raise OutOfBounds(f"{field}: {value:%Y-%m-%d} is before {EARLIEST_START:%Y}; "
                          "not a call's start")
    if value > latest:
        raise OutOfBounds(f"{field}: {value:%Y-%m-%d %H:%M} UTC is in the future")
    return value


def check_seconds(value: int, field: str) -> int:
    if value < 0:
        raise OutOfBounds(f"{field}: {value} is negative")
    if value > MAX_CALL_SECONDS:
        raise OutOfBounds(f"{field}: {value} s is longer than a day "
                          f"({MAX_CALL_SECONDS} s); not a call")
    return value


def check_billed(duration: int, billsec: int) -> None:
    """The billed seconds are part of the call: from answer to end, never more than its
    duration (start to end)."""
    if billsec > duration:
        raise OutOfBounds(f"billsec: {billsec} s is longer than the call's duration "
                          f"({duration} s)")


def check_cost(cost: Decimal, tariff: str) -> Decimal:
    if cost > MAX_COST:
        raise OutOfBounds(f"cost: {cost} at tariff {tariff!r} is more than a call can cost "
                          f"({MAX_COST}); check the tariff's price")
    return cost
