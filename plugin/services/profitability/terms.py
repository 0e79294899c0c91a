"""A contract's §5 terms: saved with each error naming its field, read as the core's objects."""

from decimal import Decimal

from plugin.billing.cost_cap import HIGHEST_CATEGORY, CostCap
from plugin.billing.handled_calls import CallPricing, CallPricingModel
from plugin.billing.invoice import LineKind
from plugin.db import session
from plugin.models import Contract, ContractTerms
from plugin.services.errors import FieldError
from plugin.services.fields import money, whole

FIELDS = ("call_pricing", "call_price", "first_increment", "next_increment",
          "reference_price_per_minute", "tolerance_percent", "cost_cap_amounts",
          "cost_cap_category", "cost_cap_kinds", "per_minute_price", "hourly_floor",
          "budget_thresholds", "budget_mail")
# The kinds a cost cap may name: every line kind but the cap itself.
CAPPABLE = tuple(str(kind) for kind in LineKind if kind is not LineKind.COST_CAP)


def price(value: Decimal | None) -> Decimal | None:
    """A price as read back, the same on both engines (PostgreSQL pads NUMERIC(14, 4) to four
    places, SQLite keeps the text): at least two places, no trailing zeros beyond them —
    490.0000 → 490.00, 0.8000 → 0.80, 0.7950 → 0.795."""
    if value is None:
        return None
    short = value.normalize()
    return value.quantize(Decimal("0.01")) if short.as_tuple().exponent > -2 else short


def percent(value: Decimal) -> Decimal:
    """A percentage without trailing zeros: 15.00 → 15, 12.50 → 12.5."""
    short = value.normalize()
    return short.quantize(Decimal(1)) if short == short.to_integral_value() else short


def terms_of(contract_id: int) -> ContractTerms | None:
    return session.query(ContractTerms).filter_by(contract_id=contract_id).one_or_none()


def _listed(value) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else str(value).replace(";", ",").split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def parse_amounts(value) -> list[Decimal]:
    """'300.00, 350.00, 400.00' (or a list) → the categories' caps, category 1 first."""
    amounts = [money(item, "cost_cap_amounts") for item in _listed(value)]
    if len(amounts) > HIGHEST_CATEGORY:
        raise FieldError("cost_cap_amounts", "at most %(limit)s categories",
                         limit=HIGHEST_CATEGORY)
    return amounts


# Thresholds in % of the quota: ten of three digits fit the column (String(40)).
MAX_THRESHOLD, MAX_THRESHOLDS = 999, 10


def parse_thresholds(value) -> list[int]:
    thresholds = sorted({whole(item, "budget_thresholds", minimum=1) for item in _listed(value)})
    if thresholds and thresholds[-1] > MAX_THRESHOLD:
        raise FieldError("budget_thresholds", "at most %(limit)s %%",
                         limit=MAX_THRESHOLD)
    if len(thresholds) > MAX_THRESHOLDS:
        raise FieldError("budget_thresholds", "at most %(limit)s thresholds",
                         limit=MAX_THRESHOLDS)
    return thresholds


def save_terms(contract: Contract, data: dict) -> ContractTerms:
    """Create or change the contract's terms from form or JSON data (every field sent); the
    core's own objects judge the shape, so its rules are written once."""
    row = terms_of(contract.id) or ContractTerms(contract_id=contract.id)
    pricing = data.get("call_pricing") or None
    if pricing is not None and pricing not in set(CallPricingModel):
        raise FieldError("call_pricing", "choose %(choices)s (or empty: none)",
                         choices=" or ".join(CallPricingModel))
    row.call_pricing = pricing
    row.call_price = money(data.get("call_price"), "call_price", required=pricing is not None,
                           places=4)
    row.first_increment = whole(data.get("first_increment") or 60, "first_increment", minimum=1)
    row.next_increment = whole(data.get("next_increment") or 60, "next_increment", minimum=1)
    row.reference_price_per_minute = money(data.get("reference_price_per_minute"),
                                           "reference_price_per_minute", required=False,
                                           places=4)
    row.tolerance_percent = money(data.get("tolerance_percent") or "0", "tolerance_percent")
    amounts = parse_amounts(data.get("cost_cap_amounts"))
    kinds = _listed(data.get("cost_cap_kinds"))
    for kind in kinds:
        if kind not in CAPPABLE:
            raise FieldError("cost_cap_kinds", "%(kind)r is not a line kind: %(choices)s",
                             kind=kind, choices=', '.join(CAPPABLE))
    row.cost_cap_amounts = ",".join(str(a) for a in amounts) or None
    row.cost_cap_kinds = ",".join(kinds)
    row.cost_cap_category = whole(data.get("cost_cap_category"), "cost_cap_category",
                                  required=bool(amounts), minimum=1) if amounts else None
    if amounts and not kinds:
        raise FieldError("cost_cap_kinds", "name the line kinds under the cost cap, e.g. "
                         "handled_call_minutes, overflow, telephony")
    row.per_minute_price = money(data.get("per_minute_price"), "per_minute_price",
                                 required=False, places=4)
    row.hourly_floor = money(data.get("hourly_floor"), "hourly_floor", required=False)
    thresholds = data.get("budget_thresholds")
    row.budget_thresholds = ",".join(
        str(t) for t in parse_thresholds("80,100" if thresholds is None else thresholds))
    row.budget_mail = bool(data.get("budget_mail"))
    _core_check(row)
    session.add(row)
    session.flush()
    return row


def _core_check(row: ContractTerms) -> None:
    try:
        call_pricing(row)
    except ValueError as e:
        field = "first_increment" if "increment" in str(e) else "call_price"
        raise FieldError(field, str(e)) from None
    try:
        cost_cap(row)
    except ValueError as e:
        field = "cost_cap_category" if "category" in str(e) and "table" in str(e) \
            else "cost_cap_amounts"
        raise FieldError(field, str(e)) from None


def call_pricing(row: ContractTerms | None) -> CallPricing | None:
    """The contract's pricing of handled calls as the core's, or None without one."""
    if row is None or row.call_pricing is None:
        return None
    return CallPricing(
        contract_id=row.contract_id, model=CallPricingModel(row.call_pricing),
        price=price(row.call_price),
        reference_price_per_minute=price(row.reference_price_per_minute),
        tolerance_percent=percent(row.tolerance_percent), first_increment=row.first_increment,
        next_increment=row.next_increment)


def cost_cap(row: ContractTerms | None) -> CostCap | None:
    """The contract's cost cap as the core's, or None without one."""
    if row is None or not row.cost_cap_amounts:
        return None
    return CostCap(
        contract_id=row.contract_id,
        amounts=tuple(Decimal(a) for a in row.cost_cap_amounts.split(",")),
        category=row.cost_cap_category or 1,
        kinds=frozenset(LineKind(k) for k in row.cost_cap_kinds.split(",") if k),
        tolerance_percent=percent(row.tolerance_percent),
        per_minute_price=price(row.per_minute_price))


def thresholds(row: ContractTerms | None) -> list[int]:
    """The contract's budget thresholds; without terms, the default 80 % and 100 %."""
    from plugin.billing.budget import DEFAULT_THRESHOLDS

    if row is None:
        return list(DEFAULT_THRESHOLDS)
    return [int(t) for t in row.budget_thresholds.split(",") if t]


def terms_json(row: ContractTerms | None, contract_id: int) -> dict:
    """The terms as the API sends them (amounts as strings); defaults without a row."""
    def s(value):
        return None if value is None else str(value)

    if row is None:
        row = ContractTerms(contract_id=contract_id, first_increment=60, next_increment=60,
                            tolerance_percent=Decimal("0"), cost_cap_kinds="",
                            budget_thresholds="80,100", budget_mail=False)
    return {
        "contract_id": contract_id, "call_pricing": row.call_pricing,
        "call_price": s(price(row.call_price)), "first_increment": row.first_increment,
        "next_increment": row.next_increment,
        "reference_price_per_minute": s(price(row.reference_price_per_minute)),
        "tolerance_percent": s(percent(row.tolerance_percent)),
        "cost_cap_amounts": row.cost_cap_amounts.split(",") if row.cost_cap_amounts else [],
        "cost_cap_category": row.cost_cap_category,
        "cost_cap_kinds": [k for k in (row.cost_cap_kinds or "").split(",") if k],
        "per_minute_price": s(price(row.per_minute_price)),
        "hourly_floor": s(price(row.hourly_floor)),
        "budget_thresholds": [int(t) for t in (row.budget_thresholds or "").split(",") if t],
        "budget_mail": bool(row.budget_mail),
    }
