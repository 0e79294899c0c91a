"""Sign-in under attack: failed sign-ins are throttled per account and per address, an unknown
username costs the same hash as a known one, and guessable passwords are refused."""

import re
import shutil
import socket
import subprocess
import time

import pytest
import werkzeug.security

from plugin.config import ConfigError
from tests.conftest import Auth, csrf_from, make_app, password_for


def _try(client, username, password, address="192.0.2.1"):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"csrf_token": token, "username": username,
                                       "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_the_sixth_wrong_password_in_a_minute_is_throttled_with_a_message(client, make_user):
    make_user("erika", "engineer")
    answers = [_try(client, "erika", "wrong-password").status_code for _ in range(5)]
    assert answers == [401] * 5
    throttled = _try(client, "erika", password_for("erika"))  # even the right one, for now
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0
    html = throttled.get_data(as_text=True)
    # How many minutes depends on where the limiter's window stands on the clock: 1 or 2.
    assert re.search(r"Too many failed sign-ins\. Try again in [12] minutes?\.", html), html
    assert 'name="username"' in html  # the form is still there
    assert client.get("/tickets").status_code == 302  # and nobody signed in


def test_the_throttle_is_said_in_german(client, make_user):
    make_user("erika", "engineer")
    for _ in range(5):
        _try(client, "erika", "wrong-password")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    throttled = client.post("/login", data={"csrf_token": token, "username": "erika",
                                            "password": "x"},
                            headers={"Accept-Language": "de"},
                            environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert throttled.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldungen" in throttled.get_data(as_text=True)


def test_the_account_throttle_holds_from_every_address_and_spares_other_accounts(
        client, make_user):
    make_user("erika", "engineer")
    make_user("max", "engineer")
    for i in range(5):
        assert _try(client, "Erika ", "wrong-password", f"192.0.2.{i}").status_code == 401
    assert _try(client, "erika", "wrong-password", "198.51.100.7").status_code == 429
    assert _try(client, "max", password_for("max"), "198.51.100.7").status_code == 302


def test_one_address_trying_many_accounts_is_throttled(app, make_user):
    client = make_app(app.config["SQLALCHEMY_DATABASE_URI"],
                      QUARTERHOUR_LOGIN_LIMIT_PER_ADDRESS="3 per minute").test_client()
    answers = [_try(client, f"user{i}", "wrong-password").status_code for i in range(4)]
    assert answers == [401, 401, 401, 429]
    assert _try(client, "user9", "wrong-password", "203.0.113.5").status_code == 401


def test_successful_sign_ins_are_not_counted(client, make_user):
    make_user("erika", "engineer")
    auth = Auth(client)
    for _ in range(8):
        assert auth.login("erika").status_code == 302
        auth.logout()


def test_an_unknown_username_costs_the_same_password_hash_as_a_known_one(
        client, make_user, monkeypatch):
    make_user("erika", "engineer")
    _try(client, "warm-up", "x")  # the dummy hash is made once per process
    calls = []
    real = werkzeug.security._hash_internal

    def counting(method, salt, password):
        calls.append(method)
        return real(method, salt, password)

    monkeypatch.setattr(werkzeug.security, "_hash_internal", counting)
    assert _try(client, "erika", "wrong-password").status_code == 401
    known, calls[:] = list(calls), []
    assert _try(client, "nobody", "wrong-password").status_code == 401
    unknown = list(calls)
    assert len(known) == 1 and unknown == known  # one hash each, same method and cost


def test_a_malformed_limit_or_storage_stops_start_up_naming_the_variable(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with pytest.raises(ConfigError, match="QUARTERHOUR_LOGIN_LIMIT_PER_ACCOUNT"):
        make_app(url, QUARTERHOUR_LOGIN_LIMIT_PER_ACCOUNT="five a minute")
    with pytest.raises(ConfigError, match="QUARTERHOUR_RATELIMIT_STORAGE_URI"):
        make_app(url, QUARTERHOUR_RATELIMIT_STORAGE_URI="bogus://x")


@pytest.fixture
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    assert server, "redis-server is missing: scripts/setup-machine.sh installs it"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(tmp_path)],
                            stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


def test_with_redis_every_worker_counts_the_same_failures(app, make_user, redis_url):
    make_user("erika", "engineer")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    first, second = (make_app(url, QUARTERHOUR_RATELIMIT_STORAGE_URI=redis_url).test_client()
                     for _ in range(2))
    for client in (first, second, first, second, first):
        assert _try(client, "erika", "wrong-password").status_code == 401
    assert _try(second, "erika", "wrong-password").status_code == 429


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "1234567890", "password123", "qwertzuiop"])
def test_common_and_trivial_passwords_are_refused_everywhere(client, admin, runner, password):
    result = runner.invoke(args=["quarterhour", "create-user", "anna", "--role", "admin",
                                 "--password", password])
    assert result.exit_code != 0 and "password: too easy to guess" in result.output
    api = client.post("/api/v1/users", json={"username": "anna", "password": password,
                                             "roles": ["admin"]},
                      headers={"X-CSRFToken": admin.csrf})
    assert api.status_code == 422 and api.get_json()["error"]["field"] == "password"
    form = client.post("/admin/users", data={"csrf_token": admin.csrf, "username": "anna",
                                             "roles": "admin", "password": password})
    assert form.status_code == 400 and "too easy to guess" in form.get_data(as_text=True)


def test_a_password_made_of_the_username_is_refused(runner):
    result = runner.invoke(args=["quarterhour", "create-user", "hildegard.stein", "--role",
                                 "admin", "--password", "hildegardstein"])
    assert result.exit_code != 0 and "too easy to guess" in result.output


def test_in_a_host_app_our_limiter_limits_nothing_but_the_sign_in(tmp_path):
    from flask import Flask

    from plugin import QuarterHour

    host = Flask("helpdesk")
    host.config.update(SECRET_KEY="host-secret", TESTING=True, QUARTERHOUR_SCHEDULER="off",
                       SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'host.sqlite'}",
                       RATELIMIT_DEFAULT="1 per minute", RATELIMIT_APPLICATION="1 per minute")

    @host.route("/host-page")
    def host_page():
        return "the host's own page"

    QuarterHour(host)
    client = host.test_client()
    assert [client.get("/host-page").status_code for _ in range(3)] == [200] * 3
    assert [client.get("/quarterhour/login").status_code for _ in range(3)] == [200] * 3
