"""Matching rounds from the database: proposals, reasons, pin and re-run, what-if, unmatched."""

import re
from datetime import timedelta

import pytest

from buddy import matching
from buddy.extensions import db
from buddy.models import Match, MatchRound, MatchStatus, Mode, RoundStatus
from buddy.services import rounds
from buddy.services.instance import build_pool, newcomer_key, volunteer_key

from helpers import login

EN = {"Accept-Language": "en"}


@pytest.fixture
def coordinator(client, make_coordinator):
    user = make_coordinator(locale="en")
    login(client, user)
    return user


def run(client) -> MatchRound:
    response = client.post("/coord/rounds", data={
        "language": "0.35", "time": "0.25", "place": "0.25", "waiting": "0.15"})
    assert response.status_code == 302
    round_id = int(response.headers["Location"].rsplit("/", 1)[1])
    db.session.expire_all()
    return db.session.get(MatchRound, round_id)


def proposals(round_id=None) -> list[Match]:
    stmt = db.select(Match).where(Match.status == MatchStatus.PROPOSED)
    if round_id:
        stmt = stmt.where(Match.round_id == round_id)
    return list(db.session.scalars(stmt))


def test_a_round_proposes_feasible_pairs_with_reasons(client, coordinator, make_newcomer,
                                                      make_volunteer):
    amina = make_newcomer("Amina Haddad", languages=("ar",), slots=("mon-evening",))
    make_newcomer("Olena Melnyk", languages=("uk",), slots=("tue-morning",), email="o@x.org")
    julia = make_volunteer("Julia Weber", languages=("ar",), slots=("mon-evening",))
    round_ = run(client)
    assert round_.status == RoundStatus.DONE and round_.pairs == 1
    [match] = proposals(round_.id)
    assert (match.newcomer_id, match.volunteer_id) == (amina.id, julia.id)
    pool = build_pool()
    assert matching.check_pair(pool.instance, newcomer_key(amina.id), volunteer_key(julia.id)) \
        == []
    # the contract's formula: 0.35 language + 0.25 × 1/3 time + 0.25 place (same district)
    assert match.score == pytest.approx(0.35 + 0.25 / 3 + 0.25, abs=1e-6)
    html = client.get(f"/coord/rounds/{round_.id}", headers=EN).get_data(as_text=True)
    assert "both speak Arabic" in html
    assert "1 common time: Monday, Evening" in html
    assert "same part of the city" in html
    unmatched = client.get(f"/coord/rounds/{round_.id}/unmatched", headers=EN).get_data(
        as_text=True)
    assert "Olena Melnyk" in unmatched
    assert "No volunteer speaks one of their languages." in unmatched


def test_rejected_pairs_are_never_proposed_again(client, coordinator, make_newcomer,
                                                  make_volunteer):
    make_newcomer()
    make_volunteer()
    [match] = proposals(run(client).id)
    client.post(f"/coord/matches/{match.id}/reject", data={"reason": "They know each other."})
    db.session.expire_all()
    assert match.status == MatchStatus.REJECTED
    round_ = run(client)
    assert round_.pairs == 0 and proposals(round_.id) == []
    assert round_.unmatched[0]["reason"] == "excluded"


def test_pinned_proposals_stay_when_the_round_runs_again(client, coordinator, make_newcomer,
                                                         make_volunteer):
    a = make_newcomer("Amina Haddad", slots=("mon-evening",))
    b = make_newcomer("Zahra Karimi", slots=("mon-evening",), email="z@x.org")
    make_volunteer("Julia Weber", slots=("mon-evening",), capacity=1)
    first = run(client)
    [proposal] = proposals(first.id)
    other = b if proposal.newcomer_id == a.id else a
    client.post(f"/coord/matches/{proposal.id}/pin", data={"pinned": "1"})
    second = run(client)
    [kept] = proposals(second.id)
    assert kept.id == proposal.id and kept.pinned
    assert all(m.newcomer_id != other.id for m in proposals())


def test_a_new_round_replaces_open_unpinned_proposals(client, coordinator, make_newcomer,
                                                      make_volunteer):
    make_newcomer()
    make_volunteer()
    first = run(client)
    second = run(client)
    assert proposals(first.id) == [] and len(proposals(second.id)) == 1
    statuses = set(db.session.scalars(db.select(Match.status)))
    assert statuses == {MatchStatus.PROPOSED, MatchStatus.SUPERSEDED}


def test_weights_are_validated_and_saved_with_the_round(client, coordinator, make_newcomer,
                                                        make_volunteer):
    make_newcomer()
    make_volunteer()
    html = client.post("/coord/rounds", data={"language": "-1", "time": "x", "place": "0.25",
                                              "waiting": "0.15"}, headers=EN
                       ).get_data(as_text=True)
    assert "Please enter a number from 0 to 10." in html and "Please enter a number." in html
    assert db.session.scalar(db.select(db.func.count()).select_from(MatchRound)) == 0
    response = client.post("/coord/rounds", data={"language": "1", "time": "0", "place": "0",
                                                  "waiting": "0"})
    round_ = db.session.scalar(db.select(MatchRound))
    assert response.status_code == 302
    assert round_.parameters["weights"] == {"language": 1.0, "time": 0.0, "place": 0.0,
                                            "waiting": 0.0}
    assert proposals(round_.id)[0].score == pytest.approx(1.0)


def test_what_if_counts_looser_rules(client, coordinator, make_newcomer, make_volunteer):
    # 1: in person only, 1–2 km apart, and the volunteer travels 0 km: +2 km makes it fit
    amina = make_newcomer("Amina Haddad", slug="unterbilk", slots=("mon-evening",))
    julia = make_volunteer("Julia Weber", slug="bilk", max_km=0, slots=("mon-evening",))
    amina.mode = julia.mode = Mode.IN_PERSON
    db.session.commit()
    km = matching.haversine_km(
        *(matching.District(d.slug, d.lat, d.lon) for d in (amina.district, julia.district)))
    assert 0 < km <= 2
    # 2: A1 speaking only Tigrinya with a German-only volunteer
    make_newcomer("Selam Haile", languages=("ti",), level="A1", slots=("sat-morning",),
                  email="s@x.org")
    make_volunteer("Lukas Koch", languages=(), slots=("sat-morning",), email="l@x.org")
    counts = rounds.what_if()
    assert counts["today"] == 0
    assert counts["more_km"] == 1 and counts["german_from_a1"] == 1
    html = client.get("/coord/what-if", headers=EN).get_data(as_text=True)
    assert "Every volunteer travels 2 km further" in html and "+1" in html
    assert db.session.scalar(db.select(db.func.count()).select_from(Match)) == 0


def test_unmatched_page_names_the_nearest_volunteer_and_the_rule(client, coordinator,
                                                                 make_newcomer,
                                                                 make_volunteer):
    newcomer = make_newcomer("Amina Haddad", slots=("mon-evening",))
    make_volunteer("Julia Weber", slots=("sun-morning",))
    round_ = run(client)
    html = client.get(f"/coord/rounds/{round_.id}/unmatched", headers=EN).get_data(as_text=True)
    assert "No volunteer who speaks their language has a common time." in html
    assert "Julia Weber" in html and "only this rule is in the way: no common time" in html
    assert f"/coord/manual?newcomer={newcomer.id}" in html


def test_hints_download_as_csv(client, coordinator, make_newcomer, make_volunteer):
    for i in range(3):
        make_newcomer(f"Selam {i}", languages=("ti",), slug="garath",
                      slots=("mon-evening", "tue-evening"), email=f"s{i}@x.org")
    make_volunteer("Julia Weber", languages=("en",), slug="garath")
    round_ = run(client)
    html = client.get(f"/coord/rounds/{round_.id}/unmatched", headers=EN).get_data(as_text=True)
    assert re.search(r"A volunteer who speaks Tigrinya, is free [^<]*Garath[^<]* would match "
                     r"3 people\.", html)
    response = client.get(f"/coord/rounds/{round_.id}/hints.csv", headers=EN)
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffLanguage,")
    assert "Tigrinya,Garath (Stadtbezirk 10)" in text and text.strip().endswith(",3")


def test_a_large_round_runs_in_the_background_and_the_page_says_so(
    app, client, coordinator, make_newcomer, make_volunteer, frozen_clock
):
    make_newcomer()
    make_volunteer()
    round_ = rounds.start_round(coordinator, rounds.default_weights())
    html = client.get(f"/coord/rounds/{round_.id}", headers=EN).get_data(as_text=True)
    assert "The round is running." in html and 'http-equiv="refresh"' in html
    frozen_clock(round_.created_at + timedelta(minutes=3))
    coordinator.locale = "de"
    db.session.commit()
    html = client.get(f"/coord/rounds/{round_.id}").get_data(as_text=True)
    assert "Die Runde läuft." in html and "vor 3 Minuten" in html
    coordinator.locale = "en"
    db.session.commit()
    frozen_clock(None)
    app.config["ROUND_INLINE_MAX_PAIRS"] = 0
    response = client.post("/coord/rounds", data=rounds.default_weights())
    round_id = int(response.headers["Location"].rsplit("/", 1)[1])
    import threading

    for thread in threading.enumerate():
        if thread.name == f"round-{round_id}":
            thread.join(timeout=30)
    db.session.expire_all()
    assert db.session.get(MatchRound, round_id).status == RoundStatus.DONE
    html = client.get(f"/coord/rounds/{round_id}", headers=EN).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in html and "Pairs proposed" in html


def test_round_command_shows_the_result(runner, make_coordinator, make_newcomer,
                                        make_volunteer):
    make_coordinator(email="chef@example.org")
    make_newcomer()
    make_volunteer()
    result = runner.invoke(args=["buddy", "round", "--coordinator", "chef@example.org"])
    assert result.exit_code == 0, result.output
    assert "1 pairs proposed for 1 newcomers" in result.output
    bad = runner.invoke(args=["buddy", "round", "--coordinator", "nobody@example.org"])
    assert bad.exit_code == 2 and "--coordinator" in bad.stderr


def test_demo_round_is_fast(runner, make_coordinator):
    runner.invoke(args=["buddy", "demo"])
    from buddy.models import User

    coordinator = db.session.scalar(db.select(User).where(User.email == "koordination@example.org"))
    round_ = rounds.start_round(coordinator, rounds.default_weights())
    round_ = rounds.run_round(round_.id)
    assert round_.status == RoundStatus.DONE and round_.pairs > 50
    assert round_.seconds < 1.0


def test_a_round_whose_process_died_is_marked_failed(coordinator, make_newcomer,
                                                      make_volunteer, frozen_clock):
    from datetime import datetime, timedelta

    frozen_clock(datetime(2026, 3, 1, 9, 0))
    dead = rounds.start_round(coordinator, rounds.default_weights())
    frozen_clock(datetime(2026, 3, 1, 9, 0) + timedelta(hours=2))
    rounds.start_round(coordinator, rounds.default_weights())
    db.session.expire_all()
    assert dead.status == RoundStatus.FAILED and "stopped" in dead.error
