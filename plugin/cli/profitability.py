"""Console commands of PRODUCT.md §5: `quarterhour profitability check --period YYYY-MM` and
`quarterhour tasks list`."""

import click
from flask.cli import with_appcontext

from plugin.cli.billing import PERIOD, _period
from plugin.config import settings


@click.group("profitability", help="Tariff profitability control (cost caps, flats, per call).")
def profitability_group():
    pass


@profitability_group.command("check")
@PERIOD
@with_appcontext
def check_command(period):
    """Run the checks of a period and print the tasks raised or updated."""
    from plugin.db import utcnow
    from plugin.services.profitability.tasks import title
    from plugin.transactions import check_profitability

    period = _period(period)
    result = check_profitability(period, settings(), utcnow())
    click.echo(result.text())
    for raised in result.raised:
        task = raised.task
        click.echo(f"  {'new' if raised.created else 'updated'} task {task.id} "
                   f"[{task.kind}] {task.customer.name}: {title(task)}")


@click.group("tasks", help="Tasks raised by the profitability control and budget alerts.")
def tasks_group():
    pass


@tasks_group.command("list")
@click.option("--status", type=click.Choice(["open", "done", "all"]), default="open",
              show_default=True)
@click.option("--kind", help="cost_cap, flat, per_call, hourly_floor, budget_alert, follow_up")
@click.option("--assignee", help="Only the tasks of this username.")
@with_appcontext
def list_command(status, kind, assignee):
    """List tasks, newest first."""
    from sqlalchemy import select

    from plugin.db import session
    from plugin.models import User
    from plugin.services.errors import FieldError
    from plugin.services.profitability.tasks import list_tasks, title

    assignee_id = None
    if assignee:
        assignee_id = session.scalar(select(User.id).where(User.username == assignee))
        if assignee_id is None:
            raise click.BadParameter(f"no user {assignee!r}", param_hint="--assignee")
    try:
        rows = list_tasks(None if status == "all" else status, kind, assignee_id)
    except FieldError as e:
        raise click.BadParameter(e.message, param_hint=f"--{e.field}") from None
    for task in rows:
        who = task.assignee.username if task.assignee else "-"
        click.echo(f"{task.id}\t{task.status}\t{task.kind}\t{task.period or ''}\t"
                   f"{task.customer.name}\t{who}\t{title(task)}")
    if not rows:
        click.echo("no tasks")
