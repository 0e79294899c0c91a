"""The ORM tables, by concept; importing this package registers them all."""

from plugin.models.calls import Call, CallImport, Tariff
from plugin.models.company import CompanySetting, CompanySettingChange
from plugin.models.contracts import Contract, RolloverBalance, SeatTier, contract_installations
from plugin.models.customers import Customer, CustomerNumber, Installation, Ticket

# Helpdesk connectors (issue 16)
from plugin.models.helpdesks import (
    HelpdeskConnection,
    HelpdeskLogEntry,
    HelpdeskMapping,
    HelpdeskPush,
    HelpdeskTicket,
    WebhookDelivery,
)
from plugin.models.invoices import BillingRun, Invoice, InvoiceLine, InvoiceNumberCounter
from plugin.models.jobs import JobRun
from plugin.models.outbox import OutboxAttachment, OutboxMessage
from plugin.models.profitability import ContractTerms as ContractTerms  # §5, re-exported
from plugin.models.statements import LiveStatement, StatementMark
from plugin.models.tasks import Offer, OfferTemplate, Task
from plugin.models.time import TimeEntry, TimeEntryAudit, TimeSegment
from plugin.models.users import ApiToken, User, UserRole

__all__ = [
    "ApiToken",
    "BillingRun",
    "Call",
    "CallImport",
    "CompanySetting",
    "CompanySettingChange",
    "Contract",
    "ContractTerms",
    "Customer",
    "CustomerNumber",
    "HelpdeskConnection",
    "HelpdeskLogEntry",
    "HelpdeskMapping",
    "HelpdeskPush",
    "HelpdeskTicket",
    "Installation",
    "Invoice",
    "InvoiceLine",
    "InvoiceNumberCounter",
    "JobRun",
    "LiveStatement",
    "Offer",
    "OfferTemplate",
    "OutboxAttachment",
    "OutboxMessage",
    "RolloverBalance",
    "SeatTier",
    "StatementMark",
    "Tariff",
    "Task",
    "Ticket",
    "TimeEntry",
    "TimeEntryAudit",
    "TimeSegment",
    "User",
    "UserRole",
    "WebhookDelivery",
    "contract_installations",
]
