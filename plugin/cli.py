"""Console commands: `quarterhour …` standalone, `flask quarterhour …` in a host."""

import click
from flask.cli import AppGroup, with_appcontext

from plugin import migrate
from plugin.db import session
from plugin.models.users import ROLES

commands = AppGroup("quarterhour", help="Quarterhour: timers, contracts, invoices.")


@commands.group("db", help="Our migrations (own version table), for a host app.")
def db_group():
    pass


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision):
    migrate.upgrade(revision)


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision):
    migrate.downgrade(revision)


@db_group.command("current")
@with_appcontext
def db_current():
    migrate.current()


@commands.command("create-user")
@click.argument("username")
@click.option("--name", "display_name", help="Display name (default: the username).")
@click.option("--email")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES),
              help="Repeat for several roles.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_user_command(username, display_name, email, roles, password):
    """Create a user with one or more roles."""
    from plugin.services.errors import FieldError
    from plugin.services.users import create_user

    try:
        user = create_user(username, password, roles, display_name=display_name, email=email)
        session.commit()
    except FieldError as e:
        raise click.UsageError(str(e)) from None
    click.echo(f"created user {user.username} ({', '.join(sorted(user.roles))})")


@commands.command("create-token")
@click.argument("username")
@click.option("--name", default="cli", help="What the token is for.")
@with_appcontext
def create_token_command(username, name):
    """Issue an API token for a user; it is printed once and stored only hashed."""
    from plugin.services.errors import FieldError
    from plugin.services.users import issue_token

    try:
        token = issue_token(username, name)
        session.commit()
    except FieldError as e:
        raise click.UsageError(str(e)) from None
    click.echo(token)


@commands.command("demo")
@with_appcontext
def demo_command():
    """Load the demo: worked example A of PRODUCT.md and one user per role."""
    from plugin.services.demo import DemoExists, load_demo

    try:
        users = load_demo()
        session.commit()
    except DemoExists as e:
        raise click.ClickException(str(e)) from None
    click.echo("Demo data loaded: worked example A (Müller Anlagenbau GmbH, October 2026).")
    click.echo("Log in at /login as:")
    for username, password, roles in users:
        click.echo(f"  {username:<10} password {password:<14} roles: {', '.join(roles)}")


@commands.command("access")
@with_appcontext
def access_command():
    """List every route with who may use it (the rules the permission matrix test checks)."""
    from flask import current_app

    from plugin.access import rule_of

    rows = []
    for rule in current_app.url_map.iter_rules():
        who = rule_of(rule.endpoint)
        methods = ",".join(sorted(rule.methods - {"HEAD", "OPTIONS"}))
        rows.append((rule.rule, methods, ", ".join(sorted(who)) if who else "NO RULE"))
    for path, methods, who in sorted(rows):
        click.echo(f"{methods:<12} {path:<60} {who}")


@commands.command("import-calls")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", required=True,
              type=click.Choice(["asterisk", "freeswitch", "csv"]),
              help="Asterisk Master.csv, FreeSWITCH mod_cdr_csv, or a CSV with a header.")
@click.option("--mapping", help="csv only: field=column pairs, e.g. "
                                "'start=Date,caller=From,callee=To,billsec=Seconds'.")
@click.option("--on-error", "mode", type=click.Choice(["reject", "quarantine"]),
              default="reject", show_default=True,
              help="A malformed row rejects the whole file, or only itself.")
@with_appcontext
def import_calls_command(file, fmt, mapping, mode):
    """Import call records (CDRs); importing a file again imports no call twice."""
    import json
    import os

    from plugin.config import settings
    from plugin.services.calls import import_calls
    from plugin.services.errors import FieldError
    from plugin.textfiles import text_stream

    size = os.path.getsize(file)
    with open(file, "rb") as raw, click.progressbar(length=size, label="Importing") as bar:
        text = text_stream(raw)

        def progress(_rows):
            bar.update(raw.tell() - bar.pos)

        try:
            record = import_calls(text, fmt, settings=settings(),
                                  filename=os.path.basename(file), mode=mode,
                                  mapping=mapping, progress=progress)
            session.commit()
        except FieldError as e:
            session.rollback()
            raise click.UsageError(str(e)) from None
        bar.update(size - bar.pos)
    click.echo(f"import {record.id} {record.status}: {record.rows_read} read, "
               f"{record.imported} imported, {record.duplicates} duplicates, "
               f"{record.unmatched} unmatched, {record.unrated} unrated, "
               f"{record.rejected} rejected")
    for error in json.loads(record.errors):
        where = f"line {error['line']}: " if error["line"] is not None else ""
        click.echo(f"  {where}{error['reason']}", err=True)
    if record.status == "rejected":
        raise click.ClickException("file rejected: nothing imported (fix the lines above, or "
                                   "use --on-error quarantine)")


@commands.command("import-tariffs")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_tariffs_command(file):
    """Import a price list (CSV with a header); all or nothing."""
    from plugin.services.errors import FieldError
    from plugin.services.tariffs import import_tariffs

    with open(file, encoding="utf-8-sig", newline="") as stream:
        try:
            result = import_tariffs(stream)
            session.commit()
        except FieldError as e:
            session.rollback()
            raise click.ClickException(e.message) from None
    click.echo(f"tariffs: {result.created} new, {result.updated} changed")


def _register_billing() -> None:
    from plugin.cli_billing import billing_group, export_command

    commands.add_command(billing_group)
    commands.add_command(export_command)


_register_billing()
