"""The console commands: create-user, create-token, demo."""

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select

from plugin.db import session
from plugin.models import Call, Contract, Customer, Installation, Tariff, TimeEntry, User


def test_create_user_with_several_roles(app, runner):
    result = runner.invoke(args=["quarterhour", "create-user", "anna", "--role", "admin",
                                 "--role", "billing", "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = session.scalar(select(User).where(User.username == "anna"))
        assert user.roles == {"admin", "billing"}
        assert user.check_password("a-long-password")


def test_create_user_names_the_field_at_fault(runner):
    result = runner.invoke(args=["quarterhour", "create-user", "anna", "--role", "admin",
                                 "--password", "short"])
    assert result.exit_code != 0
    assert "password: must have at least 10 characters" in result.output
    result = runner.invoke(args=["quarterhour", "create-user", "anna", "--role", "boss",
                                 "--password", "a-long-password"])
    assert result.exit_code != 0 and "--role" in result.output


def test_a_username_is_taken_only_once(runner):
    args = ["quarterhour", "create-user", "anna", "--role", "admin",
            "--password", "a-long-password"]
    assert runner.invoke(args=args).exit_code == 0
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and "exists already" in result.output


def _local(*a):
    from zoneinfo import ZoneInfo

    return datetime(*a, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)


def test_demo_loads_worked_example_a_exactly_and_prints_one_user_per_role(app, runner, auth):
    result = runner.invoke(args=["quarterhour", "demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        customer = session.scalar(select(Customer))
        assert customer.name == "Müller Anlagenbau GmbH" and customer.vat_id.startswith("DE")
        contract = session.scalar(select(Contract))
        assert (contract.name, contract.fee, contract.quota_minutes, contract.overflow_rate) == \
            ("Remote Service Basic", Decimal("200.00"), 120, Decimal("45.00"))
        assert (str(contract.valid_from), str(contract.valid_to)) == ("2026-01-01", "2026-12-31")
        press, robot = session.scalars(select(Installation).where(
            Installation.customer_id == customer.id).order_by(Installation.name)).all()
        assert (press.name, press.connection, press.modem_number, str(press.warranty_until)) \
            == ("Press line 3", "modem", "+49891234567", "2026-03-31")
        assert (robot.name, robot.connection, str(robot.warranty_until)) == \
            ("Robot cell 7", "vpn", "2027-06-30")
        tariff = session.scalar(select(Tariff))
        assert (tariff.name, tariff.prefix, tariff.price_per_minute, tariff.first_increment,
                tariff.next_increment) == ("DE landline", "+49", Decimal("0.0200"), 60, 60)
        entries = session.scalars(select(TimeEntry).order_by(TimeEntry.started_at)).all()
        assert [(e.started_at, e.ended_at) for e in entries] == [
            (_local(2026, 10, 2, 9, 0), _local(2026, 10, 2, 9, 31)),
            (_local(2026, 10, 9, 14, 10), _local(2026, 10, 9, 14, 22)),
            (_local(2026, 10, 15, 10, 0), _local(2026, 10, 15, 10, 46)),
            (_local(2026, 10, 20, 16, 5), _local(2026, 10, 20, 16, 20, 1)),
            (_local(2026, 10, 28, 8, 0), _local(2026, 10, 28, 8, 40)),
            (_local(2026, 10, 31, 23, 50), _local(2026, 11, 1, 0, 35)),
        ]
        assert entries[4].ticket.installation.name == "Robot cell 7"
        assert sorted(c.billsec for c in session.scalars(select(Call))) == [61, 1830]
    lines = {line.split()[0]: line.split()[2] for line in result.output.splitlines()
             if "password" in line}
    assert set(lines) == {"engineer", "admin", "billing"}
    for username, password in lines.items():
        assert auth.login(username, password).status_code == 302
        auth.logout()


def test_demo_twice_loads_nothing_twice_and_gives_new_passwords(app, runner):
    first = runner.invoke(args=["quarterhour", "demo"]).output
    second = runner.invoke(args=["quarterhour", "demo"]).output
    assert first != second
    with app.app_context():
        assert session.scalar(select(func.count()).select_from(Customer)) == 2
        assert session.scalar(select(func.count()).select_from(TimeEntry)) == 6
