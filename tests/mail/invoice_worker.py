"""A separate process that sends a period's invoices (for the two-worker test).

    python -m tests.mail.invoice_worker DATABASE_URL SMTP_PORT READY_FILE GO_FILE

Builds the app, writes READY_FILE, waits for GO_FILE, then does what `quarterhour invoices
send --period 2026-10` does (queue every finalized invoice, commit, deliver) and prints how
many e-mails it sent.
"""

import sys
import time
from datetime import UTC, datetime
from pathlib import Path


def main(url: str, port: str, ready: str, go: str) -> int:
    from plugin.db import session
    from plugin.mail import outbox
    from plugin.services import invoice_mail
    from tests.mail.conftest import mail_app

    app = mail_app(url, f"smtp://127.0.0.1:{port}")
    now = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    Path(ready).write_text("ready")
    deadline = time.monotonic() + 60
    while not Path(go).exists():
        if time.monotonic() > deadline:
            return 2
        time.sleep(0.01)
    with app.app_context():
        settings = app.extensions["quarterhour"].settings
        invoice_mail.queue_period("2026-10", settings, now)
        session.commit()
        report = outbox.deliver_due(lambda: now, settings)
    print(report.sent)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
