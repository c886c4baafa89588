"""Read-only summaries for the person's own page and the coordinator's home."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from buddy.extensions import db
from buddy.models import (
    MailStatus,
    Match,
    MatchStatus,
    Newcomer,
    NewcomerStatus,
    OutboxMail,
    User,
    Volunteer,
    VolunteerStatus,
)


@dataclass(frozen=True)
class CityCounts:
    """Headline numbers for the coordinator."""

    newcomers_waiting: int
    volunteers_pending: int
    volunteers_active: int
    free_places: int
    matches_active: int
    mail_waiting: int
    mail_failed: int


def city_counts() -> CityCounts:
    """Count waiting newcomers, volunteers, free places, active matches and the outbox."""

    def count(stmt) -> int:
        return db.session.scalar(stmt) or 0

    free = select(func.sum(Volunteer.capacity - Volunteer.active_matches)).where(
        Volunteer.status == VolunteerStatus.ACTIVE
    )
    return CityCounts(
        newcomers_waiting=count(
            select(func.count()).where(Newcomer.status == NewcomerStatus.WAITING)
        ),
        volunteers_pending=count(
            select(func.count()).where(Volunteer.status == VolunteerStatus.PENDING)
        ),
        volunteers_active=count(
            select(func.count()).where(Volunteer.status == VolunteerStatus.ACTIVE)
        ),
        free_places=count(free),
        matches_active=count(select(func.count()).where(Match.status == MatchStatus.ACTIVE)),
        mail_waiting=count(select(func.count()).where(OutboxMail.status == MailStatus.WAITING)),
        mail_failed=count(select(func.count()).where(OutboxMail.status == MailStatus.FAILED)),
    )


def active_matches_of(user: User) -> list[Match]:
    """The person's active matches, with both profiles loaded."""
    if user.newcomer is not None:
        where = Match.newcomer_id == user.newcomer.id
    elif user.volunteer is not None:
        where = Match.volunteer_id == user.volunteer.id
    else:
        return []
    return list(
        db.session.scalars(
            select(Match).where(where, Match.status == MatchStatus.ACTIVE).order_by(Match.id)
        )
    )


def outbox_page(page: int, per_page: int = 50):
    """The outbox, newest first, one page at a time."""
    return db.paginate(
        select(OutboxMail).order_by(OutboxMail.id.desc()), page=page, per_page=per_page,
        error_out=False,
    )
