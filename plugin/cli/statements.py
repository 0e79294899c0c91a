"""Console commands for live statements: `quarterhour statements refresh|work|show` and
`quarterhour dashboard`."""

import json

import click
from flask.cli import with_appcontext

from plugin import billing as core
from plugin.config import current_period, settings


def _period(text: str | None) -> core.Period:
    if not text:
        return current_period()
    try:
        return core.Period.parse(text)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--period") from None


PERIOD = click.option("--period", help="YYYY-MM (default: this month, operator's timezone).")


@click.group("statements", help="Live statements: each customer's month as billed now.")
def statements_group():
    pass


@statements_group.command("refresh")
@PERIOD
@click.option("--all", "everything", is_flag=True,
              help="Recompute every statement of the period, not only the stale ones.")
@with_appcontext
def refresh_command(period, everything):
    """Recompute the stale statements now (what the workers do every few seconds)."""
    from plugin import transactions
    from plugin.db import session, utcnow
    from plugin.models import LiveStatement
    from plugin.services import live

    period = _period(period)
    live.ensure_period(period)
    if everything:
        live.mark(session.connection(), [
            (c, str(period)) for c in session.scalars(
                LiveStatement.__table__.select().with_only_columns(
                    LiveStatement.customer_id).where(LiveStatement.period == str(period)))])
    session.commit()
    done = 0
    while count := transactions.refresh_statements(settings(), utcnow(), limit=500):
        done += count
    click.echo(f"{done} statements recomputed; {live.stale_count()} stale")


@statements_group.command("work")
@click.option("--every", default=1.0, show_default=True, type=click.FloatRange(min=0.05),
              help="Seconds between rounds.")
@with_appcontext
def work_command(every):
    """Keep the live statements current until stopped (SIGTERM or Ctrl-C): a process of its
    own, for web workers run with QUARTERHOUR_STATEMENT_REFRESH_SECONDS=0."""
    import signal
    import threading

    from plugin.jobs.statements import work

    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    click.echo(f"keeping live statements current every {every:g} s (SIGTERM stops)")
    done = work(every, stopping)
    click.echo(f"stopped: {done} statements recomputed")


@statements_group.command("show")
@click.argument("customer_id", type=int)
@PERIOD
@with_appcontext
def show_command(customer_id, period):
    """A customer's live statement as JSON."""
    from plugin.services import live

    try:
        figures = live.current(customer_id, _period(period), settings())
    except LookupError as e:
        raise click.ClickException(str(e)) from None
    click.echo(json.dumps(figures, indent=2))


@click.command("dashboard")
@PERIOD
@click.option("--sort", type=click.Choice(["customer", "net", "telephony", "units",
                                           "quota_used"]), default="customer")
@click.option("--desc", is_flag=True, help="Largest first.")
@click.option("--search", default="", help="Part of the customer's name.")
@click.option("--page", default=1, type=int)
@with_appcontext
def dashboard_command(period, sort, desc, search, page):
    """Every customer's month so far, with totals (the dashboard screen as text)."""
    from plugin.services import dashboard

    result = dashboard.dashboard(_period(period), settings(), sort=sort, descending=desc,
                                 search=search, page=page)
    t = result.totals
    click.echo(f"{result.period}: {t.customers} customers, {t.units} units, net {t.net}, "
               f"telephony {t.telephony}, {t.unmatched_calls} unmatched and "
               f"{t.unrated_calls} unrated calls, {t.stale} stale "
               f"(page {result.page} of {result.pages})")
    for row in result.rows:
        f = row.figures
        used = f["quota_used_percent"]
        click.echo(f"  {row.customer[:40]:40} {f['total_units']:>6} units  "
                   f"quota {used + ' %' if used is not None else '—':>8}  "
                   f"telephony {f['telephony']:>10}  net {f['net']:>12}")
