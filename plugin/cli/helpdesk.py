"""`quarterhour helpdesk …`: connect a helpdesk, check it, sync tickets in, push time out."""

import click
from flask.cli import AppGroup

from plugin.config import secret_keys, settings
from plugin.db import session, utcnow
from plugin.jobs.helpdesks import deliver_due, sync_all
from plugin.services.errors import FieldError
from plugin.services.helpdesks import connections, mapping

# AppGroup: every command runs in the app context
helpdesk_group = AppGroup("helpdesk", help="Helpdesk connectors: Request Tracker 5 and Zammad.")


@helpdesk_group.command("list", help="The connections (never their tokens).")
def list_command():
    for c in connections.all_connections():
        since = c.synced_since.strftime("%Y-%m-%d %H:%M UTC") if c.synced_since else "never"
        state = "" if c.active else " (off)"
        click.echo(f"{c.source}\t{c.kind}\t{c.url}\tlast sync {since}{state}\t{c.name}")


@helpdesk_group.command("connect", help="Connect a helpdesk; the token is asked for (or read "
                        "from QUARTERHOUR_HELPDESK_TOKEN), stored encrypted, never shown.")
@click.option("--kind", type=click.Choice(["rt", "zammad"]), required=True)
@click.option("--url", required=True, help="the helpdesk's base address")
@click.option("--source", default="", help="what our tickets from it carry (default: kind)")
@click.option("--name", default="")
@click.option("--query", default="", help="RT: TicketSQL; Zammad: a search")
@click.option("--token", envvar="QUARTERHOUR_HELPDESK_TOKEN", prompt=True, hide_input=True)
def connect_command(kind, url, source, name, query, token):
    try:
        connection = connections.create({"kind": kind, "url": url, "source": source,
                                         "name": name, "query": query, "token": token},
                                        secret_keys(), utcnow())
    except FieldError as e:
        session.rollback()
        raise click.BadParameter(e.message, param_hint=f"--{e.field}") from None
    result = connections.check_saved(connection, secret_keys(),
                                     settings().helpdesk.timeout_seconds, utcnow())
    session.commit()
    click.echo(f"connected {connection.source}: {result.message}")


@helpdesk_group.command("check", help="Check a connection: who its token acts as.")
@click.argument("source")
def check_command(source):
    connection = connections.by_source(source)
    if connection is None:
        raise click.BadParameter(f"no connection with source {source!r}", param_hint="SOURCE")
    result = connections.check_saved(connection, secret_keys(),
                                     settings().helpdesk.timeout_seconds, utcnow())
    session.commit()
    click.echo(result.message)
    if not result.ok:
        raise SystemExit(1)


@helpdesk_group.command("sync", help="Import tickets now: every active connection, or one.")
@click.argument("source", required=False)
@click.option("--full", is_flag=True, help="every ticket the query finds, not only changed ones")
def sync_command(source, full):
    if source and connections.by_source(source) is None:
        raise click.BadParameter(f"no connection with source {source!r}", param_hint="SOURCE")
    reports = sync_all(settings(), secret_keys(), utcnow(), source=source, full=full)
    for report in reports:
        click.echo(report.text())
    if not reports:
        click.echo("no helpdesk connected")
    if any(not r.ok for r in reports):
        raise SystemExit(1)


@helpdesk_group.command("push", help="Write the time of stopped sessions that is due to the "
                        "helpdesks now.")
def push_command():
    click.echo(deliver_due(utcnow, settings(), secret_keys()).text())


@helpdesk_group.command("unmapped", help="Tickets that came in but map to no customer.")
def unmapped_command():
    rows = mapping.unmapped()
    for o in rows:
        click.echo(f"{o.source}\t{o.external_id}\t{o.subject}\t{o.unmapped_reason}")
    click.echo(f"{len(rows)} unmapped")


@helpdesk_group.command("rotate-tokens", help="After QUARTERHOUR_SECRET_KEY changed (the old "
                        "one in SECRET_KEY_FALLBACKS): encrypt every stored token anew under "
                        "the new key.")
def rotate_command():
    from plugin.connectors import vault

    keys = secret_keys()
    count = 0
    for c in connections.all_connections():
        c.token_encrypted = vault.rotate(c.token_encrypted, keys)
        if c.webhook_secret_encrypted:
            c.webhook_secret_encrypted = vault.rotate(c.webhook_secret_encrypted, keys)
        count += 1
    session.commit()
    click.echo(f"{count} connections encrypted under the current secret key")
