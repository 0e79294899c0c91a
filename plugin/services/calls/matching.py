"""Matching: a call's direction, customer and tariff, from the numbers and tariffs known."""

from collections.abc import Iterable
from datetime import datetime

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
        self._e164: dict[str, str | None] = {}
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
        """E.164 of a raw number, or None (an extension, 'anonymous', …); numbers repeat, so
        results are memoized (bounded)."""
        try:
            return self._e164[raw]
        except KeyError:
            pass
        try:
            value = None if _is_extension(raw) else to_e164(raw, self.country)
        except NumberError:
            value = None
        if len(self._e164) >= 200_000:
            self._e164.clear()
        self._e164[raw] = value
        return value

    def direction(self, record: Record, caller: str | None, callee: str | None) -> str:
        if record.direction:
            return record.direction
        if callee in self.modems:
            return "outbound"
        if caller in self.modems or caller in self.numbers:
            return "inbound"
        if record.hint:
            return record.hint
        if callee in self.numbers:
            return "inbound"
        return "inbound" if caller and not callee else "outbound"

    def customer(self, direction: str, caller: str | None, callee: str | None):
        """(customer_id, installation_id), either may be None."""
        if direction == "outbound":
            found = self.modems.get(callee)
            return found if found else (self.numbers.get(callee), None)
        found = self.modems.get(caller)
        if found:
            return found
        return self.numbers.get(caller) or self.numbers.get(callee), None

    def rate(self, callee: str | None, start: datetime, billsec: int):
        """(tariff_id, rated_seconds, cost), or Nones when no tariff matches. Raises
        OutOfBounds for a cost no call can have (an absurd price)."""
        if callee is None:
            return None, None, None
        day = start.astimezone(self.operator_zone).date()
        tariff = self.book.find(callee, day)
        if tariff is None:
            return None, None, None
        key = (id(tariff), billsec)
        rated = self._costs.get(key)
        if rated is None:
            if len(self._costs) >= 200_000:
                self._costs.clear()
            seconds, cost = rate(tariff, billsec)
            rated = self._costs[key] = (tariff.id, seconds, check_cost(cost, tariff.name))
        return rated

    def row(self, record: Record) -> tuple:
        """The staging row (STAGING_COLUMNS) of a parsed record."""
        caller, callee = self.e164(record.caller), self.e164(record.callee)
        direction = self.direction(record, caller, callee)
        customer, installation = self.customer(direction, caller, callee)
        stored_callee = callee or record.callee
        if rateable(direction, record.answered, record.billsec, stored_callee):
            tariff, rated_seconds, cost = self.rate(callee, record.start, record.billsec)
        else:
            tariff = rated_seconds = cost = None
        return (record.key, direction, caller or record.caller, stored_callee,
                record.start, record.duration, record.billsec, record.disposition,
                record.answered, customer, installation, tariff, rated_seconds, cost)
