"""Matching rounds: run, read the proposals and their reasons, decide, match by hand."""

from __future__ import annotations

import csv
import io

from flask import (
    Blueprint,
    Response,
    abort,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from buddy import clock, reasons
from buddy.extensions import db
from buddy.forms.coord import ManualMatchForm, ReasonForm, RoundForm
from buddy.models import Match, MatchRound, Newcomer, Role, RoundStatus, Volunteer
from buddy.services import mail, matches, rounds
from buddy.services.paging import page_number
from buddy.views.access import keeps_form, role_required

bp = Blueprint("rounds", __name__, url_prefix="/coord")
CONFLICTS = {
    "already_decided": _l("This proposal was already decided."),
    "volunteer_full": _l("The volunteer has no free place any more."),
    "newcomer_taken": _l("The newcomer is no longer waiting."),
    "conflict": _l("Someone else changed this at the same moment. Please look again."),
    "reason_needed": _l("This pair breaks rules. Please write why you match them anyway."),
}


def _conflict_message(code: str) -> str:
    return str(CONFLICTS.get(code, CONFLICTS["conflict"]))


@bp.route("/rounds", methods=["GET", "POST"])
@keeps_form
@role_required(Role.COORDINATOR)
def index():
    """Run a round; the list of earlier rounds."""
    form = RoundForm(data=rounds.default_weights())
    if form.validate_on_submit():
        round_ = rounds.start_round(current_user, form.weights())
        if rounds.is_large(rounds.pool_size()):
            rounds.run_in_background(current_app._get_current_object(), round_.id)
        else:
            rounds.run_round(round_.id)
        return redirect(url_for("rounds.show", round_id=round_.id))
    return render_template("coord/rounds.html", form=form, history=rounds.history())


@bp.get("/rounds/<int:round_id>")
@role_required(Role.COORDINATOR)
def show(round_id: int):
    """A round's proposals with scores and reasons (or that it is still running)."""
    round_ = db.session.get(MatchRound, round_id) or abort(404)
    view = rounds.round_view(round_, page_number(request.args.get("page")))
    refresh = round_.status == RoundStatus.RUNNING
    started = format_timedelta(round_.created_at - clock.now(), add_direction=True)
    return render_template("coord/round.html", round=round_, view=view, refresh=refresh,
                           started=started)


@bp.post("/rounds/<int:round_id>/rerun")
@role_required(Role.COORDINATOR)
def rerun(round_id: int):
    """Solve again: pinned proposals stay, rejected pairs stay out."""
    old = db.session.get(MatchRound, round_id) or abort(404)
    round_ = rounds.start_round(current_user, old.parameters["weights"])
    rounds.run_round(round_.id)
    return redirect(url_for("rounds.show", round_id=round_.id))


@bp.get("/rounds/<int:round_id>/unmatched")
@role_required(Role.COORDINATOR)
def unmatched(round_id: int):
    """Who could not be matched, why, the nearest almost-fitting volunteer, and hints."""
    round_ = db.session.get(MatchRound, round_id) or abort(404)
    page = page_number(request.args.get("page"))
    return render_template("coord/unmatched.html", round=round_,
                           view=rounds.unmatched_view(round_, page),
                           districts=rounds.district_names())


@bp.get("/rounds/<int:round_id>/hints.csv")
@role_required(Role.COORDINATOR)
def hints_csv(round_id: int):
    """Recruitment hints as a spreadsheet for a recruitment call."""
    round_ = db.session.get(MatchRound, round_id) or abort(404)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Language"), _("Part of the city"), _("Free times"),
                     _("Newcomers it would match")])
    writer.writerows(reasons.hint_rows(round_.hints or [], rounds.district_names()))
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=hints-round-{round_.id}.csv"})


@bp.post("/matches/<int:match_id>/approve")
@role_required(Role.COORDINATOR)
def approve(match_id: int):
    """Approve one proposal."""
    after_this_request(mail.send_soon)
    try:
        match = matches.approve(match_id, current_user)
    except matches.MatchConflict as error:
        flash(_conflict_message(error.code), "error")
    else:
        flash(_("Approved: %(newcomer)s and %(volunteer)s. Both get an e-mail.",
                newcomer=match.newcomer.display_name, volunteer=match.volunteer.display_name),
              "success")
    return redirect(request.referrer or url_for("rounds.index"))


@bp.post("/matches/approve")
@role_required(Role.COORDINATOR)
def approve_selected():
    """Approve every selected proposal."""
    after_this_request(mail.send_soon)
    ids = [int(v) for v in request.form.getlist("match")
           if v.isascii() and v.isdigit() and len(v) <= 9]
    outcome = matches.approve_many(ids, current_user)
    flash(_("%(count)d approved.", count=outcome.approved), "success")
    for code in set(outcome.conflicts.values()):
        flash(_conflict_message(code), "error")
    return redirect(request.referrer or url_for("rounds.index"))


@bp.route("/matches/<int:match_id>/reject", methods=["GET", "POST"])
@keeps_form
@role_required(Role.COORDINATOR)
def reject(match_id: int):
    """Reject a proposal with a reason; the pair is never proposed again."""
    match = db.session.get(Match, match_id) or abort(404)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            matches.reject(match_id, current_user, form.reason.data)
        except matches.MatchConflict as error:
            flash(_conflict_message(error.code), "error")
        else:
            flash(_("Rejected. This pair will not be proposed again."), "success")
        return redirect(url_for("rounds.show", round_id=match.round_id) if match.round_id
                        else url_for("rounds.index"))
    return render_template("coord/reason.html", form=form, match=match,
                           title=_("Reject this proposal"))


@bp.post("/matches/<int:match_id>/pin")
@role_required(Role.COORDINATOR)
def pin(match_id: int):
    """Pin or unpin a proposal for the next re-run."""
    try:
        matches.set_pinned(match_id, current_user, request.form.get("pinned") == "1")
    except matches.MatchConflict as error:
        flash(_conflict_message(error.code), "error")
    return redirect(request.referrer or url_for("rounds.index"))


@bp.get("/what-if")
@role_required(Role.COORDINATOR)
def what_if():
    """How many more newcomers looser rules would match (not saved as proposals)."""
    return render_template("coord/what_if.html", counts=rounds.what_if())


@bp.route("/manual", methods=["GET", "POST"])
@keeps_form
@role_required(Role.COORDINATOR)
def manual():
    """Match two people by hand; the page shows which rules the pair breaks."""
    form = ManualMatchForm(formdata=request.form if request.method == "POST" else request.args)
    newcomer = _pick(form.newcomer, Newcomer, _("No newcomer has this number."))
    volunteer = _pick(form.volunteer, Volunteer, _("No volunteer has this number."))
    check = matches.check_pair(newcomer, volunteer) if newcomer and volunteer else None
    if request.method == "POST" and form.validate_on_submit() and check is not None:
        after_this_request(mail.send_soon)
        try:
            matches.match_by_hand(newcomer, volunteer, current_user,
                                  form.override_reason.data or "")
        except matches.MatchConflict as error:
            form.override_reason.errors.append(_conflict_message(error.code))
        else:
            flash(_("Matched: %(newcomer)s and %(volunteer)s. Both get an e-mail.",
                    newcomer=newcomer.display_name, volunteer=volunteer.display_name), "success")
            return redirect(url_for("rounds.index"))
    return render_template("coord/manual.html", form=form, newcomer=newcomer,
                           volunteer=volunteer, check=check)


def _pick(field, model, missing: str):
    """The person whose number was typed, or None with a message next to the field."""
    if not field.data:
        return None
    person = db.session.get(model, field.data)
    if person is None:
        field.errors = [*field.errors, missing]
    return person
