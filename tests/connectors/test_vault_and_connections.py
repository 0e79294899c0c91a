"""Connections: the token stored only encrypted (Fernet, key from the secret key by HKDF),
readable again with the secret key or a fallback, never with another; the form's checks."""

import pytest
from sqlalchemy import text

from plugin.connectors import vault

from .helpers import KEYS, NOW, connect
from .zammad_server import TOKEN


def test_a_token_is_stored_encrypted_and_decrypts_with_the_secret_key(app, zammad):
    from plugin.db import session
    from plugin.models import HelpdeskConnection
    from plugin.services.helpdesks import connections

    connection_id = connect(app, "zammad", zammad.url, TOKEN)
    with app.app_context():
        stored = session.execute(text("SELECT token_encrypted FROM qh_helpdesk_connections")
                                 ).scalar_one()
        assert TOKEN not in stored
        connection = session.get(HelpdeskConnection, connection_id)
        assert connections.token_of(connection, KEYS) == TOKEN
        assert connections.client_for(connection, KEYS, 5).check().user == \
            "chris@chrispresso.com"


def test_another_secret_key_cannot_read_a_token_but_a_fallback_can():
    sealed = vault.encrypt("1-42-abc", ["old secret"])
    with pytest.raises(vault.VaultError, match="cannot be decrypted"):
        vault.decrypt(sealed, ["new secret"])
    assert vault.decrypt(sealed, ["new secret", "old secret"]) == "1-42-abc"
    rotated = vault.rotate(sealed, ["new secret", "old secret"])
    assert vault.decrypt(rotated, ["new secret"]) == "1-42-abc"


def test_a_changed_ciphertext_is_refused_not_decrypted_to_garbage():
    sealed = vault.encrypt("token", KEYS)
    tampered = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    with pytest.raises(vault.VaultError):
        vault.decrypt(tampered, KEYS)


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"kind": "otrs"}, "kind", "not one of rt, zammad"),
    ({"kind": "rt", "url": "ftp://rt"}, "url", "not an http"),
    ({"kind": "rt", "url": "http://rt.example", "token": ""}, "token", "API token"),
    ({"kind": "rt", "url": "http://rt.example", "token": "t", "source": "RT Main"}, "source",
     "lower-case"),
])
def test_bad_connection_fields_are_refused_naming_the_field(app, fields, field, message):
    from plugin.db import session
    from plugin.models import HelpdeskConnection
    from plugin.services.errors import FieldError
    from plugin.services.helpdesks import connections

    with app.app_context():
        with pytest.raises(FieldError) as refused:
            connections.create(fields, KEYS, NOW)
        assert refused.value.field == field and message in refused.value.message
        session.rollback()
        assert session.query(HelpdeskConnection).count() == 0


def test_an_empty_token_on_update_keeps_the_stored_one(app, zammad):
    from plugin.db import session
    from plugin.models import HelpdeskConnection
    from plugin.services.helpdesks import connections

    connection_id = connect(app, "zammad", zammad.url, TOKEN)
    with app.app_context():
        connection = session.get(HelpdeskConnection, connection_id)
        connections.update(connection, {"name": "Our Zammad", "token": ""}, KEYS)
        assert connections.token_of(connection, KEYS) == TOKEN
        connections.update(connection, {"name": ""}, KEYS)  # empty: the helpdesk's name
        assert connection.name == "Zammad"
        connections.update(connection, {"token": "new-token"}, KEYS)
        assert connections.token_of(connection, KEYS) == "new-token"


def test_check_says_who_the_token_acts_as_or_what_is_wrong_and_logs_it(app, zammad):
    from plugin.db import session
    from plugin.models import HelpdeskConnection, HelpdeskLogEntry
    from plugin.services.helpdesks import connections

    assert connections.check("zammad", zammad.url, "wrong", 5).code == "unauthorized"
    connection_id = connect(app, "zammad", zammad.url, TOKEN)
    with app.app_context():
        result = connections.check_saved(session.get(HelpdeskConnection, connection_id), KEYS,
                                         5, NOW)
        assert result.ok and result.message == "connected as chris@chrispresso.com"
        line = session.query(HelpdeskLogEntry).one()
        assert (line.event, line.outcome) == ("check", "ok")


def test_a_connections_source_cannot_change_under_its_tickets(app, zammad):
    from plugin.db import session
    from plugin.models import HelpdeskConnection
    from plugin.services.errors import FieldError
    from plugin.services.helpdesks import connections

    connection_id = connect(app, "zammad", zammad.url, TOKEN)
    with app.app_context():
        connection = session.get(HelpdeskConnection, connection_id)
        with pytest.raises(FieldError) as refused:
            connections.update(connection, {"source": "zammad-new"}, KEYS)
        assert refused.value.field == "source"
