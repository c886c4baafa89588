"""The coordinator's area."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from buddy.models import Role
from buddy.services.overview import city_counts, outbox_page
from buddy.views.access import role_required

bp = Blueprint("coord", __name__, url_prefix="/coord")


@bp.get("/")
@role_required(Role.COORDINATOR)
def home():
    """Headline numbers for the city."""
    return render_template("coord/home.html", counts=city_counts())


@bp.get("/outbox")
@role_required(Role.COORDINATOR)
def outbox():
    """Every e-mail: sent, waiting or failed with its error."""
    page = outbox_page(request.args.get("page", 1, type=int))
    return render_template("coord/outbox.html", page=page)
