"""Benchmark: the month-end billing run on PostgreSQL against its ceiling.

    .venv/bin/python benchmarks/billing_run.py                 # full size, then a quarter
    .venv/bin/python benchmarks/billing_run.py --scale 0.1     # one smaller size only

For each scale a fresh database is created (QUARTERHOUR_PG_ADMIN_URL, default
postgresql://postgres@127.0.0.1:5432/postgres), migrated, and bulk-loaded with COPY (psycopg 3):
10,000 customers, 20,000 contracts, 1,000,000 time entries and 2,000,000 calls in October 2026
at scale 1. Then, each in a fresh process so its peak RSS is its own:
- the ceiling: one SQL query computing every customer's units and call costs for the month;
- the run: `quarterhour billing run --period 2026-10` as the service does it (drafts, lines,
  rollover, one commit), then the same run again (every draft compared, nothing changed).
Peak RSS covers both runs.
- the live statements: every one marked stale (as after a tariff change) and recomputed; then
  the run with every statement current; then the dashboard's first page with its totals, 40
  times.
Targets (issue 15): run with statements current ≤ 3× the ceiling, peak RSS ≤ 400 MB, a full
recompute ≤ 60 s, dashboard p95 ≤ 200 ms. The last line printed is a JSON list with one object
per scale (ceiling_s, current_run_s, recompute_s, dashboard_p95_ms, peak_rss_mb); the exit
status is 1 when a target is missed.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ADMIN_URL = os.environ.get("QUARTERHOUR_PG_ADMIN_URL",
                           "postgresql://postgres@127.0.0.1:5432/postgres")
BERLIN = ZoneInfo("Europe/Berlin")
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
MONTH_START = datetime(2026, 10, 1, tzinfo=BERLIN).astimezone(UTC)
MONTH_SECONDS = int((datetime(2026, 11, 1, tzinfo=BERLIN).astimezone(UTC)
                     - MONTH_START).total_seconds())
CEILING_SQL = """
WITH bounds AS (SELECT %(start)s::timestamptz AS s, %(end)s::timestamptz AS e),
work AS (
  SELECT t.customer_id,
         sum(ceil(coalesce(te.duration_seconds,
                           extract(epoch FROM te.ended_at - te.started_at)) / 900.0)) AS units
  FROM qh_time_entries te JOIN qh_tickets t ON t.id = te.ticket_id, bounds
  WHERE te.started_at >= bounds.s AND te.started_at < bounds.e
    AND te.voided_at IS NULL AND te.ended_at IS NOT NULL AND te.billable
  GROUP BY t.customer_id),
phone AS (
  SELECT c.customer_id, count(*) AS calls, sum(c.cost) AS cost
  FROM qh_calls c, bounds
  WHERE c.started_at >= bounds.s AND c.started_at < bounds.e AND c.direction = 'outbound'
    AND c.tariff_id IS NOT NULL AND c.cost IS NOT NULL
  GROUP BY c.customer_id)
SELECT cu.id, coalesce(w.units, 0), coalesce(p.calls, 0), coalesce(p.cost, 0)
FROM qh_customers cu LEFT JOIN work w ON w.customer_id = cu.id
LEFT JOIN phone p ON p.customer_id = cu.id
"""


def sqlalchemy_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def create_database() -> str:
    name = f"qh_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_app(url: str):
    from plugin.app import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "bench", "QUARTERHOUR_SCHEDULER": "off",
                       "SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url)})


def migrate(url: str) -> None:
    from plugin import migrate as migrations

    app = make_app(url)
    with app.app_context():
        migrations.upgrade()
        app.extensions["sqlalchemy"].engine.dispose()


def seed(url: str, scale: float) -> dict:
    """COPY the month's data in: customers, installations, tickets, contracts, entries, calls."""
    rng = random.Random(42)
    customers = max(1, int(10_000 * scale))
    entries_per, calls_per = 100, 200
    now = datetime.now(UTC)
    counts = {"customers": customers, "contracts": 2 * customers,
              "time_entries": entries_per * customers, "calls": calls_per * customers}
    with psycopg.connect(url) as conn:
        call_columns = {r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'qh_calls'")}
        conn.execute("INSERT INTO qh_users (id, username, display_name, active, created_at) "
                     "VALUES (1, 'engineer', 'Erika Engineer', true, now())")
        conn.execute("INSERT INTO qh_tariffs (id, name, prefix, valid_from, price_per_minute, "
                     "connect_fee, first_increment, next_increment, markup_percent, "
                     "minimum_charge) VALUES (1, 'DE landline', '+49', '2026-01-01', 0.02, 0, "
                     "60, 60, 0, 0)")
        with conn.cursor().copy(
                "COPY qh_customers (id, name, address, country, billing_email, currency, "
                "language, vat_exempt, created_at) FROM STDIN") as copy:
            for c in range(1, customers + 1):
                copy.write_row((c, f"Customer {c:05d} GmbH", "Industriestraße 1\n80939 München",
                                "DE", f"ap{c}@example.com", "EUR", "de", False, now))
        with conn.cursor().copy(
                "COPY qh_installations (id, customer_id, name, connection, modem_number, "
                "warranty_until) FROM STDIN") as copy:
            for c in range(1, customers + 1):
                warranty = date(2027, 6, 30) if c % 10 == 0 else None
                copy.write_row((c, c, "Press line", "modem", f"+4989{c:07d}", warranty))
        with conn.cursor().copy(
                "COPY qh_tickets (id, customer_id, installation_id, subject, status, "
                "created_at) FROM STDIN") as copy:
            for c in range(1, customers + 1):
                for k in range(5):
                    copy.write_row(((c - 1) * 5 + k + 1, c, c if k < 3 else None,
                                    f"Ticket {k}", "open", now))
        with conn.cursor().copy(
                "COPY qh_contracts (id, customer_id, name, valid_from, valid_to, fee, "
                "quota_minutes, overflow_rate, minimum, unit_seconds, grace_seconds, "
                "rounding_scope, rollover, phone_entries, created_at) FROM STDIN") as copy:
            for c in range(1, customers + 1):
                copy.write_row((2 * c - 1, c, "Remote Service Basic", date(2026, 1, 1),
                                date(2026, 12, 31), Decimal("200.00"), 120, Decimal("45.00"),
                                Decimal("0"), 900, 0, "entry", c % 3 == 0, False, now))
                copy.write_row((2 * c, c, "Press line care", date(2026, 6, 1), None,
                                Decimal("50.00"), 60, Decimal("30.00"), Decimal("0"), 900, 60,
                                "ticket_day" if c % 2 else "entry", False, False, now))
        with conn.cursor().copy("COPY qh_contract_installations (contract_id, installation_id) "
                                "FROM STDIN") as copy:
            for c in range(1, customers + 1):
                copy.write_row((2 * c, c))
        with conn.cursor().copy(
                "COPY qh_time_entries (id, engineer_id, ticket_id, started_at, ended_at, note, "
                "billable, source, duration_seconds, created_at) FROM STDIN") as copy:
            n = 0
            for c in range(1, customers + 1):
                for _ in range(entries_per):
                    n += 1
                    start = MONTH_START + timedelta(seconds=rng.randrange(MONTH_SECONDS - 7200))
                    seconds = rng.randrange(60, 5400)
                    copy.write_row((n, 1, (c - 1) * 5 + rng.randrange(5) + 1, start,
                                    start + timedelta(seconds=seconds), "remote session",
                                    n % 17 != 0, "timer", seconds, now))
        extra = [c for c in ("answered", "rated_seconds") if c in call_columns]
        with conn.cursor().copy(
                "COPY qh_calls (id, unique_key, direction, caller, callee, started_at, "
                "duration_seconds, billsec, disposition, customer_id, installation_id, "
                f"tariff_id, cost{''.join(', ' + c for c in extra)}) FROM STDIN") as copy:
            n = 0
            for c in range(1, customers + 1):
                for _ in range(calls_per):
                    n += 1
                    start = MONTH_START + timedelta(seconds=rng.randrange(MONTH_SECONDS))
                    seconds = rng.randrange(1, 1800)
                    minutes = -(-seconds // 60)
                    row = [n, f"bench-{n}", "outbound", "+4989998877", f"+4989{c:07d}", start,
                           seconds + 10, seconds, "ANSWERED", c, c, 1,
                           Decimal(minutes) * Decimal("0.02")]
                    row += [True] * ("answered" in extra) + [minutes * 60] * \
                        ("rated_seconds" in extra)
                    copy.write_row(row)
        for table in ("qh_customers", "qh_contracts", "qh_installations", "qh_tickets",
                      "qh_time_entries", "qh_calls"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                         f"(SELECT max(id) FROM {table}))")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
    return counts


def child(kind: str, url: str) -> None:
    """Runs in its own process; prints one JSON line with seconds and peak RSS."""
    from plugin import billing

    if kind == "ceiling":
        start, end = billing.Period(2026, 10).bounds("Europe/Berlin")
        began = time.perf_counter()
        with psycopg.connect(url) as conn:
            rows = conn.execute(CEILING_SQL, {"start": start, "end": end}).fetchall()
        seconds = time.perf_counter() - began
        detail = {"rows": len(rows)}
    elif kind == "statements":
        detail = statements_child(url, WORKERS)
        seconds = detail.pop("seconds")
    elif kind == "refresh":
        began = time.perf_counter()
        detail = refresh_child(url)
        seconds = time.perf_counter() - began
    else:
        from plugin.transactions import run_period

        app = make_app(url)
        with app.app_context():
            settings = app.extensions["quarterhour"].settings
            baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            began = time.perf_counter()
            result = run_period(billing.Period(2026, 10), settings)
            seconds = time.perf_counter() - began
            # Running again compares every draft with what the core computes now.
            began = time.perf_counter()
            again = run_period(billing.Period(2026, 10), settings)
            rerun = time.perf_counter() - began
        detail = {"result": result.text(), "baseline_rss_mb": round(baseline / 1024, 1),
                  "rerun_seconds": round(rerun, 2), "rerun_result": again.text()}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": round(seconds, 2), "peak_rss_mb": round(peak, 1), **detail}))


REFRESH_NOW = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)


def refresh_child(url: str) -> dict:
    """One statement worker, as each app process runs it (plugin/jobs/statements.py): claims
    batches of stale statements until none is left."""
    from plugin.transactions import refresh_statements

    app = make_app(url)
    recomputed = 0
    with app.app_context():
        settings = app.extensions["quarterhour"].settings
        while count := refresh_statements(settings, REFRESH_NOW, limit=500):
            recomputed += count
    return {"recomputed": recomputed}


def statements_child(url: str, workers: int) -> dict:
    """Live statements at scale: every one stale (as after a tariff change) and recomputed by
    `workers` worker processes at once (they claim with SKIP LOCKED), then the month-end run
    with all of them current, then the dashboard's first page."""
    from plugin import billing
    from plugin.db import session
    from plugin.services import dashboard, live
    from plugin.transactions import run_period

    app = make_app(url)
    period = billing.Period(2026, 10)
    with app.app_context():
        settings = app.extensions["quarterhour"].settings
        live.ensure_period(period)
        live.mark_all(session.connection())
        session.commit()
        began = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, __file__, "--child", "refresh", url],
                                  stdout=subprocess.PIPE, text=True, cwd=ROOT)
                 for _ in range(workers)]
        done = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
        if any(p.returncode for p in procs):
            raise RuntimeError("a statement worker failed")
        recompute = time.perf_counter() - began
        recomputed = sum(d["recomputed"] for d in done)
        worker_rss = max(d["peak_rss_mb"] for d in done)
        assert live.stale_count() == 0, "stale statements left"
        began = time.perf_counter()
        result = run_period(period, settings)
        current_run = time.perf_counter() - began
        samples = []
        for _ in range(40):
            began = time.perf_counter()
            dashboard.dashboard(period, settings, sort="net", descending=True)
            samples.append((time.perf_counter() - began) * 1000)
            session.rollback()
        samples.sort()
    return {"seconds": round(recompute, 2), "recomputed": recomputed, "workers": workers,
            "worker_peak_rss_mb": worker_rss,
            "current_run_s": round(current_run, 2), "current_run_result": result.text(),
            "dashboard_p50_ms": round(samples[len(samples) // 2], 1),
            "dashboard_p95_ms": round(samples[int(len(samples) * 0.95) - 1], 1)}


def measure(kind: str, url: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, url], capture_output=True,
                         text=True, check=True, cwd=ROOT,
                         env={**os.environ, "BENCH_WORKERS": str(WORKERS)})
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench(scale: float, keep: bool, composed: bool = True) -> dict:
    url = create_database()
    try:
        migrate(url)
        began = time.perf_counter()
        counts = seed(url, scale)
        seeded = time.perf_counter() - began
        ceiling = measure("ceiling", url)
        run = measure("run", url) if composed else None
        live = measure("statements", url)
        return {"scale": scale, **counts, "seed_seconds": round(seeded, 1),
                "ceiling": ceiling, "run": run, "statements": live,
                "run_over_ceiling": run and round(run["seconds"] / max(ceiling["seconds"], 1e-6),
                                                  2)}
    finally:
        if not keep:
            drop_database(url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, action="append",
                        help="1.0 = 10,000 customers (repeatable; default: 1.0 and 0.25)")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--workers", type=int, default=WORKERS,
                        help="statement worker processes for the recompute (default: 2, as "
                             "the app's default of 2 worker processes each runs one)")
    parser.add_argument("--only-statements", action="store_true",
                        help="skip the composed runs (a quicker look at the statements)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["BENCH_WORKERS"] = str(args.workers)
    globals()["WORKERS"] = args.workers
    if args.child:
        child(*args.child)
        return 0
    results = [bench(scale, args.keep, not args.only_statements)
               for scale in (args.scale or [1.0, 0.25])]
    for r in results:
        print(f"scale {r['scale']}: {r['customers']} customers, {r['contracts']} contracts, "
              f"{r['time_entries']} entries, {r['calls']} calls (seeded in "
              f"{r['seed_seconds']} s)")
        print(f"  ceiling (one SQL query): {r['ceiling']['seconds']} s, "
              f"peak RSS {r['ceiling']['peak_rss_mb']} MB")
        if r["run"]:
            print(f"  billing run: {r['run']['seconds']} s = {r['run_over_ceiling']}x the "
                  f"ceiling, peak RSS {r['run']['peak_rss_mb']} MB (after start-up "
                  f"{r['run']['baseline_rss_mb']} MB)")
            print(f"  {r['run']['result']}")
            print(f"  run again, nothing changed: {r['run']['rerun_seconds']} s "
                  f"({r['run']['rerun_result']})")
        st = r["statements"]
        print(f"  every statement stale, recomputed by {st['workers']} workers: "
              f"{st['seconds']} s ({st['recomputed']} statements; largest worker "
              f"{st['worker_peak_rss_mb']} MB); then the run with statements current: "
              f"{st['current_run_s']} s ({st['current_run_result']}); dashboard first page "
              f"p50 {st['dashboard_p50_ms']} ms, p95 {st['dashboard_p95_ms']} ms; peak RSS "
              f"{st['peak_rss_mb']} MB")
    figures = [figures_of(r) for r in results]
    missed = [f"scale {f['scale']}: {m}" for f in figures for m in missed_targets(f)]
    for line in missed:
        print(f"MISSED {line}")
    # The last line: one object per scale with the figures the issue names.
    print(json.dumps(figures))
    return 1 if missed else 0


def figures_of(r: dict) -> dict:
    st = r["statements"]
    return {"scale": r["scale"], "ceiling_s": r["ceiling"]["seconds"],
            "current_run_s": st["current_run_s"], "recompute_s": st["seconds"],
            "dashboard_p95_ms": st["dashboard_p95_ms"],
            "peak_rss_mb": max(r["run"]["peak_rss_mb"] if r["run"] else 0, st["peak_rss_mb"],
                               st["worker_peak_rss_mb"]),
            "full_run_s": r["run"] and r["run"]["seconds"], "workers": st["workers"]}


def missed_targets(f: dict) -> list[str]:
    """Issue 15's targets: run with statements current ≤ 3× the ceiling, peak RSS ≤ 400 MB,
    a full recompute ≤ 60 s, the dashboard's first page p95 ≤ 200 ms."""
    missed = []
    if f["current_run_s"] > 3 * f["ceiling_s"]:
        missed.append(f"run with statements current {f['current_run_s']} s > 3 x the ceiling "
                      f"({3 * f['ceiling_s']:.2f} s)")
    if f["peak_rss_mb"] > 400:
        missed.append(f"peak RSS {f['peak_rss_mb']} MB > 400 MB")
    if f["recompute_s"] > 60:
        missed.append(f"full recompute {f['recompute_s']} s > 60 s")
    if f["dashboard_p95_ms"] > 200:
        missed.append(f"dashboard p95 {f['dashboard_p95_ms']} ms > 200 ms")
    return missed


if __name__ == "__main__":
    sys.exit(main())
