"""Matching: a call's direction, customer and tariff, from the numbers and tariffs known."""

from bisect import bisect_right
from collections.abc import Iterable
from datetime import UTC, date, datetime, time

from sqlalchemy import select

from plugin.billing import rate, rateable
from plugin.billing.rating import TariffBook
from plugin.cdr import Record
from plugin.cdr.bounds import check_cost
from plugin.config import Settings
from plugin.db import session
from plugin.models import CustomerNumber, Installation, Tariff
from plugin.phone import NumberError, to_e164
from plugin.services import core_rows

EXTENSION_DIGITS = 6
MEMO_SIZE = 200_000  # distinct numbers, and (tariff, billsec) pairs, remembered at once
E164, MODEM, NUMBER, STORED, TIMELINE = range(5)  # the fields of a side (Matcher.side)
NOTHING = (None, None, None)


def _is_extension(raw: str) -> bool:
    """An internal extension ('201'), not a phone number: up to 6 digits without a trunk or
    international prefix. (phonenumbers would read '213' as the German number +49213.)"""
    return not raw or (raw.isdigit() and len(raw) <= EXTENSION_DIGITS and raw[0] != "0")


class Matcher:
    """Direction, customer and tariff of a call, from the numbers and tariffs known at start.

    Direction, first rule that applies:
      1. the file says so (a direction column of the generic CSV);
      2. the callee is an installation's modem number: outbound;
      3. the caller is a modem number or a customer's registered number: inbound;
      4. the format's context says so (Asterisk dcontext, FreeSWITCH context);
      5. the callee is a customer's registered number (a hotline we answer): inbound;
      6. the caller is a phone number and the callee is not (an extension): inbound;
         otherwise outbound.
    Matching: outbound to a modem number → that installation's customer (a telephony cost);
    outbound to a registered number → that customer (not charged); inbound from a modem or a
    registered number, or to a registered number → that customer (handled-call minutes).
    """

    def __init__(self, modems: dict, numbers: dict, tariffs: Iterable[Tariff], country: str,
                 operator_zone):
        self.modems = modems  # E.164 → (customer_id, installation_id)
        self.numbers = numbers  # E.164 → customer_id
        self.tariffs = [core_rows.core_tariff(t) for t in tariffs]
        self.book = TariffBook(self.tariffs)
        self.country = country
        self.operator_zone = operator_zone
        self._sides: dict[str, list] = {}
        self._costs: dict = {}

    @classmethod
    def load(cls, settings: Settings) -> "Matcher":
        modems = {number: (customer, installation) for installation, customer, number in
                  session.execute(select(Installation.id, Installation.customer_id,
                                         Installation.modem_number)
                                  .where(Installation.modem_number.is_not(None)))}
        numbers = dict(session.execute(select(CustomerNumber.number,
                                              CustomerNumber.customer_id)).all())
        return cls(modems, numbers, session.scalars(select(Tariff)).all(),
                   settings.default_country, settings.timezone)

    def referenced(self) -> dict[str, set[int]]:
        """Every id a row of this Matcher may name, per column of qh_calls."""
        return {"customer_id": {c for c, _ in self.modems.values()} | set(self.numbers.values()),
                "installation_id": {i for _, i in self.modems.values()},
                "tariff_id": {t.id for t in self.tariffs}}

    def e164(self, raw: str) -> str | None:
        """E.164 of a raw number, or None (an extension, 'anonymous', …)."""
        return self.side(raw)[E164]

    def side(self, raw: str) -> list:
        """What a raw number says, worked out once per distinct number (a file repeats the
        same numbers thousands of times; memoized, bounded): [E.164 or None, the modem's
        (customer, installation) or None, the registered number's customer or None, the
        number as stored (E.164, else as written), its tariff timeline (filled by rate)]."""
        found = self._sides.get(raw)
        if found is not None:
            return found
        try:
            value = None if _is_extension(raw) else to_e164(raw, self.country)
        except NumberError:
            value = None
        if len(self._sides) >= MEMO_SIZE:
            self._sides.clear()
        found = self._sides[raw] = [value, self.modems.get(value), self.numbers.get(value),
                                    value or raw, None]
        return found

    def direction(self, record: Record, caller: list, callee: list) -> str:
        """The rules of the class docstring, in order; caller and callee are sides."""
        if record.direction:
            return record.direction
        if callee[MODEM]:
            return "outbound"
        if caller[MODEM] or caller[NUMBER]:
            return "inbound"
        if record.hint:
            return record.hint
        if callee[NUMBER]:
            return "inbound"
        return "inbound" if caller[E164] and not callee[E164] else "outbound"

    def customer(self, direction: str, caller: str | None, callee: str | None):
        """(customer_id, installation_id) of a call between numbers (E.164 or as stored);
        either may be None."""
        return self._customer(direction, self.side(caller or ""), self.side(callee or ""))

    def _customer(self, direction: str, caller: list, callee: list):
        """customer() of two sides."""
        if direction == "outbound":
            return callee[MODEM] or (callee[NUMBER], None)
        return caller[MODEM] or (caller[NUMBER] or callee[NUMBER], None)

    def rate(self, callee: str | None, start: datetime, billsec: int):
        """(tariff_id, rated_seconds, cost) of a call to `callee` (E.164 or as stored), or
        Nones when no tariff matches. Raises OutOfBounds for a cost no call can have."""
        return self._rate(self.side(callee or ""), start, billsec)

    def _rate(self, callee: list, start: datetime, billsec: int):
        """rate() of a side. Raises OutOfBounds for a cost no call can have (an absurd price).

        The tariff is the core's (TariffBook.find: longest prefix, the version in effect on
        the operator's local day), looked up once per number as a timeline: the instants at
        which the answer can change (local midnight of each valid_from of its prefixes), so a
        call needs a bisect, not a timezone conversion. Each (tariff, billsec) is rated once.
        """
        if callee[E164] is None:
            return NOTHING
        timeline = callee[TIMELINE]
        if timeline is None:
            timeline = callee[TIMELINE] = self._timeline(callee[E164])
        instants, tariffs = timeline
        tariff = tariffs[bisect_right(instants, start)] if instants else tariffs[0]
        if tariff is None:
            return NOTHING
        key = (id(tariff), billsec)
        rated = self._costs.get(key)
        if rated is None:
            if len(self._costs) >= MEMO_SIZE:
                self._costs.clear()
            seconds, cost = rate(tariff, billsec)
            rated = self._costs[key] = (tariff.id, seconds, check_cost(cost, tariff.name))
        return rated

    def _timeline(self, number: str) -> tuple[list[datetime], list]:
        days = self.book.changes(number)
        instants = [datetime.combine(day, time(), self.operator_zone).astimezone(UTC)
                    for day in days]
        tariffs = [self.book.find(number, date.min)] + [self.book.find(number, day)
                                                        for day in days]
        return instants, tariffs

    def row(self, record: Record) -> tuple:
        """The staging row (STAGING_COLUMNS) of a parsed record."""
        sides = self._sides
        caller = sides.get(record.caller) or self.side(record.caller)
        callee = sides.get(record.callee) or self.side(record.callee)
        direction = self.direction(record, caller, callee)
        customer, installation = self._customer(direction, caller, callee)
        stored_callee = callee[STORED]
        if rateable(direction, record.answered, record.billsec, stored_callee):
            tariff, rated_seconds, cost = self._rate(callee, record.start, record.billsec)
        else:
            tariff = rated_seconds = cost = None
        return (record.key, direction, caller[STORED], stored_callee,
                record.start, record.duration, record.billsec, record.disposition,
                record.answered, customer, installation, tariff, rated_seconds, cost)
