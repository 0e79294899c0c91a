"""A separate process that delivers the outbox (for the two-worker test).

    python -m tests.mail.worker DATABASE_URL SMTP_PORT NOW READY_FILE GO_FILE

Builds the app, writes READY_FILE, waits for GO_FILE (so both workers start sending together),
then runs deliver_due with the clock fixed at NOW (ISO 8601) and prints the report.
"""

import sys
import time
from datetime import datetime
from pathlib import Path


def main(url: str, port: str, now: str, ready: str, go: str) -> int:
    from plugin.mail import outbox
    from tests.mail.conftest import mail_app

    app = mail_app(url, f"smtp://127.0.0.1:{port}")
    instant = datetime.fromisoformat(now)
    Path(ready).write_text("ready")
    deadline = time.monotonic() + 60
    while not Path(go).exists():
        if time.monotonic() > deadline:
            return 2
        time.sleep(0.01)
    with app.app_context():
        report = outbox.deliver_due(lambda: instant, app.extensions["quarterhour"].settings)
    print(report.sent)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:6]))
