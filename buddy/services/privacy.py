"""Privacy: a person's data to download, erasure on request, retention, all audit-logged."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from buddy import clock
from buddy.extensions import db
from buddy.models import (
    EndReason,
    Match,
    MatchStatus,
    Meeting,
    Newcomer,
    NewcomerStatus,
    User,
    Volunteer,
    VolunteerStatus,
)
from buddy.services import audit, mail
from buddy.services.accounts import end_sessions, hash_password

ERASED_NAME = "—"


def is_erased(user: User) -> bool:
    """Whether this account's personal data has been erased."""
    return bool(user.email and user.email.startswith("erased-") and user.email.endswith(
        "@invalid"))


def export_data(user: User) -> dict:
    """Everything stored about the person, as plain data (for JSON and the readable page)."""
    profile = user.profile
    data = {"account": {"email": user.email, "phone": user.phone, "role": user.role.value,
                        "language": user.locale, "created": _iso(user.created_at),
                        "last_login": _iso(user.last_login_at)}}
    if profile is not None:
        data["profile"] = {
            "name": profile.display_name, "district": profile.district.name,
            "languages": list(profile.languages), "free_times": profile.availability.ordered(),
            "meeting_mode": profile.mode.value, "gender": profile.gender.value,
            "buddy_gender": profile.buddy_gender.value, "status": profile.status.value,
            "consent_given": _iso(profile.consent_at),
        }
        if isinstance(profile, Newcomer):
            data["profile"].update(german_level=profile.german_level.value,
                                   topics=list(profile.topics),
                                   waiting_since=_iso(profile.waiting_since))
        else:
            data["profile"].update(max_km=profile.max_km, capacity=profile.capacity,
                                   motivation=profile.motivation)
        side = Match.newcomer_id if isinstance(profile, Newcomer) else Match.volunteer_id
        matches = db.session.scalars(select(Match).where(
            side == profile.id, Match.status.in_([MatchStatus.ACTIVE, MatchStatus.ENDED,
                                                  MatchStatus.PAUSED])).order_by(Match.id))
        data["matches"] = [_match_data(m, isinstance(profile, Volunteer)) for m in matches]
    return data


def _match_data(match: Match, is_volunteer: bool) -> dict:
    buddy = match.newcomer if is_volunteer else match.volunteer
    sessions = db.session.scalars(select(Meeting).where(Meeting.match_id == match.id)
                                  .order_by(Meeting.starts_at))
    return {"buddy_first_name": buddy.first_name, "status": match.status.value,
            "started": _iso(match.decided_at), "ended": _iso(match.ended_at),
            "end_reason": match.end_reason.value if match.end_reason else None,
            "sessions": [{"start": _iso(s.starts_at), "minutes": s.duration_minutes,
                          "status": s.status.value, "place": s.place,
                          "topics": list(s.topics), "checked_in": s.newcomer_answer,
                          **({"note": s.note} if is_volunteer else {})} for s in sessions]}


def _iso(value) -> str | None:
    return value.isoformat(timespec="minutes") if value else None


@dataclass(frozen=True)
class Erasure:
    """What erasing one person did."""

    user_id: int
    matches_ended: int


def erase(user: User, actor: User, reason: str = "") -> Erasure:
    """Erase the person's personal data; keep anonymous rows for the reports; end matches.

    The buddy of an active match is told by e-mail. Names, contact details, free text and the
    password are gone; district, languages, level, gender, dates and statuses stay, without
    any link to a name.
    """
    profile = user.profile
    ended = 0
    if profile is not None:
        ended = _end_matches(profile, user)
        _scrub_profile(profile)
    user.email, user.phone = f"erased-{user.id}@invalid", None
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    user.is_enabled, user.calendar_token, user.locale = False, None, None
    end_sessions(user)
    audit.record("person.erased", user, actor=actor, reason=reason, matches_ended=ended)
    db.session.commit()
    return Erasure(user.id, ended)


def _end_matches(profile, user: User) -> int:
    is_newcomer = isinstance(profile, Newcomer)
    side = Match.newcomer_id if is_newcomer else Match.volunteer_id
    now = clock.now()
    ended = 0
    for match in db.session.scalars(select(Match).where(
            side == profile.id, Match.status.in_([MatchStatus.ACTIVE, MatchStatus.PAUSED]))):
        buddy = match.volunteer if is_newcomer else match.newcomer
        if buddy.user.email and not is_erased(buddy.user):
            mail.queue(key=f"ended:{match.id}:{buddy.user_id}", to_addr=buddy.user.email,
                       locale=buddy.user.locale or current_app.config["BABEL_DEFAULT_LOCALE"],
                       template="match_ended", name=buddy.first_name,
                       buddy=profile.first_name, newcomer=not is_newcomer)
        match.status, match.ended_at, match.ended_by_id = MatchStatus.ENDED, now, user.id
        match.end_reason = EndReason.PERSONAL
        db.session.execute(update(Volunteer).where(Volunteer.id == match.volunteer_id)
                           .values(active_matches=Volunteer.active_matches - 1))
        if not is_newcomer:
            db.session.execute(update(Newcomer).where(
                Newcomer.id == match.newcomer_id, Newcomer.status == NewcomerStatus.MATCHED)
                .values(status=NewcomerStatus.WAITING, waiting_since=now))
        ended += 1
    db.session.execute(update(Match).where(side == profile.id,
                                           Match.status == MatchStatus.PROPOSED)
                       .values(status=MatchStatus.SUPERSEDED))
    return ended


def _scrub_profile(profile) -> None:
    profile.display_name = ERASED_NAME
    profile.consent_at = None
    if isinstance(profile, Newcomer):
        profile.status = NewcomerStatus.WITHDRAWN
    else:
        profile.status, profile.motivation = VolunteerStatus.LEFT, ""
    side = Match.newcomer_id if isinstance(profile, Newcomer) else Match.volunteer_id
    match_ids = select(Match.id).where(side == profile.id)
    db.session.execute(update(Meeting).where(Meeting.match_id.in_(match_ids))
                       .values(note="", place="", topics_other=""))
    db.session.execute(update(Match).where(side == profile.id).values(end_note=None,
                                                                      override_reason=None))


@dataclass(frozen=True)
class RetentionPlan:
    """Who would be (or was) anonymised by the retention rule."""

    people: list[int]
    ended_matches: list[int]


def retention(apply: bool, actor: User | None = None) -> RetentionPlan:
    """People inactive for RETENTION_MONTHS, and ended matches older than that, anonymised.

    Idempotent: people already erased are skipped; a dry run (apply=False) changes nothing.
    """
    cutoff = clock.now() - timedelta(days=30.44 * current_app.config["RETENTION_MONTHS"])
    active_people = select(Match.newcomer_id).where(Match.status == MatchStatus.ACTIVE)
    active_volunteers = select(Match.volunteer_id).where(Match.status == MatchStatus.ACTIVE)
    stale = select(User).where(
        User.is_enabled.is_(True), User.role != "coordinator",
        or_(User.last_login_at < cutoff, User.last_login_at.is_(None) & (User.created_at < cutoff)),
        ~User.newcomer.has(Newcomer.id.in_(active_people)),
        ~User.volunteer.has(Volunteer.id.in_(active_volunteers)))
    users = list(db.session.scalars(stale))
    old = list(db.session.scalars(select(Match).where(
        Match.status == MatchStatus.ENDED, Match.ended_at < cutoff,
        or_(Match.end_note.is_not(None), Match.id.in_(
            select(Meeting.match_id).where(or_(Meeting.note != "", Meeting.place != "")))))))
    plan = RetentionPlan([u.id for u in users], [m.id for m in old])
    if apply:
        for user in users:
            erase(user, actor or user, reason="retention")
        for match in old:
            match.end_note = None
            db.session.execute(update(Meeting).where(Meeting.match_id == match.id)
                               .values(note="", place="", topics_other=""))
            audit.record("match.anonymised", match, actor=actor, reason="retention")
        db.session.commit()
    return plan
