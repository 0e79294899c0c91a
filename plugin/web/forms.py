"""WTForms forms with CSRF (Flask-WTF); messages name the field."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
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
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, Regexp

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
    buyer_reference = StringField("Buyer reference (Leitweg-ID)",
                                  validators=[Optional(), Length(max=100)])
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


# Users: edit, reset a password, change one's own (labels through the catalog).
class UserEditForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    email = StringField(_l("E-mail"), validators=[
        Optional(), Length(max=254),
        Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("Not an e-mail address."))])
    roles = SelectMultipleField(_l("Roles"), choices=[SelectChoice(r) for r in ROLES],
                                validators=[DataRequired()])


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[Optional()],
                             description=_l("Empty: a random one, shown once."))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two new passwords differ."))])
