"""The data model keeps data honest: unique logins, capacity, one active match."""

import pytest
from sqlalchemy.exc import IntegrityError

from buddy.extensions import db
from buddy.models import Availability, Match, MatchStatus, Role, User
from buddy.models.types import SLOTS


def test_availability_round_trips_through_21_bits():
    slots = Availability(["sun-evening", "mon-morning", "wed-afternoon"])
    assert slots.bits == (1 << 0) | (1 << 7) | (1 << 20)
    assert Availability.from_bits(slots.bits) == slots
    assert slots.ordered() == ["mon-morning", "wed-afternoon", "sun-evening"]
    assert Availability(SLOTS).bits == 2**21 - 1


def test_availability_refuses_unknown_slot():
    with pytest.raises(ValueError, match="mon-night"):
        Availability(["mon-night"])


def test_availability_is_stored_and_read_back(make_newcomer):
    newcomer = make_newcomer(slots=("sat-morning", "tue-evening"))
    db.session.expire_all()
    assert newcomer.availability == {"sat-morning", "tue-evening"}
    raw = db.session.execute(db.text("SELECT availability FROM newcomer")).scalar()
    assert raw == Availability(["sat-morning", "tue-evening"]).bits


def test_languages_are_rows_and_read_as_codes(make_newcomer):
    newcomer = make_newcomer(languages=("uk", "ru"))
    db.session.expire_all()
    assert list(newcomer.languages) == ["ru", "uk"]


def test_login_is_unique(make_user):
    make_user(email="sam@example.org")
    with pytest.raises(IntegrityError):
        make_user(email="sam@example.org")
    db.session.rollback()


def test_user_needs_email_or_phone(app):
    db.session.add(User(role=Role.NEWCOMER, password_hash="x"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_capacity_cannot_be_negative_or_exceeded(make_volunteer):
    volunteer = make_volunteer(capacity=1)
    volunteer.capacity = -1
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    volunteer.active_matches = 2
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_one_active_match_per_newcomer(make_newcomer, make_volunteer):
    newcomer = make_newcomer()
    first, second = make_volunteer(), make_volunteer(name="Jonas Becker")
    db.session.add(Match(newcomer=newcomer, volunteer=first, status=MatchStatus.ACTIVE))
    db.session.add(Match(newcomer=newcomer, volunteer=second, status=MatchStatus.PROPOSED))
    db.session.commit()
    db.session.add(Match(newcomer=newcomer, volunteer=second, status=MatchStatus.ACTIVE))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_ended_matches_do_not_block_a_new_active_one(make_newcomer, make_volunteer):
    newcomer, volunteer = make_newcomer(), make_volunteer()
    db.session.add(Match(newcomer=newcomer, volunteer=volunteer, status=MatchStatus.ENDED))
    db.session.add(Match(newcomer=newcomer, volunteer=volunteer, status=MatchStatus.ACTIVE))
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(Match)) == 2


def test_reprs_name_the_object(make_newcomer, make_volunteer):
    newcomer, volunteer = make_newcomer(), make_volunteer(capacity=2)
    assert repr(newcomer).startswith("<Newcomer ") and "waiting" in repr(newcomer)
    assert "0/2" in repr(volunteer)
    assert "newcomer" in repr(newcomer.user)
