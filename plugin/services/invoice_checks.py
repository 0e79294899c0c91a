"""Before finalizing: what each draft still lacks (plugin.billing.completeness), said in the
reader's language with where to set it — one message for everything."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from plugin.billing.completeness import Missing, missing
from plugin.db import session
from plugin.models import Customer, Invoice, InvoiceLine
from plugin.services.errors import FieldError
from plugin.services.statement import batches
from plugin.services.wording import catalog


@dataclass(frozen=True)
class Problem:
    item: Missing
    customer_id: int | None  # None: the company's (seller's) item
    customer: str | None


class InvoiceIncomplete(FieldError):
    """Drafts that may not be issued yet; `problems` lists every missing item."""

    def __init__(self, problems: list[Problem], language: str | None = None):
        self.problems = problems
        super().__init__("invoice", describe(problems, language))


def _texts(language: str | None) -> dict[Missing, str]:
    _ = catalog(language).gettext
    return {
        Missing.SELLER_NAME: _("the company name"),
        Missing.SELLER_ADDRESS: _("the company address"),
        Missing.SELLER_TAX_ID: _("the company's VAT id or tax number (§14 UStG)"),
        Missing.SELLER_VAT_ID: _("the company's VAT id (reverse charge, §14a UStG)"),
        Missing.SELLER_E_INVOICE_VAT_ID: _("the company's VAT id (an e-invoice names it; a "
                                           "tax number is not enough)"),
        Missing.SELLER_EMAIL: _("the company's contact e-mail (XRechnung)"),
        Missing.SELLER_PHONE: _("the company's contact phone (XRechnung)"),
        Missing.SELLER_IBAN: _("the company's IBAN (XRechnung payment instructions)"),
        Missing.BUYER_NAME: _("the customer's name"),
        Missing.BUYER_ADDRESS: _("the customer's address (§14 UStG)"),
        Missing.BUYER_VAT_ID: _("the customer's VAT id (reverse charge, §14a UStG)"),
        Missing.BUYER_REFERENCE: _("the buyer reference / Leitweg-ID (XRechnung)"),
        Missing.BUYER_EMAIL: _("the billing e-mail (invoices go out by e-mail)"),
    }


def item_text(problem: Problem, language: str | None = None) -> str:
    return _texts(language)[problem.item]


def describe(problems: list[Problem], language: str | None = None) -> str:
    """'Not finalized, 3 items are missing. Company settings (Admin → Company): …; customer
    Müller Anlagenbau GmbH (Customers → Edit): ….'"""
    _ = catalog(language).gettext
    texts = _texts(language)
    seller = [texts[p.item] for p in problems if p.customer_id is None]
    parts = []
    if seller:
        parts.append(_("Company settings (Admin → Company): %(items)s")
                     % {"items": ", ".join(dict.fromkeys(seller))})
    customers = dict.fromkeys((p.customer_id, p.customer) for p in problems if p.customer_id)
    for customer_id, name in customers:
        items = [texts[p.item] for p in problems if p.customer_id == customer_id]
        parts.append(_("customer %(name)s (Customers → Edit): %(items)s")
                     % {"name": name, "items": ", ".join(items)})
    count = len(dict.fromkeys((p.item, p.customer_id) for p in problems))
    return (catalog(language).ngettext(
        "Not finalized, %(num)d item is missing. ", "Not finalized, %(num)d items are missing. ",
        count) % {"num": count}) + "; ".join(parts) + "."


def problems_of(drafts: Iterable[Invoice], seller: dict, buyers: dict[int, dict],
                reverse_charge: set[int]) -> list[Problem]:
    """Every missing item of the drafts: the seller's once, then each customer's.
    `reverse_charge`: the ids of the drafts with reverse-charge lines."""
    found: dict[tuple, Problem] = {}
    for draft in drafts:
        buyer = buyers[draft.customer_id]
        for item in missing(seller, buyer, reverse_charge=draft.id in reverse_charge,
                            delivery=buyer.get("delivery") or "none"):
            key = (item, None) if item.seller else (item, draft.customer_id)
            found.setdefault(key, Problem(item, key[1], None if item.seller else buyer["name"]))
    return sorted(found.values(), key=lambda p: (p.customer_id is not None, p.customer or "",
                                                 list(Missing).index(p.item)))


def drafts_problems(drafts: list[Invoice], seller: dict, buyer_of) -> list[Problem]:
    """What the drafts lack, with the buyers as `buyer_of(customer)` freezes them."""
    buyers, reverse_charge = {}, set()
    for chunk in batches(drafts, 1000):  # bounded IN lists
        for c in session.scalars(select(Customer).where(
                Customer.id.in_({d.customer_id for d in chunk}))):
            buyers[c.id] = {**buyer_of(c), "delivery": c.invoice_delivery}
        reverse_charge |= set(session.scalars(
            select(InvoiceLine.invoice_id).where(InvoiceLine.invoice_id.in_([d.id for d in chunk]),
                                                 InvoiceLine.vat_category == "AE").distinct()))
    return problems_of(drafts, seller, buyers, reverse_charge)


def check_drafts(drafts: list[Invoice], seller: dict, buyer_of, language: str | None = None
                 ) -> None:
    """Raise InvoiceIncomplete naming everything the drafts lack."""
    problems = drafts_problems(drafts, seller, buyer_of)
    if problems:
        raise InvoiceIncomplete(problems, language)
