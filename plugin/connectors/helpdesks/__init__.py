"""Helpdesk clients by name: `HELPDESKS[source](url, token, timeout=…, session=…)`.

Each client checks its connection, lists tickets as plain `Ticket`s, and writes time back; it
takes its URL, token and HTTP session as arguments and reads no Flask global or setting.
"""

from .base import (
    CLOSED,
    OPEN,
    BadSettings,
    ConnectorError,
    Forbidden,
    Helpdesk,
    Identity,
    NotAHelpdesk,
    NotFound,
    OutcomeUnknown,
    Refused,
    ServerError,
    Ticket,
    TimedOut,
    Unauthorized,
    Unreachable,
)
from .rt import RequestTracker
from .zammad import Organization, Zammad

HELPDESKS: dict[str, type[Helpdesk]] = {}
HELPDESKS["rt"] = RequestTracker
HELPDESKS["zammad"] = Zammad

__all__ = [
    "CLOSED",
    "HELPDESKS",
    "OPEN",
    "BadSettings",
    "ConnectorError",
    "Forbidden",
    "Helpdesk",
    "Identity",
    "NotAHelpdesk",
    "NotFound",
    "Organization",
    "OutcomeUnknown",
    "Refused",
    "RequestTracker",
    "ServerError",
    "Ticket",
    "TimedOut",
    "Unauthorized",
    "Unreachable",
    "Zammad",
]
