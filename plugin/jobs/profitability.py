"""The profitability jobs (plugin.toml [jobs.budget-alerts], [jobs.offer-follow-ups]): budget
alerts of the current period, follow-ups of unanswered offers. Each commits what it did;
plugin.jobs claims each scheduled run once per cluster, and each task's key makes it once."""

from datetime import datetime

from plugin import billing
from plugin.config import settings
from plugin.db import session
from plugin.services.profitability import budget_alerts as alerts
from plugin.services.profitability import offers


def budget_alerts(now: datetime) -> str:
    period = billing.period_of(now, str(settings().timezone))
    raised = alerts.check_budgets(period, settings(), now)
    session.commit()
    return f"{period}: {len(raised)} budget alerts"


def offer_follow_ups(now: datetime) -> str:
    result = offers.follow_ups(settings(), now)
    session.commit()
    return result.text()
