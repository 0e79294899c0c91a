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


def _user_id(username: str) -> int:
    from sqlalchemy import select

    from plugin.models import User

    user_id = session.scalar(select(User.id).where(User.username == username))
    if user_id is None:
        raise click.UsageError(f"no user named {username!r}")
    return user_id


@click.command("disable-user")
@click.argument("username")
@with_appcontext
def disable_user_command(username):
    """Disable a user: no sign-in, their sessions end, their API tokens are refused."""
    _set_active(username, False)


@click.command("enable-user")
@click.argument("username")
@with_appcontext
def enable_user_command(username):
    """Enable a disabled user again (their API tokens work again)."""
    _set_active(username, True)


def _set_active(username: str, active: bool) -> None:
    from plugin.services.errors import FieldError
    from plugin.services.users import set_active

    try:
        set_active(_user_id(username), active)
        session.commit()
    except FieldError as e:
        raise click.UsageError(str(e)) from None
    click.echo(f"{'enabled' if active else 'disabled'} user {username}")


@click.command("reset-password")
@click.argument("username")
@click.option("--password", help="The new password (default: a random one, printed once).")
@with_appcontext
def reset_password_command(username, password):
    """Set a user's password (every session of the user ends)."""
    from plugin.services.errors import FieldError
    from plugin.services.users import reset_password

    try:
        new = reset_password(_user_id(username), password)
        session.commit()
    except FieldError as e:
        raise click.UsageError(str(e)) from None
    click.echo(f"password of {username} reset" + ("" if password else f": {new}"))


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
