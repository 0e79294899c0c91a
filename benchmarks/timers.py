"""Benchmark: N simulated engineers doing timer start/stop cycles against gunicorn + PostgreSQL.

    python benchmarks/timers.py [--clients 100] [--seconds 30] [--workers 2]
                                [--worker-class gthread|sync] [--threads 4] [--think-ms 1000]
                                [--refresh-seconds 1] [--refresh-in process|workers]

Creates a fresh PostgreSQL database, migrates it, seeds one customer with a contract, one open
ticket and one engineer with an API token per client, then serves the app with gunicorn on
127.0.0.1, beside it one `quarterhour statements work` process keeping the live statements
current (`--refresh-in workers`: the gunicorn workers do it instead, in a scheduler thread), and
runs, against the same server, phases of the same length:

(a) saturation — a closed loop, every client sends its next request as soon as the last one
    answered (no think time), so the server runs flat out; this gives the throughput ratio:
    1. the ceiling: a bare endpoint on the same stack (Flask, the extension, Flask-SQLAlchemy,
       the same pool) that does one INSERT and commits — served by this file's benchmark-only
       app factory, not by the product;
    2. the timers: every client loops POST /api/v1/timer/start, POST /api/v1/timer/stop with
       its own Bearer token (token lookup, one-timer rule, lock check, segment and evidence
       record).
(b) paced — the same timers, but each client thinks between its requests (`--think-ms`, each
    pause drawn uniformly from 0.5–1.5 × that, the clients starting at random offsets so that
    they do not move in lockstep): the server is not saturated, and the latency is what an
    engineer would see. `--think-ms 0` leaves this phase out.

Reports per phase throughput, p50/p95/p99 latency, errors and the CPU time per request of the
gunicorn processes, of this database's PostgreSQL backends and of the load generator (on a
shared machine far steadier than req/s); the server's peak RSS (master and workers summed); and
checks the database afterwards. Exits non-zero when a target is missed under any reported load.
Targets (issue 3): the timers' throughput at least half the ceiling's, and p99 ≤ 50 ms at 100
concurrent clients. With a closed loop, Little's law ties the two: 100 clients with p99 ≤ 50 ms
need a mean latency below that, i.e. more than 100 / 0.05 s = 2,000 requests/s.

The load generator is one asyncio process with a keep-alive connection per client, talks only to
127.0.0.1 and stops at its deadline. PostgreSQL is QUARTERHOUR_PG_ADMIN_URL (default
postgresql://postgres@127.0.0.1:5432/postgres); the database is dropped afterwards.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("QUARTERHOUR_PG_ADMIN_URL",
                           "postgresql://postgres@127.0.0.1:5432/postgres")
HOST = "127.0.0.1"
TARGET_SHARE_OF_CEILING = 0.5
TARGET_P99_MS = 50.0
TARGET_LIVE_P99_MS = 2000.0  # issue 15: a stopped timer in the live statement
REQUEST_TIMEOUT = 10.0


# --- the benchmark-only app factory (gunicorn imports this) --------------------------------

def bench_app():
    """The product app plus one bare route, /bench/insert: one INSERT, one commit."""
    from sqlalchemy import text

    from plugin.app import create_app
    from plugin.db import session

    app = create_app()

    def insert():
        session.execute(text("INSERT INTO bench_ceiling (at) VALUES (now())"))
        session.commit()
        return {"ok": True}, 201

    app.add_url_rule("/bench/insert", "bench_insert", insert, methods=["POST"])
    app.extensions["csrf"].exempt(insert)  # a bare endpoint: no session, no token, no CSRF
    return app


# --- database ------------------------------------------------------------------------------

def create_database() -> tuple[str, str]:
    import psycopg

    name = f"qh_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    host = ADMIN_URL.rsplit("/", 1)[0].split("://", 1)[1]
    return name, f"postgresql+psycopg://{host}/{name}"


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(url: str, clients: int) -> list[tuple[str, int]]:
    """Migrate, then one customer with a contract, and per client an engineer, a token and an
    open ticket. Returns (token, ticket id) per client."""
    from datetime import date
    from decimal import Decimal

    from sqlalchemy import text

    from plugin import migrate
    from plugin.app import create_app
    from plugin.db import session
    from plugin.models import ApiToken, Contract, Customer, Ticket, User

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "QUARTERHOUR_SCHEDULER": "off"})
    out = []
    with app.app_context():
        migrate.upgrade()
        session.execute(text("CREATE TABLE bench_ceiling (id bigserial PRIMARY KEY, "
                             "at timestamptz NOT NULL)"))
        customer = Customer(name="Bench GmbH")
        session.add(Contract(customer=customer, name="Bench", valid_from=date(2020, 1, 1),
                             quota_minutes=120, overflow_rate=Decimal("45.00")))
        for i in range(clients):
            user = User(username=f"eng{i}", display_name=f"Engineer {i}")
            user.roles = {"engineer"}
            ticket = Ticket(customer=customer, subject=f"Bench ticket {i}")
            session.add_all([user, ticket])
            session.flush()
            row, token = ApiToken.issue(user, "bench")
            session.add(row)
            out.append((token, ticket.id))
        session.commit()
        app.extensions["sqlalchemy"].engine.dispose()
    return out


# --- the server ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def server_env(url: str, args, instance: str) -> dict:
    # The scheduler on, as in production; the live statements are kept current by the web
    # workers (`--refresh-in workers`) or by a `quarterhour statements work` process.
    in_workers = args.refresh_in == "workers"
    return {**os.environ, "QUARTERHOUR_DATABASE_URL": url, "QUARTERHOUR_SECRET_KEY": "bench",
            "QUARTERHOUR_SCHEDULER": "on", "QUARTERHOUR_INSTANCE_PATH": instance,
            "QUARTERHOUR_STATEMENT_REFRESH_SECONDS": str(args.refresh_seconds)
            if in_workers else "0",
            "PYTHONPATH": str(ROOT)}


def start_statement_worker(url: str, args, instance: str) -> subprocess.Popen | None:
    """`--refresh-in process`: the one process that keeps the live statements current."""
    if args.refresh_in != "process":
        return None
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "quarterhour"), "statements", "work", "--every",
         str(args.refresh_seconds)], env=server_env(url, args, instance),
        stdout=subprocess.DEVNULL)


def start_server(url: str, port: int, args, instance: str) -> subprocess.Popen:
    env = server_env(url, args, instance)
    cmd = [str(Path(sys.executable).parent / "gunicorn"), "--chdir", str(ROOT),
           "-b", f"{HOST}:{port}", "-w", str(args.workers), "-k", args.worker_class,
           "--threads", str(args.threads), "--backlog", "2048", "--keep-alive", "30",
           "--log-level", "warning", "benchmarks.timers:bench_app()"]
    server = subprocess.Popen(cmd, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


class RssSampler(threading.Thread):
    """Peak resident memory of the gunicorn master and its workers (and the statement worker,
    if any), summed, from /proc."""

    def __init__(self, pid: int, others: list[int]):
        super().__init__(daemon=True)
        self.pid, self.others, self.peak_kb, self.peak_worker_kb = pid, others, 0, 0
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.wait(0.25):
            sizes = [rss_kb(p) for p in [*children(self.pid), *self.others]]
            self.peak_kb = max(self.peak_kb, rss_kb(self.pid) + sum(sizes))
            self.peak_worker_kb = max([self.peak_worker_kb, *sizes])


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU time used during a phase by the gunicorn processes (and the statement worker, if
    any) and by the PostgreSQL backends serving this benchmark's database (not other
    databases on the same server)."""

    def __init__(self, server_pid: int, others: list[int], database: str):
        self.server_pid, self.others, self.database = server_pid, others, database

    def _backends(self) -> list[int]:
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            return [pid for (pid,) in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database,))]

    def read(self) -> dict:
        return {"server": {p: cpu_seconds(p)
                           for p in [self.server_pid, *children(self.server_pid)]},
                "statements": {p: cpu_seconds(p) for p in self.others},
                "database": {p: cpu_seconds(p) for p in self._backends()},
                "load_generator": {0: time.process_time()}}


def cpu_used(before: dict, after: dict) -> dict:
    """Seconds per part between two readings (a backend that connected meanwhile from 0)."""
    return {part: sum(v - before[part].get(pid, 0.0) for pid, v in after[part].items())
            for part in after}


# --- the load generator --------------------------------------------------------------------

class Client:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1; reconnects when the server closes."""

    def __init__(self, port: int):
        self.port, self.reader, self.writer = port, None, None

    async def request(self, path: str, body: bytes, token: str | None) -> int:
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
            head = (f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                    + (f"Authorization: Bearer {token}\r\n" if token else "") + "\r\n")
            try:
                self.writer.write(head.encode() + body)
                await self.writer.drain()
                status, close = await self._response()
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if attempt == 2:
                    raise
                continue
            if close:
                await self.close()
            return status
        raise AssertionError("unreachable")

    async def _response(self) -> tuple[int, bool]:
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:] if x)}
        await self.reader.readexactly(int(headers.get("content-length", "0")))
        return status, headers.get("connection", "").lower() == "close"

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def phase(port: int, clients: list[tuple[str, int]], seconds: float, think: float,
                requests, stops: list | None = None) -> dict:
    """Every client runs `requests(token, ticket)` — a list of (path, body) — in a loop until
    the deadline; returns latencies (ms) and error counts. `think` > 0: each client starts at
    a random offset within `think` and pauses 0.5–1.5 × `think` after each response."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.monotonic() + seconds
    rng = random.Random(3)  # the same pauses every run

    async def one(token: str, ticket: int):
        conn = Client(port)
        try:
            if think:
                await asyncio.sleep(rng.uniform(0, think))
            while time.monotonic() < deadline:
                for path, body in requests(token, ticket):
                    t0 = time.perf_counter()
                    try:
                        status = await asyncio.wait_for(conn.request(path, body, token),
                                                        REQUEST_TIMEOUT)
                    except (TimeoutError, OSError, asyncio.IncompleteReadError) as e:
                        errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
                        await conn.close()
                        continue
                    latencies.append((time.perf_counter() - t0) * 1000)
                    if stops is not None and status < 300 and path.endswith("/stop"):
                        stops.append(time.time())  # committed: the answer came after it
                    if status >= 300:
                        errors[str(status)] = errors.get(str(status), 0) + 1
                    if think:
                        await asyncio.sleep(think * rng.uniform(0.5, 1.5))
        finally:
            await conn.close()

    started = time.monotonic()
    await asyncio.gather(*(one(token, ticket) for token, ticket in clients))
    elapsed = time.monotonic() - started
    return summarize(latencies, errors, elapsed)


class StatementWatcher(threading.Thread):
    """Reads the live statement's `computed_at` every 20 ms: when a recompute dated after a
    stop becomes visible, that stop shows in the live statement."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url = url.replace("postgresql+psycopg://", "postgresql://")
        self.seen: list[tuple[float, float]] = []  # (seen at, computed at), epoch seconds
        self.stopping = threading.Event()

    def run(self):
        import psycopg

        last = None
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stopping.wait(0.02):
                at = conn.execute("SELECT max(computed_at) FROM qh_live_statements").fetchone()[0]
                if at is not None and at != last:
                    last = at
                    self.seen.append((time.time(), at.timestamp()))

    def latencies_ms(self, stops: list[float]) -> tuple[list[float], int]:
        """Per stop, how long until a statement computed after it was visible; and how many
        never showed before the watcher stopped."""
        out, unseen, i = [], 0, 0
        for t in sorted(stops):
            while i < len(self.seen) and self.seen[i][1] < t:
                i += 1
            if i == len(self.seen):
                unseen += 1
            else:
                out.append((self.seen[i][0] - t) * 1000)
        return out, unseen


def measured(meter: CpuMeter, port: int, clients, seconds: float, think: float,
             requests, watcher: StatementWatcher | None = None) -> dict:
    """One phase, with the CPU it cost per request; with a watcher, also how long each
    stopped timer took to show in the live statement."""
    before = meter.read()
    stops: list[float] | None = [] if watcher is not None else None
    result = asyncio.run(phase(port, clients, seconds, think, requests, stops))
    if watcher is not None:
        time.sleep(5)  # the last stops' recompute
        watcher.stopping.set()
        watcher.join()
        shown, unseen = watcher.latencies_ms(stops)
        shown.sort()
        result["live_statement"] = {
            "stops": len(stops), "unseen": unseen,
            **{f"p{p}_ms": round(shown[min(len(shown) - 1, int(p / 100 * len(shown)))], 1)
               if shown else None for p in (50, 95, 99)}}
    used = cpu_used(before, meter.read())
    n = max(result["requests"], 1)
    result["cpu_ms_per_request"] = {k: round(v * 1000 / n, 2) for k, v in used.items()}
    # CPUs kept busy on average: near the machine's count means the phase was CPU-bound.
    result["cpus_busy"] = round(sum(used.values()) / result["seconds"], 2)
    return result


def summarize(latencies: list[float], errors: dict, elapsed: float) -> dict:
    ordered = sorted(latencies)

    def pct(p):
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0

    return {"requests": len(ordered), "seconds": round(elapsed, 1),
            "throughput": round(len(ordered) / elapsed, 1),
            "p50_ms": round(pct(50), 1), "p95_ms": round(pct(95), 1),
            "p99_ms": round(pct(99), 1),
            "mean_ms": round(statistics.fmean(ordered), 1) if ordered else 0.0,
            "errors": errors}


def ceiling_requests(token, ticket):
    return [("/bench/insert", b"{}")]


def timer_requests(token, ticket):
    return [("/api/v1/timer/start", json.dumps({"ticket_id": ticket}).encode()),
            ("/api/v1/timer/stop", b"{}")]


def check_database(url: str, clients: int) -> dict:
    """After the run: never two running timers per engineer, every entry with its records."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        out = {
            "entries": conn.scalar(text("SELECT count(*) FROM qh_time_entries")),
            "running": conn.scalar(text("SELECT count(*) FROM qh_time_entries "
                                        "WHERE ended_at IS NULL")),
            "max_running_per_engineer": conn.scalar(text(
                "SELECT coalesce(max(n), 0) FROM (SELECT count(*) n FROM qh_time_entries "
                "WHERE ended_at IS NULL GROUP BY engineer_id) x")),
            "audit_records": conn.scalar(text("SELECT count(*) FROM qh_time_entry_audit")),
            # A started session has its "create" record, a stopped one also its "edit".
            "entries_with_wrong_records": conn.scalar(text(
                "SELECT count(*) FROM qh_time_entries e WHERE (SELECT count(*) FROM "
                "qh_time_entry_audit a WHERE a.entry_id = e.id) <> "
                "CASE WHEN e.ended_at IS NULL THEN 1 ELSE 2 END")),
            "ceiling_rows": conn.scalar(text("SELECT count(*) FROM bench_ceiling")),
        }
    engine.dispose()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30, help="per phase")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--think-ms", type=float, default=1000,
                        help="mean pause between a client's requests in the paced phase "
                             "(0: no paced phase); the saturation phases never pause")
    parser.add_argument("--refresh-seconds", type=float, default=1,
                        help="how often the live statements are refreshed")
    parser.add_argument("--refresh-in", choices=["process", "workers"], default="process",
                        help="who refreshes them: one `quarterhour statements work` process "
                             "(default), or every gunicorn worker in a scheduler thread")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    name, url = create_database()
    server = worker = None
    try:
        clients = seed(url, args.clients)
        with tempfile.TemporaryDirectory() as instance:
            port = free_port()
            server = start_server(url, port, args, instance)
            worker = start_statement_worker(url, args, instance)
            others = [worker.pid] if worker else []
            sampler = RssSampler(server.pid, others)
            sampler.start()
            meter = CpuMeter(server.pid, others, name)
            asyncio.run(phase(port, clients, 2, 0, ceiling_requests))  # warm-up
            ceiling = measured(meter, port, clients, args.seconds, 0, ceiling_requests)
            timers = measured(meter, port, clients, args.seconds, 0, timer_requests)
            think = args.think_ms / 1000
            watcher = StatementWatcher(url)
            if think:
                watcher.start()
            paced = measured(meter, port, clients, args.seconds, think, timer_requests,
                             watcher) if think else None
            sampler.stopping.set()
            sampler.join()
        result = {
            "clients": args.clients, "seconds": args.seconds, "workers": args.workers,
            "worker_class": args.worker_class, "threads": args.threads,
            "think_ms": args.think_ms, "cpus": os.cpu_count(),
            "refresh_seconds": args.refresh_seconds, "refresh_in": args.refresh_in,
            "ceiling": ceiling, "timers": timers, "timers_paced": paced,
            "share_of_ceiling": round(timers["throughput"] / ceiling["throughput"], 2)
            if ceiling["throughput"] else 0,
            "server_peak_rss_mb": round(sampler.peak_kb / 1024, 1),
            "worker_peak_rss_mb": round(sampler.peak_worker_kb / 1024, 1),
            "database": check_database(url, args.clients),
        }
    finally:
        for process in (server, worker):
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        drop_database(name)

    result["verdicts"] = verdicts(result)
    ok = all(v["met"] for v in result["verdicts"])
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_report(result, ok)
    return 0 if ok else 1


def verdicts(r: dict) -> list[dict]:
    """Each target, under each load it was measured at: met or not."""
    db = r["database"]
    out = [{"what": "timers / ceiling throughput, saturation", "value": r["share_of_ceiling"],
            "target": f"≥ {TARGET_SHARE_OF_CEILING}",
            "met": r["share_of_ceiling"] >= TARGET_SHARE_OF_CEILING},
           {"what": f"timers p99, saturation ({r['clients']} clients, closed loop)",
            "value": r["timers"]["p99_ms"], "target": f"≤ {TARGET_P99_MS:g} ms",
            "met": r["timers"]["p99_ms"] <= TARGET_P99_MS}]
    if r["timers_paced"] is not None:
        out.append({"what": f"timers p99, paced ({r['clients']} clients, think "
                            f"{r['think_ms']:g} ms)",
                    "value": r["timers_paced"]["p99_ms"], "target": f"≤ {TARGET_P99_MS:g} ms",
                    "met": r["timers_paced"]["p99_ms"] <= TARGET_P99_MS})
        shown = r["timers_paced"]["live_statement"]
        out.append({"what": "a stopped timer shows in the live statement, p99 (paced; "
                            f"{shown['unseen']} of {shown['stops']} never shown)",
                    "value": shown["p99_ms"], "target": f"≤ {TARGET_LIVE_P99_MS:g} ms",
                    "met": shown["p99_ms"] is not None and not shown["unseen"]
                    and shown["p99_ms"] <= TARGET_LIVE_P99_MS})
    phases = [r["ceiling"], r["timers"]] + ([r["timers_paced"]] if r["timers_paced"] else [])
    out.append({"what": "no errors", "value": sum(sum(p["errors"].values()) for p in phases),
                "target": "0", "met": not any(p["errors"] for p in phases)})
    out.append({"what": "running timers per engineer", "value": db["max_running_per_engineer"],
                "target": "≤ 1", "met": db["max_running_per_engineer"] <= 1})
    out.append({"what": "sessions without their audit records (create; stop)",
                "value": db["entries_with_wrong_records"], "target": "0",
                "met": db["entries_with_wrong_records"] == 0})
    return out


def print_report(r: dict, ok: bool) -> None:
    print(f"{r['clients']} clients, {r['seconds']:g} s per phase, gunicorn {r['workers']} × "
          f"{r['worker_class']} (threads {r['threads']}), {r['cpus']} CPUs shared by gunicorn, "
          f"PostgreSQL and the load generator")
    header = (f"{'phase':<36} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
              f"{'requests':>8} {'errors':>6}   CPU ms/request: server + database + load gen; "
              f"CPUs busy")

    def row(label, x):
        cpu = x["cpu_ms_per_request"]
        errors = sum(x["errors"].values())
        print(f"{label:<36} {x['throughput']:>7} {x['p50_ms']:>7} {x['p95_ms']:>7} "
              f"{x['p99_ms']:>7} {x['requests']:>8} {errors:>6}   {cpu['server']}"
              + (f" (+ {cpu['statements']} statements)" if cpu.get("statements") else "")
              + f" + {cpu['database']} + {cpu['load_generator']}; {x['cpus_busy']}"
              + (f"  {x['errors']}" if errors else ""))

    print("(a) saturation: closed loop, no think time (throughput ratio)")
    print(header)
    row("ceiling: one INSERT", r["ceiling"])
    row("timers: start + stop", r["timers"])
    if r["timers_paced"] is not None:
        offered = r["clients"] / (r["think_ms"] / 1000)
        print(f"(b) paced: each client thinks {r['think_ms']:g} ms (0.5–1.5 ×) between "
              f"requests, offered ≈ {offered:.0f} req/s")
        print(header)
        row("timers: start + stop, paced", r["timers_paced"])
        shown = r["timers_paced"]["live_statement"]
        print(f"  stopped timer visible in the live statement: p50 {shown['p50_ms']} ms, "
              f"p95 {shown['p95_ms']} ms, p99 {shown['p99_ms']} ms over {shown['stops']} stops "
              f"({shown['unseen']} never shown; refreshed every {r['refresh_seconds']:g} s by "
              + ("one `statements work` process)" if r["refresh_in"] == "process"
                 else "every gunicorn worker)"))
    print("targets:")
    for v in r["verdicts"]:
        print(f"  {v['what']}: {v['value']} (target {v['target']}): "
              f"{'met' if v['met'] else 'MISSED'}")
    print(f"  (closed loop: p99 ≤ {TARGET_P99_MS:g} ms for {r['clients']} clients needs more "
          f"than {r['clients'] / (TARGET_P99_MS / 1000):,.0f} req/s by Little's law; the "
          f"ceiling did {r['ceiling']['throughput']:,.0f})")
    print(f"server peak RSS {r['server_peak_rss_mb']} MB (largest worker "
          f"{r['worker_peak_rss_mb']} MB); database after the run: {r['database']}")
    print("targets met" if ok else "TARGETS MISSED")


if __name__ == "__main__":
    sys.exit(main())
