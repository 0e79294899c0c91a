"""Rows as the billing core sees them: every conversion from our tables to plugin.billing."""

import json
from datetime import datetime, timedelta
from decimal import Decimal

from plugin import billing
from plugin.config import Settings
from plugin.models import Contract, Customer, Invoice, Tariff
from plugin.services import company, identifiers

_SOURCES = {source.value: source for source in billing.Source}
_VAT_CATEGORIES = {category.code: category for category in billing.VatCategory}


def core_seller(settings: Settings) -> billing.Seller:
    """Our company as the core's seller: timezone, country, standard VAT rate."""
    return billing.Seller(timezone=str(settings.timezone),
                          country=company.company(settings).country,
                          standard_vat_rate=settings.vat_rate)


def core_customer(row: Customer, settings: Settings) -> billing.Customer:
    """Work without a contract is billed at the customer's rate, else the settings' default.
    The core sees the VAT id only when stdnum finds it valid for the customer's country
    (`billing.vat.reverse_charge_vat_id`), so a malformed id never means reverse charge."""
    vat_id = billing.vat.reverse_charge_vat_id(
        row.vat_id, row.country, identifiers.vat_id_valid(row.vat_id, row.country))
    return billing.Customer(id=row.id, name=row.name,
                            hourly_rate=row.default_hourly_rate or settings.default_hourly_rate,
                            vat_id=vat_id, vat_exempt=row.vat_exempt, currency=row.currency)


def core_contract(row: Contract) -> billing.Contract:
    """A contract row with its installations and seat tiers (a new row: id 0)."""
    seats = None
    if row.seats is not None and row.seat_tiers:
        seats = billing.SeatPricing(
            seats=row.seats,
            tiers=tuple(billing.SeatTier(t.from_seat, t.price) for t in row.seat_tiers),
            mode=billing.SeatMode(row.seat_pricing or "volume"))
    return billing.Contract(
        id=row.id or 0, name=row.name, valid_from=row.valid_from, valid_to=row.valid_to,
        installation_ids=frozenset(i.id for i in row.installations) or None,
        fee=row.fee, quota_minutes=row.quota_minutes, overflow_rate=row.overflow_rate,
        unit_seconds=row.unit_seconds, grace_seconds=row.grace_seconds,
        rounding_scope=billing.RoundingScope(row.rounding_scope), rollover=row.rollover,
        rollover_cap_minutes=row.rollover_cap_minutes, minimum=row.minimum, seats=seats)


def counting_contracts(rows) -> list[billing.Contract]:
    """Contracts from (id, name, valid_from, valid_to, unit_seconds, grace_seconds,
    installation_id) rows, one row per installation a contract is limited to (None: all):
    enough for `billing.contract_for` and `billing.counting`, in one query."""
    found: dict[int, dict] = {}
    for row in rows:
        contract = found.setdefault(row.id, {
            "id": row.id, "name": row.name, "valid_from": row.valid_from,
            "valid_to": row.valid_to, "unit_seconds": row.unit_seconds,
            "grace_seconds": row.grace_seconds, "installation_ids": set()})
        if row.installation_id is not None:
            contract["installation_ids"].add(row.installation_id)
    return [billing.Contract(**{**fields, "installation_ids":
                                frozenset(fields["installation_ids"]) or None})
            for fields in found.values()]


def core_installation(row) -> billing.Installation:
    """An installation row, or any row with its `id`, `name` and `warranty_until`."""
    return billing.Installation(id=row.id, name=row.name, warranty_until=row.warranty_until)


def core_entry(entry_id: int, ticket_id: int, started: datetime, ended: datetime,
               duration_seconds: int | None, billable: bool, installation_id: int | None,
               source: str) -> billing.Entry:
    """A stopped session; its length is the time its timer ran (pauses excluded)."""
    end = started + timedelta(seconds=duration_seconds) if duration_seconds is not None \
        else ended
    return billing.Entry(id=entry_id, ticket_id=ticket_id, start=started, end=end,
                         billable=billable, installation_id=installation_id,
                         source=_SOURCES[source])


def rated_call(unique_key: str, started: datetime, callee: str, billsec: int,
               rated_seconds: int, tariff_name: str, cost: Decimal) -> billing.RatedCall:
    """A call as rated when it was imported (or rated again): a later change of its tariff's
    increments does not reinterpret a stored cost."""
    return billing.RatedCall(call_id=unique_key, start=started, number=callee, billsec=billsec,
                             rated_seconds=rated_seconds, tariff_name=tariff_name, cost=cost)


def core_tariff(row: Tariff) -> billing.Tariff:
    return billing.Tariff(
        name=row.name, prefix=row.prefix, price_per_minute=row.price_per_minute,
        connect_fee=row.connect_fee, first_increment=row.first_increment,
        next_increment=row.next_increment, markup_percent=row.markup_percent,
        minimum_charge=row.minimum_charge, valid_from=row.valid_from, id=row.id)


def core_invoice(invoice: Invoice) -> billing.Invoice:
    """A stored document as the core's invoice (VAT per rate from the printed lines, the notes
    it was finalized with); refused when the stored totals are not those of its lines."""
    notes = tuple(json.loads(invoice.snapshot or "{}").get("notes", ()))
    lines = [billing.Line(kind=billing.LineKind(x.kind), description=x.description,
                          quantity=x.quantity, unit=x.unit, unit_price=x.unit_price,
                          amount=x.amount, vat_category=_VAT_CATEGORIES[x.vat_category],
                          vat_rate=x.vat_rate, contract_id=x.contract_id)
             for x in invoice.lines]
    customer = billing.Customer(id=invoice.customer_id, name="", hourly_rate=billing.ZERO,
                                currency=invoice.currency)
    core = billing.invoice_from_lines(billing.Period.parse(invoice.period), customer, lines,
                                      notes)
    if (core.net, core.vat_total, core.gross) != (invoice.net, invoice.vat, invoice.gross):
        raise ValueError(f"invoice {invoice.number or invoice.id}: stored totals do not match "
                         f"its lines")
    return core
