"""Changes a person makes to their own account: language, password, pause, withdraw."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash

from buddy import clock
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
from buddy.services import audit, stats
from buddy.services.accounts import end_sessions, hash_password


class ChangeRefused(ValueError):
    """The change does not fit the person's current state."""


def set_locale(user: User, locale: str) -> None:
    """Save the person's interface language."""
    if locale not in current_app.config["LANGUAGES"]:
        raise ValueError(f"unsupported locale {locale!r}")
    user.locale = locale
    db.session.commit()


def change_password(user: User, current: str, new: str) -> bool:
    """Set a new password if the current one is right; other sessions end. False if wrong."""
    if not check_password_hash(user.password_hash, current):
        return False
    user.password_hash = hash_password(new)
    end_sessions(user)
    audit.record("password.changed", user, actor=user)
    db.session.commit()
    return True


def pause_newcomer(newcomer: Newcomer) -> None:
    """Stop looking for a buddy for now (only while waiting)."""
    if newcomer.status != NewcomerStatus.WAITING:
        raise ChangeRefused(newcomer.status.value)
    newcomer.status = NewcomerStatus.PAUSED
    audit.record("newcomer.paused", newcomer)
    db.session.commit()


def resume_newcomer(newcomer: Newcomer) -> None:
    """Look for a buddy again; the time already waited still counts."""
    if newcomer.status != NewcomerStatus.PAUSED:
        raise ChangeRefused(newcomer.status.value)
    newcomer.status = NewcomerStatus.WAITING
    audit.record("newcomer.resumed", newcomer)
    db.session.commit()


def withdraw_newcomer(newcomer: Newcomer) -> None:
    """Leave the programme: an active match ends, no new buddy is looked for."""
    now = clock.now()
    for match in db.session.scalars(
        select(Match).where(Match.newcomer_id == newcomer.id, Match.status == MatchStatus.ACTIVE)
    ):
        match.status, match.ended_at = MatchStatus.ENDED, now
        match.end_reason = EndReason.PERSONAL
        db.session.execute(
            update(Volunteer).where(Volunteer.id == match.volunteer_id)
            .values(active_matches=Volunteer.active_matches - 1)
        )
    newcomer.status = NewcomerStatus.WITHDRAWN
    audit.record("newcomer.withdrew", newcomer)
    db.session.commit()


def pause_volunteer(volunteer: Volunteer) -> None:
    """Take no new buddies for now; current matches go on."""
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise ChangeRefused(volunteer.status.value)
    volunteer.status = VolunteerStatus.PAUSED
    audit.record("volunteer.paused", volunteer)
    db.session.commit()


def resume_volunteer(volunteer: Volunteer) -> None:
    """Take new buddies again."""
    if volunteer.status != VolunteerStatus.PAUSED:
        raise ChangeRefused(volunteer.status.value)
    volunteer.status = VolunteerStatus.ACTIVE
    audit.record("volunteer.resumed", volunteer)
    db.session.commit()


@dataclass(frozen=True)
class WaitingPicture:
    """What a waiting newcomer is told: how many wait, how long matches recently took."""

    waiting: int
    recent_median_days: int | None
    days_waited: int


def waiting_picture(newcomer: Newcomer, window_days: int = 180) -> WaitingPicture:
    """How many people wait and the median days to a match over the recent window."""
    waiting, median = stats.cached(("waiting", window_days), lambda: _city_wait(window_days))
    return WaitingPicture(waiting=waiting, recent_median_days=median,
                          days_waited=max((clock.now() - newcomer.waiting_since).days, 0))


def _city_wait(window_days: int) -> tuple[int, int | None]:
    now = clock.now()
    waiting = db.session.scalar(
        select(func.count()).where(Newcomer.status == NewcomerStatus.WAITING)
    ) or 0
    rows = db.session.execute(
        select(Match.decided_at, Newcomer.waiting_since)
        .join(Newcomer, Match.newcomer_id == Newcomer.id)
        .where(Match.status.in_([MatchStatus.ACTIVE, MatchStatus.ENDED]),
               Match.decided_at >= now - timedelta(days=window_days))
        .limit(5000)
    ).all()
    days = [(decided - since).days for decided, since in rows if decided and decided >= since]
    return waiting, round(statistics.median(days)) if days else None
