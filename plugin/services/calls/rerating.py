"""Rating and matching calls again: after a tariff or a number was added, or for a period."""

from dataclasses import dataclass

from sqlalchemy import and_, bindparam, select, update

from plugin.billing import Period, period_of
from plugin.cdr.bounds import OutOfBounds
from plugin.config import Settings
from plugin.db import session
from plugin.models import Call
from plugin.services import closed_periods, live
from plugin.services.calls.matching import Matcher
from plugin.services.calls.review import RATEABLE, UNMATCHED, UNRATED


@dataclass(frozen=True)
class RatingResult:
    rated: int
    unrated: int
    skipped_closed: int


def rate_unrated_calls(settings: Settings) -> RatingResult:
    """Rate the calls that found no tariff before (e.g. after a tariff was added)."""
    return rerate_calls(settings, only_unrated=True)


def rerate_calls(settings: Settings, period: Period | None = None, *,
                 only_unrated: bool = False, batch: int = 5_000) -> RatingResult:
    """Rate again the rateable calls (of a period, in the operator's timezone), with the tariffs
    as they are now. Calls of a customer whose invoice for that month is finalized keep their
    cost: that period is closed."""
    matcher = Matcher.load(settings)
    zone = settings.timezone
    closed = closed_periods.closed_periods()
    condition = UNRATED if only_unrated else RATEABLE
    if period is not None:
        start, end = period.bounds(zone.key)
        condition = and_(condition, Call.started_at >= start, Call.started_at < end)
    table = Call.__table__
    change = update(table).where(table.c.id == bindparam("call_id")).values(
        tariff_id=bindparam("new_tariff"), rated_seconds=bindparam("new_seconds"),
        cost=bindparam("new_cost"))
    # Whatever the selected calls' costs become, their customers' months are stale.
    live.mark_calls(session.connection(), (condition,), zone.key)
    rated = unrated = skipped = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(Call.id, Call.callee, Call.started_at, Call.billsec, Call.customer_id)
            .where(condition, Call.id > last_id).order_by(Call.id).limit(batch)).all()
        if not rows:
            break
        last_id = rows[-1].id
        updates = []
        for call_id, callee, started_at, seconds, customer_id in rows:
            if customer_id is not None and (
                    customer_id, str(period_of(started_at, zone.key))) in closed:
                skipped += 1
                continue
            try:
                tariff, rated_seconds, cost = matcher.rate(matcher.e164(callee), started_at,
                                                           seconds)
            except OutOfBounds:  # a price no call can cost: left unrated, listed for review
                tariff = rated_seconds = cost = None
            rated += tariff is not None
            unrated += tariff is None
            updates.append({"call_id": call_id, "new_tariff": tariff,
                            "new_seconds": rated_seconds, "new_cost": cost})
        if updates:
            session.execute(change, updates, execution_options={"synchronize_session": False})
    session.flush()
    return RatingResult(rated, unrated, skipped)


def match_unmatched_calls(settings: Settings, batch: int = 5_000) -> int:
    """Match the calls without a customer again (e.g. after a modem number was added);
    returns how many found one. The direction stays as imported."""
    matcher = Matcher.load(settings)
    table = Call.__table__
    change = update(table).where(table.c.id == bindparam("call_id")).values(
        customer_id=bindparam("new_customer"), installation_id=bindparam("new_installation"))
    matched = 0
    last_id = 0
    zone, months = settings.timezone.key, set()
    while True:
        rows = session.execute(
            select(Call.id, Call.direction, Call.caller, Call.callee, Call.started_at)
            .where(UNMATCHED, Call.id > last_id).order_by(Call.id).limit(batch)).all()
        if not rows:
            break
        last_id = rows[-1].id
        updates = []
        for call_id, direction, caller, callee, started_at in rows:
            customer, installation = matcher.customer(direction, matcher.e164(caller),
                                                      matcher.e164(callee))
            if customer is not None:
                updates.append({"call_id": call_id, "new_customer": customer,
                                "new_installation": installation})
                months.add((customer, str(period_of(started_at, zone))))
        if updates:
            session.execute(change, updates, execution_options={"synchronize_session": False})
            matched += len(updates)
    live.mark(session.connection(), months)
    session.flush()
    return matched
