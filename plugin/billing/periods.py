"""R2 periods: calendar months in the operator's timezone, and the period of an instant."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Europe/Berlin"

_PERIOD_TEXT = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"a period's month is 1 to 12, not {self.month}")

    @classmethod
    def parse(cls, text: str) -> "Period":
        """'2026-10' → Period(2026, 10)."""
        match = _PERIOD_TEXT.fullmatch(text.strip())
        if not match:
            raise ValueError(f"a period is written YYYY-MM, not {text!r}")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of_day(cls, day: date) -> "Period":
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> "Period":
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> "Period":
        return Period(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def bounds(self, timezone: str = DEFAULT_TIMEZONE) -> tuple[datetime, datetime]:
        """[start, end) of the period as UTC instants: local midnight of the 1st to the next 1st."""
        zone = ZoneInfo(timezone)
        start = datetime.combine(self.first_day, time(), zone)
        end = datetime.combine(self.next().first_day, time(), zone)
        return start.astimezone(UTC), end.astimezone(UTC)


def require_aware(instant: datetime, what: str = "an instant") -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{what} must carry a timezone (times are stored in UTC): {instant}")


def local_date(instant: datetime, timezone: str = DEFAULT_TIMEZONE) -> date:
    """The operator's calendar date of an instant: it decides period, warranty and validity."""
    require_aware(instant)
    return instant.astimezone(ZoneInfo(timezone)).date()


def period_of(instant: datetime, timezone: str = DEFAULT_TIMEZONE) -> Period:
    return Period.of_day(local_date(instant, timezone))
