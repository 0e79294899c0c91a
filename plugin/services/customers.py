"""Customers, installations and contracts: validated changes, each error naming its field."""

import re
from decimal import Decimal

from sqlalchemy import select

from plugin import billing
from plugin.db import session
from plugin.models import Contract, Customer, Installation
from plugin.models import SeatTier as SeatTierRow
from plugin.models.customers import DELIVERY_CHOICES
from plugin.phone import NumberError, to_e164
from plugin.services import core_rows, identifiers
from plugin.services.errors import FieldError
from plugin.services.fields import Collected, day, money, text, whole

# --- customers -------------------------------------------------------------------------------

def save_customer(data: dict, customer: Customer | None = None, *,
                  locale: str | None = None) -> Customer:
    """Create or change a customer; every field is checked in one pass (FieldErrors).
    `locale`: the language amounts were typed in (a form)."""
    check = Collected()
    name = check(text, data.get("name"), "name")
    address = check(text, data.get("address"), "address", required=False, max_length=1000)
    country = (check(text, data.get("country"), "country", required=False) or "DE").upper()
    problem = identifiers.country_problem(country)
    check.keep(problem)
    vat_id = (check(text, data.get("vat_id"), "vat_id", required=False, max_length=30) or "")
    vat_id = identifiers.compact_vat_id(vat_id).upper() if vat_id else ""
    # python-stdnum judges it (check digits, length) and it must be of the customer's
    # country: only such an id makes an invoice reverse charge (billing.vat).
    problem = identifiers.vat_id_problem(vat_id, country) if vat_id and not problem else None
    if problem:
        check.keep(problem)
    elif len(vat_id) > 20:
        check.add("vat_id", "at most 20 characters")
    email = check(text, data.get("billing_email"), "billing_email", required=False,
                  max_length=254)
    if email and ("@" not in email or " " in email):
        check.add("billing_email", "%(email)r is not an e-mail address", email=email)
    currency = (check(text, data.get("currency"), "currency", required=False) or "EUR").upper()
    if len(currency) != 3 or not currency.isalpha():
        check.add("currency", "an ISO 4217 code, e.g. EUR")
    language = check(text, data.get("language"), "language", required=False, max_length=8)
    rate = check(money, data.get("default_hourly_rate"), "default_hourly_rate",
                 required=False, locale=locale)
    buyer_reference = check(text, data.get("buyer_reference"), "buyer_reference",
                            required=False, max_length=100)
    delivery = data.get("invoice_delivery") or "none"
    if delivery not in DELIVERY_CHOICES:
        check.add("invoice_delivery", "choose %(choices)s", choices=" or ".join(DELIVERY_CHOICES))
    elif delivery != "none" and not email:
        check.add("billing_email", "invoices go out by e-mail: give the address")
    check.done()
    customer = customer or Customer()
    customer.name = name
    customer.address = address or ""
    customer.country = country
    customer.vat_id = vat_id or None
    customer.billing_email = email
    customer.currency = currency
    customer.language = language or "de"
    customer.default_hourly_rate = rate
    customer.buyer_reference = buyer_reference
    customer.vat_exempt = bool(data.get("vat_exempt"))
    customer.invoice_delivery = delivery
    session.add(customer)
    session.flush()
    return customer


# --- installations ---------------------------------------------------------------------------

def save_installation(customer: Customer, data: dict, default_country: str,
                      installation: Installation | None = None) -> Installation:
    check = Collected()
    name = check(text, data.get("name"), "name")
    connection = data.get("connection")
    if connection not in ("modem", "vpn"):
        check.add("connection", "choose modem or vpn")
    number = check(text, data.get("modem_number"), "modem_number", required=False,
                   max_length=40)
    if connection == "modem":
        if not number:
            check.add("modem_number", "a modem installation needs the number we dial")
        else:
            try:
                number = to_e164(number, default_country)
            except NumberError as e:
                check.keep(e.at("modem_number"))
                number = None
    else:
        number = None
    warranty_until = check(day, data.get("warranty_until"), "warranty_until", required=False)
    check.done()
    inst = installation or Installation(customer_id=customer.id)
    if number is not None:
        # Asked before the row changes: an autoflush of a half-changed row (a VPN installation
        # becoming a modem one) would break the row's own check and answer 500.
        taken = session.scalar(select(Installation).where(
            Installation.modem_number == number, Installation.id != (inst.id or 0)))
        if taken is not None:
            raise FieldError("modem_number", "%(number)s is already the modem of %(name)r",
                             number=number, name=taken.name)
    inst.name = name
    inst.connection = connection
    inst.modem_number = number
    inst.warranty_until = warranty_until
    session.add(inst)
    session.flush()
    return inst


# --- contracts -------------------------------------------------------------------------------

def parse_seat_tiers(value, *, locale: str | None = None) -> list[tuple[int, Decimal]]:
    """'1: 900, 6: 850, 11: 800' (or a list of {"from_seat", "price"}) → [(1, 900), …].
    A comma separates tiers only before the next "seat:", so "1: 900,50, 6: 850" (a decimal
    comma) reads as two tiers; ";" and new lines separate them too."""
    if not value:
        return []
    if isinstance(value, list):
        pairs = [(t.get("from_seat"), t.get("price")) for t in value]
    else:
        pairs = []
        for part in _TIER_SEPARATOR.split(str(value)):
            if part.strip():
                seat, _, price = part.partition(":")
                pairs.append((seat, price))
    return [(whole(s, "seat_tiers", minimum=1), money(p, "seat_tiers", locale=locale))
            for s, p in pairs]


_TIER_SEPARATOR = re.compile(r"[;\n]|,(?=\s*\d+\s*:)")


def save_contract(customer: Customer, data: dict, contract: Contract | None = None, *,
                  locale: str | None = None) -> Contract:
    """Create or change a contract; every field is checked in one pass (FieldErrors) before
    the billing core judges its shape and overlaps. `locale`: the language amounts were typed
    in (a form)."""
    check = Collected()
    name = check(text, data.get("name"), "name")
    valid_from = check(day, data.get("valid_from"), "valid_from")
    valid_to = check(day, data.get("valid_to"), "valid_to", required=False)
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        check.add("valid_to", "must not be before the first day it is valid (%(day)s)",
                  day=valid_from.isoformat())
    fee = check(money, data.get("fee") or "0", "fee", locale=locale)
    unlimited = bool(data.get("unlimited_quota"))
    quota = None if unlimited else check(whole, data.get("quota_minutes") or 0,
                                         "quota_minutes")
    overflow_rate = check(money, data.get("overflow_rate") or "0", "overflow_rate",
                          locale=locale)
    minimum = check(money, data.get("minimum") or "0", "minimum", locale=locale)
    unit = data.get("unit_seconds")
    unit = check(whole, 900 if unit is None or unit == "" else unit, "unit_seconds", minimum=1)
    grace = check(whole, data.get("grace_seconds") or 0, "grace_seconds")
    scope = data.get("rounding_scope") or "entry"
    scopes = [str(s) for s in billing.RoundingScope]
    if scope not in scopes:
        check.add("rounding_scope", "choose %(choices)s",
                  choices=f"{', '.join(scopes[:-1])} or {scopes[-1]}")
    cap = check(whole, data.get("rollover_cap_minutes"), "rollover_cap_minutes",
                required=False)
    seats = check(whole, data.get("seats"), "seats", required=False)
    tiers = check(parse_seat_tiers, data.get("seat_tiers"), locale=locale) or []
    pricing = data.get("seat_pricing") or None
    if pricing is not None and pricing not in set(billing.SeatMode):
        check.add("seat_pricing", "choose %(choices)s", choices=" or ".join(billing.SeatMode))
    if seats is not None and not tiers and not any(e.field == "seat_tiers"
                                                   for e in check.errors):
        check.add("seat_tiers", "give the price per seat, e.g. '1: 900, 6: 850'")
    installation_ids = check(_ids, data.get("installation_ids"), "installation_ids") or []
    check.done()
    installations = [session.get(Installation, i) for i in installation_ids]
    for i, inst in zip(installation_ids, installations, strict=True):
        if inst is None or inst.customer_id != customer.id:
            raise FieldError("installation_ids", "installation %(i)s is not %(name)s's", i=i,
                             name=customer.name)
    row = contract or Contract(customer=customer)
    row.name, row.valid_from, row.valid_to = name, valid_from, valid_to
    row.fee, row.quota_minutes, row.overflow_rate, row.minimum = fee, quota, overflow_rate, \
        minimum
    row.unit_seconds, row.grace_seconds, row.rounding_scope = unit, grace, scope
    row.rollover = bool(data.get("rollover"))
    row.rollover_cap_minutes = cap
    row.phone_entries = bool(data.get("phone_entries"))
    row.seats = seats
    row.seat_pricing = (pricing or "volume") if seats is not None else None
    row.installations = installations
    row.seat_tiers = [SeatTierRow(from_seat=s, price=p) for s, p in tiers]
    _refuse_overlap(customer, row, _core_check(row))
    session.add(row)
    session.flush()
    return row


def _ids(value, field: str) -> list[int]:
    try:
        return [int(i) for i in value or []]
    except (TypeError, ValueError):
        raise FieldError(field, "a list of installation ids") from None


def _core_check(row: Contract) -> billing.Contract:
    """Let the billing core judge the shape, so its rules are written once."""
    try:
        return core_rows.core_contract(row)
    except ValueError as e:
        raise FieldError("seat_tiers" if "seat" in str(e) else "contract", str(e)) from None


def _refuse_overlap(customer: Customer, row: Contract, core: billing.Contract) -> None:
    """Two contracts that could both cover one session are refused (`Contract.overlaps`)."""
    with session.no_autoflush:
        others = [(other, core_rows.core_contract(other)) for other in session.scalars(
            select(Contract).where(Contract.customer_id == customer.id))
            if other is not row and (row.id is None or other.id != row.id)]
    for other, theirs in others:
        if core.overlaps(theirs):
            until = other.valid_to.isoformat() if other.valid_to else "open end"
            raise FieldError("valid_from", "overlaps contract %(name)r (%(since)s – "
                             "%(until)s)", name=other.name, since=other.valid_from.isoformat(),
                             until=until)
