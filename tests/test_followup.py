"""The follow-up rules, with a clock the test controls; notes, snooze, resolve, digest."""

from datetime import datetime, timedelta

import pytest

from buddy.extensions import db
from buddy.models import (
    EndReason,
    FollowUp,
    FollowUpStatus,
    Match,
    MatchStatus,
    Meeting,
    MeetingStatus,
    OutboxMail,
)
from buddy.services import followup

from helpers import login

START = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def match(make_newcomer, make_volunteer, frozen_clock):
    frozen_clock(START)
    match = Match(newcomer=make_newcomer(), volunteer=make_volunteer(), status=MatchStatus.ACTIVE,
                  decided_at=START)
    db.session.add(match)
    db.session.commit()
    return match


def kinds() -> list[str]:
    return sorted(db.session.scalars(db.select(FollowUp.kind).where(
        FollowUp.status != FollowUpStatus.RESOLVED)))


def session(match, days_after, status, answer=None):
    db.session.add(Meeting(match=match, starts_at=START + timedelta(days=days_after),
                           status=status, newcomer_answer=answer))
    db.session.commit()


def test_first_session_not_held_within_14_days(match, frozen_clock):
    frozen_clock(START + timedelta(days=13))
    followup.scan()
    assert kinds() == []
    frozen_clock(START + timedelta(days=14))
    followup.scan()
    assert kinds() == ["first_session_late"]
    followup.scan()
    assert kinds() == ["first_session_late"], "one open item per rule and match"


def test_no_session_held_in_the_last_21_days(match, frozen_clock):
    session(match, 3, MeetingStatus.HELD)
    frozen_clock(START + timedelta(days=3 + 20))
    followup.scan()
    assert kinds() == []
    frozen_clock(START + timedelta(days=3 + 21))
    followup.scan()
    assert kinds() == ["no_recent_session"]


def test_two_no_shows_in_a_row(match, frozen_clock):
    session(match, 2, MeetingStatus.HELD)
    session(match, 9, MeetingStatus.NO_SHOW)
    frozen_clock(START + timedelta(days=10))
    followup.scan()
    assert kinds() == []
    session(match, 16, MeetingStatus.NO_SHOW)
    frozen_clock(START + timedelta(days=17))
    followup.scan()
    assert kinds() == ["two_no_shows"]


def test_newcomer_and_volunteer_disagree(match, frozen_clock):
    session(match, 2, MeetingStatus.HELD, answer="not_met")
    frozen_clock(START + timedelta(days=3))
    followup.scan()
    assert kinds() == ["disagreement"]


def test_an_ended_match_offers_a_rematch(match, frozen_clock):
    match.status, match.ended_at = MatchStatus.ENDED, START + timedelta(days=5)
    match.end_reason = EndReason.MOVED_AWAY
    db.session.commit()
    frozen_clock(START + timedelta(days=6))
    followup.scan()
    assert kinds() == ["rematch"]


def test_notes_snooze_and_resolve(client, match, frozen_clock, make_coordinator):
    frozen_clock(START + timedelta(days=15))
    followup.scan()
    item = db.session.scalar(db.select(FollowUp))
    login(client, make_coordinator(locale="en"))
    assert "No first session yet" in client.get("/coord/follow-up").get_data(as_text=True)
    client.post(f"/coord/follow-up/{item.id}", data={"kind": "phoned",
                                                     "text": "Both were ill."})
    db.session.expire_all()
    assert item.notes[0]["kind"] == "phoned" and item.notes[0]["text"] == "Both were ill."
    client.post(f"/coord/follow-up/{item.id}/snooze", data={"days": "7"})
    assert "No first session yet" not in client.get("/coord/follow-up").get_data(as_text=True)
    frozen_clock(START + timedelta(days=23))
    assert "No first session yet" in client.get("/coord/follow-up").get_data(as_text=True)
    client.post(f"/coord/follow-up/{item.id}/resolve")
    db.session.expire_all()
    assert item.status == FollowUpStatus.RESOLVED
    assert "Nothing is due" in client.get("/coord/follow-up").get_data(as_text=True)


def test_weekly_digest_to_coordinators(match, frozen_clock, make_coordinator, runner):
    make_coordinator(email="chef@example.org", locale="en")
    frozen_clock(START + timedelta(days=15))
    assert "1 new follow-up items" in runner.invoke(args=["buddy", "followup"]).output
    assert "1 digests queued" in runner.invoke(args=["buddy", "digest"]).output
    runner.invoke(args=["buddy", "digest"])
    [mail] = db.session.scalars(db.select(OutboxMail)).all()
    assert mail.to_addr == "chef@example.org"
    assert "Follow-up: 1 item is due" == mail.subject
    assert "No first session yet: 1" in mail.body


def test_follow_up_pages_are_for_coordinators_only(client, match, make_user):
    from buddy.models import Role

    login(client, make_user(Role.VOLUNTEER))
    assert client.get("/coord/follow-up").status_code == 403
    assert client.post(f"/coord/matches/{match.id}/pause-match").status_code == 403
