"""API: customers, installations, contracts, and a customer's period ("this month so far").

Amounts travel as decimal strings, never as JSON numbers, so no cent is lost; one
representation on both engines (docs/api.md "Numbers"): money and rates with two decimals
("45.00", "19.00"), unit prices as agreed with at least two ("24.375"), quantities exact
without trailing zeros ("3", "1.5").
"""


from typing import Annotated, Literal

from flask import jsonify
from pydantic import Field
from sqlalchemy import select

from plugin import billing
from plugin.access import allow
from plugin.api import bp, commit_or_field_error, doc, list_of, period_of
from plugin.api.errors import ApiError
from plugin.api.schemas import MAX_INT, Amount, Body, Count, Day, Id, PeriodText, Query, Text
from plugin.config import current_period, settings
from plugin.db import session
from plugin.exports.document import amount, price, quantity
from plugin.models import Contract, Customer, Installation
from plugin.services import core_rows
from plugin.services import customers as service
from plugin.services.errors import FieldError
from plugin.services.statement import statement

# The numbers of responses (docs/api.md "Numbers"), the same on both engines.
AMOUNT = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["45.00"],
          "description": "money or a rate: two decimals"}
NULLABLE_AMOUNT = {**AMOUNT, "type": ["string", "null"]}
PRICE = {"type": "string", "pattern": r"^-?\d+\.\d{2,}$", "examples": ["24.375"],
         "description": "a unit price as agreed, at least two decimals"}
QUANTITY = {"type": "string", "pattern": r"^-?\d+(\.\d*[1-9])?$", "examples": ["3", "1.5"],
            "description": "exact, no trailing zeros"}
VAT = list_of({"type": "object", "properties": {
    "category": {"type": "string"}, "rate": AMOUNT, "base": AMOUNT, "amount": AMOUNT}})
DATE = {"type": "string", "format": "date"}
INSTALLATION = {"type": "object", "properties": {
    "id": {"type": "integer"}, "customer_id": {"type": "integer"}, "name": {"type": "string"},
    "connection": {"type": "string", "enum": ["modem", "vpn"]},
    "modem_number": {"type": ["string", "null"], "description": "E.164; any spelling accepted"},
    "warranty_until": {"type": ["string", "null"], "format": "date"}}}
CONTRACT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "customer_id": {"type": "integer"}, "name": {"type": "string"},
    "valid_from": DATE, "valid_to": {"type": ["string", "null"], "format": "date"},
    "installation_ids": {"type": "array", "items": {"type": "integer"},
                         "description": "empty: all the customer's installations"},
    "fee": AMOUNT, "quota_minutes": {"type": ["integer", "null"],
                                     "description": "null: unlimited"},
    "unlimited_quota": {"type": "boolean"},
    "overflow_rate": AMOUNT, "minimum": AMOUNT, "unit_seconds": {"type": "integer"},
    "grace_seconds": {"type": "integer"},
    "rounding_scope": {"type": "string", "enum": list(billing.RoundingScope)},
    "rollover": {"type": "boolean"}, "rollover_cap_minutes": {"type": ["integer", "null"]},
    "phone_entries": {"type": "boolean"}, "seats": {"type": ["integer", "null"]},
    "seat_pricing": {"type": ["string", "null"], "enum": [*billing.SeatMode, None]},
    "seat_tiers": {"type": "array", "items": {"type": "object", "properties": {
        "from_seat": {"type": "integer"}, "price": AMOUNT}}},
    "preview_31_min": {"type": "object", "readOnly": True, "properties": {
        "units": {"type": "integer"}, "overflow_amount": AMOUNT}}}}
CUSTOMER = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "address": {"type": "string"},
    "country": {"type": "string"}, "vat_id": {"type": ["string", "null"]},
    "billing_email": {"type": ["string", "null"]}, "currency": {"type": "string"},
    "language": {"type": "string"}, "default_hourly_rate": NULLABLE_AMOUNT,
    "buyer_reference": {"type": ["string", "null"]}, "vat_exempt": {"type": "boolean"},
    "invoice_delivery": {"type": "string", "enum": ["pdf", "zugferd", "xrechnung", "none"],
                         "description": "how invoices reach the customer by e-mail"},
    "installations": list_of(INSTALLATION)}}
LINE = {"type": "object", "properties": {
    "kind": {"type": "string"}, "description": {"type": "string"},
    "quantity": QUANTITY, "unit": {"type": "string"}, "unit_price": PRICE,
    "amount": AMOUNT, "vat_category": {"type": "string"}, "vat_rate": AMOUNT}}
STATEMENT = {"type": "object", "properties": {
    "customer_id": {"type": "integer"}, "period": {"type": "string"},
    "currency": {"type": "string"}, "lines": list_of(LINE), "net": AMOUNT,
    "vat": VAT, "vat_total": AMOUNT, "gross": AMOUNT,
    "units": {"type": "object", "description": "units by bucket",
              "additionalProperties": {"type": "integer"}},
    "sessions": list_of({"type": "object", "properties": {
        "entry_id": {"type": "integer"}, "start": {"type": "string", "format": "date-time"},
        "seconds": {"type": "integer"}, "units": {"type": "integer"},
        "parts": {"type": "object", "additionalProperties": {"type": "integer"}}}}),
    "running_timers": {"type": "integer"}}}


class InstallationIn(Body):
    """An installation as a client sends it."""

    name: Text(200)
    connection: Literal["modem", "vpn"]
    modem_number: Text(40) | None = Field(None, description="E.164; any spelling accepted; "
                                                            "a modem installation needs it")
    warranty_until: Day | None = None


class CustomerIn(Body):
    """A customer as a client sends it (PUT: every field; what is left out takes its default)."""

    name: Text(200)
    address: Text(1000) = ""
    country: Text(2) = Field("DE", description="ISO 3166 two-letter code")
    vat_id: Text(30) | None = None
    billing_email: Text(254) | None = None
    currency: Text(3) = Field("EUR", description="ISO 4217 code")
    language: Text(8) = "de"
    default_hourly_rate: Amount | None = None
    buyer_reference: Text(100) | None = None
    vat_exempt: bool = False
    invoice_delivery: Literal["pdf", "zugferd", "xrechnung", "none"] = Field(
        "none", description="how invoices reach the customer by e-mail")


class NewCustomer(CustomerIn):
    """A new customer, with its installations if any."""

    installations: list[InstallationIn] = Field([], max_length=500)


class SeatTierIn(Body):
    from_seat: Annotated[int, Field(ge=1, le=MAX_INT)]
    price: Amount


class ContractIn(Body):
    """A contract as a client sends it (PUT: every field; what is left out takes its default)."""

    name: Text(200)
    valid_from: Day
    valid_to: Day | None = None
    installation_ids: list[Id] = Field([], max_length=500,
                                       description="empty: all the customer's installations")
    fee: Amount = "0"
    quota_minutes: Count | None = Field(None, description="ignored when unlimited_quota")
    unlimited_quota: bool = False
    overflow_rate: Amount = "0"
    minimum: Amount = "0"
    unit_seconds: Annotated[int, Field(ge=1, le=86400)] = 900
    grace_seconds: Annotated[int, Field(ge=0, le=86400)] = 0
    rounding_scope: Literal[tuple(str(s) for s in billing.RoundingScope)] = "entry"
    rollover: bool = False
    rollover_cap_minutes: Count | None = None
    phone_entries: bool = False
    seats: Annotated[int, Field(ge=1, le=100000)] | None = None
    seat_pricing: Literal[tuple(str(s) for s in billing.SeatMode)] | None = None
    seat_tiers: list[SeatTierIn] = Field([], max_length=100)


class PeriodQuery(Query):
    period: PeriodText | None = Field(None, description="default: this month")


def _s(value) -> str | None:
    return None if value is None else str(value)


def _amount(value) -> str | None:
    return None if value is None else amount(value)


def vat_json(rates) -> list[dict]:
    """VAT per rate of the core's invoice, as in the export document (docs/exports.md)."""
    return [{"category": v.category.code, "rate": amount(v.rate), "base": amount(v.base),
             "amount": amount(v.amount)} for v in rates]


def installation_json(i: Installation) -> dict:
    return {"id": i.id, "customer_id": i.customer_id, "name": i.name,
            "connection": i.connection, "modem_number": i.modem_number,
            "warranty_until": _s(i.warranty_until)}


def customer_json(c: Customer) -> dict:
    return {"id": c.id, "name": c.name, "address": c.address, "country": c.country,
            "vat_id": c.vat_id, "billing_email": c.billing_email, "currency": c.currency,
            "language": c.language, "default_hourly_rate": _amount(c.default_hourly_rate),
            "buyer_reference": c.buyer_reference, "vat_exempt": c.vat_exempt,
            "invoice_delivery": c.invoice_delivery,
            "installations": [installation_json(i) for i in c.installations]}


def contract_json(c: Contract) -> dict:
    units, overflow = billing.overflow_price(core_rows.core_contract(c), 31 * 60)
    return {"id": c.id, "customer_id": c.customer_id, "name": c.name,
            "valid_from": _s(c.valid_from), "valid_to": _s(c.valid_to),
            "installation_ids": [i.id for i in c.installations], "fee": amount(c.fee),
            "quota_minutes": c.quota_minutes, "unlimited_quota": c.quota_minutes is None,
            "overflow_rate": amount(c.overflow_rate), "minimum": amount(c.minimum),
            "unit_seconds": c.unit_seconds, "grace_seconds": c.grace_seconds,
            "rounding_scope": c.rounding_scope, "rollover": c.rollover,
            "rollover_cap_minutes": c.rollover_cap_minutes, "phone_entries": c.phone_entries,
            "seats": c.seats, "seat_pricing": c.seat_pricing,
            "seat_tiers": [{"from_seat": t.from_seat, "price": amount(t.price)}
                           for t in c.seat_tiers],
            "preview_31_min": {"units": units, "overflow_amount": amount(overflow)}}


def _get(model, id_: int, what: str):
    row = session.get(model, id_)
    if row is None:
        raise ApiError(404, "not_found", f"No {what} {id_}.")
    return row


@bp.get("/customers")
@allow("admin", "billing")
@doc("All customers", response=list_of(CUSTOMER))
def customer_list():
    rows = session.scalars(select(Customer).order_by(Customer.name))
    return jsonify([customer_json(c) for c in rows])


def _create_customer(body: NewCustomer, default_country: str) -> Customer:
    data = body.given()
    installations = data.pop("installations", [])
    customer = service.save_customer(data)
    for n, inst in enumerate(installations):
        try:
            service.save_installation(customer, inst, default_country)
        except FieldError as e:
            raise FieldError(f"installations.{n}.{e.field}", e.template, **e.values) from None
    session.refresh(customer, ["installations"])
    return customer


@bp.post("/customers")
@allow("admin")
@doc("Create a customer, with its installations if given", body=NewCustomer,
     response=CUSTOMER, status=201)
def customer_create(body: NewCustomer):
    customer = commit_or_field_error(_create_customer, body, settings().default_country)
    return jsonify(customer_json(customer)), 201


@bp.get("/customers/<int:customer_id>")
@allow("admin", "billing")
@doc("One customer with its installations", response=CUSTOMER)
def customer_get(customer_id: int):
    return jsonify(customer_json(_get(Customer, customer_id, "customer")))


@bp.put("/customers/<int:customer_id>")
@allow("admin")
@doc("Change a customer (send every field; installations have their own routes)",
     body=CustomerIn, response=CUSTOMER)
def customer_update(customer_id: int, body: CustomerIn):
    customer = _get(Customer, customer_id, "customer")
    return jsonify(customer_json(commit_or_field_error(service.save_customer, body.given(),
                                                       customer)))


@bp.post("/customers/<int:customer_id>/installations")
@allow("admin")
@doc("Add an installation", body=InstallationIn, response=INSTALLATION, status=201)
def installation_create(customer_id: int, body: InstallationIn):
    customer = _get(Customer, customer_id, "customer")
    inst = commit_or_field_error(service.save_installation, customer, body.given(),
                                 settings().default_country)
    return jsonify(installation_json(inst)), 201


@bp.put("/installations/<int:installation_id>")
@allow("admin")
@doc("Change an installation (send every field)", body=InstallationIn, response=INSTALLATION)
def installation_update(installation_id: int, body: InstallationIn):
    inst = _get(Installation, installation_id, "installation")
    inst = commit_or_field_error(service.save_installation, inst.customer, body.given(),
                                 settings().default_country, inst)
    return jsonify(installation_json(inst))


@bp.get("/customers/<int:customer_id>/contracts")
@allow("admin", "billing")
@doc("A customer's contracts", response=list_of(CONTRACT))
def contract_list(customer_id: int):
    _get(Customer, customer_id, "customer")
    rows = session.scalars(select(Contract).where(Contract.customer_id == customer_id)
                           .order_by(Contract.valid_from))
    return jsonify([contract_json(c) for c in rows])


@bp.post("/customers/<int:customer_id>/contracts")
@allow("admin")
@doc("Add a contract; refused if it overlaps another for the same installation",
     body=ContractIn, response=CONTRACT, status=201)
def contract_create(customer_id: int, body: ContractIn):
    customer = _get(Customer, customer_id, "customer")
    contract = commit_or_field_error(service.save_contract, customer, body.given())
    return jsonify(contract_json(contract)), 201


@bp.get("/contracts/<int:contract_id>")
@allow("admin", "billing")
@doc("One contract, with what a 31-minute session costs beyond its quota", response=CONTRACT)
def contract_get(contract_id: int):
    return jsonify(contract_json(_get(Contract, contract_id, "contract")))


@bp.put("/contracts/<int:contract_id>")
@allow("admin")
@doc("Change a contract (send every field)", body=ContractIn, response=CONTRACT)
def contract_update(contract_id: int, body: ContractIn):
    contract = _get(Contract, contract_id, "contract")
    contract = commit_or_field_error(service.save_contract, contract.customer, body.given(),
                                     contract)
    return jsonify(contract_json(contract))


@bp.get("/customers/<int:customer_id>/statement")
@allow("admin", "billing")
@doc("The invoice of a period as it stands now (default: this month so far)",
     response=STATEMENT, query=PeriodQuery)
def customer_statement(customer_id: int, query: PeriodQuery):
    _get(Customer, customer_id, "customer")
    period = period_of(query.period, current_period())
    s = statement(customer_id, period, settings())
    inv = s.invoice
    return jsonify({
        "customer_id": customer_id, "period": str(period), "currency": inv.currency,
        "lines": [{"kind": str(line.kind), "description": line.description,
                   "quantity": quantity(line.quantity), "unit": line.unit,
                   "unit_price": price(line.unit_price), "amount": amount(line.amount),
                   "vat_category": line.vat_category.code, "vat_rate": amount(line.vat_rate)}
                  for line in inv.lines],
        "net": amount(inv.net), "vat": vat_json(inv.vat),
        "vat_total": amount(inv.vat_total), "gross": amount(inv.gross),
        "units": {str(b): s.bill.coverage.units_in(b) for b in billing.Bucket},
        "sessions": [{"entry_id": a.entry_id, "start": a.start.isoformat(),
                      "seconds": a.seconds, "units": a.units,
                      "parts": {str(p.bucket): p.units for p in a.parts}}
                     for a in s.bill.allocations],
        "running_timers": len(s.running),
    })
