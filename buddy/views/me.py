"""A person's own pages: status, buddies, profile, password, pause and withdraw."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from buddy.forms import (
    CodeForm,
    NewcomerProfileForm,
    PasswordChangeForm,
    VolunteerProfileForm,
    newcomer_data,
    profile_values,
    volunteer_data,
)
from buddy.models import Role
from buddy.services import people, sessions, twofactor
from buddy.services.overview import active_matches_of
from buddy.services.signup import SignupError, update_newcomer, update_volunteer
from buddy.views.access import keeps_form, role_required

bp = Blueprint("me", __name__, url_prefix="/me")
PERSON = (Role.NEWCOMER, Role.VOLUNTEER)


@bp.get("/")
@role_required(Role.NEWCOMER, Role.VOLUNTEER, Role.COORDINATOR)
def home():
    """The person's status and, once a match is active, their buddies."""
    if current_user.role == Role.COORDINATOR:
        return redirect(url_for("coord.home"))
    profile = current_user.profile
    picture = people.waiting_picture(profile) if current_user.newcomer else None
    return render_template("me/home.html", profile=profile, picture=picture,
                           matches=active_matches_of(current_user),
                           overview=sessions.overview_for(current_user),
                           calendar=current_user.calendar_token)


@bp.route("/profile", methods=["GET", "POST"])
@keeps_form
@role_required(*PERSON)
def profile():
    """Change one's details and free times."""
    profile = current_user.profile
    is_newcomer = current_user.role == Role.NEWCOMER
    form_class = NewcomerProfileForm if is_newcomer else VolunteerProfileForm
    form = form_class(data=profile_values(profile))
    if form.validate_on_submit():
        try:
            if is_newcomer:
                update_newcomer(profile, newcomer_data(form))
            else:
                update_volunteer(profile, volunteer_data(form, email=current_user.email))
        except SignupError as error:
            form[error.field].errors.append(error.message)
        else:
            flash(_("Your details are saved."), "success")
            return redirect(url_for("me.home"))
    return render_template("me/profile.html", form=form, is_newcomer=is_newcomer)


@bp.route("/password", methods=["GET", "POST"])
@keeps_form
@role_required(*PERSON, Role.COORDINATOR)
def password():
    """Change one's password; other sessions end."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if people.change_password(current_user, form.current.data, form.password.data):
            flash(_("Your new password is saved. Please log in again."), "success")
            logout_user()
            return redirect(url_for("auth.login"))
        form.current.errors.append(_("This is not your current password."))
    return render_template("me/password.html", form=form)


@bp.post("/pause")
@role_required(*PERSON)
def pause():
    """Pause: no new buddy for now."""
    _change(people.pause_newcomer if current_user.newcomer else people.pause_volunteer,
            _("You have paused. You can start again at any time."))
    return redirect(url_for("me.home"))


@bp.post("/resume")
@role_required(*PERSON)
def resume():
    """End the pause."""
    _change(people.resume_newcomer if current_user.newcomer else people.resume_volunteer,
            _("Welcome back! You are active again."))
    return redirect(url_for("me.home"))


@bp.route("/withdraw", methods=["GET", "POST"])
@role_required(Role.NEWCOMER)
def withdraw():
    """Leave the programme (a confirmation page first)."""
    if request.method == "POST":
        people.withdraw_newcomer(current_user.newcomer)
        flash(_("You have left Buddy. Thank you, and all the best!"), "info")
        return redirect(url_for("me.home"))
    return render_template("me/withdraw.html")


def _change(action, message: str) -> None:
    try:
        action(current_user.profile)
    except people.ChangeRefused:
        flash(_("This is not possible right now."), "error")
    else:
        flash(message, "success")


@bp.route("/2fa", methods=["GET", "POST"])
@keeps_form
@role_required(Role.COORDINATOR)
def twofactor_setup():
    """Turn the second factor on (scan or type the key, confirm a code) or off."""
    form = CodeForm()
    enabled = bool(current_user.totp_secret)
    secret = current_user.totp_secret or session.setdefault("totp_setup", twofactor.new_secret())
    if form.validate_on_submit():
        done = (twofactor.disable(current_user, form.code.data) if enabled
                else twofactor.enable(current_user, secret, form.code.data))
        if done:
            session.pop("totp_setup", None)
            flash(_("The second factor is off.") if enabled else _("The second factor is on."),
                  "success")
            return redirect(url_for("me.twofactor_setup"))
        form.code.errors.append(_("This code is not right. Please try the newest one."))
    return render_template("me/twofactor.html", form=form, enabled=enabled, secret=secret,
                           uri=twofactor.setup_uri(current_user, secret),
                           required=twofactor.required_for(current_user))
