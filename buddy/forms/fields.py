"""Form fields and validators shared by the sign-up and profile forms."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    TimeField,
)
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from buddy.services.accounts import AccountError, normalise_email, normalise_phone
from buddy.validation import TextError, clean_text

# Examples stay left-to-right inside right-to-left sentences (Unicode isolates, U+2066/2069).
PHONE_EXAMPLE = "\u20660151 23456789\u2069"
EMAIL_EXAMPLE = "\u2066name@example.org\u2069"
TOO_LONG = _l("Please use at most %(max)d characters.")
NOT_A_CHOICE = _l("Please choose from the list.")


def options(pairs, optgroup: str | None = None) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]


def _values(choices) -> set[str]:
    return {str(choice.value) for choice in choices or []}


class ChoiceField(SelectField):
    """A select whose wrong-choice message is ours (so every catalog translates it)."""

    def pre_validate(self, form) -> None:
        if str(self.data) not in _values(self.choices):
            raise ValidationError(NOT_A_CHOICE)


class RadioChoiceField(RadioField):
    """Radio buttons with our wrong-choice message."""

    def pre_validate(self, form) -> None:
        if str(self.data) not in _values(self.choices):
            raise ValidationError(NOT_A_CHOICE)


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (easier on a phone than a multi-select)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        allowed = _values(self.choices)
        if any(str(value) not in allowed for value in self.data or []):
            raise ValidationError(NOT_A_CHOICE)


class WholeNumberField(IntegerField):
    """A whole number; Arabic-Indic and other digits are read too."""

    def process_formdata(self, valuelist) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = valuelist[0].strip()
        if len(text) > 9 or not text.isdecimal():
            self.data = None
            raise ValueError(_l("Please enter a whole number."))
        self.data = int(text)



class DecimalNumberField(DecimalField):
    """A decimal number such as 0.35 (a comma works too), with our own message."""

    def process_formdata(self, valuelist) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = valuelist[0].strip().replace(",", ".")
        try:
            if len(text) > 12:
                raise InvalidOperation
            self.data = Decimal(text)
            if not self.data.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.data = None
            raise ValueError(_l("Please enter a number.")) from None


class DateInputField(DateField):
    """A calendar date (YYYY-MM-DD from the browser's date picker), with our own message."""

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Please enter a date.")) from None


class TimeInputField(TimeField):
    """A time of day (HH:MM), with our own message."""

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Please enter a time, for example 18:30.")) from None


class Text:
    """Clean typed text (NFC, no control or bidi override characters) and bound its length."""

    def __init__(self, max: int, multiline: bool = False) -> None:
        self.max = max
        self.multiline = multiline

    def __call__(self, form, field) -> None:
        raw = field.data or ""
        if len(raw) > self.max:
            raise ValidationError(TOO_LONG % {"max": self.max})
        try:
            field.data = clean_text(raw, multiline=self.multiline)
        except TextError as error:
            if str(error) == "bidi":
                raise ValidationError(
                    _l("Please remove the invisible direction characters.")) from None
            raise ValidationError(_l("Please remove the invisible control characters.")) from None


class Phone:
    """An optional phone number, stored in E.164 (+49…); German numbers may omit +49."""

    def __call__(self, form, field) -> None:
        if not (field.data or "").strip():
            field.data = None
            return
        if len(field.data) > 40:
            raise ValidationError(TOO_LONG % {"max": 40})
        try:
            field.data = normalise_phone(field.data)
        except AccountError:
            raise ValidationError(_l("This is not a phone number we can call. Example: %(example)s",
                                     example=PHONE_EXAMPLE)) from None


class Email:
    """An optional e-mail address, stored in lowercase."""

    def __call__(self, form, field) -> None:
        if not (field.data or "").strip():
            field.data = None
            return
        if len(field.data) > 254:
            raise ValidationError(TOO_LONG % {"max": 254})
        try:
            field.data = normalise_email(field.data)
        except AccountError:
            raise ValidationError(_l("This is not an e-mail address. Example: %(example)s",
                                     example=EMAIL_EXAMPLE)) from None
