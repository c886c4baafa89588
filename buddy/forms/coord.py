"""The coordinator's forms: filters, round weights, reasons, manual matches."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from buddy import labels
from buddy.forms.fields import ChoiceField, DecimalNumberField, Text, WholeNumberField, options
from buddy.i18n import spoken_language_choices
from buddy.services.city import districts


def _weight(label) -> DecimalNumberField:
    return DecimalNumberField(label, places=2, validators=[
        InputRequired(_l("Please enter a number.")),
        NumberRange(0, 10, _l("Please enter a number from %(min)s to %(max)s."))])


class RoundForm(FlaskForm):
    """Run a matching round with these weights."""

    language = _weight(_l("Weight: common language"))
    time = _weight(_l("Weight: common times"))
    place = _weight(_l("Weight: distance"))
    waiting = _weight(_l("Weight: waiting time"))
    submit = SubmitField(_l("Run a round"))

    def weights(self) -> dict[str, float]:
        """The weights as plain numbers."""
        return {name: float(self[name].data) for name in ("language", "time", "place",
                                                           "waiting")}


class ReasonForm(FlaskForm):
    """A decision that needs a written reason."""

    reason = TextAreaField(_l("Reason"), validators=[
        DataRequired(_l("Please write a reason.")), Text(max=500, multiline=True)])
    submit = SubmitField(_l("Confirm"))


class ManualMatchForm(FlaskForm):
    """Pick a newcomer and a volunteer by their numbers."""

    newcomer = WholeNumberField(_l("Newcomer number"),
                                validators=[InputRequired(_l("Please enter a number."))])
    volunteer = WholeNumberField(_l("Volunteer number"),
                                 validators=[InputRequired(_l("Please enter a number."))])
    override_reason = TextAreaField(
        _l("Reason for matching although rules are broken"),
        validators=[Optional(), Text(max=500, multiline=True)])
    submit = SubmitField(_l("Match these two"))


class PeopleFilterForm(FlaskForm):
    """Narrow a queue down (a GET form)."""

    class Meta:
        csrf = False

    status = ChoiceField(_l("Status"), validators=[Optional()])
    district = ChoiceField(_l("Part of the city"), validators=[Optional()])
    language = ChoiceField(_l("Language"), validators=[Optional()])
    min_days = WholeNumberField(_l("Waiting at least (days)"), validators=[Optional()])
    page = WholeNumberField(validators=[Optional()])
    submit = SubmitField(_l("Filter"))

    def __init__(self, kind: str, city: str, locale: str, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        statuses = labels.NEWCOMER_STATUS_SHORT if kind == "newcomer" else \
            labels.VOLUNTEER_STATUS_SHORT
        everyone = [("", _l("All"))]
        self.status.choices = options(everyone + [(s.value, t) for s, t in statuses.items()])
        self.district.choices = options(everyone + [(d.slug, d.name) for d in districts(city)])
        self.language.choices = options(everyone + list(spoken_language_choices(locale)))

