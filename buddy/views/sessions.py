"""Sessions and the match page: plan, log, cancel, check in, end, report, calendar."""

from __future__ import annotations

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
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from buddy.extensions import db
from buddy.forms.sessions import EndMatchForm, ReportForm, SessionForm, session_values
from buddy.models import EndReason, Match, MatchStatus, Meeting, Role
from buddy.services import followup, mail, matches, sessions
from buddy.services.paging import page_number
from buddy.views.access import keeps_form, public, role_required

bp = Blueprint("sessions", __name__)
PERSON = (Role.NEWCOMER, Role.VOLUNTEER)
VISIBLE = (MatchStatus.ACTIVE, MatchStatus.PAUSED, MatchStatus.ENDED)  # never mere proposals
SESSION_ERRORS = {
    "overlap": _l("This overlaps another session of this match."),
    "ends_before_start": _l("A session cannot end before it starts."),
    "match_not_active": _l("This match is not active."),
    "not_planned": _l("This session is not planned any more."),
}


def own_match(match_id: int) -> Match:
    """A match the current person is part of; anyone else gets 404."""
    match = db.session.get(Match, match_id)
    person = current_user.volunteer or current_user.newcomer
    side = (match.volunteer_id if current_user.volunteer else match.newcomer_id) if match else None
    if person is None or side != person.id or match.status not in VISIBLE:
        abort(404)
    return match


def own_session(meeting_id: int) -> Meeting:
    """A session of one of the current person's matches."""
    meeting = db.session.get(Meeting, meeting_id) or abort(404)
    own_match(meeting.match_id)
    return meeting


@bp.get("/me/matches/<int:match_id>")
@role_required(*PERSON)
def match_page(match_id: int):
    """The match: the buddy, the sessions, and what one can do."""
    match = own_match(match_id)
    return render_template("me/match.html", match=match, sessions=sessions.session_page(
        match, page_number(request.args.get("page"))))


@bp.route("/me/matches/<int:match_id>/sessions/new", methods=["GET", "POST"])
@keeps_form
@role_required(Role.VOLUNTEER)
def new_session(match_id: int):
    """Plan a session, or log one that already happened."""
    return _session_form(own_match(match_id), None)


@bp.route("/me/sessions/<int:meeting_id>/edit", methods=["GET", "POST"])
@keeps_form
@role_required(Role.VOLUNTEER)
def edit_session(meeting_id: int):
    """Change a session or log what happened."""
    meeting = own_session(meeting_id)
    return _session_form(meeting.match, meeting)


def _session_form(match: Match, meeting: Meeting | None):
    form = SessionForm(data=session_values(meeting) if meeting else None)
    if form.validate_on_submit():
        try:
            sessions.save_session(match, form.data_for_service(), current_user, meeting)
        except sessions.SessionError as error:
            form[error.field].errors.append(str(SESSION_ERRORS[error.code]))
        else:
            flash(_("The session is saved."), "success")
            return redirect(url_for("sessions.match_page", match_id=match.id))
    return render_template("me/session_form.html", form=form, match=match, meeting=meeting)


@bp.post("/me/sessions/<int:meeting_id>/delete")
@role_required(Role.VOLUNTEER)
def delete_session(meeting_id: int):
    """Delete a session entered by mistake."""
    meeting = own_session(meeting_id)
    match_id = meeting.match_id
    sessions.delete_session(meeting, current_user)
    flash(_("The session is deleted."), "info")
    return redirect(url_for("sessions.match_page", match_id=match_id))


@bp.post("/me/sessions/<int:meeting_id>/cannot-come")
@role_required(Role.NEWCOMER)
def cannot_come(meeting_id: int):
    """The newcomer cannot come; the volunteer gets an e-mail."""
    meeting = own_session(meeting_id)
    after_this_request(mail.send_soon)
    try:
        sessions.cannot_come(meeting, current_user)
    except sessions.SessionError as error:
        flash(str(SESSION_ERRORS[error.code]), "error")
    else:
        flash(_("Thank you for telling us. Your buddy gets a message."), "success")
    return redirect(url_for("me.home"))


@bp.post("/me/sessions/<int:meeting_id>/answer")
@role_required(Role.NEWCOMER)
def answer(meeting_id: int):
    """The newcomer says whether the session took place (from their page)."""
    meeting = own_session(meeting_id)
    if request.form.get("answer") not in sessions.CHECKIN_ANSWERS:
        abort(400)
    sessions.record_checkin(meeting, request.form["answer"])
    flash(_("Thank you!"), "success")
    return redirect(url_for("me.home"))


@bp.get("/me/sessions/<int:meeting_id>.ics")
@role_required(*PERSON)
def session_ics(meeting_id: int):
    """One session as a calendar file."""
    meeting = own_session(meeting_id)
    body = sessions.ics([(meeting, _session_title(meeting))])
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f"attachment; filename=session-{meeting.id}.ics"})


@bp.get("/calendar/<token>.ics")
@public
def calendar_feed(token: str):
    """The person's planned sessions as a calendar feed (the secret address is the key)."""
    user = sessions.user_for_calendar(token) or abort(404)
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        events = [(m, _session_title(m, user)) for m in sessions.planned_for(user)]
    return Response(sessions.ics(events), mimetype="text/calendar")


@bp.post("/me/calendar/renew")
@role_required(*PERSON)
def renew_calendar():
    """A new secret calendar address; the old one stops working."""
    sessions.calendar_token(current_user, renew=True)
    flash(_("Your calendar has a new address. The old one no longer works."), "success")
    return redirect(url_for("me.home"))


def _session_title(meeting: Meeting, user=None) -> str:
    user = user or current_user
    buddy = meeting.match.newcomer if user.volunteer else meeting.match.volunteer
    return _("German with %(name)s", name=buddy.first_name)


@bp.route("/me/matches/<int:match_id>/end", methods=["GET", "POST"])
@keeps_form
@role_required(*PERSON)
def end_match(match_id: int):
    """End the match with a reason; the pair is never proposed again."""
    match = own_match(match_id)
    form = EndMatchForm()
    if form.validate_on_submit():
        after_this_request(mail.send_soon)
        try:
            matches.end_match(match, current_user, EndReason(form.reason.data),
                              form.note.data or "",
                              newcomer_pauses=bool(current_user.newcomer and form.pause.data))
        except matches.MatchConflict:
            flash(_("This match is not active."), "error")
        else:
            flash(_("The match has ended. Thank you for the time together."), "success")
        return redirect(url_for("me.home"))
    return render_template("me/end_match.html", form=form, match=match)


@bp.route("/me/matches/<int:match_id>/report", methods=["GET", "POST"])
@keeps_form
@role_required(*PERSON)
def report(match_id: int):
    """Tell the coordinator confidentially that something is wrong."""
    match = own_match(match_id)
    form = ReportForm()
    if form.validate_on_submit():
        followup.report_problem(match, current_user, form.kind.data, form.text.data or "")
        flash(_("Thank you. A coordinator will contact you soon. Your buddy does not see "
                "this message."), "success")
        return redirect(url_for("me.home"))
    return render_template("me/report.html", form=form, match=match)


@bp.route("/checkin/<token>", methods=["GET", "POST"])
@public
def checkin(token: str):
    """'Did you meet?' — three big buttons, no login (the signed link is the key)."""
    meeting = sessions.meeting_for_checkin(token) or abort(404)
    done = request.method == "POST"
    if done:
        if request.form.get("answer") not in sessions.CHECKIN_ANSWERS:
            abort(400)
        sessions.record_checkin(meeting, request.form["answer"])
    with force_locale(meeting.match.newcomer.user.locale or current_app.config[
            "BABEL_DEFAULT_LOCALE"]):
        return render_template("public/checkin.html", meeting=meeting, done=done)
