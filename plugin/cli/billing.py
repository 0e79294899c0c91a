"""Console commands for billing: `quarterhour billing run|finalize|credit|push` and
`quarterhour export`."""

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from plugin import billing as core
from plugin import exports
from plugin.config import settings


def _period(text: str | None) -> core.Period:
    from plugin.db import utcnow
    from plugin.services.billing_run import previous_period

    if not text:
        return previous_period(settings(), utcnow())
    try:
        return core.Period.parse(text)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--period") from None


PERIOD = click.option("--period", help="YYYY-MM (default: last month, operator's timezone).")


class _Bar:
    """A click progress bar that learns its length from the first report."""

    def __init__(self, label: str):
        self.label, self.bar, self.shown = label, None, 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=max(total, 1), label=self.label,
                                         show_pos=True, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.group("billing", help="Month-end billing: run, finalize, credit, push.")
def billing_group():
    pass


@billing_group.command("run")
@PERIOD
@with_appcontext
def run_command(period):
    """Compute one draft per customer of the period (again: shows what changed)."""
    from plugin.db import utcnow
    from plugin.services.entry_checks import plausible_period
    from plugin.services.errors import FieldError
    from plugin.services.period_lock import RunInProgress
    from plugin.transactions import run_period

    period = _period(period)
    try:
        plausible_period(period, utcnow(), settings(), field="--period")
    except FieldError as e:
        raise click.BadParameter(e.message, param_hint="--period") from None
    bar = _Bar(f"billing {period}")
    try:
        result = run_period(period, settings(), progress=bar)
    except RunInProgress as e:
        raise click.ClickException(str(e)) from None
    finally:
        bar.close()
    click.echo(f"run {result.run_id}: {result.text()}")
    for d in result.diff:
        if d["change"] != "new":
            click.echo(f"  {d['customer']}: {d['change']} {d['net_before']} → {d['net_after']}")


@billing_group.command("finalize")
@PERIOD
@click.option("--date", "issued_on", type=click.DateTime(["%Y-%m-%d"]),
              help="Invoice date (default: today, operator's timezone).")
@with_appcontext
def finalize_command(period, issued_on):
    """Give every draft of the period the next gapless number and lock the period."""
    from plugin.connectors import accounting
    from plugin.jobs.billing import push_pending
    from plugin.transactions import finalize

    period = _period(period)
    bar = _Bar(f"finalizing {period}")
    from plugin.services.invoice_checks import InvoiceIncomplete

    try:
        result = finalize(period, settings(), on=issued_on.date() if issued_on else None,
                          progress=bar)
    except InvoiceIncomplete as e:
        raise click.ClickException(e.message) from None
    finally:
        bar.close()
    click.echo(result.text())
    if accounting.enabled(settings()):
        click.echo(f"accounting push: {push_pending(settings())}")
    if result.stale:
        raise SystemExit(1)


@billing_group.command("credit")
@click.argument("number")
@click.option("--reason", required=True,
              help="Why the invoice is reversed; printed on the credit note.")
@with_appcontext
def credit_command(number, reason):
    """Reverse the finalized invoice NUMBER in full with a credit note (cannot be undone; the
    period opens again for its customer)."""
    from sqlalchemy import select

    from plugin.db import session
    from plugin.models import Invoice
    from plugin.services.errors import FieldError
    from plugin.transactions import credit

    invoice_id = session.scalar(select(Invoice.id).where(Invoice.number == number))
    if invoice_id is None:
        raise click.ClickException(f"no invoice {number}")
    try:
        note = credit(invoice_id, settings(), reason=reason)
    except FieldError as e:
        raise click.ClickException(e.message) from None
    click.echo(f"credit note {note.number} reverses {number}; {note.period} is open again")


@billing_group.command("push")
@click.option("--failed", is_flag=True, help="Also retry deliveries that failed before.")
@with_appcontext
def push_command(failed):
    """Send finalized invoices to the accounting endpoint."""
    from plugin.connectors import accounting
    from plugin.jobs.billing import push_pending

    if not accounting.enabled(settings()):
        raise click.ClickException("QUARTERHOUR_ACCOUNTING_URL is not set")
    click.echo(push_pending(settings(), include_failed=failed))


@click.command("export")
@PERIOD
@click.option("--format", "name", required=True,
              type=click.Choice([*exports.FORMATS, exports.ZIP]),
              help="A format of plugin.exports.FORMATS, or zip: all of them.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_command(period, name, out):
    """Write the period's numbered invoices in a format into DIR (zip: all formats)."""
    period = str(_period(period))
    out.mkdir(parents=True, exist_ok=True)
    if name == exports.ZIP:
        files, problems = [(f"quarterhour-{period}.zip",
                            exports.zip_period(period, settings()))], []
    else:
        files, problems = exports.export_period(period, name, settings())
    for file_name, data in files:
        (out / file_name).write_bytes(data)
        click.echo(out / file_name)
    for problem in problems:
        click.echo(f"skipped: {problem}", err=True)
    if problems:
        raise SystemExit(1)




@click.group("invoices", help="Finalized invoices: send them to the customers.")
def invoices_group():
    pass


@invoices_group.command("send")
@PERIOD
@with_appcontext
def send_command(period):
    """Queue every finalized invoice of the period for its customer (by the customer's
    delivery choice; queued before: not again) and deliver the outbox now."""
    from plugin.db import session, utcnow
    from plugin.mail import outbox
    from plugin.services import invoice_mail

    period = _period(period)
    result = invoice_mail.queue_period(str(period), settings(), utcnow())
    session.commit()
    click.echo(result.text())
    report = outbox.deliver_due(utcnow, settings())
    click.echo(f"mail: {report.text()}")
    if not report.configured or report.failed:
        raise SystemExit(1)
