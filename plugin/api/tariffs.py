"""API: tariffs (telephony prices by destination prefix) and price-list import."""

from decimal import Decimal
from typing import Annotated

from flask import jsonify, request
from pydantic import Field

from plugin.access import allow
from plugin.api import bp, commit_or_field_error, doc, list_of
from plugin.api.errors import ApiError
from plugin.api.schemas import Amount, Body, Day, Query, Text
from plugin.models import Tariff
from plugin.services import tariffs
from plugin.services.errors import FieldError
from plugin.textfiles import text_stream

MONEY = {"type": "string", "pattern": r"^\d+(\.\d+)?$",
         "description": "a decimal number as a string, e.g. \"0.0200\""}
TARIFF = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"},
    "prefix": {"type": "string", "description": "E.164 prefix, e.g. +4989"},
    "valid_from": {"type": "string", "format": "date"},
    "price_per_minute": MONEY, "connect_fee": MONEY,
    "first_increment": {"type": "integer", "minimum": 1, "maximum": 3600},
    "next_increment": {"type": "integer", "minimum": 1, "maximum": 3600},
    "markup_percent": MONEY, "minimum_charge": MONEY}}
Increment = Annotated[int, Field(ge=1, le=tariffs.MAX_INCREMENT)]


class TariffIn(Body):
    """A tariff version as a client sends it."""

    name: Text(100)
    prefix: Text(30, description="E.164 prefix, e.g. +4989 (0049… and spaces accepted)")
    valid_from: Day
    price_per_minute: Amount
    connect_fee: Amount = "0"
    first_increment: Increment = 60
    next_increment: Increment = 60
    markup_percent: Amount = "0"
    minimum_charge: Amount = "0"


class TariffChange(Body):
    """The fields of a tariff version to change."""

    name: Text(100) = None
    prefix: Text(30) = None
    valid_from: Day = None
    price_per_minute: Amount = None
    connect_fee: Amount = None
    first_increment: Increment = None
    next_increment: Increment = None
    markup_percent: Amount = None
    minimum_charge: Amount = None


class TariffImportForm(Query):
    """No field beside `file` (a CSV price list with a header row)."""


class TariffQuery(Query):
    on: Day | None = Field(None, description="only the versions in effect on this date")


def _amount(t: Tariff, name: str) -> str:
    """At the column's scale, so both engines answer alike ("0.0200", "10.00")."""
    return str(getattr(t, name).quantize(Decimal(1).scaleb(-tariffs.PLACES[name])))


def tariff_json(t: Tariff) -> dict:
    return {"id": t.id, "name": t.name, "prefix": t.prefix, "valid_from": t.valid_from.isoformat(),
            **{name: _amount(t, name) for name in tariffs.PLACES},
            "first_increment": t.first_increment, "next_increment": t.next_increment}


@bp.get("/tariffs")
@allow("admin", "billing")
@doc("Tariff versions by prefix and date", response=list_of(TARIFF), query=TariffQuery)
def tariff_list(query: TariffQuery):
    return jsonify([tariff_json(t) for t in tariffs.list_tariffs(query.on)])


def _tariff(tariff_id: int) -> Tariff:
    try:
        return tariffs.get_tariff(tariff_id)
    except FieldError as e:
        raise ApiError(404, "not_found", e.message, None) from None


@bp.get("/tariffs/<int:tariff_id>")
@allow("admin", "billing")
@doc("One tariff version", response=TARIFF)
def tariff_get(tariff_id: int):
    return jsonify(tariff_json(_tariff(tariff_id)))


@bp.post("/tariffs")
@allow("admin")
@doc("Create a tariff version (amounts as strings)", body=TariffIn, response=TARIFF,
     status=201)
def tariff_create(body: TariffIn):
    tariff = commit_or_field_error(tariffs.create_tariff, body.given())
    return jsonify(tariff_json(tariff)), 201


@bp.patch("/tariffs/<int:tariff_id>")
@allow("admin")
@doc("Change fields of a tariff version; rated calls keep their cost until rated again",
     body=TariffChange, response=TARIFF)
def tariff_update(tariff_id: int, body: TariffChange):
    _tariff(tariff_id)
    tariff = commit_or_field_error(tariffs.update_tariff, tariff_id, body.given())
    return jsonify(tariff_json(tariff))


@bp.delete("/tariffs/<int:tariff_id>")
@allow("admin")
@doc("Delete a tariff version no call is rated with (else 422)", status=204)
def tariff_delete(tariff_id: int):
    _tariff(tariff_id)
    commit_or_field_error(tariffs.delete_tariff, tariff_id)
    return "", 204


@bp.post("/tariffs/import")
@allow("admin")
@doc("Import a price list: multipart/form-data with `file` (CSV with a header); all or "
     "nothing", form=TariffImportForm, response={"type": "object", "properties": {
         "created": {"type": "integer"}, "updated": {"type": "integer"}}})
def tariff_import(form: TariffImportForm):
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(422, "missing_field", "Send the price list as multipart/form-data "
                                             "field 'file'.", "file")
    stream = text_stream(upload.stream)
    try:
        result = commit_or_field_error(tariffs.import_tariffs, stream)
    except UnicodeDecodeError:
        raise ApiError(422, "invalid_field", "The file is not UTF-8 text.", "file") from None
    return jsonify({"created": result.created, "updated": result.updated})
