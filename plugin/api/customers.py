"""API: customers, installations, contracts, and a customer's period ("this month so far").

Amounts travel as decimal strings ("45.00"), never as JSON numbers, so no cent is lost.
"""


from flask import jsonify
from sqlalchemy import select

from plugin import billing
from plugin.access import allow
from plugin.api import bp, commit_or_field_error, doc, json_body, list_of, period_arg
from plugin.api.errors import ApiError
from plugin.config import current_period, settings
from plugin.db import session
from plugin.models import Contract, Customer, Installation
from plugin.services import core_rows
from plugin.services import customers as service
from plugin.services.statement import statement

AMOUNT = {"type": "string", "pattern": r"^\d+(\.\d+)?$", "examples": ["45.00"]}
NULLABLE_AMOUNT = {"type": ["string", "null"], "pattern": r"^\d+(\.\d+)?$"}
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
    "quantity": {"type": "string"}, "unit": {"type": "string"}, "unit_price": AMOUNT,
    "amount": AMOUNT, "vat_category": {"type": "string"}, "vat_rate": AMOUNT}}
STATEMENT = {"type": "object", "properties": {
    "customer_id": {"type": "integer"}, "period": {"type": "string"},
    "currency": {"type": "string"}, "lines": list_of(LINE), "net": AMOUNT,
    "vat": list_of({"type": "object", "properties": {
        "category": {"type": "string"}, "rate": AMOUNT, "base": AMOUNT, "amount": AMOUNT}}),
    "vat_total": AMOUNT, "gross": AMOUNT,
    "units": {"type": "object", "description": "units by bucket",
              "additionalProperties": {"type": "integer"}},
    "sessions": list_of({"type": "object", "properties": {
        "entry_id": {"type": "integer"}, "start": {"type": "string", "format": "date-time"},
        "seconds": {"type": "integer"}, "units": {"type": "integer"},
        "parts": {"type": "object", "additionalProperties": {"type": "integer"}}}}),
    "running_timers": {"type": "integer"}}}


def _s(value) -> str | None:
    return None if value is None else str(value)


def installation_json(i: Installation) -> dict:
    return {"id": i.id, "customer_id": i.customer_id, "name": i.name,
            "connection": i.connection, "modem_number": i.modem_number,
            "warranty_until": _s(i.warranty_until)}


def customer_json(c: Customer) -> dict:
    return {"id": c.id, "name": c.name, "address": c.address, "country": c.country,
            "vat_id": c.vat_id, "billing_email": c.billing_email, "currency": c.currency,
            "language": c.language, "default_hourly_rate": _s(c.default_hourly_rate),
            "buyer_reference": c.buyer_reference, "vat_exempt": c.vat_exempt,
            "invoice_delivery": c.invoice_delivery,
            "installations": [installation_json(i) for i in c.installations]}


def contract_json(c: Contract) -> dict:
    units, amount = billing.overflow_price(core_rows.core_contract(c), 31 * 60)
    return {"id": c.id, "customer_id": c.customer_id, "name": c.name,
            "valid_from": _s(c.valid_from), "valid_to": _s(c.valid_to),
            "installation_ids": [i.id for i in c.installations], "fee": _s(c.fee),
            "quota_minutes": c.quota_minutes, "unlimited_quota": c.quota_minutes is None,
            "overflow_rate": _s(c.overflow_rate), "minimum": _s(c.minimum),
            "unit_seconds": c.unit_seconds, "grace_seconds": c.grace_seconds,
            "rounding_scope": c.rounding_scope, "rollover": c.rollover,
            "rollover_cap_minutes": c.rollover_cap_minutes, "phone_entries": c.phone_entries,
            "seats": c.seats, "seat_pricing": c.seat_pricing,
            "seat_tiers": [{"from_seat": t.from_seat, "price": _s(t.price)}
                           for t in c.seat_tiers],
            "preview_31_min": {"units": units, "overflow_amount": _s(amount)}}


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


@bp.post("/customers")
@allow("admin")
@doc("Create a customer", body=CUSTOMER, response=CUSTOMER, status=201)
def customer_create():
    return jsonify(customer_json(commit_or_field_error(service.save_customer,
                                                       json_body()))), 201


@bp.get("/customers/<int:customer_id>")
@allow("admin", "billing")
@doc("One customer with its installations", response=CUSTOMER)
def customer_get(customer_id: int):
    return jsonify(customer_json(_get(Customer, customer_id, "customer")))


@bp.put("/customers/<int:customer_id>")
@allow("admin")
@doc("Change a customer (send every field)", body=CUSTOMER, response=CUSTOMER)
def customer_update(customer_id: int):
    customer = _get(Customer, customer_id, "customer")
    return jsonify(customer_json(commit_or_field_error(service.save_customer, json_body(),
                                                       customer)))


@bp.post("/customers/<int:customer_id>/installations")
@allow("admin")
@doc("Add an installation", body=INSTALLATION, response=INSTALLATION, status=201)
def installation_create(customer_id: int):
    customer = _get(Customer, customer_id, "customer")
    inst = commit_or_field_error(service.save_installation, customer, json_body(),
                                 settings().default_country)
    return jsonify(installation_json(inst)), 201


@bp.put("/installations/<int:installation_id>")
@allow("admin")
@doc("Change an installation (send every field)", body=INSTALLATION, response=INSTALLATION)
def installation_update(installation_id: int):
    inst = _get(Installation, installation_id, "installation")
    inst = commit_or_field_error(service.save_installation, inst.customer, json_body(),
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
     body=CONTRACT, response=CONTRACT, status=201)
def contract_create(customer_id: int):
    customer = _get(Customer, customer_id, "customer")
    contract = commit_or_field_error(service.save_contract, customer, json_body())
    return jsonify(contract_json(contract)), 201


@bp.get("/contracts/<int:contract_id>")
@allow("admin", "billing")
@doc("One contract, with what a 31-minute session costs beyond its quota", response=CONTRACT)
def contract_get(contract_id: int):
    return jsonify(contract_json(_get(Contract, contract_id, "contract")))


@bp.put("/contracts/<int:contract_id>")
@allow("admin")
@doc("Change a contract (send every field)", body=CONTRACT, response=CONTRACT)
def contract_update(contract_id: int):
    contract = _get(Contract, contract_id, "contract")
    contract = commit_or_field_error(service.save_contract, contract.customer, json_body(),
                                     contract)
    return jsonify(contract_json(contract))


@bp.get("/customers/<int:customer_id>/statement")
@allow("admin", "billing")
@doc("The invoice of a period as it stands now (default: this month so far)",
     response=STATEMENT, query={"period": {"type": "string", "pattern": r"^\d{4}-\d{2}$"}})
def customer_statement(customer_id: int):
    _get(Customer, customer_id, "customer")
    period = period_arg(current_period())
    s = statement(customer_id, period, settings())
    inv = s.invoice
    return jsonify({
        "customer_id": customer_id, "period": str(period), "currency": inv.currency,
        "lines": [{"kind": str(line.kind), "description": line.description,
                   "quantity": _s(line.quantity), "unit": line.unit,
                   "unit_price": _s(line.unit_price), "amount": _s(line.amount),
                   "vat_category": line.vat_category.code, "vat_rate": _s(line.vat_rate)}
                  for line in inv.lines],
        "net": _s(inv.net),
        "vat": [{"category": v.category.code, "rate": _s(v.rate), "base": _s(v.base),
                 "amount": _s(v.amount)} for v in inv.vat],
        "vat_total": _s(inv.vat_total), "gross": _s(inv.gross),
        "units": {str(b): s.bill.coverage.units_in(b) for b in billing.Bucket},
        "sessions": [{"entry_id": a.entry_id, "start": a.start.isoformat(),
                      "seconds": a.seconds, "units": a.units,
                      "parts": {str(p.bucket): p.units for p in a.parts}}
                     for a in s.bill.allocations],
        "running_timers": len(s.running),
    })
