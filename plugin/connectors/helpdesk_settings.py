"""Settings of the helpdesk connectors (QUARTERHOUR_HELPDESK_*, QUARTERHOUR_WEBHOOK_SECRET),
parsed at start-up; standard library only (plugin.config imports it)."""

from collections.abc import Callable
from dataclasses import dataclass, field

PREFIX = "QUARTERHOUR_"


@dataclass(frozen=True)
class HelpdeskSettings:
    timeout_seconds: float = 10.0
    push_max_attempts: int = 8
    push_backoff_seconds: float = 60.0
    push_lease_seconds: int = 300
    # The generic webhook's secrets: the first signs nothing of ours, every one verifies (two
    # while a secret is being replaced). From the environment only, never the database.
    webhook_secrets: tuple[str, ...] = field(default=(), repr=False)


def parse(raw: Callable[[str], str]) -> HelpdeskSettings:
    def number(name, kind, minimum):
        try:
            value = kind(raw(name))
        except ValueError:
            raise ValueError(f"{PREFIX}{name} must be a number, got {raw(name)!r}") from None
        if value < minimum:
            raise ValueError(f"{PREFIX}{name} must be at least {minimum}, got {raw(name)!r}")
        return value

    return HelpdeskSettings(
        timeout_seconds=number("HELPDESK_TIMEOUT_SECONDS", float, 0.1),
        push_max_attempts=number("HELPDESK_PUSH_MAX_ATTEMPTS", int, 1),
        push_backoff_seconds=number("HELPDESK_PUSH_BACKOFF_SECONDS", float, 0),
        push_lease_seconds=number("HELPDESK_PUSH_LEASE_SECONDS", int, 1),
        webhook_secrets=tuple(s for s in raw("WEBHOOK_SECRET").split() if s))
