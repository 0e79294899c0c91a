"""Calls name customers, installations and tariffs without foreign keys (issue 17): the import
checks what it wrote before it commits, and the database refuses to delete what calls name."""

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from plugin.db import session
from plugin.models import Call, Customer, CustomerNumber, Installation, Tariff

from .conftest import master_row, run_import


def refused(app, statement) -> str:
    """Run a change that the database must refuse; its message."""
    with app.app_context():
        with pytest.raises(IntegrityError) as e:
            session.execute(statement)
            session.flush()
        session.rollback()
        return str(e.value.orig)


def test_a_customer_with_calls_cannot_be_deleted_one_without_can(app, world, make_customer):
    run_import(app, master_row(src="08161123456", dst="300", context="from-trunk"))
    with app.app_context():  # Huber's numbers go; his call stays and names him
        session.execute(delete(CustomerNumber).where(CustomerNumber.customer_id == world.huber))
        session.commit()
    message = refused(app, delete(Customer).where(Customer.id == world.huber))
    assert "a customer with calls cannot be deleted" in message
    assert "qh_customers" in message
    unused = make_customer("Nobody GmbH")
    with app.app_context():
        session.execute(delete(Customer).where(Customer.id == unused))
        session.commit()
        assert session.get(Customer, world.huber) is not None
        assert session.get(Customer, unused) is None


def test_an_installation_or_tariff_with_calls_cannot_be_deleted_nor_renumbered(app, world):
    run_import(app, master_row())  # Müller's modem, rated with the landline tariff
    assert "an installation with calls cannot be deleted" in refused(
        app, delete(Installation).where(Installation.id == world.press))
    assert "a tariff that rates calls cannot be deleted" in refused(
        app, delete(Tariff).where(Tariff.id == world.landline))
    assert "cannot be deleted" in refused(
        app, update(Tariff).where(Tariff.id == world.landline).values(id=9999))
    with app.app_context():  # a change of anything else is no renumbering
        session.execute(update(Tariff).where(Tariff.id == world.landline).values(name="DE"))
        session.execute(delete(Installation).where(Installation.id == world.robot))
        session.commit()


def test_the_tariff_api_says_why_a_tariff_with_calls_is_not_deleted(client, admin, app, world):
    run_import(app, master_row())
    r = client.delete(f"/api/v1/tariffs/{world.landline}", headers={"X-CSRFToken": admin.csrf})
    assert r.status_code == 422
    assert "add a new version with a later valid_from" in r.get_json()["error"]["message"]


def test_an_import_naming_a_customer_deleted_meanwhile_fails_naming_the_rows(
        app, world, monkeypatch):
    """As if the customer had been deleted after the import loaded its numbers: the check
    before commit finds the rows that name it, and nothing is stored."""
    from plugin.services.calls import importing
    from plugin.services.calls.matching import Matcher

    real_load = Matcher.load

    def load(settings):
        matcher = real_load(settings)
        matcher.modems["+49891234567"] = (424242, world.press)  # a customer that is gone
        return matcher

    monkeypatch.setattr(importing.Matcher, "load", staticmethod(load))
    result = run_import(app, master_row(uniqueid="gone.1", start="2026-10-02 08:59:00")
                        + master_row(dst="0301234567", uniqueid="fine.1"))
    assert (result["status"], result["imported"]) == ("rejected", 0)
    [(line, reason)] = result["errors"]
    assert line is None
    assert reason.startswith("call asterisk:gone.1:")
    assert reason.endswith("(2026-10-02 06:59 UTC) names customer 424242, which was "
                           "deleted meanwhile")
    with app.app_context():
        assert session.scalar(select(func.count()).select_from(Call)) == 0
