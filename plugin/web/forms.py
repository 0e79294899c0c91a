"""WTForms forms with CSRF (Flask-WTF); messages name the field."""

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
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from plugin.models.users import ROLES


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in")


class TokenForm(FlaskForm):
    name = StringField("What the token is for", validators=[DataRequired(), Length(max=100)])


class UserForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=80)])
    display_name = StringField("Name", validators=[Optional(), Length(max=200)])
    email = StringField("E-mail", validators=[
        Optional(), Length(max=254), Regexp(r"^[^@\s]+@[^@\s]+$", message="Not an e-mail address.")
    ])
    roles = SelectMultipleField("Roles", choices=[SelectChoice(r) for r in ROLES],
                                validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=10)])


class TicketForm(FlaskForm):
    customer_id = SelectField("Customer", coerce=int, validators=[DataRequired()])
    subject = StringField("Subject", validators=[DataRequired(), Length(max=300)])


class CustomerForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    address = TextAreaField("Address", validators=[Optional(), Length(max=1000)])
    country = StringField("Country (ISO code)", default="DE", validators=[Length(max=2)])
    vat_id = StringField("VAT id", validators=[Optional(), Length(max=20)])
    billing_email = StringField("Billing e-mail", validators=[Optional(), Length(max=254)])
    currency = StringField("Currency", default="EUR", validators=[Length(max=3)])
    language = SelectField("Language", choices=[SelectChoice("de", "Deutsch"),
                                                SelectChoice("en", "English")])
    default_hourly_rate = StringField(
        "Hourly rate without contract", validators=[Optional()],
        description="Work without a contract is billed at this rate in started 15-minute "
                    "units; empty: the default rate of the settings.")
    # The service checks the choice (the API takes the same field).
    invoice_delivery = SelectField("Invoices by e-mail", default="none", validate_choice=False,
                                   choices=[
        SelectChoice("pdf", "PDF by e-mail"), SelectChoice("zugferd", "ZUGFeRD PDF by e-mail"),
        SelectChoice("xrechnung", "XRechnung XML by e-mail"),
        SelectChoice("none", "not by e-mail")])
    buyer_reference = StringField("Buyer reference (Leitweg-ID)",
                                  validators=[Optional(), Length(max=100)],
                                  description="An XRechnung needs it: the Leitweg-ID of a "
                                              "public-sector customer, else the customer's "
                                              "order or cost-centre reference.")
    vat_exempt = BooleanField("Exempt from VAT")


class InstallationForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    connection = SelectField("Connection", choices=[SelectChoice("modem", "Modem (we dial)"),
                                                    SelectChoice("vpn", "VPN")])
    modem_number = StringField("Modem number", validators=[Optional(), Length(max=40)],
                               description="Any spelling: 0049 89…, +49 89…, 089…")
    warranty_until = DateField("Warranty until", validators=[Optional()])


class ContractForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    valid_from = DateField("Valid from", validators=[DataRequired()])
    valid_to = DateField("Valid to", validators=[Optional()])
    installation_ids = SelectMultipleField("Installations (none: all)", coerce=int,
                                           validators=[Optional()])
    fee = StringField("Monthly fee", default="0.00")
    quota_minutes = IntegerField("Quota per month (minutes)", default=0,
                                 validators=[Optional(), NumberRange(min=0)])
    unlimited_quota = BooleanField("Unlimited quota (time is tracked, not billed per unit)")
    overflow_rate = StringField("Overflow rate per unit", default="0.00")
    unit_seconds = IntegerField("Unit (seconds)", default=900,
                                validators=[DataRequired(), NumberRange(min=1)])
    grace_seconds = IntegerField("Grace (seconds counted as 0)", default=0,
                                 validators=[Optional(), NumberRange(min=0)])
    rounding_scope = SelectField("Rounding", choices=[
        SelectChoice("entry", "every session on its own"),
        SelectChoice("ticket_day", "a ticket's sessions per day"),
        SelectChoice("ticket_period", "a ticket's sessions per month")])
    minimum = StringField("Monthly minimum", default="0.00")
    rollover = BooleanField("Unused quota rolls over")
    rollover_cap_minutes = IntegerField("Rollover cap (minutes; empty: one month's quota)",
                                        validators=[Optional(), NumberRange(min=0)])
    phone_entries = BooleanField("Handled inbound calls become phone time entries")
    seats = IntegerField("Seats", validators=[Optional(), NumberRange(min=0)])
    seat_pricing = SelectField("Seat pricing", choices=[
        SelectChoice("volume", "volume: all seats at the tier reached"),
        SelectChoice("graduated", "graduated: each seat at its tier")])
    seat_tiers = StringField("Price per seat from seat", validators=[Optional()],
                             description="e.g. 1: 900, 6: 850, 11: 800")


LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}


class LanguageForm(FlaskForm):
    language = SelectField("Language", validators=[DataRequired()])


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
