"""The checks of PRODUCT.md §5 for a period: each contract's finding raises or updates its task."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from plugin import billing
from plugin.billing.handled_calls import handled_totals
from plugin.billing.profitability import check_call_pricing, check_cost_cap, check_hourly_floor
from plugin.config import Settings
from plugin.db import session
from plugin.models import Contract, ContractTerms
from plugin.services.profitability import terms as terms_service
from plugin.services.profitability.tasks import Raised, raise_finding
from plugin.services.statement import batches, load_bills

BATCH = 250


@dataclass(frozen=True)
class CheckResult:
    period: billing.Period
    raised: list[Raised]

    @property
    def created(self) -> int:
        return sum(r.created for r in self.raised)

    def text(self) -> str:
        return (f"{self.period}: {len(self.raised)} tasks ({self.created} new, "
                f"{len(self.raised) - self.created} updated)")


def run_checks(period: billing.Period, settings: Settings, now: datetime,
               customer_ids: list[int] | None = None) -> CheckResult:
    """Check every contract with §5 terms valid in the period (flush, the caller commits).
    A rerun finds the same keys: it updates their tasks and raises no second one."""
    query = select(Contract.customer_id, ContractTerms).join(
        ContractTerms, ContractTerms.contract_id == Contract.id).order_by(Contract.customer_id)
    if customer_ids is not None:
        query = query.where(Contract.customer_id.in_(customer_ids))
    rows = session.execute(query).all()
    terms = {row.contract_id: row for _, row in rows}
    ids = sorted({customer_id for customer_id, _ in rows})
    raised: list[Raised] = []
    for chunk in batches(ids, BATCH):
        for loaded in load_bills(chunk, period, settings):
            for contract in loaded.contracts:
                row = terms.get(contract.id)
                if row is None or not contract.valid_in(period):
                    continue
                for finding in _findings(loaded, contract, row, period, str(settings.timezone)):
                    raised.append(raise_finding(finding, loaded.customer.id, now))
    return CheckResult(period, raised)


def _findings(loaded, contract, row: ContractTerms, period, timezone: str) -> list:
    found = []
    cap = terms_service.cost_cap(row)
    if cap is not None:
        capped = getattr(loaded.bill, "capped_sums", {}).get(contract.id)
        if capped is not None:
            found.append(check_cost_cap(cap, period, capped))
    pricing = terms_service.call_pricing(row)
    if pricing is not None:
        calls = loaded.inputs.get("handled_calls", ())
        found.append(check_call_pricing(pricing, period, handled_totals(calls, period,
                                                                        timezone)))
    if row.hourly_floor is not None:
        found.append(check_hourly_floor(loaded.bill, contract,
                                        terms_service.price(row.hourly_floor)))
    return [finding for finding in found if finding is not None]
