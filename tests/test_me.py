"""A person's own page: status in words, the buddy once active, changes, pause and leave."""

from datetime import datetime, timedelta

from buddy.extensions import db
from buddy.models import (
    AuditEvent,
    Match,
    MatchStatus,
    Newcomer,
    NewcomerStatus,
    Role,
    Volunteer,
    VolunteerStatus,
)

from helpers import PASSWORD, error_of, login, newcomer_form, volunteer_form


def test_waiting_newcomer_sees_how_many_wait_and_how_long_it_takes(
    client, make_newcomer, make_volunteer, frozen_clock
):
    frozen_clock(datetime(2026, 5, 1, 12, 0))
    me = make_newcomer()
    make_newcomer(name="Olena Melnyk", email="olena@example.org")
    other = make_newcomer(name="Zahra Karimi", email="zahra@example.org")
    other.waiting_since = datetime(2026, 3, 1)
    volunteer = make_volunteer()
    db.session.add(Match(newcomer=other, volunteer=volunteer, status=MatchStatus.ACTIVE,
                         decided_at=datetime(2026, 3, 31)))
    other.status = NewcomerStatus.MATCHED
    me.waiting_since = datetime(2026, 4, 21)
    db.session.commit()
    login(client, me.user)
    html = client.get("/me/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "We are looking for a buddy for you." in html
    assert "You have been waiting for 10 days." in html
    assert "2 people are waiting for a buddy." in html
    assert "Recently it took about 30 days to find a buddy." in html


def test_buddy_contact_only_once_the_match_is_active(client, make_newcomer, make_volunteer):
    newcomer = make_newcomer()
    volunteer = make_volunteer(name="Julia Weber", email="julia@example.org")
    match = Match(newcomer=newcomer, volunteer=volunteer, status=MatchStatus.PROPOSED)
    db.session.add(match)
    db.session.commit()
    login(client, newcomer.user)
    assert "julia@example.org" not in client.get("/me/").get_data(as_text=True)
    match.status, match.decided_at = MatchStatus.ACTIVE, datetime(2026, 3, 3)
    newcomer.status = NewcomerStatus.MATCHED
    volunteer.active_matches = 1
    db.session.commit()
    html = client.get("/me/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "julia@example.org" in html and "Julia" in html and "Weber" not in html
    assert "3. März 2026" in html, "dates in the reader's format"


def test_volunteer_sees_buddies_and_places(client, make_newcomer, make_volunteer):
    volunteer = make_volunteer(capacity=2)
    newcomer = make_newcomer(name="Amina Haddad", phone="+4915123456789")
    db.session.add(Match(newcomer=newcomer, volunteer=volunteer, status=MatchStatus.ACTIVE,
                         decided_at=datetime(2026, 3, 3)))
    volunteer.active_matches = 1
    db.session.commit()
    login(client, volunteer.user)
    html = client.get("/me/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "You have 1 buddy." in html and "You can take 1 more." in html
    assert "+4915123456789" in html and "Haddad" not in html


def test_newcomer_changes_profile_and_times(client):
    client.post("/join/newcomer", data=newcomer_form())
    response = client.post("/me/profile", data=newcomer_form(
        availability=["tue-morning"], district="garath", email="amina@example.org"))
    assert response.status_code == 302
    newcomer = db.session.scalar(db.select(Newcomer))
    db.session.refresh(newcomer)
    assert newcomer.availability == {"tue-morning"} and newcomer.district.slug == "garath"
    assert newcomer.user.email == "amina@example.org"


def test_bad_profile_change_stores_nothing(client):
    client.post("/join/newcomer", data=newcomer_form())
    html = client.post("/me/profile", data=newcomer_form(display_name="", district="garath")
                       ).get_data(as_text=True)
    assert error_of(html, "display_name") == "Bitte gib deinen Namen ein."
    newcomer = db.session.scalar(db.select(Newcomer))
    db.session.refresh(newcomer)
    assert newcomer.display_name == "Amina Haddad" and newcomer.district.slug == "bilk"


def test_profile_form_is_filled_with_stored_details(client):
    client.post("/join/newcomer", data=newcomer_form())
    html = client.get("/me/profile").get_data(as_text=True)
    assert 'value="Amina Haddad"' in html and 'value="+4915123456789"' in html
    assert 'value="sat-morning" id="availability-sat-morning"\n              checked' in html


def test_volunteer_cannot_drop_capacity_below_current_buddies(client, make_newcomer):
    client.post("/join/volunteer", data=volunteer_form(capacity="2"))
    volunteer = db.session.scalar(db.select(Volunteer))
    volunteer.status, volunteer.active_matches = VolunteerStatus.ACTIVE, 2
    db.session.commit()
    html = client.post("/me/profile", data=volunteer_form(capacity="1")).get_data(as_text=True)
    assert error_of(html, "capacity") != ""
    db.session.refresh(volunteer)
    assert volunteer.capacity == 2


def test_pause_resume_and_withdraw(client, make_newcomer, make_volunteer):
    newcomer = make_newcomer()
    login(client, newcomer.user)
    assert client.get("/me/pause").status_code == 405
    client.post("/me/pause")
    db.session.refresh(newcomer)
    assert newcomer.status == NewcomerStatus.PAUSED
    client.post("/me/resume")
    db.session.refresh(newcomer)
    assert newcomer.status == NewcomerStatus.WAITING
    volunteer = make_volunteer()
    db.session.add(Match(newcomer=newcomer, volunteer=volunteer, status=MatchStatus.ACTIVE))
    volunteer.active_matches = 1
    newcomer.status = NewcomerStatus.MATCHED
    db.session.commit()
    assert "Buddy" in client.get("/me/withdraw").get_data(as_text=True)
    client.post("/me/withdraw")
    db.session.expire_all()
    assert newcomer.status == NewcomerStatus.WITHDRAWN
    assert volunteer.active_matches == 0
    assert db.session.scalar(db.select(Match.status)) == MatchStatus.ENDED
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"newcomer.paused", "newcomer.resumed", "newcomer.withdrew"} <= actions


def test_volunteer_pauses(client, make_volunteer):
    volunteer = make_volunteer()
    login(client, volunteer.user)
    client.post("/me/pause")
    db.session.refresh(volunteer)
    assert volunteer.status == VolunteerStatus.PAUSED


def test_change_password_ends_other_sessions(client, app, make_user):
    user = make_user(email="sam@example.org")
    other_device = app.test_client()
    login(other_device, user)
    login(client, user)
    html = client.post("/me/password", data={"current": "wrong one", "password": "new password 1"}
                       ).get_data(as_text=True)
    assert error_of(html, "current") != ""
    response = client.post("/me/password",
                           data={"current": PASSWORD, "password": "new password 1"})
    assert response.status_code == 302
    assert other_device.get("/me/").status_code == 302
    assert login(client, user, "new password 1").status_code == 302


def test_coordinator_registers_a_newcomer(client, make_coordinator):
    coordinator = make_coordinator()
    login(client, coordinator)
    data = newcomer_form(password=None, locale="ti")
    response = client.post("/coord/newcomers/new", data=data)
    assert response.status_code == 302
    newcomer = db.session.scalar(db.select(Newcomer))
    assert newcomer.user.locale == "ti" and newcomer.status == NewcomerStatus.WAITING
    event = db.session.scalar(db.select(AuditEvent))
    assert event.action == "newcomer.registered_for" and event.actor_id == coordinator.id


def test_coordinator_registration_has_the_same_rules(client, make_coordinator):
    login(client, make_coordinator())
    html = client.post("/coord/newcomers/new", data=newcomer_form(
        password=None, locale="ti", phone="", email="")).get_data(as_text=True)
    assert error_of(html, "phone") != ""
    assert db.session.scalar(db.select(db.func.count()).select_from(Newcomer)) == 0


def test_only_coordinators_register_for_others(client, make_user):
    login(client, make_user(Role.VOLUNTEER))
    assert client.get("/coord/newcomers/new").status_code == 403


def test_signed_in_people_skip_the_signup_forms(client, make_newcomer):
    login(client, make_newcomer().user)
    assert client.get("/join/newcomer").status_code == 302


def test_waiting_days_count_from_signup(client, frozen_clock):
    frozen_clock(datetime(2026, 1, 1, 9, 0))
    client.post("/join/newcomer", data=newcomer_form(), headers={"Accept-Language": "en"})
    frozen_clock(datetime(2026, 1, 1, 9, 0) + timedelta(days=3))
    html = client.get("/me/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "You have been waiting for 3 days." in html
