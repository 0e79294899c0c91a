"""Our company as the seller: settings stored in the database over the environment's defaults,
validated (python-stdnum), every change written to an append-only audit trail."""

import base64
import hashlib
from dataclasses import asdict, dataclass, fields
from datetime import datetime

from sqlalchemy import select

from plugin.config import Settings
from plugin.db import session
from plugin.models import CompanySetting, CompanySettingChange, User
from plugin.services import identifiers
from plugin.services.errors import FieldError

LOGO_TYPES = {"image/png", "image/jpeg", "image/svg+xml"}
LOGO_MAX_BYTES = 200 * 1024  # frozen into every invoice's snapshot


@dataclass(frozen=True)
class Company:
    name: str
    address: str
    country: str
    vat_id: str
    tax_number: str
    iban: str
    bic: str
    bank_name: str
    contact_name: str
    email: str
    phone: str
    invoice_number_format: str
    payment_terms_days: int
    sender_email: str
    logo: str  # a data: URI (PNG, JPEG or SVG), or empty

    def as_dict(self) -> dict:
        return asdict(self)


FIELDS = tuple(f.name for f in fields(Company))
LABELS = {"name": "Company name", "address": "Address", "country": "Country",
          "vat_id": "VAT id", "tax_number": "Tax number", "iban": "IBAN", "bic": "BIC",
          "bank_name": "Bank", "contact_name": "Contact person", "email": "Contact e-mail",
          "phone": "Contact phone", "invoice_number_format": "Invoice number format",
          "payment_terms_days": "Payment terms (days)", "sender_email": "Sender e-mail",
          "logo": "Logo"}


class CompanyError(ValueError):
    """Every field the company form got wrong, at once: {field: FieldError}."""

    def __init__(self, errors: dict[str, FieldError]):
        super().__init__("; ".join(str(e) for e in errors.values()))
        self.errors = errors

    def messages(self) -> dict[str, str]:
        """{field: message} in English (the API's error.fields)."""
        return {name: e.message for name, e in self.errors.items()}


def defaults(settings: Settings) -> dict:
    """What the environment (QUARTERHOUR_COMPANY_*, INVOICE_NUMBER_FORMAT, PAYMENT_TERMS_DAYS)
    gives, for every setting nobody changed on the screen."""
    return {"name": settings.company_name,
            "address": settings.company_address.replace("\\n", "\n"),
            "country": settings.company_country, "vat_id": settings.company_vat_id,
            "tax_number": settings.company_tax_number, "iban": settings.company_iban,
            "bic": settings.company_bic, "bank_name": settings.company_bank_name,
            "contact_name": settings.company_contact_name, "email": settings.company_email,
            "phone": settings.company_phone,
            "invoice_number_format": settings.invoice_number_format,
            "payment_terms_days": str(settings.payment_terms_days),
            "sender_email": settings.company_sender_email, "logo": ""}


def stored() -> dict[str, str]:
    return {row.name: row.value for row in session.scalars(select(CompanySetting))}


def company(settings: Settings) -> Company:
    """The company as invoices show it now: stored values over the environment's."""
    values = {**defaults(settings), **stored()}
    values["payment_terms_days"] = int(values["payment_terms_days"])
    return Company(**{name: values[name] for name in FIELDS})


def _clean(data: dict, current: Company) -> tuple[dict[str, str], dict[str, FieldError]]:
    """(values, errors): every field checked in one pass."""
    values, errors = {}, {}

    def given(name):
        value = data.get(name, getattr(current, name))
        return "" if value is None else str(value).strip()

    for name in FIELDS:
        if name != "logo":
            values[name] = given(name)
    values["country"] = values["country"].upper()
    values["vat_id"] = identifiers.compact_vat_id(values["vat_id"]).upper() \
        if values["vat_id"] else ""
    values["iban"] = values["iban"].replace(" ", "").upper()
    values["bic"] = values["bic"].replace(" ", "").upper()
    if not values["name"]:
        errors["name"] = FieldError("name", "is required")
    if not values["address"]:
        errors["address"] = FieldError("address", "is required (street, postcode and city)")
    problem = identifiers.country_problem(values["country"])
    if problem:
        errors["country"] = problem
    elif values["vat_id"]:
        problem = identifiers.vat_id_problem(values["vat_id"], values["country"])
        if problem:
            errors["vat_id"] = problem
    if values["tax_number"] and "country" not in errors:
        problem = identifiers.tax_number_problem(values["tax_number"], values["country"])
        if problem:
            errors["tax_number"] = problem
    if values["iban"] and (problem := identifiers.iban_problem(values["iban"])):
        errors["iban"] = problem
    if values["bic"] and (problem := identifiers.bic_problem(values["bic"])):
        errors["bic"] = problem
    for name in ("email", "sender_email"):
        value = values[name]
        if value and ("@" not in value or " " in value.split("<")[-1] or "\n" in value):
            errors[name] = FieldError(name, "%(value)r is not an e-mail address", value=value)
    try:
        values["invoice_number_format"].format(year=2026, number=1)
        if "{number" not in values["invoice_number_format"]:
            raise KeyError("number")
    except (KeyError, ValueError, IndexError):
        errors["invoice_number_format"] = FieldError(
            "invoice_number_format", "may use only {year} and {number} and must use {number}, "
            "e.g. QH-{year}-{number:05d}")
    try:
        days = int(values["payment_terms_days"])
        if not 0 <= days <= 365:
            raise ValueError
    except ValueError:
        errors["payment_terms_days"] = FieldError("payment_terms_days",
                                                  "a whole number of days from 0 to 365")
    logo = data.get("logo")
    if isinstance(logo, str) and logo == current.logo:
        logo = None  # sent back unchanged (the API's GET, then PUT)
    if logo:
        kind, _, content = logo if isinstance(logo, tuple) else _data_uri(logo)
        if kind not in LOGO_TYPES:
            errors["logo"] = FieldError("logo", "a PNG, JPEG or SVG image")
        elif len(content) > LOGO_MAX_BYTES:
            errors["logo"] = FieldError("logo", "at most %(limit)s KB",
                                        limit=LOGO_MAX_BYTES // 1024)
        else:
            values["logo"] = f"data:{kind};base64," + base64.b64encode(content).decode()
    elif data.get("remove_logo") or data.get("logo") == "":  # the form's box; the API's ""
        values["logo"] = ""
    return values, errors


def _data_uri(text: str) -> tuple[str, str, bytes]:
    """'data:image/png;base64,…' → ('image/png', '', bytes); anything else → ('', '', b'')."""
    head, _, payload = str(text).partition(",")
    if not head.startswith("data:") or not head.endswith(";base64"):
        return "", "", b""
    try:
        return head[5:-7], "", base64.b64decode(payload, validate=True)
    except ValueError:
        return "", "", b""


def _trail(name: str, value: str | None) -> str | None:
    """What the audit trail keeps of a value: a logo by its size and digest."""
    if name == "logo" and value:
        digest = hashlib.sha256(value.encode()).hexdigest()[:16]
        return f"image, {len(value)} characters, sha256 {digest}"
    return value


def save(data: dict, settings: Settings, actor: User | None, now: datetime) -> Company:
    """Change the given settings (others stay); refuse all when one is wrong; flush."""
    current = company(settings)
    values, errors = _clean(data, current)
    if errors:
        raise CompanyError(errors)
    rows = {row.name: row for row in session.scalars(select(CompanySetting))}
    before = current.as_dict()
    for name, value in values.items():
        if str(before[name]) == value:
            continue
        row = rows.get(name)
        if row is None:
            session.add(CompanySetting(name=name, value=value, updated_at=now,
                                       updated_by_id=actor.id if actor else None))
        else:
            row.value, row.updated_at = value, now
            row.updated_by_id = actor.id if actor else None
        session.add(CompanySettingChange(at=now, actor_id=actor.id if actor else None,
                                         name=name, before=_trail(name, str(before[name])),
                                         after=_trail(name, value)))
    session.flush()
    return company(settings)


def changes(limit: int = 200) -> list[CompanySettingChange]:
    """The audit trail, newest first."""
    return list(session.scalars(select(CompanySettingChange)
                                .order_by(CompanySettingChange.at.desc(),
                                          CompanySettingChange.id.desc()).limit(limit)))
