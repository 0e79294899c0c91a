"""WTForms forms with CSRF (Flask-WTF); messages name the field."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from plugin.models.users import ROLES
from plugin.services import fields


def operator_locale() -> str:
    """The language the signed-in person works in: how they write numbers ("1,5" in German)."""
    from flask_babel import get_locale

    return str(get_locale() or "en")


def _amount_message(e) -> str:
    """A refused amount said in the operator's language (the parser says why)."""
    from flask_babel import gettext

    text = str(e.values.get("value", "")).strip()
    if e.values.get("suggestion"):
        return gettext("“%(text)s” is not an amount as written here: did you mean "
                       "%(suggestion)s?", text=text, suggestion=e.values["suggestion"])
    if "example" in e.values:
        return gettext("“%(text)s” is not an amount: write digits, e.g. %(example)s",
                       text=text, example=e.values["example"])
    return e.said(gettext)  # out of range, too many places


class MoneyField(StringField):
    """An amount typed as the operator writes it ("1,5" in German, "1.5" in English), parsed
    by `services.fields.decimal_text` — the one parser of amounts — into a Decimal: no
    exponents, at most `places` decimals, 0 ≤ amount < `maximum`; shown back the same way."""

    def __init__(self, label=None, validators=None, *, places=2,
                 maximum=fields.MAX_AMOUNT, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.places, self.maximum = places, maximum

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = fields.decimal_text(text, self.name, locale=operator_locale(),
                                            places=self.places, maximum=self.maximum)
        except fields.AmountError as e:
            self.data = None
            raise ValueError(_amount_message(e)) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None or self.data == "":
            return ""
        from babel.numbers import format_decimal

        pattern = "0." + "0" * 2 + "#" * max(self.places - 2, 0)
        return format_decimal(Decimal(self.data), format=pattern, locale=operator_locale())


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me signed in"))


class TokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), validators=[DataRequired(), Length(max=100)])


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    email = StringField(_l("E-mail"), validators=[
        Optional(), Length(max=254),
        Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("Not an e-mail address."))
    ])
    roles = SelectMultipleField(_l("Roles"), choices=[SelectChoice(r) for r in ROLES],
                                validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=10)])


def _optional_id(value):
    return int(value) if value not in (None, "", "None") else None


class TicketForm(FlaskForm):
    customer_id = SelectField(_l("Customer"), coerce=int, validators=[DataRequired()])
    installation_id = SelectField(_l("Installation"), coerce=_optional_id, validators=[Optional()],
                                  description=_l("The customer's machine or site the ticket is "
                                              "about (decides warranty and the modem)."))
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])


class TicketEditForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])
    installation_id = SelectField(_l("Installation"), coerce=_optional_id, validators=[Optional()])


class CustomerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=1000)])
    country = StringField(_l("Country (ISO code)"), default="DE", validators=[Length(max=2)])
    vat_id = StringField(_l("VAT id"), validators=[Optional(), Length(max=30)])
    billing_email = StringField(_l("Billing e-mail"), validators=[Optional(), Length(max=254)])
    currency = StringField(_l("Currency"), default="EUR", validators=[Length(max=3)])
    language = SelectField(_l("Language"), choices=[SelectChoice("de", _l("Deutsch")),
                                                SelectChoice("en", _l("English"))])
    default_hourly_rate = MoneyField(
        _l("Hourly rate without contract"), validators=[Optional()],
        description=_l("Work without a contract is billed at this rate in started 15-minute "
                    "units; empty: the default rate of the settings."))
    # The service checks the choice (the API takes the same field).
    invoice_delivery = SelectField(_l("Invoices by e-mail"), default="none",
                                   validate_choice=False, choices=[
        SelectChoice("pdf", _l("PDF by e-mail")),
        SelectChoice("zugferd", _l("ZUGFeRD PDF by e-mail")),
        SelectChoice("xrechnung", _l("XRechnung XML by e-mail")),
        SelectChoice("none", _l("not by e-mail"))])
    buyer_reference = StringField(_l("Buyer reference (Leitweg-ID)"),
                                  validators=[Optional(), Length(max=100)],
                                  description=_l("An XRechnung needs it: the Leitweg-ID of a "
                                                 "public-sector customer, else the customer's "
                                                 "order or cost-centre reference."))
    vat_exempt = BooleanField(_l("Exempt from VAT"))


class InstallationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    connection = SelectField(_l("Connection"), choices=[
        SelectChoice("modem", _l("Modem (we dial)")), SelectChoice("vpn", _l("VPN"))])
    modem_number = StringField(_l("Modem number"), validators=[Optional(), Length(max=40)],
                               description=_l("Any spelling: 0049 89…, +49 89…, 089…"))
    warranty_until = DateField(_l("Warranty until"), validators=[Optional()])


class ContractForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    valid_from = DateField(_l("Valid from"), validators=[DataRequired()])
    valid_to = DateField(_l("Valid to"), validators=[Optional()])
    installation_ids = SelectMultipleField(_l("Installations (none: all)"), coerce=int,
                                           validators=[Optional()])
    fee = MoneyField(_l("Monthly fee"), default=Decimal("0.00"))
    quota_minutes = IntegerField(_l("Quota per month (minutes)"), default=0,
                                 validators=[Optional(), NumberRange(min=0)])
    unlimited_quota = BooleanField(_l("Unlimited quota (time is tracked, not billed per unit)"))
    overflow_rate = MoneyField(_l("Overflow rate per unit"), default=Decimal("0.00"))
    unit_seconds = IntegerField(_l("Unit (seconds)"), default=900, validators=[
        InputRequired(), NumberRange(min=1, message=_l("at least 1 second (900: a quarter hour, "
                                                    "60: per minute)"))])
    grace_seconds = IntegerField(_l("Grace (seconds counted as 0)"), default=0,
                                 validators=[Optional(), NumberRange(min=0)])
    rounding_scope = SelectField(_l("Rounding"), choices=[
        SelectChoice("entry", _l("every session on its own")),
        SelectChoice("ticket_day", _l("a ticket's sessions per day")),
        SelectChoice("ticket_period", _l("a ticket's sessions per month"))])
    minimum = MoneyField(_l("Monthly minimum"), default=Decimal("0.00"))
    rollover = BooleanField(_l("Unused quota rolls over"))
    rollover_cap_minutes = IntegerField(_l("Rollover cap (minutes; empty: one month's quota)"),
                                        validators=[Optional(), NumberRange(min=0)])
    phone_entries = BooleanField(_l("Handled inbound calls become phone time entries"))
    seats = IntegerField(_l("Seats"), validators=[Optional(), NumberRange(min=0)])
    seat_pricing = SelectField(_l("Seat pricing"), choices=[
        SelectChoice("volume", _l("volume: all seats at the tier reached")),
        SelectChoice("graduated", _l("graduated: each seat at its tier"))])
    seat_tiers = StringField(_l("Price per seat from seat"), validators=[Optional()],
                             description=_l("e.g. 1: 900, 6: 850, 11: 800"))


LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), validators=[DataRequired()])


# Users: edit, reset a password, change one's own (labels through the catalog).
class UserEditForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    email = StringField(_l("E-mail"), validators=[
        Optional(), Length(max=254),
        Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("Not an e-mail address."))])
    roles = SelectMultipleField(_l("Roles"), choices=[SelectChoice(r) for r in ROLES],
                                validators=[DataRequired()])
    hourly_cost = StringField(_l("Hourly cost"), validators=[Optional(), Length(max=20)],
                              description=_l("What an hour of this person's work costs the "
                                             "company: the margin in Reports. Empty: none."))


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[Optional()],
                             description=_l("Empty: a random one, shown once."))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two new passwords differ."))])


class CompanyForm(FlaskForm):
    """Our company as the invoices' seller (plugin.services.company checks the values)."""

    name = StringField(_l("Company name"), validators=[DataRequired(), Length(max=200)])
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=1000)],
                            description=_l("Street, then postcode and city on the last line."))
    country = StringField(_l("Country (ISO code)"), validators=[Length(max=2)])
    vat_id = StringField(_l("VAT id"), validators=[Optional(), Length(max=30)])
    tax_number = StringField(_l("Tax number"), validators=[Optional(), Length(max=30)],
                             description=_l("An invoice needs the VAT id or the tax number "
                                            "(§14 UStG)."))
    iban = StringField(_l("IBAN"), validators=[Optional(), Length(max=40)])
    bic = StringField(_l("BIC"), validators=[Optional(), Length(max=11)])
    bank_name = StringField(_l("Bank"), validators=[Optional(), Length(max=200)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=200)])
    email = StringField(_l("Contact e-mail"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=50)])
    invoice_number_format = StringField(
        _l("Invoice number format"), validators=[DataRequired(), Length(max=60)],
        description=_l("{year} and {number}, e.g. QH-{year}-{number:05d}; numbers stay "
                       "gapless per year."))
    payment_terms_days = StringField(_l("Payment terms (days)"),
                                     validators=[DataRequired(), Length(max=3)])
    sender_email = StringField(_l("Sender e-mail"), validators=[Optional(), Length(max=254)],
                               description=_l("Invoice e-mails are answered to this address."))
    logo = FileField(_l("Logo"), description=_l("PNG, JPEG or SVG, at most 200 KB; printed "
                                                "on invoices."))
    remove_logo = BooleanField(_l("Remove the logo"))
