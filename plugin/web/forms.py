"""WTForms forms with CSRF (Flask-WTF); messages name the field."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

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
