"""Alembic: upgrade head gives exactly the models' schema; downgrade base removes it all."""

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from plugin import migrate
from plugin.db import VERSION_TABLE, Base
from tests.conftest import ENGINE, PG_URL, make_app


@pytest.fixture
def empty_database_url(tmp_path):
    """A database with nothing in it, on the engine this run of the suite uses."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    import psycopg

    admin = os.environ.get("QUARTERHOUR_PG_ADMIN_URL",
                           "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"qh_empty_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _drift(url: str) -> list:
    engine = create_engine(url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    return [d for d in diff if not (d[0] == "remove_table" and d[1].name == VERSION_TABLE)]


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names


def test_upgrade_head_on_an_empty_database_gives_exactly_the_models_schema(empty_database_url):
    app = make_app(empty_database_url)
    with app.app_context():
        migrate.upgrade()
    assert _tables(empty_database_url) == set(Base.metadata.tables) | {VERSION_TABLE}
    assert _drift(empty_database_url) == [], f"models and migrations differ on {ENGINE}"


def test_downgrade_base_removes_every_table_of_ours(empty_database_url):
    app = make_app(empty_database_url)
    with app.app_context():
        migrate.upgrade()
        migrate.downgrade("base")
    assert _tables(empty_database_url) <= {VERSION_TABLE}


def test_the_database_refuses_a_second_running_timer_for_one_engineer(app, make_user):
    """The partial unique index is real on this engine, not just in the models."""
    from datetime import UTC, datetime

    from sqlalchemy.exc import IntegrityError

    from plugin.db import session
    from plugin.models import Customer, Ticket, TimeEntry

    engineer = make_user("erika", "engineer")
    with app.app_context():
        ticket = Ticket(customer=Customer(name="C"), subject="t")
        session.add(ticket)
        now = datetime.now(UTC)
        session.add(TimeEntry(engineer_id=engineer, ticket=ticket, started_at=now))
        session.commit()
        session.add(TimeEntry(engineer_id=engineer, ticket=ticket, started_at=now))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        # A stopped entry does not count.
        entry = session.query(TimeEntry).one()
        entry.ended_at = now
        session.add(TimeEntry(engineer_id=engineer, ticket=ticket, started_at=now))
        session.commit()


def test_money_keeps_every_cent_on_this_engine(app):
    from decimal import Decimal

    from plugin.db import session
    from plugin.models import Customer

    with app.app_context():
        session.add(Customer(name="C", default_hourly_rate=Decimal("123456789012.34")))
        session.commit()
        session.expire_all()
        assert session.query(Customer).one().default_hourly_rate == Decimal("123456789012.34")
        session.add(Customer(name="D", default_hourly_rate=Decimal("1.005")))
        with pytest.raises(Exception, match="more than 2 decimal places"):
            session.commit()


def test_the_calls_of_frozen_evidence_logs_are_renamed_with_their_column(empty_database_url):
    """0006: a call's `seconds` became `billsec` and its `billed_seconds` `rated_seconds`, in
    qh_calls and in the evidence log of invoices finalized before, and back on downgrade."""
    import json

    from sqlalchemy import text

    app = make_app(empty_database_url)
    before = {"evidence": {"sessions": [{"seconds": 1860}],
                           "calls": [{"call_id": "c1", "seconds": 1830, "billed_seconds": 1860}]}}
    with app.app_context():
        migrate.upgrade("0005")
    engine = create_engine(empty_database_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO qh_customers (id, name, address, country, currency, "
                          "language, vat_exempt, created_at) VALUES (1, 'C', '', 'DE', 'EUR', "
                          "'de', false, '2026-11-01 00:00:00')"))
        conn.execute(text("INSERT INTO qh_invoices (id, kind, status, customer_id, period, "
                          "currency, net, vat, gross, created_at, snapshot) VALUES (1, "
                          "'invoice', 'finalized', 1, '2026-10', 'EUR', '0', '0', '0', "
                          "'2026-11-01 00:00:00', :snapshot)"), {"snapshot": json.dumps(before)})
    with app.app_context():
        migrate.upgrade()
    with engine.connect() as conn:
        after = json.loads(conn.execute(text("SELECT snapshot FROM qh_invoices")).scalar())
        assert "billsec" in {c["name"] for c in inspect(conn).get_columns("qh_calls")}
    assert after["evidence"]["calls"] == [{"call_id": "c1", "billsec": 1830,
                                           "rated_seconds": 1860}]
    assert after["evidence"]["sessions"] == [{"seconds": 1860}]
    with app.app_context():
        migrate.downgrade("0005")
    with engine.connect() as conn:
        again = json.loads(conn.execute(text("SELECT snapshot FROM qh_invoices")).scalar())
    engine.dispose()
    assert again == before
