"""Offer texts: templates with named placeholders, validated, rendered in the customer's words."""

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from string import Formatter

from .findings import (
    BudgetAlert,
    CostCapFinding,
    Finding,
    FlatFinding,
    HourlyFloorFinding,
    PerCallFinding,
)
from .handled_calls import decimal_text
from .money import CENT
from .wording import ENGLISH, Wording


class TemplateKind(StrEnum):
    COST_CAP = "cost_cap"  # the next category
    COST_CAP_PER_MINUTE = "cost_cap_per_minute"  # the highest category exceeded
    FLAT = "flat"
    PER_CALL = "per_call"
    HOURLY_FLOOR = "hourly_floor"
    BUDGET_ALERT = "budget_alert"
    COST_CAP_FOLLOW_UP = "cost_cap_follow_up"
    COST_CAP_PER_MINUTE_FOLLOW_UP = "cost_cap_per_minute_follow_up"
    FLAT_FOLLOW_UP = "flat_follow_up"
    PER_CALL_FOLLOW_UP = "per_call_follow_up"
    HOURLY_FLOOR_FOLLOW_UP = "hourly_floor_follow_up"
    BUDGET_ALERT_FOLLOW_UP = "budget_alert_follow_up"

    @property
    def follow_up(self) -> "TemplateKind":
        """The follow-up of a first message's kind (and a follow-up's own kind)."""
        return self if self.is_follow_up else TemplateKind(f"{self.value}_follow_up")

    @property
    def is_follow_up(self) -> bool:
        return self.value.endswith("_follow_up")

    @property
    def first(self) -> "TemplateKind":
        """The first message's kind that a follow-up quotes."""
        return TemplateKind(self.value.removesuffix("_follow_up"))


# What each placeholder stands for: the template editor's help, and the documentation.
PLACEHOLDERS = {
    "greeting": "the salutation, e.g. 'Dear Ms Berg'",
    "period": "the billing period checked, YYYY-MM",
    "offer_date": "the date of the offer (in a follow-up: the date the first message was sent)",
    "first_message": "a follow-up only: the first message as it was sent",
    "tolerance": "the tolerance in %",
    "minutes": "handled minutes: the total talk time of the period's handled calls",
    "calls": "the number of handled calls in the period",
    "reference_price": "the reference price per minute",
    "current_price": "the price now: cap, monthly flat, price per call or monthly fee",
    "new_price": "the price offered",
    "alternative_price": "flat: a price per call instead; per call: a monthly flat instead",
    "value": "flat: minutes × reference price; per call: minutes / calls × reference price",
    "limit": "the current price plus the tolerance, which the figures exceeded",
    "category": "the cost cap category now",
    "new_category": "the cost cap category offered",
    "capped_sum": "the items under the cost cap, before the cap applied",
    "billed": "what the contract billed in the period",
    "hours": "hours actually worked on the contract in the period",
    "amount_per_hour": "billed / hours worked",
    "floor": "the contract's floor per hour",
    "threshold": "the budget threshold reached, in %",
    "used_minutes": "quota minutes used in the period",
    "budget_minutes": "the period's quota plus the rollover carried in",
    "used_percent": "used minutes as a % of the budget",
}

_COMMON = {"greeting", "period", "offer_date"}
_CAP = _COMMON | {"tolerance", "category", "current_price", "new_price", "capped_sum", "limit"}
_CALLS = _COMMON | {
    "tolerance", "minutes", "calls", "reference_price", "current_price", "new_price",
    "alternative_price", "value", "limit",
}  # fmt: skip
_FIRST_KINDS = {
    TemplateKind.COST_CAP: _CAP | {"new_category"},
    TemplateKind.COST_CAP_PER_MINUTE: _CAP,
    TemplateKind.FLAT: _CALLS,
    TemplateKind.PER_CALL: _CALLS,
    TemplateKind.HOURLY_FLOOR: _COMMON
    | {"billed", "hours", "amount_per_hour", "floor", "current_price", "new_price"},
    TemplateKind.BUDGET_ALERT: _COMMON
    | {"threshold", "used_minutes", "budget_minutes", "used_percent"},
}
KIND_PLACEHOLDERS: dict[TemplateKind, frozenset[str]] = {
    kind: frozenset(_FIRST_KINDS[kind.first] | ({"first_message"} if kind.is_follow_up else set()))
    for kind in TemplateKind
}


@dataclass(frozen=True)
class OfferTemplate:
    kind: TemplateKind
    language: str
    subject: str
    body: str


@dataclass(frozen=True)
class RenderedOffer:
    subject: str
    body: str


class TemplateError(ValueError):
    """A template that cannot be rendered; `problems` names each one (placeholder, line, column)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def template_problems(text: str, kind: TemplateKind | None = None) -> list[str]:
    """Every problem of a template, in order: an unknown placeholder (for `kind`, or for any
    kind), a positional or formatted one, an unclosed '{' or a lone '}'. Literal braces are
    written '{{' and '}}'. An empty list: the template is good."""
    known = KIND_PLACEHOLDERS[kind] if kind else frozenset(PLACEHOLDERS)
    problems = []
    at = 0
    while at < len(text):
        char = text[at]
        if text.startswith(("{{", "}}"), at):
            at += 2
            continue
        if char == "}":
            problems.append(
                f"a '}}' without its '{{' at {_where(text, at)} (write '}}}}' for a brace)"
            )
        elif char == "{":
            end = text.find("}", at + 1)
            if end < 0 or "{" in text[at + 1 : end]:
                problems.append(
                    f"a '{{' that is never closed at {_where(text, at)} (write '{{{{' for a brace)"
                )
            else:
                problem = _field_problem(text[at + 1 : end], known, kind)
                if problem:
                    problems.append(f"{problem} at {_where(text, at)}")
                at = end
        at += 1
    return problems


def validate_template(text: str, kind: TemplateKind | None = None) -> None:
    """Raise TemplateError naming every problem of template_problems."""
    problems = template_problems(text, kind)
    if problems:
        raise TemplateError(problems)


def placeholders(text: str) -> list[str]:
    """The placeholders a valid template uses, in order of first use."""
    validate_template(text)
    names = [name for _, name, _, _ in Formatter().parse(text) if name is not None]
    return list(dict.fromkeys(names))


def render(text: str, values: Mapping[str, str], kind: TemplateKind | None = None) -> str:
    """The template with its placeholders filled in (str.format_map); TemplateError when it is
    malformed, uses a placeholder unknown to `kind`, or one `values` has no value for."""
    validate_template(text, kind)
    missing = [name for name in placeholders(text) if name not in values]
    if missing:
        raise TemplateError([f"no value for {{{name}}} in this offer" for name in missing])
    return text.format_map(values)


def template_kind(finding: Finding, follow_up: bool = False) -> TemplateKind:
    """The template a finding's offer (or its follow-up) is written with."""
    if isinstance(finding, CostCapFinding):
        first = TemplateKind.COST_CAP_PER_MINUTE if finding.new_category is None else (
            TemplateKind.COST_CAP
        )
    else:
        first = TemplateKind(finding.kind.value)
    return first.follow_up if follow_up else first


@dataclass(frozen=True)
class _Formats:
    wording: Wording
    day_text: Callable[[date], str]
    currency: str

    def money(self, value: Decimal) -> str:
        """593.6 → '593.60'; a price with more places keeps them: 2.9677, 0.795."""
        text = (
            self.wording.amount(value) if value == value.quantize(CENT)
            else decimal_text(value, self.wording)
        )
        return f"{text} {self.currency}" if self.currency else text

    def number(self, value: Decimal | int) -> str:
        return decimal_text(Decimal(value), self.wording)


def offer_values(
    finding: Finding,
    *,
    greeting: str,
    offer_date: date,
    wording: Wording = ENGLISH,
    day_text: Callable[[date], str] = date.isoformat,
    currency: str = "",
    first_message: str | None = None,
) -> dict[str, str]:
    """The placeholders' values for a finding, written for the customer: amounts with the
    wording's decimal mark (and `currency`, if given: '590,00 EUR'), dates by `day_text` (the
    adapter passes Babel's, in the customer's language). A follow-up passes the first message
    and the date it was sent as `offer_date`. A figure the finding lacks has no value."""
    formats = _Formats(wording, day_text, currency)
    money, number = formats.money, formats.number
    values = {
        "greeting": greeting,
        "period": str(finding.period),
        "offer_date": day_text(offer_date),
    }
    if first_message is not None:
        values["first_message"] = first_message
    if isinstance(finding, CostCapFinding):
        values |= {
            "tolerance": number(finding.tolerance_percent),
            "category": str(finding.category),
            "current_price": money(finding.current_price),
            "capped_sum": money(finding.capped_sum),
            "limit": money(finding.limit),
        }
        if finding.new_category is not None:
            values["new_category"] = str(finding.new_category)
        if finding.new_price is not None:
            values["new_price"] = money(finding.new_price)
    elif isinstance(finding, FlatFinding | PerCallFinding):
        values |= {
            "tolerance": number(finding.tolerance_percent),
            "minutes": str(finding.minutes),
            "calls": str(finding.calls),
            "reference_price": money(finding.reference_price),
            "current_price": money(finding.current_price),
            "new_price": money(finding.new_price),
            "value": money(finding.value),
            "limit": money(finding.limit),
        }
        if finding.alternative_price is not None:
            values["alternative_price"] = money(finding.alternative_price)
    elif isinstance(finding, HourlyFloorFinding):
        values |= {
            "billed": money(finding.billed),
            "hours": wording.amount(finding.hours),
            "amount_per_hour": money(finding.amount_per_hour),
            "floor": money(finding.floor),
            "current_price": money(finding.current_price),
            "new_price": money(finding.new_price),
        }
    elif isinstance(finding, BudgetAlert):
        values |= {
            "threshold": str(finding.threshold_percent),
            "used_minutes": number(finding.used_minutes),
            "budget_minutes": str(finding.total_minutes),
            "used_percent": number(finding.used_percent),
        }
    return values


def render_offer(template: OfferTemplate, values: Mapping[str, str]) -> RenderedOffer:
    """Subject and body of an offer, a follow-up or an alert (see offer_values)."""
    return RenderedOffer(
        render(template.subject, values, template.kind),
        render(template.body, values, template.kind),
    )


def _field_problem(field: str, known: frozenset[str], kind: TemplateKind | None) -> str | None:
    if not field or field.isdigit():
        return f"a numbered placeholder {{{field}}}: placeholders have names, e.g. {{greeting}}"
    if "!" in field or ":" in field:
        return f"a placeholder takes no format or conversion: {{{field}}}"
    if not _NAME.fullmatch(field):
        return f"{{{field}}} is not a placeholder name"
    if field not in known:
        close = difflib.get_close_matches(field, sorted(known), n=1)
        hint = f" (did you mean {{{close[0]}}}?)" if close else ""
        where = f" in a {kind} text" if kind and field in PLACEHOLDERS else ""
        return f"unknown placeholder {{{field}}}{where}{hint}"
    return None


def _where(text: str, at: int) -> str:
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return f"line {line}, column {column}"
