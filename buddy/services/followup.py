"""The follow-up queue: rules that notice stalled matches, reports, notes, snooze, resolve."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import selectinload

from buddy import clock
from buddy.extensions import db
from buddy.links import public_url
from buddy.models import (
    FollowUp,
    FollowUpStatus,
    Match,
    MatchStatus,
    Meeting,
    MeetingStatus,
    Newcomer,
    Role,
    User,
    Volunteer,
)
from buddy.services import audit, mail

REPORT_KINDS = ("no_show", "inappropriate", "money_or_date", "other")
NOTE_KINDS = ("phoned", "emailed", "met", "other")
PRIORITY = {"report": 100, "two_no_shows": 50, "disagreement": 40, "first_session_late": 30,
            "no_recent_session": 20, "rematch": 10}


class FollowUpError(ValueError):
    """A follow-up action that does not fit the item's state."""


def _open_kinds() -> dict[int, set[str]]:
    rows = db.session.execute(select(FollowUp.match_id, FollowUp.kind).where(
        FollowUp.status != FollowUpStatus.RESOLVED))
    found: dict[int, set[str]] = defaultdict(set)
    for match_id, kind in rows:
        found[match_id].add(kind)
    return found


def _raise(match: Match, kind: str, open_kinds: dict[int, set[str]], **details) -> bool:
    if kind in open_kinds[match.id]:
        return False
    db.session.add(FollowUp(match_id=match.id, kind=kind, priority=PRIORITY[kind],
                            details=details, due_at=clock.now()))
    open_kinds[match.id].add(kind)
    return True


def scan(now=None) -> int:
    """Apply every rule to the matches and add an item for each new finding."""
    now = now or clock.now()
    config = current_app.config
    open_kinds = _open_kinds()
    active = db.session.scalars(select(Match).where(Match.status == MatchStatus.ACTIVE)).all()
    sessions: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in db.session.scalars(
        select(Meeting).where(Meeting.match_id.in_([m.id for m in active]))
        .order_by(Meeting.starts_at)
    ):
        sessions[meeting.match_id].append(meeting)
    raised = 0
    for match in active:
        past = [s for s in sessions[match.id] if s.starts_at <= now]
        held = [s for s in past if s.status == MeetingStatus.HELD]
        since = match.decided_at or match.proposed_at
        if not held and since <= now - timedelta(days=config["FOLLOWUP_FIRST_SESSION_DAYS"]):
            raised += _raise(match, "first_session_late", open_kinds,
                             days=(now - since).days)
        elif held and held[-1].starts_at <= now - timedelta(
                days=config["FOLLOWUP_NO_SESSION_DAYS"]):
            raised += _raise(match, "no_recent_session", open_kinds,
                             days=(now - held[-1].starts_at).days)
        logged = [s for s in past if s.status != MeetingStatus.PLANNED]
        streak = config["FOLLOWUP_NO_SHOWS"]
        if len(logged) >= streak and all(s.status == MeetingStatus.NO_SHOW
                                         for s in logged[-streak:]):
            raised += _raise(match, "two_no_shows", open_kinds, count=streak)
        for s in past:
            volunteer_says_met = s.status == MeetingStatus.HELD
            if s.newcomer_answer and (s.newcomer_answer == "met") != volunteer_says_met:
                raised += _raise(match, "disagreement", open_kinds, session=s.id,
                                 volunteer=s.status.value, newcomer=s.newcomer_answer)
                break
    ended = db.session.scalars(select(Match).where(
        Match.status == MatchStatus.ENDED, Match.ended_at >= now - timedelta(days=30)))
    for match in ended:
        raised += _raise(match, "rematch", open_kinds, reason=(
            match.end_reason.value if match.end_reason else ""))
    db.session.commit()
    return raised


def report_problem(match: Match, reporter: User, kind: str, text: str) -> FollowUp:
    """A confidential report from either side; it goes to the top of the queue."""
    if kind not in REPORT_KINDS:
        raise FollowUpError(kind)
    item = FollowUp(match_id=match.id, kind="report", priority=PRIORITY["report"],
                    details={"reporter": reporter.role.value, "reporter_id": reporter.id,
                             "problem": kind, "text": text}, due_at=clock.now())
    db.session.add(item)
    db.session.flush()
    audit.record("match.problem_reported", match, actor=reporter, problem=kind)
    db.session.commit()
    return item


def due_page(page: int = 1, per_page: int = 50):
    """A page of the due items, reports first, with both people loaded."""
    return db.paginate(_due_query(), page=page, per_page=per_page, error_out=False)


def due_items(limit: int = 100) -> list[FollowUp]:
    """Open items and snoozed ones whose time has come: reports first, then by age."""
    return list(db.session.scalars(_due_query().limit(limit)))


def _due_query():
    now = clock.now()
    return (
        select(FollowUp).where(or_(
            FollowUp.status == FollowUpStatus.OPEN,
            (FollowUp.status == FollowUpStatus.SNOOZED) & (FollowUp.snoozed_until <= now)))
        .options(selectinload(FollowUp.match).selectinload(Match.newcomer)
                 .selectinload(Newcomer.user),
                 selectinload(FollowUp.match).selectinload(Match.volunteer)
                 .selectinload(Volunteer.user))
        .order_by(FollowUp.priority.desc(), FollowUp.created_at, FollowUp.id))


def history(item: FollowUp) -> list[Meeting]:
    """The sessions of the item's match, latest first."""
    if item.match_id is None:
        return []
    return list(db.session.scalars(select(Meeting).where(Meeting.match_id == item.match_id)
                                   .order_by(Meeting.starts_at.desc()).limit(20)))


def add_note(item: FollowUp, coordinator: User, kind: str, text: str) -> None:
    """Record a check-in (phoned, e-mailed, met, other) on the item."""
    if kind not in NOTE_KINDS:
        raise FollowUpError(kind)
    item.notes = [*item.notes, {"at": clock.now().isoformat(timespec="minutes"),
                                "by": coordinator.id, "kind": kind, "text": text}]
    audit.record("followup.note", item, actor=coordinator, kind=kind)
    db.session.commit()


def snooze(item: FollowUp, coordinator: User, days: int) -> None:
    """Hide the item until later."""
    if item.status == FollowUpStatus.RESOLVED:
        raise FollowUpError("resolved")
    item.status, item.snoozed_until = FollowUpStatus.SNOOZED, clock.now() + timedelta(days=days)
    audit.record("followup.snoozed", item, actor=coordinator, days=days)
    db.session.commit()


def resolve(item: FollowUp, coordinator: User) -> None:
    """Close the item."""
    if item.status == FollowUpStatus.RESOLVED:
        raise FollowUpError("resolved")
    item.status, item.resolved_at, item.resolved_by_id = (
        FollowUpStatus.RESOLVED, clock.now(), coordinator.id)
    audit.record("followup.resolved", item, actor=coordinator)
    db.session.commit()


def pause_match(match: Match, coordinator: User) -> None:
    """Stop an active match at once (after a report); the volunteer keeps the place."""
    changed = db.session.execute(update(Match).where(
        Match.id == match.id, Match.status == MatchStatus.ACTIVE).values(
        status=MatchStatus.PAUSED)).rowcount
    if not changed:
        raise FollowUpError("not_active")
    audit.record("match.paused", match, actor=coordinator)
    db.session.commit()


def send_digest() -> int:
    """A weekly e-mail to every coordinator listing what is due."""
    counts = dict(db.session.execute(
        _due_query().with_only_columns(FollowUp.kind, func.count()).group_by(FollowUp.kind)
        .order_by(None)).all())
    if not counts:
        return 0
    total = sum(counts.values())
    week = clock.now().strftime("%G-W%V")
    coordinators = db.session.scalars(select(User).where(
        User.role == Role.COORDINATOR, User.is_enabled.is_(True), User.email.is_not(None)))
    sent = 0
    for user in coordinators:
        mail.queue(key=f"digest:{week}:{user.id}", to_addr=user.email,
                   locale=user.locale or current_app.config["BABEL_DEFAULT_LOCALE"],
                   template="digest", counts=counts, total=total,
                   link=public_url("followup.queue"))
        sent += 1
    db.session.commit()
    return sent
