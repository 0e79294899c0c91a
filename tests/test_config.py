"""Configuration from the environment, and refusing to run in production without a secret."""

import pytest

from plugin.app import create_app
from plugin.config import ConfigError


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("QUARTERHOUR_INSTANCE_PATH", str(tmp_path))
    for key in ("QUARTERHOUR_SECRET_KEY", "QUARTERHOUR_ENV", "QUARTERHOUR_DATABASE_URL"):
        monkeypatch.delenv(key, raising=False)
    return monkeypatch


def test_production_refuses_to_start_without_a_secret_key(env):
    with pytest.raises(ConfigError, match="QUARTERHOUR_SECRET_KEY"):
        create_app()


def test_production_starts_with_a_secret_key_from_the_environment(env):
    env.setenv("QUARTERHOUR_SECRET_KEY", "s" * 64)
    app = create_app()
    assert app.secret_key == "s" * 64
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_development_keeps_a_generated_secret_in_the_instance_folder(env, tmp_path):
    env.setenv("QUARTERHOUR_ENV", "development")
    first, second = create_app().secret_key, create_app().secret_key
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_the_database_defaults_to_sqlite_in_the_instance_folder(env, tmp_path):
    env.setenv("QUARTERHOUR_ENV", "development")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == \
        f"sqlite:///{tmp_path / 'quarterhour.sqlite'}"


def test_a_postgresql_url_uses_psycopg_3(env):
    env.setenv("QUARTERHOUR_ENV", "development")
    env.setenv("QUARTERHOUR_DATABASE_URL", "postgresql://u@db.example/qh")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == \
        "postgresql+psycopg://u@db.example/qh"


def test_settings_come_from_the_environment_over_the_manifest_defaults(env):
    env.setenv("QUARTERHOUR_ENV", "development")
    env.setenv("QUARTERHOUR_TIMEZONE", "Europe/Vienna")
    env.setenv("QUARTERHOUR_VAT_RATE", "20")
    settings = create_app().extensions["quarterhour"].settings
    assert str(settings.timezone) == "Europe/Vienna"
    assert str(settings.vat_rate) == "20"
    assert settings.currency == "EUR"  # the manifest default


def test_the_host_config_wins_over_the_environment(env):
    env.setenv("QUARTERHOUR_ENV", "development")
    env.setenv("QUARTERHOUR_CURRENCY", "CHF")
    app = create_app({"QUARTERHOUR_CURRENCY": "USD"})
    assert app.extensions["quarterhour"].settings.currency == "USD"


@pytest.mark.parametrize(("name", "value"), [
    ("TIMEZONE", "Mars/Olympus"),
    ("CDR_TIMEZONE", "Pluto/Base"),
    ("VAT_RATE", "nineteen"),
    ("CURRENCY", "EURO"),
    ("PAYMENT_TERMS_DAYS", "14 days"),
    ("INVOICE_NUMBER_FORMAT", "QH-{customer}"),
    ("TIMER_CHECK_CRON", "every quarter hour"),
])
def test_a_malformed_setting_stops_start_up_naming_the_variable(env, name, value):
    env.setenv("QUARTERHOUR_ENV", "development")
    env.setenv(f"QUARTERHOUR_{name}", value)
    env.setenv("QUARTERHOUR_SCHEDULER", "on")
    with pytest.raises(ConfigError, match=f"QUARTERHOUR_{name}"):
        create_app()
