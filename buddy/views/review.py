"""The coordinator's review queues: newcomers and volunteers, with decisions on each."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from buddy.extensions import db
from buddy.forms import (
    NewcomerProfileForm,
    VolunteerProfileForm,
    newcomer_data,
    profile_values,
    volunteer_data,
)
from buddy.forms.coord import PeopleFilterForm, ReasonForm
from buddy.models import Newcomer, Role, Volunteer
from buddy.services import review, stale
from buddy.services.paging import page_number
from buddy.services.signup import SignupError, update_newcomer, update_volunteer
from buddy.views.access import keeps_form, role_required

bp = Blueprint("review", __name__, url_prefix="/coord")
KINDS = {"newcomer": Newcomer, "volunteer": Volunteer}


def _person(kind: str, person_id: int):
    model = KINDS.get(kind) or abort(404)
    return db.session.get(model, person_id) or abort(404)


def _filter(kind: str) -> tuple[PeopleFilterForm, review.PeopleFilter]:
    form = PeopleFilterForm(kind, current_app.config["CITY"], str(get_locale()),
                            formdata=request.args)
    if not form.validate():
        return form, review.PeopleFilter()
    return form, review.PeopleFilter(
        status=form.status.data or "", district=form.district.data or "",
        language=form.language.data or "", min_days=form.min_days.data,
        page=max(form.page.data or 1, 1))


@bp.get("/newcomers")
@role_required(Role.COORDINATOR)
def newcomers():
    """Newcomers, longest waiting first, with filters."""
    form, people_filter = _filter("newcomer")
    return render_template("coord/newcomers.html", form=form,
                           page=review.newcomer_page(people_filter))


@bp.get("/volunteers")
@role_required(Role.COORDINATOR)
def volunteers():
    """Volunteers (new sign-ups to review first), with filters."""
    form, people_filter = _filter("volunteer")
    return render_template("coord/volunteers.html", form=form,
                           page=review.volunteer_page(people_filter))


@bp.post("/volunteers/<int:person_id>/approve")
@role_required(Role.COORDINATOR)
def approve_volunteer(person_id: int):
    """Take a volunteer on."""
    volunteer = _person("volunteer", person_id)
    _decide(lambda: review.approve_volunteer(volunteer, current_user),
            _("%(name)s is now an active volunteer.", name=volunteer.display_name))
    return redirect(request.referrer or url_for("review.volunteers"))


@bp.route("/volunteers/<int:person_id>/reject", methods=["GET", "POST"])
@keeps_form
@role_required(Role.COORDINATOR)
def reject_volunteer(person_id: int):
    """Do not take a volunteer on, with a reason."""
    volunteer = _person("volunteer", person_id)
    form = ReasonForm()
    if form.validate_on_submit():
        _decide(lambda: review.reject_volunteer(volunteer, current_user, form.reason.data),
                _("The sign-up of %(name)s was not accepted.", name=volunteer.display_name))
        return redirect(url_for("review.volunteers", status="pending"))
    return render_template("coord/reason.html", form=form, person=volunteer,
                           title=_("Do not accept this volunteer"))


@bp.post("/<kind>/<int:person_id>/pause")
@role_required(Role.COORDINATOR)
def pause(kind: str, person_id: int):
    """Pause a newcomer or a volunteer."""
    person = _person(kind, person_id)
    _decide(lambda: review.pause_person(person, current_user),
            _("%(name)s is paused.", name=person.display_name))
    return redirect(request.referrer or url_for(f"review.{kind}s"))


@bp.post("/<kind>/<int:person_id>/resume")
@role_required(Role.COORDINATOR)
def resume(kind: str, person_id: int):
    """End a pause."""
    person = _person(kind, person_id)
    _decide(lambda: review.resume_person(person, current_user),
            _("%(name)s is active again.", name=person.display_name))
    return redirect(request.referrer or url_for(f"review.{kind}s"))


@bp.route("/<kind>/<int:person_id>/edit", methods=["GET", "POST"])
@keeps_form
@role_required(Role.COORDINATOR)
def edit(kind: str, person_id: int):
    """Change a person's details on their behalf (audit-logged)."""
    person = _person(kind, person_id)
    form_class = NewcomerProfileForm if kind == "newcomer" else VolunteerProfileForm
    form = form_class(data=profile_values(person))
    if form.validate_on_submit():
        try:
            if kind == "newcomer":
                update_newcomer(person, newcomer_data(form))
            else:
                update_volunteer(person, volunteer_data(form, email=person.user.email))
        except SignupError as error:
            form[error.field].errors.append(error.message)
        else:
            flash(_("The details are saved."), "success")
            return redirect(url_for(f"review.{kind}s"))
    return render_template("coord/person_edit.html", form=form, person=person,
                           is_newcomer=kind == "newcomer")


@bp.get("/stale")
@role_required(Role.COORDINATOR)
def stale_questions():
    """Who was asked whether they are still interested, and who answered."""
    return render_template("coord/stale.html",
                           page=stale.recent_questions(page_number(request.args.get("page"))))


def _decide(action, message: str) -> None:
    try:
        action()
    except review.ReviewRefused:
        flash(_("This is not possible in the person's current status."), "error")
    else:
        flash(message, "success")
