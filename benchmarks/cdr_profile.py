"""Profile: the Python cost per row of a call import (read, parse, match, rate), no database.

    python benchmarks/cdr_profile.py [--rows 200000] [--top 20]

Generates the benchmark's seeded Asterisk file (benchmarks/cdr_import.py), loads its world into
a fresh SQLite file, then runs the import's per-row path — text_lines, the parser, Matcher.row
and the row a store is given — cold (every distinct number new), warm (the numbers known, as
in most of a big file) and warm under cProfile, and prints CPU µs per row and the functions
that cost most. Storing is measured by cdr_import.py, not here.
"""

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

NOW = datetime(2027, 1, 1, tzinfo=UTC)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()

    from cdr_import import generate, seed_world

    from plugin import migrate
    from plugin.app import create_app
    from plugin.cdr import FORMATS
    from plugin.config import settings
    from plugin.services.calls.matching import Matcher
    from plugin.textfiles import text_lines

    with tempfile.TemporaryDirectory(prefix="qh-profile-") as tmp:
        path = Path(tmp) / "Master.csv"
        generate(path, args.rows, 7)
        app = create_app({"TESTING": True, "SECRET_KEY": "profile",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'p.sqlite'}",
                          "QUARTERHOUR_SCHEDULER": "off"})
        with app.app_context():
            migrate.upgrade()
            seed_world()
            config = settings()

            matcher = Matcher.load(config)

            def run() -> int:
                parse = FORMATS["asterisk"]
                rows = []
                with path.open("rb") as raw:
                    for item in parse(text_lines(raw), config.cdr_timezone, now=NOW):
                        rows.append(matcher.row(item))
                        if len(rows) >= 50_000:  # a store's chunk, then handed over
                            rows = []
                return args.rows

            started = time.process_time()  # CPU time: steadier than wall time when shared
            run()  # cold: every distinct number is normalized and looked up once
            cold = time.process_time() - started
            started = time.process_time()
            run()  # warm: what each further row costs (a big file repeats its numbers)
            seconds = time.process_time() - started
            profile = cProfile.Profile()
            profile.runcall(run)
    print(f"{args.rows:,} rows, CPU time (read, parse, match, rate; no storing): "
          f"{seconds / args.rows * 1e6:.2f} µs per row with the numbers known, "
          f"{cold / args.rows * 1e6:.2f} µs per row the first time (each distinct number "
          "normalized once)")
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.top)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
