"""Sign-up for newcomers and volunteers."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user

from buddy.forms import NewcomerSignupForm, VolunteerSignupForm, newcomer_data, volunteer_data
from buddy.models import Role
from buddy.security import log_in
from buddy.services.signup import SignupError, register_newcomer, register_volunteer
from buddy.views.access import home_for, keeps_form, public, role_required

bp = Blueprint("join", __name__, url_prefix="/join")


@bp.route("/newcomer", methods=["GET", "POST"])
@keeps_form
@public
def newcomer():
    """A newcomer signs up in their own language."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = NewcomerSignupForm()
    if form.validate_on_submit():
        try:
            person = register_newcomer(newcomer_data(form), form.password.data, str(get_locale()))
        except SignupError as error:
            form[error.field].errors.append(error.message)
        else:
            log_in(person.user)
            return redirect(url_for("join.done"))
    return render_template("join/newcomer.html", form=form)


@bp.route("/volunteer", methods=["GET", "POST"])
@keeps_form
@public
def volunteer():
    """A volunteer signs up; a coordinator approves them later."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = VolunteerSignupForm()
    if form.validate_on_submit():
        try:
            person = register_volunteer(volunteer_data(form), form.password.data,
                                        str(get_locale()))
        except SignupError as error:
            form[error.field].errors.append(error.message)
        else:
            log_in(person.user)
            return redirect(url_for("join.done"))
    return render_template("join/volunteer.html", form=form)


@bp.get("/done")
@role_required(Role.NEWCOMER, Role.VOLUNTEER)
def done():
    """What happens next, in the person's language."""
    return render_template("join/done.html", profile=current_user.profile)
