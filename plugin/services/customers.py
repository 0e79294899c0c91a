"""Customers, installations and contracts: validated changes, each error naming its field."""

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
from plugin.services.fields import day, money, text, whole

# --- customers -------------------------------------------------------------------------------

def save_customer(data: dict, customer: Customer | None = None) -> Customer:
    customer = customer or Customer()
    customer.name = text(data.get("name"), "name")
    customer.address = text(data.get("address"), "address", required=False,
                            max_length=1000) or ""
    country = (text(data.get("country"), "country", required=False) or "DE").upper()
    problem = identifiers.country_problem(country)
    if problem:
        raise FieldError("country", problem)
    customer.country = country
    vat_id = (text(data.get("vat_id"), "vat_id", required=False, max_length=30) or "")
    vat_id = identifiers.compact_vat_id(vat_id).upper() if vat_id else ""
    # python-stdnum judges it (check digits, length) and it must be of the customer's
    # country: only such an id makes an invoice reverse charge (billing.vat).
    problem = identifiers.vat_id_problem(vat_id, country) if vat_id else None
    if problem:
        raise FieldError("vat_id", problem)
    if len(vat_id) > 20:
        raise FieldError("vat_id", "at most 20 characters")
    customer.vat_id = vat_id or None
    email = text(data.get("billing_email"), "billing_email", required=False, max_length=254)
    if email and ("@" not in email or " " in email):
        raise FieldError("billing_email", f"{email!r} is not an e-mail address")
    customer.billing_email = email
    currency = (text(data.get("currency"), "currency", required=False) or "EUR").upper()
    if len(currency) != 3 or not currency.isalpha():
        raise FieldError("currency", "an ISO 4217 code, e.g. EUR")
    customer.currency = currency
    customer.language = text(data.get("language"), "language", required=False,
                             max_length=8) or "de"
    customer.default_hourly_rate = money(data.get("default_hourly_rate"),
                                         "default_hourly_rate", required=False)
    customer.buyer_reference = text(data.get("buyer_reference"), "buyer_reference",
                                    required=False, max_length=100)
    customer.vat_exempt = bool(data.get("vat_exempt"))
    delivery = data.get("invoice_delivery") or "none"
    if delivery not in DELIVERY_CHOICES:
        raise FieldError("invoice_delivery", " or ".join(DELIVERY_CHOICES))
    if delivery != "none" and not email:
        raise FieldError("billing_email", "invoices go out by e-mail: give the address")
    customer.invoice_delivery = delivery
    session.add(customer)
    session.flush()
    return customer


# --- installations ---------------------------------------------------------------------------

def save_installation(customer: Customer, data: dict, default_country: str,
                      installation: Installation | None = None) -> Installation:
    inst = installation or Installation(customer_id=customer.id)
    inst.name = text(data.get("name"), "name")
    connection = data.get("connection")
    if connection not in ("modem", "vpn"):
        raise FieldError("connection", "modem or vpn")
    inst.connection = connection
    number = text(data.get("modem_number"), "modem_number", required=False, max_length=40)
    if connection == "modem":
        if not number:
            raise FieldError("modem_number", "a modem installation needs the number we dial")
        try:
            number = to_e164(number, default_country)
        except NumberError as e:
            raise FieldError("modem_number", str(e)) from None
        taken = session.scalar(select(Installation).where(
            Installation.modem_number == number, Installation.id != (inst.id or 0)))
        if taken is not None:
            raise FieldError("modem_number",
                             f"{number} is already the modem of {taken.name!r}")
        inst.modem_number = number
    else:
        inst.modem_number = None
    inst.warranty_until = day(data.get("warranty_until"), "warranty_until", required=False)
    session.add(inst)
    session.flush()
    return inst


# --- contracts -------------------------------------------------------------------------------

def parse_seat_tiers(value) -> list[tuple[int, Decimal]]:
    """'1: 900, 6: 850, 11: 800' (or a list of {"from_seat", "price"}) → [(1, 900), …]."""
    if not value:
        return []
    if isinstance(value, list):
        pairs = [(t.get("from_seat"), t.get("price")) for t in value]
    else:
        pairs = []
        for part in str(value).replace("\n", ",").split(","):
            if part.strip():
                seat, _, price = part.partition(":")
                pairs.append((seat, price))
    return [(whole(s, "seat_tiers", minimum=1), money(p, "seat_tiers")) for s, p in pairs]


def save_contract(customer: Customer, data: dict, contract: Contract | None = None) -> Contract:
    row = contract or Contract(customer=customer)
    row.name = text(data.get("name"), "name")
    row.valid_from = day(data.get("valid_from"), "valid_from")
    row.valid_to = day(data.get("valid_to"), "valid_to", required=False)
    if row.valid_to is not None and row.valid_to < row.valid_from:
        raise FieldError("valid_to", "must be on or after valid_from")
    row.fee = money(data.get("fee") or "0", "fee")
    unlimited = bool(data.get("unlimited_quota"))
    row.quota_minutes = None if unlimited else whole(data.get("quota_minutes") or 0,
                                                     "quota_minutes")
    row.overflow_rate = money(data.get("overflow_rate") or "0", "overflow_rate")
    row.minimum = money(data.get("minimum") or "0", "minimum")
    row.unit_seconds = whole(data.get("unit_seconds") or 900, "unit_seconds", minimum=1)
    row.grace_seconds = whole(data.get("grace_seconds") or 0, "grace_seconds")
    scope = data.get("rounding_scope") or "entry"
    scopes = [str(s) for s in billing.RoundingScope]
    if scope not in scopes:
        raise FieldError("rounding_scope", f"{', '.join(scopes[:-1])} or {scopes[-1]}")
    row.rounding_scope = scope
    row.rollover = bool(data.get("rollover"))
    row.rollover_cap_minutes = whole(data.get("rollover_cap_minutes"), "rollover_cap_minutes",
                                     required=False)
    row.phone_entries = bool(data.get("phone_entries"))
    row.seats = whole(data.get("seats"), "seats", required=False)
    tiers = parse_seat_tiers(data.get("seat_tiers"))
    pricing = data.get("seat_pricing") or None
    if pricing is not None and pricing not in set(billing.SeatMode):
        raise FieldError("seat_pricing", " or ".join(billing.SeatMode))
    if row.seats is not None and not tiers:
        raise FieldError("seat_tiers", "give the price per seat, e.g. '1: 900, 6: 850'")
    row.seat_pricing = (pricing or "volume") if row.seats is not None else None
    installation_ids = [int(i) for i in data.get("installation_ids") or []]
    installations = [session.get(Installation, i) for i in installation_ids]
    for i, inst in zip(installation_ids, installations, strict=True):
        if inst is None or inst.customer_id != customer.id:
            raise FieldError("installation_ids", f"installation {i} is not {customer.name}'s")
    row.installations = installations
    row.seat_tiers = [SeatTierRow(from_seat=s, price=p) for s, p in tiers]
    _refuse_overlap(customer, row, _core_check(row))
    session.add(row)
    session.flush()
    return row


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
            raise FieldError("valid_from", f"overlaps contract {other.name!r} "
                             f"({other.valid_from.isoformat()} – {until})")
