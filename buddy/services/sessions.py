"""Sessions of a match: plan and log them, say "I can't come", check in, calendar feeds."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from icalendar import Calendar, Event
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from buddy import clock
from buddy.extensions import db
from buddy.links import public_url
from buddy.models import Match, MatchStatus, Meeting, MeetingStatus, Mode, User
from buddy.services import audit, mail

CHECKIN_ANSWERS = ("met", "not_met", "cancelled")


class SessionError(ValueError):
    """A session that cannot be stored; names the form field and the message key."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field, self.code = field, code


@dataclass(frozen=True)
class SessionData:
    """A planned or logged session, times in naive UTC."""

    starts_at: datetime
    duration_minutes: int
    mode: str
    place: str = ""
    status: str = MeetingStatus.PLANNED.value
    cancelled_by: str | None = None
    topics: tuple[str, ...] = ()
    topics_other: str = ""
    note: str = ""


def match_sessions(match: Match) -> list[Meeting]:
    """The sessions of a match, latest first."""
    return list(db.session.scalars(
        select(Meeting).where(Meeting.match_id == match.id).order_by(Meeting.starts_at.desc())))


def session_page(match: Match, page: int = 1, per_page: int = 25):
    """One page of a match's sessions, latest first."""
    return db.paginate(select(Meeting).where(Meeting.match_id == match.id)
                       .order_by(Meeting.starts_at.desc(), Meeting.id.desc()),
                       page=page, per_page=per_page, error_out=False)


def _check_overlap(match: Match, data: SessionData, own_id: int | None) -> None:
    if data.duration_minutes <= 0:
        raise SessionError("duration_minutes", "ends_before_start")
    end = data.starts_at + timedelta(minutes=data.duration_minutes)
    for other in match_sessions(match):
        if other.id == own_id or other.status == MeetingStatus.CANCELLED:
            continue
        other_end = other.starts_at + timedelta(minutes=other.duration_minutes)
        if data.starts_at < other_end and other.starts_at < end:
            raise SessionError("date", "overlap")


def save_session(match: Match, data: SessionData, actor: User,
                 meeting: Meeting | None = None) -> Meeting:
    """Create or change a session of an active match (no overlap with another session)."""
    if match.status != MatchStatus.ACTIVE:
        raise SessionError("date", "match_not_active")
    _check_overlap(match, data, meeting.id if meeting else None)
    meeting = meeting or Meeting(match_id=match.id)
    meeting.starts_at, meeting.duration_minutes = data.starts_at, data.duration_minutes
    meeting.mode, meeting.place = Mode(data.mode), data.place
    meeting.status = MeetingStatus(data.status)
    meeting.cancelled_by = data.cancelled_by if data.status == "cancelled" else None
    meeting.topics, meeting.topics_other = list(data.topics), data.topics_other
    meeting.note = data.note
    db.session.add(meeting)
    db.session.flush()
    audit.record("session.saved", meeting, actor=actor, status=data.status)
    db.session.commit()
    return meeting


def delete_session(meeting: Meeting, actor: User) -> None:
    """Remove a session the volunteer entered by mistake."""
    audit.record("session.deleted", meeting, actor=actor, match=meeting.match_id)
    db.session.delete(meeting)
    db.session.commit()


def cannot_come(meeting: Meeting, newcomer_user: User) -> None:
    """The newcomer cancels a planned session; the volunteer is told in their language."""
    if meeting.status != MeetingStatus.PLANNED or meeting.starts_at < clock.now():
        raise SessionError("status", "not_planned")
    meeting.status, meeting.cancelled_by = MeetingStatus.CANCELLED, "newcomer"
    volunteer = meeting.match.volunteer
    mail.queue(key=f"cannot-come:{meeting.id}", to_addr=volunteer.user.email,
               locale=volunteer.user.locale or current_app.config["BABEL_DEFAULT_LOCALE"],
               template="cannot_come", name=volunteer.first_name,
               buddy=meeting.match.newcomer.first_name, starts_at=meeting.starts_at)
    audit.record("session.cannot_come", meeting, actor=newcomer_user)
    db.session.commit()


def _checkin_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="check-in")


def checkin_token(meeting: Meeting) -> str:
    """A signed one-tap check-in link token for this session's newcomer."""
    return _checkin_serializer().dumps({"m": meeting.id, "n": meeting.match.newcomer_id})


def meeting_for_checkin(token: str) -> Meeting | None:
    """The session a check-in token belongs to, if it is genuine and not expired."""
    max_age = current_app.config["CHECKIN_LINK_DAYS"] * 86400
    try:
        data = _checkin_serializer().loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    meeting = db.session.get(Meeting, data.get("m")) if isinstance(data, dict) else None
    if meeting is None or meeting.match.newcomer_id != data.get("n"):
        return None
    return meeting


def record_checkin(meeting: Meeting, answer: str) -> None:
    """Store the newcomer's answer beside the volunteer's log."""
    if answer not in CHECKIN_ANSWERS:
        raise SessionError("answer", "unknown")
    meeting.newcomer_answer, meeting.newcomer_answered_at = answer, clock.now()
    audit.record("session.checked_in", meeting, actor=meeting.match.newcomer.user,
                 answer=answer)
    db.session.commit()


def send_checkins(window_hours: int = 48) -> int:
    """E-mail the check-in link to newcomers whose session ended recently (once each)."""
    now = clock.now()
    meetings = db.session.scalars(
        select(Meeting).join(Match).where(
            Match.status == MatchStatus.ACTIVE, Meeting.newcomer_answer.is_(None),
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.starts_at <= now, Meeting.starts_at >= now - timedelta(hours=window_hours)))
    queued = 0
    for meeting in meetings:
        newcomer = meeting.match.newcomer
        if not newcomer.user.email:
            continue
        mail.queue(key=f"checkin:{meeting.id}", to_addr=newcomer.user.email,
                   locale=newcomer.user.locale or current_app.config["BABEL_DEFAULT_LOCALE"],
                   template="checkin", name=newcomer.first_name,
                   buddy=meeting.match.volunteer.first_name, starts_at=meeting.starts_at,
                   link=public_url("sessions.checkin", token=checkin_token(meeting)))
        queued += 1
    db.session.commit()
    return queued


def calendar_token(user: User, renew: bool = False) -> str:
    """The secret part of the person's calendar feed address (renewing revokes the old)."""
    if renew or not user.calendar_token:
        user.calendar_token = secrets.token_urlsafe(32)
        audit.record("calendar.renewed", user, actor=user)
        db.session.commit()
    return user.calendar_token


def user_for_calendar(token: str) -> User | None:
    """Whose feed a calendar address shows."""
    if not token:
        return None
    return db.session.scalar(select(User).where(User.calendar_token == token))


def _event(meeting: Meeting, summary: str) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@buddy")
    event.add("dtstamp", clock.now().replace(tzinfo=UTC))
    event.add("dtstart", meeting.starts_at.replace(tzinfo=UTC))
    event.add("dtend", (meeting.starts_at + timedelta(minutes=meeting.duration_minutes))
              .replace(tzinfo=UTC))
    event.add("summary", summary)
    if meeting.place:
        event.add("location", meeting.place)
    return event


def ics(meetings: list[tuple[Meeting, str]]) -> bytes:
    """An RFC 5545 calendar with one event per (session, title)."""
    cal = Calendar()
    cal.add("prodid", "-//Buddy//Sessions//EN")
    cal.add("version", "2.0")
    for meeting, summary in meetings:
        cal.add_component(_event(meeting, summary))
    return cal.to_ical()


def planned_for(user: User) -> list[Meeting]:
    """Planned sessions of the person's active matches, for the calendar feed."""
    person = user.volunteer or user.newcomer
    if person is None:
        return []
    side = Match.volunteer_id if user.volunteer else Match.newcomer_id
    return list(db.session.scalars(
        select(Meeting).join(Match).where(
            side == person.id, Match.status == MatchStatus.ACTIVE,
            Meeting.status == MeetingStatus.PLANNED).order_by(Meeting.starts_at)))


@dataclass(frozen=True)
class SessionOverview:
    """What a person's page shows: the next planned session and the recent past ones."""

    next: Meeting | None
    past: list[Meeting]
    answerable: frozenset[int] = frozenset()  # past sessions the newcomer may still answer


def overview_for(user: User, past_limit: int = 10) -> SessionOverview:
    """The next session and the latest past ones of the person's active matches."""
    person = user.volunteer or user.newcomer
    if person is None:
        return SessionOverview(None, [])
    side = Match.volunteer_id if user.volunteer else Match.newcomer_id
    base = select(Meeting).join(Match).where(side == person.id,
                                             Match.status == MatchStatus.ACTIVE)
    now = clock.now()
    upcoming = db.session.scalar(base.where(Meeting.starts_at >= now,
                                            Meeting.status == MeetingStatus.PLANNED)
                                 .order_by(Meeting.starts_at).limit(1))
    past = list(db.session.scalars(base.where(Meeting.starts_at < now)
                                   .order_by(Meeting.starts_at.desc()).limit(past_limit)))
    recent = now - timedelta(days=current_app.config["CHECKIN_LINK_DAYS"])
    answerable = frozenset(s.id for s in past if s.starts_at >= recent and s.newcomer_answer
                           is None and s.status != MeetingStatus.CANCELLED)
    return SessionOverview(upcoming, past, answerable)
