"""The outbox-delivery job (plugin.toml [jobs.outbox-delivery]): send the e-mails that are due.

plugin.jobs claims each scheduled run once per cluster; the row claims in deliver_due keep a
row from being sent twice even when runs overlap (a slow server) or a CLI command sends too.
"""

from collections.abc import Callable
from datetime import datetime

from flask import current_app

from plugin.config import Settings
from plugin.db import utcnow
from plugin.mail import outbox

BATCH = 200  # per run: a backlog drains over a few minutes without one run holding on for long


def deliver_outbox(settings: Settings | None = None,
                   clock: Callable[[], datetime] = utcnow, limit: int = BATCH) -> str:
    settings = settings or current_app.extensions["quarterhour"].settings
    return outbox.deliver_due(clock, settings, limit).text()
