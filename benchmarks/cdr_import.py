"""Benchmark: importing a seeded N-row Asterisk Master.csv into PostgreSQL and SQLite.

    python benchmarks/cdr_import.py [--rows 2000000] [--seed 7] [--targets postgresql,sqlite]

Generates the file once (18 columns: the 16 defaults plus uniqueid and userfield), then for
each target imports it with the same service the CLI, API and screens use
(plugin.services.calls.import_calls) in a fresh database and a subprocess of its own, and
reports rows/s and the peak RSS of that process. The ceiling is measured in the same run:
PostgreSQL COPY of the same file into a bare table of 18 text columns.

Targets (issues 5, 17): ≥ 100,000 rows/s on PostgreSQL, ≤ 3× the COPY time, peak RSS ≤ 300 MB;
exits 1 when one is missed, and prints one JSON line with every figure last.
PostgreSQL is QUARTERHOUR_PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres);
each run creates its own databases and drops them afterwards.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("QUARTERHOUR_PG_ADMIN_URL",
                           "postgresql://postgres@127.0.0.1:5432/postgres")
CUSTOMERS = 100
MODEMS_PER_CUSTOMER = 2
NUMBERS_PER_CUSTOMER = 2
OTHER_NUMBERS = 50_000  # distinct other destinations (normalization is memoized per number)
TARGET_ROWS_PER_SECOND = 100_000
TARGET_COPY_FACTOR = 3
TARGET_RSS_MB = 300


# --- the seeded world and file ------------------------------------------------------------


def modem_number(i: int) -> str:
    return f"+4989{5000000 + i:07d}"


def customer_number(i: int) -> str:
    return f"+4930{7000000 + i:07d}"


def generate(path: Path, rows: int, seed: int) -> None:
    """Outbound modem calls (dialled nationally), inbound calls from customers' numbers,
    other outbound calls (some abroad, without a tariff), unanswered and internal calls."""
    rng = random.Random(seed)
    modems = [modem_number(i) for i in range(CUSTOMERS * MODEMS_PER_CUSTOMER)]
    callers = [customer_number(i) for i in range(CUSTOMERS * NUMBERS_PER_CUSTOMER)]
    others = [f"0{rng.choice(('30', '40', '69', '711', '221'))}{rng.randrange(10**6, 10**7)}"
              if rng.random() < 0.9 else f"00{rng.choice(('43', '41', '33'))}"
              f"{rng.randrange(10**7, 10**8)}" for _ in range(OTHER_NUMBERS)]
    start = datetime(2026, 10, 1)
    step = 30 * 86400 / max(rows, 1)
    with path.open("w", encoding="utf-8", newline="") as out:
        for n in range(rows):
            begin = start + timedelta(seconds=int(n * step))
            kind = rng.random()
            extension = str(200 + rng.randrange(60))
            if kind < 0.40:
                src, dst, context = extension, "0" + modems[rng.randrange(len(modems))][3:], \
                    "from-internal"
            elif kind < 0.60:
                src, dst, context = callers[rng.randrange(len(callers))], extension, "from-trunk"
            elif kind < 0.92:
                src, dst, context = extension, others[rng.randrange(len(others))], \
                    "from-internal"
            else:
                src, dst, context = extension, str(200 + rng.randrange(60)), "from-internal"
            answered = rng.random() < 0.85
            billsec = rng.randrange(1, 3600) if answered else 0
            ring = rng.randrange(1, 20)
            answer = begin + timedelta(seconds=ring) if answered else None
            end = begin + timedelta(seconds=ring + billsec)
            disposition = "ANSWERED" if answered else rng.choice(("NO ANSWER", "BUSY"))
            out.write(
                f'"","{src}","{dst}","{context}","""Caller"" <{src}>",'
                f'"SIP/{src}-{n:08x}","DAHDI/1-{n % 30}","Dial","DAHDI/g0/{dst},60",'
                f'"{begin:%Y-%m-%d %H:%M:%S}",'
                f'"{f"{answer:%Y-%m-%d %H:%M:%S}" if answer else ""}",'
                f'"{end:%Y-%m-%d %H:%M:%S}",{ring + billsec},{billsec},"{disposition}",'
                f'"DOCUMENTATION","{1790000000 + n // 1000}.{n}",""\n')


def seed_world() -> None:
    """Customers with modem installations and registered numbers, and a small price list."""
    from datetime import date
    from decimal import Decimal

    from plugin.db import session
    from plugin.models import Customer, CustomerNumber, Installation, Tariff

    for c in range(CUSTOMERS):
        customer = Customer(name=f"Customer {c:03d}")
        session.add(customer)
        for m in range(MODEMS_PER_CUSTOMER):
            session.add(Installation(customer=customer, name=f"Machine {m}", connection="modem",
                                     modem_number=modem_number(c * MODEMS_PER_CUSTOMER + m)))
        for k in range(NUMBERS_PER_CUSTOMER):
            session.add(CustomerNumber(customer=customer,
                                       number=customer_number(c * NUMBERS_PER_CUSTOMER + k)))
    for name, prefix, price, first, nxt in (("DE landline", "+49", "0.02", 60, 60),
                                            ("Munich", "+4989", "0.015", 60, 60),
                                            ("Berlin", "+4930", "0.015", 30, 6),
                                            ("DE mobile", "+4915", "0.09", 1, 1),
                                            ("Austria", "+43", "0.05", 30, 6)):
        session.add(Tariff(name=name, prefix=prefix, valid_from=date(2026, 1, 1),
                           price_per_minute=Decimal(price), first_increment=first,
                           next_increment=nxt))
    session.commit()


# --- one target, in a process of its own ----------------------------------------------------


def worker(url: str, path: str) -> None:
    sys.path.insert(0, str(ROOT))
    from plugin import migrate
    from plugin.app import create_app
    from plugin.config import settings
    from plugin.db import session
    from plugin.services.calls import import_calls
    from plugin.textfiles import text_lines

    app = create_app({"TESTING": True, "SECRET_KEY": "benchmark",
                      "SQLALCHEMY_DATABASE_URI": url, "QUARTERHOUR_SCHEDULER": "off"})
    with app.app_context():
        migrate.upgrade()
        seed_world()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        backend = backend_pid(session.connection())
        session.commit()
        server_before, client_before = backend_cpu(backend), client_cpu()
        started = time.perf_counter()
        with open(path, "rb") as raw:  # as the CLI reads a file
            record = import_calls(text_lines(raw), "asterisk", settings=settings(),
                                  filename=Path(path).name)
            session.commit()
        seconds = time.perf_counter() - started
        print(json.dumps({
            "client_cpu": client_cpu() - client_before,
            "server_cpu": None if server_before is None else backend_cpu(backend) - server_before,
            "seconds": seconds, "rows": record.rows_read, "imported": record.imported,
            "duplicates": record.duplicates, "unmatched": record.unmatched,
            "unrated": record.unrated, "rejected": record.rejected, "status": record.status,
            "rss_before_mb": before / 1024,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def run_worker(url: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", url, str(path)],
                         capture_output=True, text=True, check=False)
    if out.returncode:
        raise SystemExit(f"worker for {url} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


class FreshPostgres:
    """A database of our own on the server, dropped afterwards (as scripts/with_postgres.py)."""

    def __enter__(self) -> str:
        import psycopg

        self.name = f"qh_bench_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        host = ADMIN_URL.rsplit("/", 1)[0].split("://", 1)[1]
        return f"postgresql+psycopg://{host}/{self.name}"

    def __exit__(self, *exc) -> None:
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def backend_pid(connection) -> int | None:
    if connection.dialect.name != "postgresql":
        return None  # SQLite runs in our process: its CPU is the client's
    return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()


def backend_cpu(pid: int | None) -> float | None:
    """CPU seconds of a PostgreSQL backend on this machine (steadier than wall time when the
    machine is shared); None when the server runs elsewhere."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def copy_ceiling(path: Path) -> tuple[float, float | None]:
    """Seconds (and the backend's CPU seconds) for PostgreSQL COPY of the file into a bare
    table of 18 text columns."""
    import psycopg

    with FreshPostgres() as url, psycopg.connect(url.replace("+psycopg", "")) as conn:
        columns = ", ".join(f"c{i} text" for i in range(18))
        conn.execute(f"CREATE TABLE bare ({columns})")
        conn.commit()
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        cpu = backend_cpu(pid)
        started = time.perf_counter()
        with conn.cursor() as cursor, path.open("rb") as source, \
                cursor.copy("COPY bare FROM STDIN (FORMAT csv)") as copy:
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        seconds = time.perf_counter() - started
        return seconds, None if cpu is None else backend_cpu(pid) - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--targets", default="postgresql,sqlite")
    parser.add_argument("--worker", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return 0
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="qh-bench-") as tmp:
        path = Path(tmp) / "Master.csv"
        started = time.perf_counter()
        generate(path, args.rows, args.seed)
        print(f"generated {args.rows:,} rows ({path.stat().st_size / 1e6:,.0f} MB) in "
              f"{time.perf_counter() - started:.1f} s (seed {args.seed})")
        results = {}
        ceiling = ceiling_cpu = None
        if "postgresql" in targets:
            ceiling, ceiling_cpu = copy_ceiling(path)
            print(f"ceiling: PostgreSQL COPY into a bare table: {ceiling:.2f} s "
                  f"({args.rows / ceiling:,.0f} rows/s; server CPU {ceiling_cpu or 0:.2f} s)")
            with FreshPostgres() as url:
                results["postgresql"] = run_worker(url, path)
        if "sqlite" in targets:
            results["sqlite"] = run_worker(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", path)
    print(f"\n{'target':<11} {'seconds':>8} {'rows/s':>10} {'× COPY':>7} {'peak RSS':>9} "
          f"{'CPU app+server':>15}  imported / unmatched / unrated")
    ok = True
    for target, r in results.items():
        rate = r["rows"] / r["seconds"]
        factor = r["seconds"] / ceiling if ceiling else None
        print(f"{target:<11} {r['seconds']:>8.2f} {rate:>10,.0f} "
              f"{f'{factor:.1f}' if factor else '—':>7} {r['peak_rss_mb']:>6.0f} MB "
              f"{r['client_cpu']:>7.1f}+{r['server_cpu'] or 0:<6.1f} s  "
              f"{r['imported']:,} / {r['unmatched']:,} / {r['unrated']:,} ({r['status']})")
        if r["peak_rss_mb"] > TARGET_RSS_MB:
            ok = False
        if target == "postgresql":
            ok &= rate >= TARGET_ROWS_PER_SECOND and factor <= TARGET_COPY_FACTOR
    load_after = os.getloadavg()
    print(f"\nmachine load (1-min average) {load_before[0]:.1f} before, {load_after[0]:.1f} "
          f"after, on {os.cpu_count()} CPUs")
    print(f"targets (PostgreSQL ≥ {TARGET_ROWS_PER_SECOND:,} rows/s, ≤ {TARGET_COPY_FACTOR}× "
          f"COPY; peak RSS ≤ {TARGET_RSS_MB} MB): {'met' if ok else 'NOT met'}")
    # The last line, for machines: every figure, and whether the targets were met.
    print(json.dumps({
        "benchmark": "cdr_import", "rows": args.rows, "seed": args.seed,
        "copy_seconds": ceiling, "copy_server_cpu": ceiling_cpu,
        "load_before": load_before[0], "load_after": load_after[0],
        "targets": {"rows_per_second": TARGET_ROWS_PER_SECOND,
                    "copy_factor": TARGET_COPY_FACTOR, "peak_rss_mb": TARGET_RSS_MB},
        "results": {target: r | {"rows_per_second": r["rows"] / r["seconds"],
                                 "copy_factor": r["seconds"] / ceiling if ceiling else None}
                    for target, r in results.items()},
        "met": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
