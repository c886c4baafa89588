"""Volunteers log sessions, newcomers see them and check in, either side ends or reports."""

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from buddy.extensions import db
from buddy.models import (
    AuditEvent,
    EndReason,
    FollowUp,
    Match,
    MatchStatus,
    Meeting,
    MeetingStatus,
    NewcomerStatus,
    OutboxMail,
)
from buddy.services import sessions
from buddy.services.instance import excluded_pairs, newcomer_key, volunteer_key

from helpers import error_of, login

NOW = datetime(2026, 3, 2, 9, 0)  # a Monday, 10:00 in Düsseldorf
EN = {"Accept-Language": "en"}


@pytest.fixture
def match(make_newcomer, make_volunteer, frozen_clock):
    frozen_clock(NOW)
    newcomer = make_newcomer("Olena Melnyk", languages=("uk",), email="olena@example.org",
                             locale="uk")
    volunteer = make_volunteer("Julia Weber", languages=("uk",), email="julia@example.org",
                               locale="en")
    match = Match(newcomer=newcomer, volunteer=volunteer, status=MatchStatus.ACTIVE,
                  decided_at=NOW - timedelta(days=3))
    newcomer.status, volunteer.active_matches = NewcomerStatus.MATCHED, 1
    db.session.add(match)
    db.session.commit()
    return match


def session_form(**changes) -> dict:
    form = {"date": "2026-03-05", "time": "18:30", "duration_minutes": "60",
            "mode": "in_person", "place": "Stadtbücherei Bilk", "status": "planned"}
    form.update(changes)
    return form


def test_volunteer_plans_a_session_in_local_time(client, match):
    login(client, match.volunteer.user)
    response = client.post(f"/me/matches/{match.id}/sessions/new", data=session_form())
    assert response.status_code == 302
    meeting = db.session.scalar(db.select(Meeting))
    assert meeting.starts_at == datetime(2026, 3, 5, 17, 30), "18:30 in Berlin is 17:30 UTC"
    assert meeting.status == MeetingStatus.PLANNED and meeting.place == "Stadtbücherei Bilk"


def test_newcomer_sees_the_next_session_in_their_language(client, match):
    db.session.add(Meeting(match=match, starts_at=datetime(2026, 3, 3, 17, 30),
                           duration_minutes=60, place="Café"))
    db.session.commit()
    login(client, match.newcomer.user)
    html = client.get("/me/").get_data(as_text=True)
    assert "вівторок, 3 березня 2026" in html, "the date in Ukrainian, from CLDR"
    assert "18:30" in html, "the time in Düsseldorf"


def test_session_cannot_end_before_it_starts_or_overlap(client, match):
    login(client, match.volunteer.user)
    client.post(f"/me/matches/{match.id}/sessions/new", data=session_form())
    html = client.post(f"/me/matches/{match.id}/sessions/new",
                       data=session_form(time="19:00"), headers=EN).get_data(as_text=True)
    assert error_of(html, "date") == "This overlaps another session of this match."
    html = client.post(f"/me/matches/{match.id}/sessions/new",
                       data=session_form(duration_minutes="0"), headers=EN).get_data(as_text=True)
    assert error_of(html, "duration_minutes") == "Please enter a number from 15 to 480."
    html = client.post(f"/me/matches/{match.id}/sessions/new",
                       data=session_form(date="2026-02-30"), headers=EN).get_data(as_text=True)
    assert error_of(html, "date") == "Please enter a date."
    assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == 1


def test_log_what_happened_edit_and_delete(client, match):
    login(client, match.volunteer.user)
    client.post(f"/me/matches/{match.id}/sessions/new", data=session_form())
    meeting = db.session.scalar(db.select(Meeting))
    html = client.post(f"/me/sessions/{meeting.id}/edit", data=session_form(status="cancelled"),
                       headers=EN).get_data(as_text=True)
    assert error_of(html, "cancelled_by") == "Please say who cancelled."
    client.post(f"/me/sessions/{meeting.id}/edit", data=session_form(
        status="held", topics=["letters", "grammar"], topics_other="Jobcenter letter",
        note="She was tired."))
    db.session.expire_all()
    assert meeting.status == MeetingStatus.HELD and meeting.topics == ["letters", "grammar"]
    page = client.get(f"/me/matches/{match.id}", headers=EN).get_data(as_text=True)
    assert "Letters from offices, Grammar Jobcenter letter" in page
    client.post(f"/me/sessions/{meeting.id}/delete")
    assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == 0


def test_other_people_cannot_see_or_change_a_session(client, match, make_volunteer,
                                                     make_newcomer):
    meeting = Meeting(match=match, starts_at=datetime(2026, 3, 5, 17, 30))
    db.session.add(meeting)
    db.session.commit()
    login(client, make_volunteer("Other Volunteer", email="other@example.org").user)
    for url in (f"/me/matches/{match.id}", f"/me/sessions/{meeting.id}/edit",
                f"/me/sessions/{meeting.id}.ics"):
        assert client.get(url).status_code == 404
    assert client.post(f"/me/sessions/{meeting.id}/delete").status_code == 404
    client.post("/logout")
    login(client, match.newcomer.user)
    assert client.get(f"/me/sessions/{meeting.id}/edit").status_code == 403


def test_calendar_feed_and_single_session_ics(client, match):
    db.session.add_all([
        Meeting(match=match, starts_at=datetime(2026, 3, 5, 17, 30), place="Café"),
        Meeting(match=match, starts_at=datetime(2026, 2, 20, 17, 30),
                status=MeetingStatus.HELD),
    ])
    db.session.commit()
    match.volunteer.user.locale = "de"
    db.session.commit()
    login(client, match.volunteer.user)
    client.post("/me/calendar/renew")
    db.session.expire_all()
    token = match.volunteer.user.calendar_token
    client.post("/logout")
    feed = Calendar.from_ical(client.get(f"/calendar/{token}.ics").data)
    events = feed.walk("VEVENT")
    assert len(events) == 1, "only planned sessions"
    assert events[0]["summary"] == "Deutsch mit Olena", "titled in the owner's language"
    assert events[0].decoded("dtstart") == datetime(2026, 3, 5, 17, 30, tzinfo=UTC)
    assert events[0].decoded("dtend") == datetime(2026, 3, 5, 18, 30, tzinfo=UTC)
    assert str(events[0]["location"]) == "Café"
    login(client, match.volunteer.user)
    client.post("/me/calendar/renew")
    assert client.get(f"/calendar/{token}.ics").status_code == 404, "renewing revokes"
    one = Calendar.from_ical(client.get("/me/sessions/1.ics").data)
    assert len(one.walk("VEVENT")) == 1


def test_newcomer_cannot_come_and_the_volunteer_is_told(client, match):
    meeting = Meeting(match=match, starts_at=datetime(2026, 3, 5, 17, 30))
    match.volunteer.user.locale = "de"
    db.session.add(meeting)
    db.session.commit()
    login(client, match.newcomer.user)
    client.post(f"/me/sessions/{meeting.id}/cannot-come")
    db.session.expire_all()
    assert meeting.status == MeetingStatus.CANCELLED and meeting.cancelled_by == "newcomer"
    mail = db.session.scalar(db.select(OutboxMail))
    assert mail.to_addr == "julia@example.org" and mail.locale == "de"
    assert "Olena" in mail.subject and "Donnerstag, 5. März 2026" in mail.body


def test_one_tap_checkin_link_without_login(client, match, frozen_clock, app):
    meeting = Meeting(match=match, starts_at=NOW - timedelta(hours=20))
    db.session.add(meeting)
    db.session.commit()
    assert sessions.send_checkins() == 1
    mail = db.session.scalar(db.select(OutboxMail))
    link = mail.body.split("http://buddy.test", 1)[1].split()[0]
    page = client.get(link).get_data(as_text=True)
    assert '<html lang="uk"' in page, "the newcomer's language, without login"
    assert page.count('name="answer"') == 3
    client.post(link, data={"answer": "not_met"})
    db.session.expire_all()
    assert meeting.newcomer_answer == "not_met"
    assert sessions.send_checkins() == 0, "once per session"


def test_checkin_links_are_personal_and_expire(client, match, make_newcomer, make_volunteer,
                                               app):
    meeting = Meeting(match=match, starts_at=NOW - timedelta(hours=20))
    other_match = Match(newcomer=make_newcomer("Zahra Karimi", email="z@example.org"),
                        volunteer=make_volunteer("Lukas Koch", email="l@example.org"),
                        status=MatchStatus.ACTIVE)
    other = Meeting(match=other_match, starts_at=NOW - timedelta(hours=20))
    db.session.add_all([meeting, other_match, other])
    db.session.commit()
    token = sessions.checkin_token(meeting)
    # a token for one session cannot be reused for another person's session
    forged = sessions._checkin_serializer().dumps({"m": other.id, "n": match.newcomer_id})
    assert client.get(f"/checkin/{forged}").status_code == 404
    assert client.get(f"/checkin/{token}x").status_code == 404
    app.config["CHECKIN_LINK_DAYS"] = 0
    import time

    time.sleep(1.1)
    assert client.get(f"/checkin/{token}").status_code == 404


def test_volunteer_ends_the_match_and_the_pair_is_never_proposed_again(client, match):
    login(client, match.volunteer.user)
    html = client.post(f"/me/matches/{match.id}/end", data={"reason": "other", "note": ""},
                       headers=EN).get_data(as_text=True)
    assert error_of(html, "note") == "Please write a few words about the reason."
    client.post(f"/me/matches/{match.id}/end", data={"reason": "moved_away"})
    db.session.expire_all()
    assert match.status == MatchStatus.ENDED and match.end_reason == EndReason.MOVED_AWAY
    assert match.volunteer.active_matches == 0
    assert match.newcomer.status == NewcomerStatus.WAITING
    assert (newcomer_key(match.newcomer_id), volunteer_key(match.volunteer_id)) in \
        excluded_pairs()
    mail = db.session.scalar(db.select(OutboxMail))
    assert mail.to_addr == "olena@example.org" and mail.locale == "uk"
    assert "Julia" in mail.subject


def test_newcomer_may_pause_when_ending(client, match):
    login(client, match.newcomer.user)
    client.post(f"/me/matches/{match.id}/end", data={"reason": "no_time", "pause": "y"})
    db.session.expire_all()
    assert match.newcomer.status == NewcomerStatus.PAUSED


def test_report_is_confidential_and_first_in_the_queue(client, match, make_coordinator):
    db.session.add(FollowUp(match_id=match.id, kind="no_recent_session", priority=20))
    db.session.commit()
    login(client, match.newcomer.user)
    client.post(f"/me/matches/{match.id}/report", data={"kind": "money_or_date",
                                                        "text": "He asked me out."})
    client.post("/logout")
    login(client, match.volunteer.user)
    page = client.get(f"/me/matches/{match.id}").get_data(as_text=True)
    assert "He asked me out." not in page
    client.post("/logout")
    login(client, make_coordinator(locale="en"))
    queue = client.get("/coord/follow-up").get_data(as_text=True)
    assert queue.index("A problem was reported") < queue.index("No session for a while")
    report = db.session.scalar(db.select(FollowUp).where(FollowUp.kind == "report"))
    item = client.get(f"/coord/follow-up/{report.id}").get_data(as_text=True)
    assert "My buddy asks for money or for a date" in item and "He asked me out." in item
    client.post(f"/coord/matches/{match.id}/pause-match")
    db.session.expire_all()
    assert match.status == MatchStatus.PAUSED
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"match.problem_reported", "match.paused"} <= actions
