"""The coordinator's follow-up queue."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from buddy.extensions import db
from buddy.forms.sessions import NoteForm, SnoozeForm
from buddy.models import FollowUp, Match, Role
from buddy.services import followup
from buddy.services.paging import page_number
from buddy.views.access import keeps_form, role_required

bp = Blueprint("followup", __name__, url_prefix="/coord")


@bp.get("/follow-up")
@role_required(Role.COORDINATOR)
def queue():
    """What is due: reports first, then stalled matches."""
    return render_template("coord/followup.html",
                           page=followup.due_page(page_number(request.args.get("page"))))


@bp.route("/follow-up/<int:item_id>", methods=["GET", "POST"])
@keeps_form
@role_required(Role.COORDINATOR)
def item(item_id: int):
    """One item: why it is here, the history, notes; record a check-in."""
    entry = db.session.get(FollowUp, item_id) or abort(404)
    form = NoteForm()
    if form.validate_on_submit():
        followup.add_note(entry, current_user, form.kind.data, form.text.data or "")
        flash(_("The note is saved."), "success")
        return redirect(url_for("followup.item", item_id=entry.id))
    return render_template("coord/followup_item.html", entry=entry, form=form,
                           snooze_form=SnoozeForm(), history=followup.history(entry))


@bp.post("/follow-up/<int:item_id>/snooze")
@role_required(Role.COORDINATOR)
def snooze(item_id: int):
    """Hide the item for some days."""
    entry = db.session.get(FollowUp, item_id) or abort(404)
    form = SnoozeForm()
    if form.validate_on_submit():
        _act(lambda: followup.snooze(entry, current_user, form.days.data),
             _("The item comes back later."))
    return redirect(url_for("followup.queue"))


@bp.post("/follow-up/<int:item_id>/resolve")
@role_required(Role.COORDINATOR)
def resolve(item_id: int):
    """Close the item."""
    entry = db.session.get(FollowUp, item_id) or abort(404)
    _act(lambda: followup.resolve(entry, current_user), _("The item is resolved."))
    return redirect(url_for("followup.queue"))


@bp.post("/matches/<int:match_id>/pause-match")
@role_required(Role.COORDINATOR)
def pause_match(match_id: int):
    """Stop a match at once, e.g. after a report."""
    match = db.session.get(Match, match_id) or abort(404)
    _act(lambda: followup.pause_match(match, current_user), _("The match is paused."))
    return redirect(url_for("followup.queue"))


def _act(action, message: str) -> None:
    try:
        action()
    except followup.FollowUpError:
        flash(_("This is not possible right now."), "error")
    else:
        flash(message, "success")
