"""Deciding on matches: approve (safely, once), reject, pin, and match by hand."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, OperationalError

from buddy import clock, matching
from buddy.extensions import db
from buddy.models import (
    EndReason,
    Match,
    MatchStatus,
    Newcomer,
    NewcomerStatus,
    User,
    Volunteer,
    VolunteerStatus,
)
from buddy.services import audit, mail
from buddy.services.instance import build_pool, newcomer_key, volunteer_key


class MatchConflict(ValueError):
    """The decision cannot be carried out now; the code says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _claim(stmt, code: str) -> None:
    if db.session.execute(stmt).rowcount != 1:
        raise MatchConflict(code)


def _activate(match_id: int, coordinator: User) -> Match:
    """Turn a proposal into an active match inside the current transaction.

    Each step is a conditional UPDATE, so two coordinators approving at the same moment
    cannot over-fill a volunteer or give a newcomer two buddies; the database's CHECK
    (active ≤ capacity) and partial unique index (one active match per newcomer) back it up.
    """
    now = clock.now()
    _claim(update(Match).where(Match.id == match_id, Match.status == MatchStatus.PROPOSED)
           .values(status=MatchStatus.ACTIVE, decided_at=now, decided_by_id=coordinator.id),
           "already_decided")
    match = db.session.get(Match, match_id)
    db.session.refresh(match)
    _claim(update(Volunteer).where(Volunteer.id == match.volunteer_id,
                                   Volunteer.status == VolunteerStatus.ACTIVE,
                                   Volunteer.active_matches < Volunteer.capacity)
           .values(active_matches=Volunteer.active_matches + 1), "volunteer_full")
    _claim(update(Newcomer).where(Newcomer.id == match.newcomer_id,
                                  Newcomer.status == NewcomerStatus.WAITING)
           .values(status=NewcomerStatus.MATCHED), "newcomer_taken")
    _introduce(match)
    audit.record("match.approved", match, actor=coordinator,
                 newcomer=match.newcomer_id, volunteer=match.volunteer_id)
    return match


def _introduce(match: Match) -> None:
    """Queue the introduction e-mail to each side, in each one's own language."""
    newcomer, volunteer = match.newcomer, match.volunteer
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    for role, person, buddy in (("newcomer", newcomer, volunteer),
                                ("volunteer", volunteer, newcomer)):
        if not person.user.email:
            continue
        mail.queue(key=f"intro:{match.id}:{role}", to_addr=person.user.email,
                   locale=person.user.locale or default, template="introduction",
                   role=role, name=person.first_name, buddy=buddy.first_name,
                   buddy_phone=buddy.user.phone, buddy_email=buddy.user.email)


def _commit_decision() -> None:
    try:
        db.session.commit()
    except (IntegrityError, OperationalError):
        db.session.rollback()
        raise MatchConflict("conflict") from None


def approve(match_id: int, coordinator: User) -> Match:
    """Approve one proposal: match, capacity, both e-mails and the audit event, or nothing."""
    try:
        match = _activate(match_id, coordinator)
    except (IntegrityError, OperationalError):
        db.session.rollback()
        raise MatchConflict("conflict") from None
    except BaseException:
        db.session.rollback()
        raise
    _commit_decision()
    return match


@dataclass(frozen=True)
class BatchOutcome:
    """What approving several proposals did."""

    approved: int
    conflicts: dict[int, str]


def approve_many(match_ids: list[int], coordinator: User) -> BatchOutcome:
    """Approve each selected proposal on its own; conflicts are reported, not fatal."""
    approved, conflicts = 0, {}
    for match_id in match_ids:
        try:
            approve(match_id, coordinator)
        except MatchConflict as error:
            conflicts[match_id] = error.code
        else:
            approved += 1
    return BatchOutcome(approved, conflicts)


def reject(match_id: int, coordinator: User, reason: str) -> Match:
    """Reject a proposal: this pair will never be proposed again."""
    _claim(update(Match).where(Match.id == match_id, Match.status == MatchStatus.PROPOSED)
           .values(status=MatchStatus.REJECTED, decided_at=clock.now(),
                   decided_by_id=coordinator.id, end_note=reason), "already_decided")
    match = db.session.get(Match, match_id)
    audit.record("match.rejected", match, actor=coordinator, reason=reason)
    _commit_decision()
    return match


def set_pinned(match_id: int, coordinator: User, pinned: bool) -> Match:
    """Pin a proposal so that a re-run keeps it (or unpin it)."""
    match = db.session.get(Match, match_id)
    if match is None or match.status != MatchStatus.PROPOSED:
        raise MatchConflict("already_decided")
    match.pinned = pinned
    audit.record("match.pinned" if pinned else "match.unpinned", match, actor=coordinator)
    db.session.commit()
    return match


def check_pair(newcomer: Newcomer, volunteer: Volunteer) -> matching.PairExplanation:
    """Which rules a hand-picked pair breaks, and what it would score."""
    pool = build_pool([newcomer], [volunteer])
    return matching.explain_pair(pool.instance, newcomer_key(newcomer.id),
                                 volunteer_key(volunteer.id))


def match_by_hand(newcomer: Newcomer, volunteer: Volunteer, coordinator: User,
                  override_reason: str = "") -> Match:
    """Create and approve a match the coordinator chose; broken rules need a written reason."""
    explanation = check_pair(newcomer, volunteer)
    broken = [rule for rule in explanation.broken if rule != "excluded"]
    if (broken or "excluded" in explanation.broken) and not override_reason.strip():
        raise MatchConflict("reason_needed")
    match = Match(newcomer_id=newcomer.id, volunteer_id=volunteer.id, pinned=True,
                  status=MatchStatus.PROPOSED, score=explanation.score,
                  components=dataclasses.asdict(explanation.components),
                  reasons=[{"code": r.code, "params": r.params} for r in explanation.reasons],
                  override_reason=override_reason.strip() or None)
    db.session.add(match)
    try:
        db.session.flush()
        _activate(match.id, coordinator)
    except (IntegrityError, OperationalError):
        db.session.rollback()
        raise MatchConflict("conflict") from None
    except BaseException:
        db.session.rollback()
        raise
    audit.record("match.by_hand", match, actor=coordinator, reason=override_reason,
                 broken=list(explanation.broken))
    _commit_decision()
    return match


def end_match(match: Match, actor: User, reason: EndReason, note: str = "",
              newcomer_pauses: bool = False) -> None:
    """End a match; the newcomer waits again (or pauses), and the pair is never proposed again."""
    now = clock.now()
    _claim(update(Match).where(Match.id == match.id,
                               Match.status.in_([MatchStatus.ACTIVE, MatchStatus.PAUSED]))
           .values(status=MatchStatus.ENDED, ended_at=now, end_reason=reason,
                   end_note=note or None, ended_by_id=actor.id), "already_decided")
    db.session.execute(update(Volunteer).where(Volunteer.id == match.volunteer_id)
                       .values(active_matches=Volunteer.active_matches - 1))
    db.session.execute(update(Newcomer).where(
        Newcomer.id == match.newcomer_id, Newcomer.status == NewcomerStatus.MATCHED).values(
        status=NewcomerStatus.PAUSED if newcomer_pauses else NewcomerStatus.WAITING,
        waiting_since=now))
    db.session.refresh(match)
    other = match.volunteer if actor.id == match.newcomer.user_id else match.newcomer
    if other.user.email and other.user_id != actor.id:
        mail.queue(key=f"ended:{match.id}:{other.user_id}", to_addr=other.user.email,
                   locale=other.user.locale or current_app.config["BABEL_DEFAULT_LOCALE"],
                   template="match_ended", name=other.first_name,
                   buddy=(match.newcomer if other is match.volunteer else match.volunteer)
                   .first_name, newcomer=other is match.newcomer)
    audit.record("match.ended", match, actor=actor, reason=note, end_reason=reason.value)
    _commit_decision()
