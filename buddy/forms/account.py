"""Flask-WTF forms; every label and message is translated lazily."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

PASSWORD_MIN, PASSWORD_MAX = 8, 64


class LoginForm(FlaskForm):
    """Log in with an e-mail address or a phone number."""

    identifier = StringField(
        _l("E-mail address or phone number"),
        validators=[DataRequired(_l("Please enter your e-mail address or phone number.")),
                    Length(max=254, message=_l("This is too long."))],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Please enter your password.")),
                    Length(max=PASSWORD_MAX, message=_l("This is too long."))],
    )
    submit = SubmitField(_l("Log in"))


class ResetRequestForm(FlaskForm):
    """Ask for a password reset link."""

    identifier = StringField(
        _l("E-mail address or phone number"),
        validators=[DataRequired(_l("Please enter your e-mail address or phone number.")),
                    Length(max=254, message=_l("This is too long."))],
    )
    submit = SubmitField(_l("Send me a link"))


def password_field(label) -> PasswordField:
    """A new-password field: 8 to 64 characters, any characters allowed."""
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Please choose a password.")),
            Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                message=_l("Use between %(min)d and %(max)d characters.",
                           min=PASSWORD_MIN, max=PASSWORD_MAX),
            ),
        ],
        description=_l("At least 8 characters; 15 or more is safer. A short sentence is easy "
                       "to remember."),
    )


class ResetPasswordForm(FlaskForm):
    """Choose a new password."""

    password = password_field(_l("New password"))
    confirm = PasswordField(
        _l("New password again"),
        validators=[EqualTo("password", message=_l("The two passwords are not the same."))],
    )
    submit = SubmitField(_l("Save the new password"))


class PasswordChangeForm(FlaskForm):
    """Change one's password, proving the current one first."""

    current = PasswordField(_l("Current password"),
                            validators=[DataRequired(_l("Please enter your password.")),
                                        Length(max=PASSWORD_MAX, message=_l("This is too long."))])
    password = password_field(_l("New password"))
    submit = SubmitField(_l("Change password"))


class LanguageForm(FlaskForm):
    """The language switcher."""

    lang = SelectField(_l("Language"), choices=[])
    next = HiddenField()
    submit = SubmitField(_l("Change language"))


class CodeForm(FlaskForm):
    """The 6-digit code from an authenticator app."""

    code = StringField(_l("Code from your authenticator app"),
                       validators=[DataRequired(_l("Please enter the code.")),
                                   Length(max=12, message=_l("This is too long."))])
    submit = SubmitField(_l("Confirm"))
