"""Tariffs: validation naming the field, one price per prefix and date, CSV price lists."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from plugin.db import session
from plugin.services import tariffs
from plugin.services.errors import FieldError

GOOD = {"name": "DE mobile", "prefix": "0049 15", "valid_from": "2026-01-01",
        "price_per_minute": "0.09", "first_increment": "30", "next_increment": "6"}


def test_a_tariff_is_created_with_defaults_and_an_e164_prefix(app):
    with app.app_context():
        t = tariffs.create_tariff(GOOD)
        assert (t.prefix, t.valid_from, t.price_per_minute, t.connect_fee, t.first_increment,
                t.next_increment, t.markup_percent, t.minimum_charge) == \
            ("+4915", date(2026, 1, 1), Decimal("0.09"), Decimal("0"), 30, 6, Decimal("0"),
             Decimal("0"))


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"prefix": "089"}, "prefix", "not an international (E.164) prefix"),
    ({"prefix": None}, "prefix", "is required"),
    ({"price_per_minute": "-1"}, "price_per_minute", "between 0"),
    ({"price_per_minute": "0.00001"}, "price_per_minute", "at most 4 decimal places"),
    ({"markup_percent": "1.5%"}, "markup_percent", "not a number"),
    ({"first_increment": "0"}, "first_increment", "1 to 3600"),
    ({"next_increment": "six"}, "next_increment", "not a whole number"),
    ({"valid_from": "1.1.2026"}, "valid_from", "not a date"),
    ({"colour": "red"}, "colour", "unknown field"),
])
def test_bad_tariff_fields_are_named(app, change, field, message):
    with app.app_context(), pytest.raises(FieldError) as e:
        tariffs.create_tariff({**GOOD, **change})
    assert e.value.field == field and message in e.value.message


def test_one_price_per_prefix_and_date_and_new_lists_from_a_later_date(app):
    with app.app_context():
        tariffs.create_tariff(GOOD)
        with pytest.raises(FieldError, match="already") as e:
            tariffs.create_tariff(GOOD)
        assert e.value.field == "valid_from"
        tariffs.create_tariff({**GOOD, "valid_from": "2027-01-01", "price_per_minute": "0.08"})
        assert [t.price_per_minute for t in tariffs.list_tariffs(date(2026, 12, 31))] == \
            [Decimal("0.0900")]
        assert [t.price_per_minute for t in tariffs.list_tariffs(date(2027, 1, 1))] == \
            [Decimal("0.0800")]


PRICE_LIST = """name;prefix;valid_from;price_per_minute;connect_fee;first_increment;next_increment
DE landline;+49;2027-01-01;0,02;0;60;60
DE mobile;+4915;2027-01-01;0,09;0,05;30;6
"""


def test_a_price_list_is_imported_and_imported_again_changes_instead_of_duplicating(app):
    with app.app_context():
        assert tariffs.import_tariffs(io.StringIO(PRICE_LIST)) == tariffs.TariffImport(2, 0)
        session.commit()
        assert tariffs.import_tariffs(io.StringIO(PRICE_LIST.replace("0,09", "0,07"))) == \
            tariffs.TariffImport(0, 2)
        session.commit()
        mobile = [t for t in tariffs.list_tariffs() if t.prefix == "+4915"]
        assert [(t.price_per_minute, t.connect_fee) for t in mobile] == \
            [(Decimal("0.07"), Decimal("0.05"))]


def test_a_bad_price_list_imports_nothing_and_names_every_bad_line(app):
    bad = PRICE_LIST + "AT;+43;2027-01-01;cheap;0;60;60\nCH;41;2027-01-01;0.1;0;60;60\n"
    with app.app_context():
        with pytest.raises(FieldError) as e:
            tariffs.import_tariffs(io.StringIO(bad))
        session.rollback()
        assert e.value.field == "file"
        assert "line 4, price_per_minute: 'cheap' is not a number" in e.value.message
        assert "line 5, prefix:" in e.value.message
        assert tariffs.list_tariffs() == []
        with pytest.raises(FieldError, match="missing: price_per_minute"):
            tariffs.import_tariffs(io.StringIO("name,prefix,valid_from\n"))


def test_a_tariff_in_use_cannot_be_deleted(app, world):
    from .conftest import run_import

    run_import(app, "")  # an empty file is a valid, empty import
    with app.app_context():
        from plugin.models import Call

        session.add(Call(unique_key="x", direction="outbound", caller="201", callee="+491",
                         started_at=datetime(2026, 10, 1, tzinfo=UTC), tariff_id=world.landline))
        session.commit()
        with pytest.raises(FieldError, match="1 calls are rated"):
            tariffs.delete_tariff(world.landline)
