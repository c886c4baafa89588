"""Approving is safe: one transaction, never over capacity, one e-mail per person, once."""

import threading

import pytest
from sqlalchemy import func, insert, select

from buddy.extensions import db
from buddy.models import (
    AuditEvent,
    Availability,
    GermanLevel,
    Match,
    MatchStatus,
    Newcomer,
    NewcomerStatus,
    OutboxMail,
    Role,
    User,
    Volunteer,
    VolunteerStatus,
)
from buddy.services import mail, matches

from helpers import district, login
from smtp_server import SMTPServer

EN = {"Accept-Language": "en"}


@pytest.fixture
def proposal(make_newcomer, make_volunteer):
    newcomer = make_newcomer("Amina Haddad", email="amina@example.org", locale="ar")
    volunteer = make_volunteer("Julia Weber", email="julia@example.org", locale="de",
                               phone="+4917012345678")
    match = Match(newcomer=newcomer, volunteer=volunteer, status=MatchStatus.PROPOSED,
                  score=0.7)
    db.session.add(match)
    db.session.commit()
    return match


@pytest.fixture
def coordinator(client, make_coordinator):
    user = make_coordinator(locale="en")
    login(client, user)
    return user


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_approval_activates_both_sides_and_introduces_them(client, coordinator, proposal):
    response = client.post(f"/coord/matches/{proposal.id}/approve", headers=EN,
                           follow_redirects=True)
    assert "Approved: Amina Haddad and Julia Weber. Both get an e-mail." in response.get_data(
        as_text=True)
    db.session.expire_all()
    assert proposal.status == MatchStatus.ACTIVE and proposal.decided_by_id == coordinator.id
    assert proposal.volunteer.active_matches == 1
    assert proposal.newcomer.status == NewcomerStatus.MATCHED
    mails = {m.to_addr: m for m in db.session.scalars(select(OutboxMail))}
    assert set(mails) == {"amina@example.org", "julia@example.org"}
    to_newcomer, to_volunteer = mails["amina@example.org"], mails["julia@example.org"]
    assert to_newcomer.locale == "ar" and "Julia" in to_newcomer.body
    assert "+4917012345678" in to_newcomer.body and "Weber" not in to_newcomer.body
    assert to_volunteer.locale == "de" and "Amina" in to_volunteer.body
    assert "amina@example.org" in to_volunteer.body
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "match.approved"))
    assert event.actor_id == coordinator.id and event.subject_id == proposal.id


def test_double_click_gives_one_match_and_one_mail_each(client, coordinator, proposal):
    client.post(f"/coord/matches/{proposal.id}/approve")
    second = client.post(f"/coord/matches/{proposal.id}/approve", headers=EN,
                         follow_redirects=True)
    assert second.status_code == 200
    assert "This proposal was already decided." in second.get_data(as_text=True)
    assert count(Match, Match.status == MatchStatus.ACTIVE) == 1
    assert count(OutboxMail) == 2
    db.session.expire_all()
    assert proposal.volunteer.active_matches == 1


def test_a_full_volunteer_cannot_be_approved(client, coordinator, proposal, make_newcomer):
    other = make_newcomer("Zahra Karimi", email="zahra@example.org")
    second = Match(newcomer=other, volunteer=proposal.volunteer, status=MatchStatus.PROPOSED)
    db.session.add(second)
    db.session.commit()
    client.post(f"/coord/matches/{proposal.id}/approve")
    html = client.post(f"/coord/matches/{second.id}/approve", headers=EN,
                       follow_redirects=True).get_data(as_text=True)
    assert "The volunteer has no free place any more." in html
    db.session.expire_all()
    assert second.status == MatchStatus.PROPOSED and other.status == NewcomerStatus.WAITING
    assert proposal.volunteer.active_matches == 1 and count(OutboxMail) == 2


def test_a_failure_after_the_first_write_leaves_nothing(app, proposal, make_coordinator,
                                                       monkeypatch):
    coordinator = make_coordinator()

    def broken_mail(match):
        raise RuntimeError("mail template exploded")

    monkeypatch.setattr(matches, "_introduce", broken_mail)
    with pytest.raises(RuntimeError):
        matches.approve(proposal.id, coordinator)
    db.session.expire_all()
    assert proposal.status == MatchStatus.PROPOSED
    assert proposal.volunteer.active_matches == 0
    assert proposal.newcomer.status == NewcomerStatus.WAITING
    assert count(OutboxMail) == 0 and count(AuditEvent) == 0


def test_approve_selected(client, coordinator, proposal, make_newcomer, make_volunteer):
    other = Match(newcomer=make_newcomer("Zahra Karimi", email="zahra@example.org"),
                  volunteer=make_volunteer("Lukas Koch", email="lukas@example.org"),
                  status=MatchStatus.PROPOSED)
    db.session.add(other)
    db.session.commit()
    html = client.post("/coord/matches/approve", data={"match": [proposal.id, other.id]},
                       headers=EN, follow_redirects=True).get_data(as_text=True)
    assert "2 approved." in html
    assert count(Match, Match.status == MatchStatus.ACTIVE) == 2


def test_reject_needs_a_reason_and_is_audited(client, coordinator, proposal):
    html = client.post(f"/coord/matches/{proposal.id}/reject", data={"reason": ""},
                       headers=EN).get_data(as_text=True)
    assert "Please write a reason." in html
    client.post(f"/coord/matches/{proposal.id}/reject", data={"reason": "Same family."})
    db.session.expire_all()
    assert proposal.status == MatchStatus.REJECTED
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "match.rejected"))
    assert event.reason == "Same family." and event.actor_id == coordinator.id


def test_manual_match_shows_broken_rules_and_needs_a_reason(client, coordinator,
                                                            make_newcomer, make_volunteer):
    newcomer = make_newcomer("Selam Haile", languages=("ti",), level="A0",
                             slots=("mon-evening",), email="selam@example.org")
    volunteer = make_volunteer("Lukas Koch", languages=("en",), slots=("mon-evening",))
    page = client.get(f"/coord/manual?newcomer={newcomer.id}&volunteer={volunteer.id}",
                      headers=EN).get_data(as_text=True)
    assert "This pair breaks these rules:" in page and "no common language" in page
    data = {"newcomer": newcomer.id, "volunteer": volunteer.id, "override_reason": ""}
    html = client.post("/coord/manual", data=data, headers=EN).get_data(as_text=True)
    assert "Please write why you match them anyway." in html
    assert count(Match) == 0
    data["override_reason"] = "Lukas learns Tigrinya and they met at the café already."
    client.post("/coord/manual", data=data)
    match = db.session.scalar(select(Match))
    assert match.status == MatchStatus.ACTIVE and match.override_reason.startswith("Lukas")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "match.by_hand"))
    assert event.data["broken"] == ["language"] and event.reason.startswith("Lukas")


def test_manual_match_of_unknown_numbers_says_so(client, coordinator):
    html = client.get("/coord/manual?newcomer=999&volunteer=998", headers=EN).get_data(
        as_text=True)
    assert "No newcomer has this number." in html and "No volunteer has this number." in html


def test_only_coordinators_decide(client, proposal, make_user):
    login(client, make_user(Role.VOLUNTEER))
    for url in (f"/coord/matches/{proposal.id}/approve", f"/coord/matches/{proposal.id}/pin",
                "/coord/matches/approve", "/coord/rounds"):
        assert client.post(url).status_code == 403
    db.session.expire_all()
    assert proposal.status == MatchStatus.PROPOSED


def test_introduction_arrives_in_the_newcomers_language(app, client, coordinator, proposal):
    server = SMTPServer().start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
        client.post(f"/coord/matches/{proposal.id}/approve")
        assert mail.send_pending().sent == 2
        by_recipient = {m["To"]: m for m in server.inbox.messages}
        assert by_recipient["amina@example.org"]["Content-Language"] == "ar"
        assert by_recipient["amina@example.org"]["Subject"] == "وجدنا لك رفيقًا: Julia"
        assert by_recipient["julia@example.org"]["Subject"] == "Dein neuer Buddy: Amina"
    finally:
        server.stop()


# --- concurrency: threads released together at a barrier, one connection each -----------

THREADS, ROUNDS = 20, 50


def _seed_round(round_no: int, password_hash: str) -> list[int]:
    """Two volunteers with one place each, five newcomers, twenty competing proposals."""
    district_id = district("bilk").id
    users = db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), [
        {"email": f"r{round_no}-{k}@example.org", "password_hash": password_hash,
         "role": Role.VOLUNTEER if k < 2 else Role.NEWCOMER} for k in range(7)]).all()
    common = {"district_id": district_id, "availability": Availability(["mon-evening"]),
              "display_name": "Person"}
    volunteers = db.session.scalars(insert(Volunteer).returning(
        Volunteer.id, sort_by_parameter_order=True), [
        {**common, "user_id": users[k], "capacity": 1, "active_matches": 0,
         "status": VolunteerStatus.ACTIVE, "max_km": 5.0} for k in range(2)]).all()
    newcomers = db.session.scalars(insert(Newcomer).returning(
        Newcomer.id, sort_by_parameter_order=True), [
        {**common, "user_id": users[k], "german_level": GermanLevel.A2,
         "status": NewcomerStatus.WAITING} for k in range(2, 7)]).all()
    proposals = db.session.scalars(insert(Match).returning(
        Match.id, sort_by_parameter_order=True), [
        {"newcomer_id": newcomers[t % 5], "volunteer_id": volunteers[t % 2],
         "status": MatchStatus.PROPOSED} for t in range(THREADS)]).all()
    db.session.commit()
    return list(proposals)


@pytest.mark.parametrize("app_config", [{"SQLALCHEMY_ENGINE_OPTIONS": {
    "pool_size": THREADS + 2, "max_overflow": 0}}], indirect=True)
def test_concurrent_approvals_never_overfill_or_double_match(app, make_coordinator):
    coordinator_id = make_coordinator().id
    password_hash = db.session.scalar(select(User.password_hash))
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(match_id: int) -> None:
        with app.app_context():
            try:
                coordinator = db.session.get(User, coordinator_id)
                barrier.wait(timeout=60)
                matches.approve(match_id, coordinator)
                result = "approved"
            except matches.MatchConflict as error:
                result = error.code
            except Exception as error:  # anything else would be a 500 for the coordinator
                result = f"ERROR {type(error).__name__}: {error}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    for round_no in range(ROUNDS):
        ids = _seed_round(round_no, password_hash)
        threads = [threading.Thread(target=worker, args=(i,)) for i in ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert [o for o in outcomes if o.startswith("ERROR")] == []
    assert len(outcomes) == THREADS * ROUNDS
    db.session.expire_all()
    over = count(Volunteer, Volunteer.active_matches > Volunteer.capacity)
    assert over == 0
    doubled = db.session.execute(
        select(Match.newcomer_id).where(Match.status == MatchStatus.ACTIVE)
        .group_by(Match.newcomer_id).having(func.count() > 1)).all()
    assert doubled == []
    active = count(Match, Match.status == MatchStatus.ACTIVE)
    assert active == outcomes.count("approved") == 2 * ROUNDS
    # the counters agree with the rows, and every approval wrote its mails and audit event
    for volunteer in db.session.scalars(select(Volunteer)):
        assert volunteer.active_matches == count(
            Match, Match.volunteer_id == volunteer.id, Match.status == MatchStatus.ACTIVE)
    assert count(AuditEvent, AuditEvent.action == "match.approved") == active
