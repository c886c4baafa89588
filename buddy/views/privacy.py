"""A person's data: see it, download it, delete it; coordinators erase on request."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from buddy.extensions import db
from buddy.forms.coord import ReasonForm
from buddy.models import Newcomer, Role, Volunteer
from buddy.services import privacy
from buddy.views.access import keeps_form, role_required

bp = Blueprint("privacy", __name__)
PERSON = (Role.NEWCOMER, Role.VOLUNTEER)


@bp.get("/me/data")
@role_required(*PERSON)
def my_data():
    """Everything stored about me, readable."""
    return render_template("me/data.html", data=privacy.export_data(current_user))


@bp.get("/me/data.json")
@role_required(*PERSON)
def my_data_json():
    """Everything stored about me, as a JSON file."""
    body = json.dumps(privacy.export_data(current_user), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": "attachment; filename=my-buddy-data.json"})


@bp.route("/me/delete", methods=["GET", "POST"])
@role_required(*PERSON)
def delete_account():
    """Delete my account (a confirmation page first)."""
    if request.method == "POST" and request.form.get("confirm") == "yes":
        privacy.erase(current_user, current_user, reason="own request")
        logout_user()
        flash(_("Your account and your details are deleted. Thank you for being part "
                "of Buddy."), "info")
        return redirect(url_for("public.index"))
    return render_template("me/delete.html")


@bp.route("/coord/<kind>/<int:person_id>/erase", methods=["GET", "POST"])
@keeps_form
@role_required(Role.COORDINATOR)
def erase_person(kind: str, person_id: int):
    """Erase a person's data on their request (audit-logged with the reason)."""
    model = {"newcomer": Newcomer, "volunteer": Volunteer}.get(kind) or abort(404)
    person = db.session.get(model, person_id) or abort(404)
    form = ReasonForm()
    if form.validate_on_submit():
        privacy.erase(person.user, current_user, reason=form.reason.data)
        flash(_("The person's details are erased."), "success")
        return redirect(url_for(f"review.{kind}s"))
    return render_template("coord/reason.html", form=form, person=person,
                           title=_("Erase this person's details"))
