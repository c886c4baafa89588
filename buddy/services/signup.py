"""Sign-up: newcomers and volunteers create their accounts; profiles are changed later."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from buddy import clock
from buddy.extensions import db
from buddy.models import (
    Availability,
    BuddyGender,
    District,
    Gender,
    GermanLevel,
    Mode,
    Newcomer,
    Role,
    User,
    Volunteer,
)
from buddy.services import audit
from buddy.services.accounts import hash_password

LOGIN_TAKEN = _l("This cannot be used to sign up. If you already have an account, please log in "
                 "or ask for a new password.")


class SignupError(ValueError):
    """A sign-up or profile change that cannot be stored; names the form field."""

    def __init__(self, field: str, message) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class NewcomerData:
    """What a newcomer tells us (already validated and normalised by the form)."""

    display_name: str
    phone: str | None
    email: str | None
    languages: tuple[str, ...]
    german_level: str
    district: str
    availability: tuple[str, ...]
    mode: str
    gender: str = Gender.UNSPECIFIED.value
    buddy_gender: str = BuddyGender.ANY.value
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class VolunteerData:
    """What a volunteer tells us (already validated and normalised by the form)."""

    display_name: str
    email: str | None
    phone: str | None
    languages: tuple[str, ...]
    district: str
    max_km: int
    availability: tuple[str, ...]
    mode: str
    capacity: int
    gender: str = Gender.UNSPECIFIED.value
    buddy_gender: str = BuddyGender.ANY.value
    motivation: str = ""


def _district(slug: str) -> District:
    district = db.session.scalar(
        select(District).where(District.city == current_app.config["CITY"], District.slug == slug)
    )
    if district is None:
        raise SignupError("district", _l("Please choose from the list."))
    return district


def _check_login_free(email: str | None, phone: str | None, user: User | None = None) -> None:
    for field, column, value in (("email", User.email, email), ("phone", User.phone, phone)):
        if value is None:
            continue
        owner = db.session.scalar(select(User.id).where(column == value))
        if owner is not None and (user is None or owner != user.id):
            raise SignupError(field, LOGIN_TAKEN)


def _commit_or_taken(field: str) -> None:
    """Commit; a login that another request took a moment ago becomes a form error."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise SignupError(field, LOGIN_TAKEN) from None


def _apply_person(profile: Newcomer | Volunteer, data: NewcomerData | VolunteerData,
                  districts: dict[str, District] | None = None) -> None:
    district = (districts or {}).get(data.district) or _district(data.district)
    profile.display_name = data.display_name
    profile.district = district
    profile.availability = Availability(data.availability)
    profile.mode = Mode(data.mode)
    profile.gender = Gender(data.gender)
    profile.buddy_gender = BuddyGender(data.buddy_gender)
    profile.languages = sorted(set(data.languages) - {"de"})


def _apply_newcomer(newcomer: Newcomer, data: NewcomerData,
                    districts: dict[str, District] | None = None) -> None:
    _apply_person(newcomer, data, districts)
    newcomer.german_level = GermanLevel(data.german_level)
    newcomer.topics = list(data.topics)


def _apply_volunteer(volunteer: Volunteer, data: VolunteerData,
                     districts: dict[str, District] | None = None) -> None:
    if data.capacity < (volunteer.active_matches or 0):
        raise SignupError("capacity", _l("You have %(count)d buddies now. Please choose at "
                                         "least %(count)d.", count=volunteer.active_matches))
    _apply_person(volunteer, data, districts)
    volunteer.max_km = float(data.max_km)
    volunteer.motivation = data.motivation
    volunteer.capacity = data.capacity


def add_newcomer(data: NewcomerData, password_hash: str, locale: str,
                 districts: dict[str, District] | None = None) -> Newcomer:
    """Add a waiting newcomer to the session; no login check, audit or commit (the caller's)."""
    now = clock.now()
    user = User(email=data.email, phone=data.phone, role=Role.NEWCOMER, locale=locale,
                password_hash=password_hash)
    newcomer = Newcomer(user=user, waiting_since=now, consent_at=now)
    _apply_newcomer(newcomer, data, districts)
    db.session.add(newcomer)
    return newcomer


def add_volunteer(data: VolunteerData, password_hash: str, locale: str,
                  districts: dict[str, District] | None = None) -> Volunteer:
    """Add a pending volunteer to the session; no login check, audit or commit (the caller's)."""
    user = User(email=data.email, phone=data.phone, role=Role.VOLUNTEER, locale=locale,
                password_hash=password_hash)
    volunteer = Volunteer(user=user, consent_at=clock.now(), active_matches=0)
    _apply_volunteer(volunteer, data, districts)
    db.session.add(volunteer)
    return volunteer


def register_newcomer(
    data: NewcomerData, password: str | None, locale: str, registered_by: User | None = None
) -> Newcomer:
    """Create a newcomer's account and profile; they start waiting for a buddy."""
    _check_login_free(data.email, data.phone)
    newcomer = add_newcomer(data, hash_password(password or secrets.token_urlsafe(32)), locale)
    db.session.flush()
    if registered_by is not None:
        audit.record("newcomer.registered_for", newcomer, actor=registered_by)
    else:
        audit.record("newcomer.signed_up", newcomer, actor=newcomer.user)
    _commit_or_taken("phone" if data.phone else "email")
    return newcomer


def register_volunteer(data: VolunteerData, password: str, locale: str) -> Volunteer:
    """Create a volunteer's account and profile; a coordinator approves them later."""
    _check_login_free(data.email, data.phone)
    volunteer = add_volunteer(data, hash_password(password), locale)
    db.session.flush()
    audit.record("volunteer.signed_up", volunteer, actor=volunteer.user)
    _commit_or_taken("email")
    return volunteer


def update_newcomer(newcomer: Newcomer, data: NewcomerData) -> None:
    """Save a newcomer's changed details, contact included."""
    _check_login_free(data.email, data.phone, newcomer.user)
    if not data.email and not data.phone:
        raise SignupError("phone", _l("Please give a phone number or an e-mail address."))
    _apply_newcomer(newcomer, data)
    audit.record("newcomer.updated", newcomer)
    newcomer.user.email, newcomer.user.phone = data.email, data.phone
    _commit_or_taken("phone" if data.phone else "email")


def update_volunteer(volunteer: Volunteer, data: VolunteerData) -> None:
    """Save a volunteer's changed details (the e-mail address stays: it is the login)."""
    _check_login_free(None, data.phone, volunteer.user)
    _apply_volunteer(volunteer, data)
    audit.record("volunteer.updated", volunteer)
    volunteer.user.phone = data.phone
    _commit_or_taken("phone")
