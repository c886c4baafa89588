"""Spreadsheet forms: the upload, the confirmation, and the sign-up forms as used for a CSV row."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired, InputRequired

from buddy.forms.fields import RadioChoiceField, options
from buddy.forms.profile import CoordinatorNewcomerForm, VolunteerSignupForm

IMPORT_MAX_BYTES = 5 * 1024 * 1024


class NewcomerRowForm(CoordinatorNewcomerForm):
    """One CSV row of newcomers: the coordinator's registration form, field for field."""

    submit = None


class VolunteerRowForm(VolunteerSignupForm):
    """One CSV row of volunteers: the sign-up form without a password (they set one later)."""

    password = None
    submit = None


ROW_FORMS: dict[str, type[FlaskForm]] = {"newcomer": NewcomerRowForm,
                                         "volunteer": VolunteerRowForm}


class ImportUploadForm(FlaskForm):
    """Choose who is in the file and upload it."""

    kind = RadioChoiceField(
        _l("Who is in the file?"),
        choices=options((("newcomer", _l("Newcomers")), ("volunteer", _l("Volunteers")))),
        default="newcomer", validators=[InputRequired(_l("Please choose one."))],
    )
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(_l("Please choose a file.")),
                    FileSize(IMPORT_MAX_BYTES, message=_l(
                        "The file is too large. At most %(size)s MB, please.", size=5))],
        description=_l("UTF-8, with commas or semicolons between the columns, as Excel saves "
                       "“CSV UTF-8”. The first row names the columns, as in the template."),
    )
    submit = SubmitField(_l("Check the file"))


class ImportConfirmForm(FlaskForm):
    """Confirm the checked rows; the digest proves they are still the rows that were shown."""

    digest = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Import the rows without errors"))
