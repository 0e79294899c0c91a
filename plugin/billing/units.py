"""R1 units: started units of a duration, grace, and the rounding scope."""

from collections.abc import Callable
from enum import StrEnum

QUARTER_HOUR = 900


class RoundingScope(StrEnum):
    ENTRY = "entry"
    TICKET_DAY = "ticket_day"
    TICKET_PERIOD = "ticket_period"


def units_for(seconds: int, unit_seconds: int = QUARTER_HOUR, grace_seconds: int = 0) -> int:
    """Started units of `seconds`; a duration within the grace (and 0 s) counts 0."""
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative: {seconds} s")
    if seconds <= grace_seconds:
        return 0
    return -(-seconds // unit_seconds)


def units_added(
    seconds_before: int, seconds: int, unit_seconds: int = QUARTER_HOUR, grace_seconds: int = 0
) -> int:
    """Units one session adds to a rounding group that already holds `seconds_before`.

    Summed over a group's sessions in order this equals the units of the group's total, so the
    group is rounded once, yet every unit still belongs to one session (and so to one bucket).
    """
    total = units_for(seconds_before + seconds, unit_seconds, grace_seconds)
    return total - units_for(seconds_before, unit_seconds, grace_seconds)


def unit_name(unit_seconds: int, gettext: Callable[[str], str] = str) -> str:
    """'15-minute', '1-minute', '90-second': how a unit is named on an invoice line
    (`gettext`: in another language)."""
    if unit_seconds % 3600 == 0:
        return gettext("{n}-hour").format(n=unit_seconds // 3600)
    if unit_seconds % 60 == 0:
        return gettext("{n}-minute").format(n=unit_seconds // 60)
    return gettext("{n}-second").format(n=unit_seconds)


def format_duration(seconds: int) -> str:
    """'31 min', '15 min 1 s', '40 s': minutes and seconds, as the evidence log shows them."""
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"
