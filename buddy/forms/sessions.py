"""Forms for sessions, ending a match, reporting a problem and the follow-up queue."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from buddy import labels
from buddy.forms.fields import (
    DateInputField,
    MultiCheckboxField,
    RadioChoiceField,
    Text,
    TimeInputField,
    WholeNumberField,
    options,
)
from buddy.models.types import EndReason, MeetingStatus, Mode
from buddy.services.followup import NOTE_KINDS, REPORT_KINDS
from buddy.services.sessions import SessionData

PICK_ONE = _l("Please choose one.")


class SessionForm(FlaskForm):
    """Plan a session, or log what happened."""

    date = DateInputField(_l("Date"), validators=[InputRequired(_l("Please enter a date."))])
    time = TimeInputField(_l("Time"), validators=[InputRequired(_l("Please enter a time."))])
    duration_minutes = WholeNumberField(
        _l("Duration (minutes)"), default=60,
        validators=[InputRequired(_l("Please enter a number.")),
                    NumberRange(15, 480, _l("Please enter a number from %(min)s to %(max)s."))])
    mode = RadioChoiceField(_l("Where"), default=Mode.IN_PERSON.value, validators=[
        InputRequired(PICK_ONE)], choices=options([
            (Mode.IN_PERSON.value, _l("In person")), (Mode.ONLINE.value, _l("Online"))]))
    place = TextAreaField(_l("Place (optional)"), validators=[Optional(), Text(max=200)])
    status = RadioChoiceField(_l("What happened?"), default=MeetingStatus.PLANNED.value,
                              choices=options(labels.MEETING_STATUS.items()),
                              validators=[InputRequired(PICK_ONE)])
    cancelled_by = RadioChoiceField(_l("Who cancelled?"), choices=options(
        labels.CANCELLED_BY.items()), validators=[Optional()])
    topics = MultiCheckboxField(_l("What did you practise? (optional)"),
                                choices=options(labels.SESSION_TOPICS.items()))
    topics_other = TextAreaField(_l("Other topics (optional)"),
                                 validators=[Optional(), Text(max=200)])
    note = TextAreaField(_l("Private note for the coordinator (optional)"),
                         validators=[Optional(), Text(max=1000, multiline=True)])
    submit = SubmitField(_l("Save"))

    def validate(self, extra_validators=None) -> bool:
        """A cancelled session says who cancelled it."""
        valid = super().validate(extra_validators)
        if self.status.data == MeetingStatus.CANCELLED.value and not self.cancelled_by.data:
            self.cancelled_by.errors = [*self.cancelled_by.errors,
                                        _l("Please say who cancelled.")]
            return False
        return valid

    def starts_at(self) -> datetime:
        """The local date and time as naive UTC."""
        zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
        local = datetime.combine(self.date.data, self.time.data).replace(tzinfo=zone)
        return local.astimezone(UTC).replace(tzinfo=None)

    def data_for_service(self) -> SessionData:
        """The validated form as the session service's input."""
        return SessionData(
            starts_at=self.starts_at(), duration_minutes=self.duration_minutes.data,
            mode=self.mode.data, place=self.place.data or "", status=self.status.data,
            cancelled_by=self.cancelled_by.data or None, topics=tuple(self.topics.data or ()),
            topics_other=self.topics_other.data or "", note=self.note.data or "")


def session_values(meeting) -> dict:
    """A stored session as form data (local date and time)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    local = meeting.starts_at.replace(tzinfo=UTC).astimezone(zone)
    return {"date": local.date(), "time": local.time().replace(second=0, microsecond=0),
            "duration_minutes": meeting.duration_minutes, "mode": meeting.mode.value,
            "place": meeting.place, "status": meeting.status.value,
            "cancelled_by": meeting.cancelled_by, "topics": list(meeting.topics),
            "topics_other": meeting.topics_other, "note": meeting.note}


class EndMatchForm(FlaskForm):
    """End a match with a reason from a fixed list."""

    reason = RadioChoiceField(_l("Why does the match end?"),
                              choices=options((r.value, t) for r, t in labels.END_REASON.items()),
                              validators=[InputRequired(PICK_ONE)])
    note = TextAreaField(_l("More details (optional)"),
                         validators=[Optional(), Text(max=1000, multiline=True)])
    pause = BooleanField(_l("I do not want a new buddy for now (pause)"))
    submit = SubmitField(_l("End the match"))

    def validate(self, extra_validators=None) -> bool:
        """'Other' needs a few words."""
        valid = super().validate(extra_validators)
        if self.reason.data == EndReason.OTHER.value and not (self.note.data or "").strip():
            self.note.errors = [*self.note.errors,
                                _l("Please write a few words about the reason.")]
            return False
        return valid


class ReportForm(FlaskForm):
    """Tell the coordinator, confidentially, that something is wrong."""

    kind = RadioChoiceField(_l("What is wrong?"), choices=options(
        (k, labels.REPORT_KIND[k]) for k in REPORT_KINDS), validators=[InputRequired(PICK_ONE)])
    text = TextAreaField(_l("Tell us more (optional)"),
                         validators=[Optional(), Text(max=2000, multiline=True)])
    submit = SubmitField(_l("Send to the coordinator"))


class NoteForm(FlaskForm):
    """A coordinator's check-in note on a follow-up item."""

    kind = RadioChoiceField(_l("What did you do?"), choices=options(
        (k, labels.NOTE_KIND[k]) for k in NOTE_KINDS), validators=[InputRequired(PICK_ONE)])
    text = TextAreaField(_l("Note"), validators=[Optional(), Text(max=2000, multiline=True)])
    submit = SubmitField(_l("Save the note"))


class SnoozeForm(FlaskForm):
    """Hide an item for some days."""

    days = RadioChoiceField(_l("Snooze for"), coerce=int, default=7, choices=options(
        (d, lazy_ngettext("%(num)d day", "%(num)d days", d)) for d in (3, 7, 14, 30)),
        validators=[InputRequired(PICK_ONE)])
    submit = SubmitField(_l("Snooze"))
