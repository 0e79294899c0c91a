"""Wording: the texts the core writes on invoices, in the customer's language."""

# The core writes English through a Wording. The adapter passes one made from the Babel catalog
# of the customer's language (`services.wording`), so the core needs no translation machinery
# and an invoice is one language from its lines to its notes.

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal


def _same(message: str) -> str:
    return message


def _english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


@dataclass(frozen=True)
class Wording:
    gettext: Callable[[str], str] = _same
    ngettext: Callable[[str, str, int], str] = _english_plural
    decimal_mark: str = "."

    def amount(self, value: Decimal) -> str:
        """12.5 → '12.50' ('12,50' in German): amounts inside a line's text."""
        return f"{value:.2f}".replace(".", self.decimal_mark)


ENGLISH = Wording()
