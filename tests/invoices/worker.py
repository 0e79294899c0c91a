"""A separate process that runs or finalizes a period (for the concurrency and kill tests).

    python -m tests.invoices.worker run|finalize DATABASE_URL PERIOD [SLEEP] [MARKER]

Exit 0: done; 3: refused because another run holds the period. With SLEEP, each batch of five
customers takes that long (so a second process surely overlaps, or a kill lands mid-run); after
the first batch the MARKER file is written.
"""

import sys
import time
from datetime import date
from pathlib import Path


def main(action: str, url: str, period_text: str, sleep: float = 0.0, marker: str = "") -> int:
    from plugin import billing, transactions
    from plugin.services.period_lock import RunInProgress
    from tests.invoices.conftest import billing_app

    app = billing_app(url)
    period = billing.Period.parse(period_text)

    def slow(done, total):
        if marker:
            Path(marker).write_text(f"{done}/{total}")
        time.sleep(sleep)

    with app.app_context():
        settings = app.extensions["quarterhour"].settings
        try:
            if action == "run":
                result = transactions.run_period(period, settings, progress=slow, batch_size=5)
            else:
                result = transactions.finalize(period, settings, on=date(2026, 11, 2),
                                               progress=slow)
        except RunInProgress as e:
            print(f"refused: {e}")
            return 3
        print(result.text())
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main(args[0], args[1], args[2], float(args[3]) if len(args) > 3 else 0.0,
                  args[4] if len(args) > 4 else ""))
