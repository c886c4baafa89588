"""The coordinator's area."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from buddy.forms import CoordinatorNewcomerForm, newcomer_data
from buddy.models import Role
from buddy.services import stats
from buddy.services.overview import city_counts, outbox_page
from buddy.services.paging import page_number
from buddy.services.signup import SignupError, register_newcomer
from buddy.views.access import keeps_form, role_required

bp = Blueprint("coord", __name__, url_prefix="/coord")


@bp.get("/")
@role_required(Role.COORDINATOR)
def home():
    """The dashboard: headline numbers and charts for the city."""
    return render_template("coord/home.html", counts=stats.cached("counts", city_counts),
                           board=stats.dashboard())


@bp.get("/outbox")
@role_required(Role.COORDINATOR)
def outbox():
    """Every e-mail: sent, waiting or failed with its error."""
    page = outbox_page(page_number(request.args.get("page")))
    return render_template("coord/outbox.html", page=page)


@bp.route("/newcomers/new", methods=["GET", "POST"])
@keeps_form
@role_required(Role.COORDINATOR)
def register_for_newcomer():
    """Register a newcomer who cannot fill in the form; the same rules apply."""
    form = CoordinatorNewcomerForm()
    if form.validate_on_submit():
        try:
            newcomer = register_newcomer(newcomer_data(form), None, form.locale.data,
                                         registered_by=current_user)
        except SignupError as error:
            form[error.field].errors.append(error.message)
        else:
            flash(_("%(name)s is registered and waits for a buddy.",
                    name=newcomer.display_name), "success")
            return redirect(url_for("coord.home"))
    return render_template("coord/newcomer_new.html", form=form)
