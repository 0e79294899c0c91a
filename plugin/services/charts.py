"""The charts: each a labelled table of figures (what the screen draws as SVG, the CSV holds
and the API returns), computed by the core or read from the live statements it keeps."""

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select

from plugin import billing
from plugin.billing.reports import quota_burn, week_of
from plugin.config import Settings
from plugin.db import session
from plugin.models import Call, Contract, Invoice, InvoiceLine, LiveStatement, User
from plugin.services.calls.review import UNMATCHED, UNRATED
from plugin.services.statement import load_bills


def _l(text: str) -> str:
    """Marks a text for the catalog; the screens translate it when they show it."""
    return text


@dataclass(frozen=True)
class Series:
    key: str
    label: str  # a catalog text, or a name (a month) shown as it is
    values: tuple[Decimal | None, ...]  # one per label of the chart; None: no value there
    name: str = ""  # whose series, shown before the label (an engineer)

    def heading(self, translate: Callable[[str], str] = str) -> str:
        label = translate(self.label)
        return f"{self.name}: {label}" if self.name else label


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    unit: str  # what the values count: "minutes", "hours", "EUR", "calls"
    labels: tuple[str, ...]  # the x axis
    series: tuple[Series, ...]
    style: str = "bar"  # bar (grouped), stacked, line

    def to_json(self) -> dict:
        return {"chart": self.key, "title": self.title, "unit": self.unit,
                "labels": list(self.labels),
                "series": [{"key": s.key, "label": s.heading(),
                            "values": [None if v is None else str(v) for v in s.values]}
                           for s in self.series]}

    def rows(self, translate: Callable[[str], str] = str) -> list[list[str]]:
        """The table alternative and the CSV: a header, then one row per label."""
        head = ["", *(s.heading(translate) for s in self.series)]
        return [head] + [[label, *("" if s.values[i] is None else str(s.values[i])
                                   for s in self.series)]
                         for i, label in enumerate(self.labels)]


def _months(last: billing.Period, count: int) -> list[billing.Period]:
    out = [last]
    while len(out) < count:
        out.append(out[-1].previous())
    return out[::-1]


def quota_burn_down(contract_id: int, period: billing.Period, settings: Settings,
                    months: int = 3) -> Chart:
    """Minutes of a contract's quota used by day, this month and the months before it,
    against the quota (own plus carried in) of this month."""
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise LookupError(f"No contract {contract_id}.")
    tz = str(settings.timezone)
    series, quota = [], None
    for p in _months(period, months)[::-1]:
        [bill] = load_bills([contract.customer_id], p, settings) or [None]
        if bill is None:
            continue
        burn = quota_burn(bill.bill.allocations, contract_id, p, tz)
        series.append(Series(str(p), str(p), tuple(Decimal(m) for m in burn)
                             + (None,) * (31 - len(burn))))
        if p == period:
            usage = [u for u in bill.bill.coverage.usage if u.contract_id == contract_id]
            if usage and usage[0].quota_minutes is not None:
                quota = usage[0].quota_minutes + usage[0].rollover_in_minutes
    if quota is not None:
        series.append(Series("quota", _l("Quota"), (Decimal(quota),) * 31))
    return Chart("quota-burn-down", TITLES["quota-burn-down"], _l("minutes"),
                 tuple(str(d) for d in range(1, 32)), tuple(series), "line")


def engineer_hours(settings: Settings, now: datetime, weeks: int = 8,
                   engineer_id: int | None = None) -> Chart:
    """Hours per engineer and ISO week, billed, covered (quota, warranty) and not billable,
    from the live statements of the months those weeks touch. `engineer_id`: only theirs."""
    tz = str(settings.timezone)
    today = billing.local_date(now, tz)
    week_days = [today - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    labels = [week_of(d) for d in week_days]
    periods = sorted({str(billing.Period.of_day(d - timedelta(days=d.weekday()) + timedelta(x)))
                      for d in week_days for x in range(7)})
    totals: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (summary,) in session.execute(select(LiveStatement.summary)
                                      .where(LiveStatement.period.in_(periods))):
        for engineer, by_week in json.loads(summary).get("hours", {}).items():
            if engineer_id is not None and int(engineer) != engineer_id:
                continue
            for week, seconds in by_week.items():
                if week in labels:
                    for kind, value in seconds.items():
                        totals[(int(engineer), week)][kind] += value
    names = dict(session.execute(select(User.id, User.display_name)).all())
    series = []
    for engineer in sorted({e for e, _ in totals}, key=lambda e: names.get(e, "")):
        for kind, label in (("billed", _l("billed")), ("covered", _l("covered")),
                            ("not_billable", _l("not billable"))):
            series.append(Series(f"{engineer}:{kind}", label, tuple(
                _hours(totals.get((engineer, w), {}).get(kind, 0)) for w in labels),
                str(names.get(engineer, engineer))))
    return Chart("engineer-hours", TITLES["engineer-hours"], _l("hours"), tuple(labels),
                 tuple(series), "stacked")


def _hours(seconds: int) -> Decimal:
    return (Decimal(seconds) / 3600).quantize(Decimal("0.01"))


def _finalized_lines(periods: list[str]):
    return session.execute(
        select(Invoice.period, InvoiceLine.kind, InvoiceLine.amount)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(Invoice.status == "finalized", Invoice.period.in_(periods)))


def revenue_by_kind(settings: Settings, now: datetime, months: int = 12) -> Chart:
    """Net invoiced per month by line kind over the last months (finalized invoices less
    their credit notes), and what the live statements show so far for the customer-months
    not invoiced yet."""
    periods = [str(p) for p in _months(billing.period_of(now, str(settings.timezone)), months)]
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    invoiced = set()
    for period, kind, amount in _finalized_lines(periods):
        sums[kind][period] += amount
    for customer_id, period in session.execute(
            select(Invoice.customer_id, Invoice.period).where(
                Invoice.status == "finalized", Invoice.kind == "invoice",
                Invoice.period.in_(periods))):
        invoiced.add((customer_id, period))
    open_sums: dict[str, Decimal] = defaultdict(Decimal)
    for customer_id, period, net in session.execute(
            select(LiveStatement.customer_id, LiveStatement.period, LiveStatement.net)
            .where(LiveStatement.period.in_(periods))):
        if (customer_id, period) not in invoiced:
            open_sums[period] += net
    series = [Series(kind, KIND_LABELS.get(kind, kind),
                     tuple(sums[kind].get(p, Decimal("0.00")) for p in periods))
              for kind in billing.LineKind if kind in sums]
    series.append(Series("open", _l("so far, not invoiced yet"),
                         tuple(open_sums.get(p, Decimal("0.00")) for p in periods)))
    return Chart("revenue", TITLES["revenue"], settings.currency,
                 tuple(periods), tuple(series), "stacked")


def telephony(settings: Settings, now: datetime, months: int = 12) -> Chart:
    """Per month: the rated cost of every outbound call (matched to a customer or not) against
    the telephony billed on finalized invoices and, for the months not invoiced yet, on the
    live statements: the gap is telephony nobody pays for."""
    tz = str(settings.timezone)
    periods = _months(billing.period_of(now, tz), months)
    texts = [str(p) for p in periods]
    cost = []
    for p in periods:
        start, end = p.bounds(tz)
        cost.append(_exact_sum(Call.cost, and_(Call.direction == "outbound",
                                               Call.cost.is_not(None), Call.started_at >= start,
                                               Call.started_at < end)))
    billed: dict[str, Decimal] = defaultdict(Decimal)
    for period, kind, amount in _finalized_lines(texts):
        if kind == billing.LineKind.TELEPHONY:
            billed[period] += amount
    so_far: dict[str, Decimal] = defaultdict(Decimal)
    invoiced = {(c, p) for c, p in session.execute(select(Invoice.customer_id, Invoice.period)
                .where(Invoice.status == "finalized", Invoice.period.in_(texts)))}
    for customer_id, period, amount in session.execute(
            select(LiveStatement.customer_id, LiveStatement.period, LiveStatement.telephony)
            .where(LiveStatement.period.in_(texts))):
        if (customer_id, period) not in invoiced:
            so_far[period] += amount
    return Chart("telephony", TITLES["telephony"],
                 settings.currency, tuple(texts), (
                     Series("cost", _l("rated cost of all outbound calls"), tuple(cost)),
                     Series("billed", _l("billed on invoices"),
                            tuple(billed.get(p, Decimal("0.00")) for p in texts)),
                     Series("so_far", _l("on live statements, not invoiced yet"),
                            tuple(so_far.get(p, Decimal("0.00")) for p in texts))))


def _exact_sum(column, where) -> Decimal:
    """NUMERIC sums exactly on PostgreSQL; SQLite would add text as floats: add here."""
    if session.connection().dialect.name == "postgresql":
        return session.scalar(select(func.coalesce(func.sum(column), 0)).where(where)) \
            or Decimal("0.00")
    return sum((v for (v,) in session.execute(select(column).where(where))), Decimal("0.00"))


def call_review(settings: Settings, now: datetime, months: int = 12) -> Chart:
    """Per month, calls no customer was found for and matched calls without a tariff."""
    tz = str(settings.timezone)
    periods = _months(billing.period_of(now, tz), months)
    counts = {"unmatched": [], "unrated": []}
    for p in periods:
        start, end = p.bounds(tz)
        month = and_(Call.started_at >= start, Call.started_at < end)
        for key, clause in (("unmatched", UNMATCHED), ("unrated", UNRATED)):
            counts[key].append(Decimal(session.scalar(
                select(func.count()).select_from(Call).where(month, clause))))
    return Chart("calls", TITLES["calls"], _l("calls"),
                 tuple(str(p) for p in periods),
                 (Series("unmatched", _l("unmatched"), tuple(counts["unmatched"])),
                  Series("unrated", _l("unrated"), tuple(counts["unrated"]))))


def contract_per_hour(period: billing.Period, settings: Settings) -> Chart:
    """Per contract in the month: billed per hour worked under it, and per hour after the
    engineers' hourly cost (the margin), from the live statements."""
    rows = []
    names = dict(session.execute(select(Contract.id, Contract.name)).all())
    for (summary,) in session.execute(select(LiveStatement.summary)
                                      .where(LiveStatement.period == str(period))):
        for contract, f in json.loads(summary).get("per_contract", {}).items():
            rows.append((int(contract), Decimal(f["billed"]), Decimal(f["hours"]),
                         Decimal(f["cost"])))
    rows.sort(key=lambda r: (names.get(r[0], ""), r[0]))
    per_hour = tuple(billing.to_cents(b / h) if h else None for _, b, h, _ in rows)
    margin = tuple(billing.to_cents((b - c) / h) if h else None for _, b, h, c in rows)
    return Chart("contract-per-hour", TITLES["contract-per-hour"],
                 settings.currency + "/h",
                 tuple(f"{names.get(c, c)} (#{c})" for c, *_ in rows),
                 (Series("per_hour", _l("billed per hour"), per_hour),
                  Series("margin_per_hour", _l("margin per hour"), margin)))


KIND_LABELS = {"fee": _l("fees"), "seats": _l("seats"), "quota": _l("quota use"),
               "overflow": _l("overflow"), "warranty": _l("warranty"),
               "no_contract": _l("work without a contract"),
               "minimum_top_up": _l("minimum top-ups"), "telephony": _l("telephony"),
               "handled_call_minutes": _l("handled calls per minute"),
               "handled_calls": _l("handled calls per call"),
               "handled_calls_flat": _l("handled calls, flat rate"), "cost_cap": _l("cost caps")}
TITLES = {"quota-burn-down": _l("Quota burn-down"),
          "engineer-hours": _l("Hours per engineer and week"),
          "revenue": _l("Revenue per month by line kind"),
          "telephony": _l("Telephony: cost of the calls and what was billed"),
          "calls": _l("Unmatched and unrated calls"),
          "contract-per-hour": _l("Billed per hour worked, per contract")}

# The charts by key, with what each needs from the request: the one list screens, API and CLI
# share. An engineer sees only "engineer-hours", and only their own.
CHARTS: dict[str, Callable] = {
    "quota-burn-down": quota_burn_down, "engineer-hours": engineer_hours,
    "revenue": revenue_by_kind, "telephony": telephony, "calls": call_review,
    "contract-per-hour": contract_per_hour,
}


class ChartError(ValueError):
    """A chart asked for with a parameter that does not fit: the message names it."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def build(key: str, args, settings: Settings, now: datetime, viewer_id: int,
          roles: set[str]) -> Chart:
    """The chart `key` from a request's arguments (`period`: the month shown or the last of
    the months shown; `contract_id`, `months`, `weeks`, `until`: the last day of the weeks).
    Who sees what: admin and billing every chart; an engineer only their own hours.
    Raises LookupError (no such chart or contract), PermissionError, ChartError."""
    if key not in CHARTS:
        raise LookupError(f"No chart {key!r}; there are {', '.join(CHARTS)}.")
    own_only = not roles & {"admin", "billing"}
    if own_only and key != "engineer-hours":
        raise PermissionError("An engineer sees their own hours only.")
    tz = str(settings.timezone)

    def number(name, default, high):
        text = args.get(name)
        if text in (None, ""):
            return default
        if not str(text).isdigit() or not 1 <= int(text) <= high:
            raise ChartError(name, f"{name}: a whole number from 1 to {high}, not {text!r}")
        return int(text)

    def period():
        text = args.get("period")
        if not text:
            return billing.period_of(now, tz)
        try:
            return billing.Period.parse(text)
        except ValueError as e:
            raise ChartError("period", str(e)) from None

    def until():
        text = args.get("until")
        if not text:
            return now
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ChartError("until", f"until: a date YYYY-MM-DD, not {text!r}") from None
        return datetime.combine(day, time(12), ZoneInfo(tz))

    if key == "quota-burn-down":
        contract = args.get("contract_id")
        if not contract or not str(contract).isdigit() or int(contract) > 2**31 - 1:
            raise ChartError("contract_id", "contract_id: which contract's quota to show")
        return quota_burn_down(int(contract), period(), settings, number("months", 3, 12))
    if key == "engineer-hours":
        return engineer_hours(settings, until(), number("weeks", 8, 53),
                              viewer_id if own_only else None)
    if key == "contract-per-hour":
        return contract_per_hour(period(), settings)
    # The last month shown: `period`, by default this one.
    last = period()
    noon = datetime.combine(last.first_day, time(12), ZoneInfo(tz))
    return CHARTS[key](settings, noon, number("months", 12, 36))
