"""Sign-up and profile forms for newcomers and volunteers."""

from __future__ import annotations

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange

from buddy import labels
from buddy.forms.account import password_field
from buddy.forms.fields import (
    PHONE_EXAMPLE,
    ChoiceField,
    Email,
    MultiCheckboxField,
    Phone,
    RadioChoiceField,
    Text,
    WholeNumberField,
    options,
)
from buddy.i18n import language_choices, spoken_language_choices
from buddy.models import Newcomer, Volunteer
from buddy.models.types import SLOTS, BuddyGender, Gender, Mode
from buddy.services.city import districts
from buddy.services.signup import NewcomerData, VolunteerData

PICK_ONE = _l("Please choose one.")


def _district_choices() -> list[SelectChoice]:
    """Districts grouped by borough, for a select with option groups."""
    return [SelectChoice(d.slug, d.name, optgroup=d.borough or None)
            for d in districts(current_app.config["CITY"])]


class _Person(FlaskForm):
    """Fields both newcomers and volunteers fill in."""

    display_name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Please enter your name.")), Text(max=100)],
        description=_l("Your buddy sees only your first name."),
    )
    district = ChoiceField(_l("Where do you live?"),
                           validators=[DataRequired(_l("Please choose your part of the city."))])
    availability = MultiCheckboxField(
        _l("When do you have time?"), choices=options((slot, slot) for slot in SLOTS),
        validators=[DataRequired(_l("Please choose at least one time."))],
    )
    mode = RadioChoiceField(_l("How do you want to meet?"), choices=options(labels.MODE.items()),
                      default=Mode.EITHER.value, validators=[InputRequired(PICK_ONE)])
    gender = RadioChoiceField(_l("Your gender (optional)"), choices=options(labels.GENDER.items()),
                        default=Gender.UNSPECIFIED.value, validators=[InputRequired(PICK_ONE)])
    buddy_gender = RadioChoiceField(
        _l("Your buddy should be (optional)"), choices=options(labels.BUDDY_GENDER.items()),
        default=BuddyGender.ANY.value, validators=[InputRequired(PICK_ONE)],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.district.choices = _district_choices()
        self.languages.choices = options(spoken_language_choices(str(get_locale())))


class _Contact(FlaskForm):
    phone = StringField(_l("Phone number"), validators=[Phone()],
                        description=_l("A mobile number is best. Example: %(example)s",
                                       example=PHONE_EXAMPLE))
    email = StringField(_l("E-mail address"), validators=[Email()])


class _NewcomerFields(_Person, _Contact):
    languages = MultiCheckboxField(
        _l("Which languages do you speak?"),
        validators=[DataRequired(_l("Please choose at least one language."))],
    )
    german_level = RadioChoiceField(
        _l("How much German do you speak?"),
        choices=options((level.value, text) for level, text in labels.GERMAN_LEVEL.items()),
        validators=[InputRequired(PICK_ONE)],
    )
    topics = MultiCheckboxField(_l("What do you want to practise? (optional)"),
                                choices=options(labels.TOPIC.items()))

    def validate(self, extra_validators=None) -> bool:
        """A newcomer needs a phone number or an e-mail address (or both)."""
        valid = super().validate(extra_validators)
        if valid and not self.phone.data and not self.email.data:
            self.phone.errors.append(_l("Please give a phone number or an e-mail address."))
            return False
        return valid


class _VolunteerFields(_Person):
    languages = MultiCheckboxField(_l("Which languages do you speak besides German?"))
    max_km = WholeNumberField(
        _l("How far will you travel? (km)"), default=5,
        validators=[InputRequired(_l("Please enter a number of kilometres.")),
                    NumberRange(0, 50, _l("Please enter a number from %(min)s to %(max)s."))],
    )
    capacity = RadioChoiceField(_l("How many buddies at the same time?"),
                          choices=options((n, str(n)) for n in (1, 2, 3)), coerce=int, default=1,
                          validators=[InputRequired(PICK_ONE)])
    motivation = TextAreaField(_l("Why do you want to help? (optional)"),
                               validators=[Text(max=1000, multiline=True)])


CONSENT_MISSING = _l("Please agree so that we may store your details.")


class NewcomerSignupForm(_NewcomerFields):
    """A newcomer signs up."""

    password = password_field(_l("Choose a password"))
    consent = BooleanField(_l("I have read the privacy notice and I agree."),
                           validators=[DataRequired(CONSENT_MISSING)])
    submit = SubmitField(_l("Sign up"))


class CoordinatorNewcomerForm(_NewcomerFields):
    """A coordinator registers a newcomer who cannot fill in the form."""

    locale = ChoiceField(_l("Language for messages to this person"),
                         validators=[DataRequired(PICK_ONE)])
    consent = BooleanField(_l("The person has heard the privacy notice and agrees."),
                           validators=[DataRequired(CONSENT_MISSING)])
    submit = SubmitField(_l("Register the newcomer"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.locale.choices = options(language_choices())


class NewcomerProfileForm(_NewcomerFields):
    """A newcomer changes their details."""

    submit = SubmitField(_l("Save"))


class VolunteerSignupForm(_VolunteerFields):
    """A volunteer signs up."""

    email = StringField(_l("E-mail address"),
                        validators=[DataRequired(_l("Please enter your e-mail address.")),
                                    Email()])
    phone = StringField(_l("Phone number (optional)"), validators=[Phone()])
    password = password_field(_l("Choose a password"))
    consent = BooleanField(_l("I have read the privacy notice and I agree."),
                           validators=[DataRequired(CONSENT_MISSING)])
    submit = SubmitField(_l("Sign up"))


class VolunteerProfileForm(_VolunteerFields):
    """A volunteer changes their details."""

    phone = StringField(_l("Phone number (optional)"), validators=[Phone()])
    submit = SubmitField(_l("Save"))


def newcomer_data(form: _NewcomerFields) -> NewcomerData:
    """The validated form as the sign-up service's input."""
    return NewcomerData(
        display_name=form.display_name.data, phone=form.phone.data, email=form.email.data,
        languages=tuple(form.languages.data), german_level=form.german_level.data,
        district=form.district.data, availability=tuple(form.availability.data),
        mode=form.mode.data, gender=form.gender.data, buddy_gender=form.buddy_gender.data,
        topics=tuple(form.topics.data or ()),
    )


def volunteer_data(form: _VolunteerFields, email: str | None = None) -> VolunteerData:
    """The validated form as the sign-up service's input (email given when not in the form)."""
    return VolunteerData(
        display_name=form.display_name.data,
        email=form.email.data if hasattr(form, "email") else email,
        phone=form.phone.data, languages=tuple(form.languages.data or ()),
        district=form.district.data, max_km=form.max_km.data,
        availability=tuple(form.availability.data), mode=form.mode.data,
        capacity=form.capacity.data, gender=form.gender.data,
        buddy_gender=form.buddy_gender.data, motivation=form.motivation.data or "",
    )


def profile_values(profile: Newcomer | Volunteer) -> dict:
    """A stored profile as form data, for the edit forms."""
    values = {
        "display_name": profile.display_name, "district": profile.district.slug,
        "availability": profile.availability.ordered(), "mode": profile.mode.value,
        "gender": profile.gender.value, "buddy_gender": profile.buddy_gender.value,
        "languages": list(profile.languages), "phone": profile.user.phone,
        "email": profile.user.email,
    }
    if isinstance(profile, Newcomer):
        values.update(german_level=profile.german_level.value, topics=list(profile.topics))
    else:
        values.update(max_km=int(profile.max_km), capacity=profile.capacity,
                      motivation=profile.motivation)
    return values
