"""The coordinator's queues: filters, pagination, approve, reject, pause, edit — audited."""

from datetime import datetime
from html import unescape

import pytest

from buddy.extensions import db
from buddy.models import AuditEvent, NewcomerStatus, Role, VolunteerStatus

from helpers import login, newcomer_form

EN = {"Accept-Language": "en"}


@pytest.fixture
def coordinator(client, make_coordinator):
    user = make_coordinator(locale="en")
    login(client, user)
    return user


def test_pending_volunteers_are_approved_and_audited(client, coordinator, make_volunteer):
    volunteer = make_volunteer("Julia Weber", status=VolunteerStatus.PENDING)
    html = client.get("/coord/volunteers?status=pending", headers=EN).get_data(as_text=True)
    assert "Julia Weber" in html and "to review" in html
    client.post(f"/coord/volunteers/{volunteer.id}/approve")
    db.session.expire_all()
    assert volunteer.status == VolunteerStatus.ACTIVE and volunteer.approved_at is not None
    event = db.session.scalar(db.select(AuditEvent).where(
        AuditEvent.action == "volunteer.approved"))
    assert event.actor_id == coordinator.id


def test_rejecting_a_volunteer_needs_a_reason(client, coordinator, make_volunteer):
    volunteer = make_volunteer(status=VolunteerStatus.PENDING)
    html = client.post(f"/coord/volunteers/{volunteer.id}/reject", data={"reason": "  "},
                       headers=EN).get_data(as_text=True)
    assert "Please write a reason." in html
    client.post(f"/coord/volunteers/{volunteer.id}/reject",
                data={"reason": "Did not come to the meeting."})
    db.session.expire_all()
    assert volunteer.status == VolunteerStatus.REJECTED
    event = db.session.scalar(db.select(AuditEvent).where(
        AuditEvent.action == "volunteer.rejected"))
    assert event.reason == "Did not come to the meeting."


def test_pause_and_resume_people(client, coordinator, make_newcomer, make_volunteer):
    newcomer, volunteer = make_newcomer(), make_volunteer()
    client.post(f"/coord/newcomer/{newcomer.id}/pause")
    client.post(f"/coord/volunteer/{volunteer.id}/pause")
    db.session.expire_all()
    assert newcomer.status == NewcomerStatus.PAUSED and volunteer.status == VolunteerStatus.PAUSED
    html = client.post(f"/coord/newcomer/{newcomer.id}/pause", headers=EN,
                       follow_redirects=True).get_data(as_text=True)
    assert "This is not possible in the person's current status." in unescape(html)
    client.post(f"/coord/newcomer/{newcomer.id}/resume")
    db.session.expire_all()
    assert newcomer.status == NewcomerStatus.WAITING
    assert client.post("/coord/robot/1/pause").status_code == 404


def test_newcomer_filters(client, coordinator, make_newcomer, frozen_clock):
    frozen_clock(datetime(2026, 6, 1))
    old = make_newcomer("Selam Haile", languages=("ti",), slug="garath", email="s@x.org")
    old.waiting_since = datetime(2026, 1, 1)
    make_newcomer("Olena Melnyk", languages=("uk",), slug="bilk", email="o@x.org")
    db.session.commit()

    def names(query):
        html = client.get(f"/coord/newcomers?{query}", headers=EN).get_data(as_text=True)
        return {n for n in ("Selam Haile", "Olena Melnyk") if n in html}

    assert names("") == {"Selam Haile", "Olena Melnyk"}
    assert names("language=ti") == {"Selam Haile"}
    assert names("district=bilk") == {"Olena Melnyk"}
    assert names("min_days=60") == {"Selam Haile"}
    assert names("status=paused") == set()
    assert names("language=xx") == {"Selam Haile", "Olena Melnyk"}, "a forged filter is ignored"


def test_lists_paginate(client, coordinator, make_newcomer):
    for i in range(55):
        make_newcomer(f"Person {i:02d}", email=f"p{i}@x.org")
    first = client.get("/coord/newcomers", headers=EN).get_data(as_text=True)
    second = client.get("/coord/newcomers?page=2", headers=EN).get_data(as_text=True)
    assert "Page 1 of 2" in first and "55 people" in first
    assert first.count("<tr>") - 1 == 50 and second.count("<tr>") - 1 == 5


def test_coordinator_edits_a_person(client, coordinator, make_newcomer):
    newcomer = make_newcomer()
    data = newcomer_form(password=None, consent=None, display_name="Amina H.",
                         phone="", email="amina@example.org")
    response = client.post(f"/coord/newcomer/{newcomer.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert newcomer.display_name == "Amina H." and newcomer.user.email == "amina@example.org"
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "newcomer.updated"))
    assert event.actor_id == coordinator.id


@pytest.mark.parametrize("url", ["/coord/newcomers", "/coord/volunteers", "/coord/stale",
                                 "/coord/rounds", "/coord/what-if", "/coord/manual",
                                 "/coord/newcomer/1/edit"])
def test_queues_are_for_coordinators_only(client, make_user, url):
    assert client.get(url).status_code == 302
    login(client, make_user(Role.NEWCOMER))
    assert client.get(url).status_code == 403
