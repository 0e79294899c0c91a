"""Console commands for telephony: import call records and price lists."""

import click
from flask.cli import with_appcontext

from plugin.cdr import FORMATS, MODES
from plugin.db import session


@click.command("import-calls")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", required=True,
              type=click.Choice(list(FORMATS)),
              help=", ".join(f"{name}: {fmt.label}" for name, fmt in FORMATS.items()) + ".")
@click.option("--mapping", help="csv only: field=column pairs, e.g. "
                                "'start=Date,caller=From,callee=To,billsec=Seconds'.")
@click.option("--on-error", "mode", type=click.Choice(list(MODES)),
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
    from plugin.textfiles import text_lines

    size = os.path.getsize(file)
    with open(file, "rb") as raw, click.progressbar(length=size, label="Importing") as bar:
        text = text_lines(raw)

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
        if mode == "quarantine":
            raise click.ClickException("file rejected: nothing imported (see above why)")
        raise click.ClickException("file rejected: nothing imported (fix the lines above, or "
                                   "use --on-error quarantine)")


@click.command("import-tariffs")
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
