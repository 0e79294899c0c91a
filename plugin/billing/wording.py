"""Wording: the texts the core writes on invoices, in the customer's language."""

# The core writes English through a Wording. The adapter passes one made from the Babel catalog
# of the customer's language (`services.wording`), so the core needs no translation machinery
# and an invoice is one language from its lines to its notes.

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .periods import Period

# Written out, not calendar.month_name: that follows the process's locale.
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")


def _same(message: str) -> str:
    return message


def _english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


@dataclass(frozen=True)
class Wording:
    gettext: Callable[[str], str] = _same
    ngettext: Callable[[str, str, int], str] = _english_plural
    decimal_mark: str = "."
    months: tuple[str, ...] = ENGLISH_MONTHS  # stand-alone month names, January first

    def amount(self, value: Decimal) -> str:
        """12.5 → '12.50' ('12,50' in German): amounts inside a line's text."""
        return f"{value:.2f}".replace(".", self.decimal_mark)

    def price(self, value: Decimal) -> str:
        """A unit price as agreed, at least two decimals: '45.00', '24.375' ('24,375')."""
        text = f"{value:.2f}" if value == round(value, 2) else format(value.normalize(), "f")
        return text.replace(".", self.decimal_mark)

    def month(self, period: Period) -> str:
        """'September' ('September' in German too): a period's month alone."""
        return self.months[period.month - 1]

    def period(self, period: Period) -> str:
        """'October 2026' ('Oktober 2026'): a period as an invoice names it."""
        return f"{self.month(period)} {period.year}"


ENGLISH = Wording()
