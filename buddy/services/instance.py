"""Build the matching instance from the database: who can be matched, and with whom not."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from buddy import clock, matching
from buddy.extensions import db
from buddy.models import (
    District,
    Match,
    MatchStatus,
    Newcomer,
    NewcomerStatus,
    Volunteer,
    VolunteerStatus,
)


def newcomer_key(newcomer_id: int) -> str:
    """The newcomer's id in a matching instance."""
    return f"n-{newcomer_id}"


def volunteer_key(volunteer_id: int) -> str:
    """The volunteer's id in a matching instance."""
    return f"v-{volunteer_id}"


def db_id(key: str) -> int:
    """The database id behind an instance id such as 'n-17'."""
    return int(key.split("-", 1)[1])


@dataclass(frozen=True)
class Pool:
    """The people a round may match, as the solver sees them."""

    instance: matching.Instance


def _districts() -> list[District]:
    return list(db.session.scalars(
        select(District).where(District.city == current_app.config["CITY"])
    ))


def as_newcomer(n: Newcomer, now) -> matching.Newcomer:
    """A newcomer profile in the solver's terms."""
    return matching.Newcomer(
        id=newcomer_key(n.id), languages=tuple(n.languages), german_level=n.german_level.value,
        district=n.district.slug, availability=tuple(n.availability.ordered()),
        mode=n.mode.value, gender=n.gender.value, buddy_gender=n.buddy_gender.value,
        waiting_days=max((now - n.waiting_since).total_seconds() / 86400, 0.0),
    )


def as_volunteer(v: Volunteer) -> matching.Volunteer:
    """A volunteer profile in the solver's terms, with their free places as capacity."""
    return matching.Volunteer(
        id=volunteer_key(v.id), languages=tuple(v.languages), district=v.district.slug,
        max_km=float(v.max_km), availability=tuple(v.availability.ordered()),
        capacity=v.free_places, mode=v.mode.value, gender=v.gender.value,
        buddy_gender=v.buddy_gender.value,
    )


def excluded_pairs() -> frozenset[tuple[str, str]]:
    """Every pair that was rejected or has ended: never proposed again."""
    rows = db.session.execute(
        select(Match.newcomer_id, Match.volunteer_id).where(
            Match.status.in_([MatchStatus.REJECTED, MatchStatus.ENDED])
        )
    )
    return frozenset((newcomer_key(n), volunteer_key(v)) for n, v in rows)


def build_pool(newcomers: list[Newcomer] | None = None,
               volunteers: list[Volunteer] | None = None) -> Pool:
    """Waiting newcomers and active volunteers (or the given people) as a matching instance."""
    now = clock.now()
    districts = _districts()
    if newcomers is None:
        newcomers = list(db.session.scalars(
            select(Newcomer).where(Newcomer.status == NewcomerStatus.WAITING)
            .options(selectinload(Newcomer.language_rows), selectinload(Newcomer.district))
            .order_by(Newcomer.id)
        ))
    if volunteers is None:
        volunteers = list(db.session.scalars(
            select(Volunteer).where(Volunteer.status == VolunteerStatus.ACTIVE)
            .options(selectinload(Volunteer.language_rows), selectinload(Volunteer.district))
            .order_by(Volunteer.id)
        ))
    instance = matching.Instance(
        districts=tuple(matching.District(id=d.slug, lat=d.lat, lon=d.lon, name=d.name,
                                          borough=d.borough or None) for d in districts),
        newcomers=tuple(as_newcomer(n, now) for n in newcomers),
        volunteers=tuple(as_volunteer(v) for v in volunteers),
        excluded=excluded_pairs(),
    )
    return Pool(instance=instance)
