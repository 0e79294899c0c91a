"""How a document reads in its language: our catalog, Babel's dates and numbers, unit names.

The PDF and the web invoice screen both show an invoice as its customer reads it, so they write
its units, dates, periods and VAT with these; the e-invoice keeps the UN/ECE codes (cii.py).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from markupsafe import Markup

from plugin import billing
from plugin.services.wording import catalog, language_of, wording


@dataclass(frozen=True)
class Reader:
    """One language's way of writing a document; `zone`: the operator's timezone."""

    language: str
    zone: ZoneInfo

    def gettext(self, text: str, **values) -> str:
        """Translated, marked safe (our catalog's texts are markup we wrote), then filled with
        its named values, which Markup's % escapes."""
        return Markup(catalog(self.language).gettext(text)) % values  # noqa: S704

    def ngettext(self, singular: str, plural: str, num: int, **values) -> str:
        found = catalog(self.language).ngettext(singular, plural, num)
        return Markup(found) % {"num": num, **values}  # noqa: S704

    def number(self, value, pattern: str = "#,##0.00") -> str:
        return "" if value is None else format_decimal(Decimal(value), pattern,
                                                       locale=self.language)

    def day(self, value: str | date | None) -> str:
        """'02.11.2026' / 'Nov 2, 2026'."""
        if not value:
            return ""
        day = date.fromisoformat(value) if isinstance(value, str) else value
        return format_date(day, "medium", locale=self.language)

    def local(self, instant: str | datetime | None, seconds: bool = False) -> str:
        """An instant in the operator's timezone: '02.10.2026 09:00' / 'Oct 2, 2026 09:00'."""
        if not instant:
            return ""
        moment = datetime.fromisoformat(instant) if isinstance(instant, str) else instant
        moment = moment.astimezone(self.zone)
        clock = format_time(moment, "HH:mm:ss" if seconds else "HH:mm", locale=self.language)
        return f"{self.day(moment.date())} {clock}"

    def time(self, instant: str | datetime | None, since: str | datetime | None = None) -> str:
        """The end of a session: its time alone when it ends on the day it began."""
        if not instant:
            return ""
        moment = datetime.fromisoformat(instant) if isinstance(instant, str) else instant
        start = datetime.fromisoformat(since) if isinstance(since, str) else since
        if start is not None and moment.astimezone(self.zone).date() == \
                start.astimezone(self.zone).date():
            return format_time(moment.astimezone(self.zone), "HH:mm", locale=self.language)
        return self.local(moment)

    def period(self, period: str) -> str:
        """'2026-10' → 'Oktober 2026' / 'October 2026'."""
        return wording(self.language).period(billing.Period.parse(period))

    def period_days(self, period: str) -> str:
        """'01.10.2026 – 31.10.2026': the days of the service period."""
        parsed = billing.Period.parse(period)
        return f"{self.day(parsed.first_day)} – {self.day(parsed.last_day)}"

    def unit(self, code: str, quantity) -> str:
        """A line's unit code ('unit', 'month', …) as the reader says it for that quantity."""
        ngettext = catalog(self.language).ngettext
        n = 2 if abs(Decimal(quantity)) != 1 else 1
        names = {
            "unit": lambda: ngettext("unit", "units", n),
            "month": lambda: ngettext("month", "months", n),
            "seat": lambda: ngettext("seat", "seats", n),
            "minute": lambda: ngettext("minute", "minutes", n),
            "hour": lambda: ngettext("hour", "hours", n),
            "call": lambda: ngettext("call", "calls", n),
            "lump sum": lambda: catalog(self.language).gettext("lump sum"),
        }
        return names[code]() if code in names else code

    def vat(self, rate) -> str:
        """'USt. 19 %' / 'VAT 19 %': a VAT rate as the document names it (never its code)."""
        return self.gettext("VAT %(rate)s %%", rate=self.number(rate, "#,##0.##"))


@cache
def reader(language: str | None, timezone: str) -> Reader:
    return Reader(language_of(language), ZoneInfo(timezone))
