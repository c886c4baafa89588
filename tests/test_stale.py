"""Stale sign-ups: asked after 60 days by a signed link, paused (not deleted) without answer."""

import re
from datetime import datetime, timedelta

from buddy.extensions import db
from buddy.models import AuditEvent, Newcomer, NewcomerStatus, OutboxMail
from buddy.services import stale

START = datetime(2026, 1, 1, 9, 0)


def link_of(mail: OutboxMail) -> str:
    return re.search(r"http://buddy\.test(/still-interested/\S+)", mail.body).group(1)


def test_long_waiting_newcomers_are_asked_and_can_answer_without_login(
    client, make_newcomer, frozen_clock, runner
):
    frozen_clock(START)
    amina = make_newcomer(email="amina@example.org", locale="ar")
    phone_only = make_newcomer("Selam Haile", phone="+4915199999999")
    frozen_clock(START + timedelta(days=30))
    make_newcomer("New Person", email="new@example.org")
    frozen_clock(START + timedelta(days=61))
    result = runner.invoke(args=["buddy", "stale"])
    assert "1 asked by e-mail, 1 to call, 0 paused" in result.output
    mail = db.session.scalar(db.select(OutboxMail))
    assert mail.to_addr == "amina@example.org" and mail.locale == "ar"
    link = link_of(mail)
    page = client.get(link, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page, "in the newcomer's language, without login"
    assert "نعم، ما زلت أريد رفيقًا" in page
    db.session.expire_all()
    assert amina.stale_answered_at is None, "opening the link (GET) changes nothing"
    client.post(link)
    db.session.expire_all()
    assert amina.stale_answered_at is not None and amina.status == NewcomerStatus.WAITING
    assert phone_only.stale_asked_at is not None
    html = client.get("/coord/stale")
    assert html.status_code == 302  # coordinators only


def test_no_answer_in_14_days_pauses_but_keeps_the_person(make_newcomer, frozen_clock, app):
    frozen_clock(START)
    newcomer = make_newcomer(email="amina@example.org")
    frozen_clock(START + timedelta(days=61))
    stale.run()
    frozen_clock(START + timedelta(days=61 + 13))
    assert stale.run().paused == 0
    frozen_clock(START + timedelta(days=61 + 14))
    assert stale.run().paused == 1
    db.session.expire_all()
    assert newcomer.status == NewcomerStatus.PAUSED
    assert db.session.get(Newcomer, newcomer.id) is not None
    actions = list(db.session.scalars(db.select(AuditEvent.action)))
    assert "newcomer.paused_no_answer" in actions


def test_a_paused_newcomer_who_answers_late_waits_again(client, make_newcomer, frozen_clock):
    frozen_clock(START)
    newcomer = make_newcomer(email="amina@example.org")
    frozen_clock(START + timedelta(days=61))
    stale.run()
    link = link_of(db.session.scalar(db.select(OutboxMail)))
    frozen_clock(START + timedelta(days=75))
    stale.run()
    frozen_clock(START + timedelta(days=75, hours=1))
    client.post(link)
    db.session.expire_all()
    assert newcomer.status == NewcomerStatus.WAITING


def test_links_are_personal_and_expire(client, make_newcomer, frozen_clock, app):
    frozen_clock(START)
    make_newcomer(email="amina@example.org")
    other = make_newcomer("Zahra Karimi", email="zahra@example.org")
    frozen_clock(START + timedelta(days=61))
    stale.run()
    mails = {m.to_addr: m for m in db.session.scalars(db.select(OutboxMail))}
    link = link_of(mails["amina@example.org"])
    assert client.get(link + "x").status_code == 404
    forged = link.replace(link.split("/")[-1], stale.token_for(other)[:-3] + "abc")
    assert client.get(forged).status_code == 404
    app.config["STALE_ANSWER_DAYS"] = 0
    import time

    time.sleep(1.1)
    assert client.get(link).status_code == 404


def test_asked_again_only_after_another_60_days(make_newcomer, frozen_clock, client):
    frozen_clock(START)
    make_newcomer(email="amina@example.org")
    frozen_clock(START + timedelta(days=61))
    assert stale.run().asked == 1
    link = link_of(db.session.scalar(db.select(OutboxMail)))
    client.post(link)
    frozen_clock(START + timedelta(days=100))
    assert stale.run().asked == 0
    frozen_clock(START + timedelta(days=125))
    assert stale.run().asked == 1
    assert client.get(link).status_code == 404, "the old question's link no longer works"
