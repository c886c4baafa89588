"""A person's own pages."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from buddy.models import Role
from buddy.services.overview import active_matches_of
from buddy.views.access import role_required

bp = Blueprint("me", __name__, url_prefix="/me")


@bp.get("/")
@role_required(Role.NEWCOMER, Role.VOLUNTEER, Role.COORDINATOR)
def home():
    """The person's status and, once a match is active, their buddies."""
    if current_user.role == Role.COORDINATOR:
        return redirect(url_for("coord.home"))
    return render_template(
        "me/home.html", profile=current_user.profile, matches=active_matches_of(current_user)
    )
