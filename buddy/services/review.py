"""The coordinator's review queues: filtered, paginated lists and decisions on people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from buddy import clock
from buddy.extensions import db
from buddy.models import (
    District,
    Newcomer,
    NewcomerLanguage,
    NewcomerStatus,
    User,
    Volunteer,
    VolunteerLanguage,
    VolunteerStatus,
)
from buddy.services import audit

PER_PAGE = 50


class ReviewRefused(ValueError):
    """The decision does not fit the person's current status."""


@dataclass(frozen=True)
class PeopleFilter:
    """What the coordinator narrows a queue down to; empty fields mean 'all'."""

    status: str = ""
    district: str = ""
    language: str = ""
    min_days: int | None = None
    page: int = 1


def _people_page(model, status_enum, language_model, language_owner, since, f: PeopleFilter):
    """People of one kind matching the filter, oldest `since` first, one page at a time."""
    stmt = select(model).options(selectinload(model.language_rows),
                                 selectinload(model.district), selectinload(model.user))
    if f.status:
        stmt = stmt.where(model.status == status_enum(f.status))
    if f.district:
        stmt = stmt.join(District, model.district_id == District.id).where(
            District.slug == f.district)
    if f.language:
        stmt = stmt.where(model.id.in_(
            select(language_owner).where(language_model.code == f.language)))
    if f.min_days:
        stmt = stmt.where(since <= clock.now() - timedelta(days=f.min_days))
    stmt = stmt.order_by(since, model.id)
    return db.paginate(stmt, page=f.page, per_page=PER_PAGE, error_out=False)


def newcomer_page(f: PeopleFilter):
    """Newcomers matching the filter, longest waiting first, one page at a time."""
    return _people_page(Newcomer, NewcomerStatus, NewcomerLanguage,
                        NewcomerLanguage.newcomer_id, Newcomer.waiting_since, f)


def volunteer_page(f: PeopleFilter):
    """Volunteers matching the filter, oldest sign-up first, one page at a time."""
    return _people_page(Volunteer, VolunteerStatus, VolunteerLanguage,
                        VolunteerLanguage.volunteer_id, Volunteer.created_at, f)


def approve_volunteer(volunteer: Volunteer, coordinator: User) -> None:
    """A pending (or paused) volunteer becomes active and can be matched."""
    if volunteer.status not in (VolunteerStatus.PENDING, VolunteerStatus.PAUSED):
        raise ReviewRefused(volunteer.status.value)
    volunteer.status = VolunteerStatus.ACTIVE
    volunteer.approved_at = volunteer.approved_at or clock.now()
    audit.record("volunteer.approved", volunteer, actor=coordinator)
    db.session.commit()


def reject_volunteer(volunteer: Volunteer, coordinator: User, reason: str) -> None:
    """A pending volunteer is not taken on; the reason goes to the audit log."""
    if volunteer.status != VolunteerStatus.PENDING:
        raise ReviewRefused(volunteer.status.value)
    volunteer.status = VolunteerStatus.REJECTED
    audit.record("volunteer.rejected", volunteer, actor=coordinator, reason=reason)
    db.session.commit()


def pause_person(person: Newcomer | Volunteer, coordinator: User, reason: str = "") -> None:
    """Pause a waiting newcomer or an active volunteer on the coordinator's decision."""
    if isinstance(person, Newcomer):
        if person.status != NewcomerStatus.WAITING:
            raise ReviewRefused(person.status.value)
        person.status = NewcomerStatus.PAUSED
    else:
        if person.status != VolunteerStatus.ACTIVE:
            raise ReviewRefused(person.status.value)
        person.status = VolunteerStatus.PAUSED
    audit.record(f"{type(person).__name__.lower()}.paused", person, actor=coordinator,
                 reason=reason)
    db.session.commit()


def resume_person(person: Newcomer | Volunteer, coordinator: User) -> None:
    """Undo a pause."""
    if isinstance(person, Newcomer):
        if person.status != NewcomerStatus.PAUSED:
            raise ReviewRefused(person.status.value)
        person.status = NewcomerStatus.WAITING
    else:
        if person.status != VolunteerStatus.PAUSED:
            raise ReviewRefused(person.status.value)
        person.status = VolunteerStatus.ACTIVE
    audit.record(f"{type(person).__name__.lower()}.resumed", person, actor=coordinator)
    db.session.commit()
