"""Console commands to set up: migrations, users and their tokens, the demo, the access rules."""

import click
from flask.cli import with_appcontext

from plugin import migrate
from plugin.db import session
from plugin.models.users import ROLES


@click.group("db", help="Our migrations (own version table), for a host app.")
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


@click.command("create-user")
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


@click.command("create-token")
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


@click.command("demo")
@with_appcontext
def demo_command():
    """Load the demo: worked example A of PRODUCT.md and one user per role."""
    from plugin.config import settings
    from plugin.services.demo import DemoExists, load_demo

    try:
        users = load_demo(settings())
        session.commit()
    except DemoExists as e:
        raise click.ClickException(str(e)) from None
    click.echo("Demo data loaded: worked example A (Müller Anlagenbau GmbH, October 2026).")
    click.echo("Log in at /login as:")
    for username, password, roles in users:
        click.echo(f"  {username:<10} password {password:<14} roles: {', '.join(roles)}")


@click.command("access")
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
