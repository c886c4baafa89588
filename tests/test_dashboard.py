"""Dashboard, equity and city report: figures checked against hand-counted fixtures."""

import json
from datetime import date, datetime, timedelta

import pytest

from buddy.extensions import db
from buddy.models import (
    EndReason,
    FollowUp,
    Gender,
    GermanLevel,
    Match,
    MatchStatus,
    Meeting,
    MeetingStatus,
    NewcomerStatus,
)
from buddy.services import report, stats
from buddy.services.report import SUPPRESSED, Table

from helpers import login

NOW = datetime(2026, 6, 15, 12, 0)
EN = {"Accept-Language": "en"}


@pytest.fixture
def city(make_newcomer, make_volunteer, frozen_clock):
    """Hand-counted: 3 waiting (2 speak ar, 1 ti), 1 matched, 1 ended match."""
    frozen_clock(NOW - timedelta(days=100))
    amina = make_newcomer("Amina", languages=("ar",), slug="bilk", email="a@x.org")
    zahra = make_newcomer("Zahra", languages=("ar", "fa"), slug="garath", email="z@x.org")
    selam = make_newcomer("Selam", languages=("ti",), slug="garath", email="s@x.org")
    olena = make_newcomer("Olena", languages=("uk",), level="B1", slug="bilk", email="o@x.org")
    for n, gender in ((amina, Gender.FEMALE), (zahra, Gender.FEMALE), (selam, Gender.MALE),
                      (olena, Gender.FEMALE)):
        n.gender = gender
    julia = make_volunteer("Julia", languages=("ar",), slug="bilk", capacity=2,
                           email="j@x.org")
    lukas = make_volunteer("Lukas", languages=("uk",), slug="garath", capacity=1,
                           email="l@x.org")
    frozen_clock(NOW)
    # Olena signed up 100 days ago, matched 40 days ago, 4 sessions held since
    olena.status = NewcomerStatus.MATCHED
    active = Match(newcomer=olena, volunteer=lukas, status=MatchStatus.ACTIVE,
                   decided_at=NOW - timedelta(days=40))
    lukas.active_matches = 1
    # Amina had a match 95 days ago that ended after 30 days (no time)
    ended = Match(newcomer=amina, volunteer=julia, status=MatchStatus.ENDED,
                  decided_at=NOW - timedelta(days=95), ended_at=NOW - timedelta(days=65),
                  end_reason=EndReason.NO_TIME)
    db.session.add_all([active, ended])
    for k in range(4):
        db.session.add(Meeting(match=active, starts_at=NOW - timedelta(days=35 - 7 * k),
                               status=MeetingStatus.HELD))
    db.session.add(FollowUp(match=active, kind="no_recent_session"))
    db.session.commit()
    return {"amina": amina, "zahra": zahra, "selam": selam, "olena": olena}


def test_supply_and_demand(city):
    languages = {r.key: r.values for r in stats.demand_by_language()}
    assert languages["ar"] == (2, 2.0), "Amina and Zahra wait; Julia has 2 free places"
    assert languages["ti"] == (1, 0.0)
    assert languages["de"] == (0, 2.0), "no waiting newcomer has A2+; 2 free places in all"
    boroughs = {r.key: r.values for r in stats.demand_by_borough()}
    assert boroughs["Stadtbezirk 3"] == (1, 2.0)  # Bilk: Amina waits, Julia's 2 places
    assert boroughs["Stadtbezirk 10"] == (2, 0.0)  # Garath: Zahra, Selam; Lukas is full


def test_time_to_match_activity_retention_and_endings(city):
    wait = stats.time_to_match()
    assert wait.median == 32.5, "Olena: 100 - 40 = 60 days, Amina: 100 - 95 = 5 days"
    assert sum(r.values[1] for r in wait.by_month) == 2
    activity = {r.key: r.values for r in stats.activity_by_month()}
    # sessions on 11, 18, 25 May and 1 June; Amina's match ran 12 March – 11 April
    assert activity["2026-06"] == (1, 1), "Olena's match active at the end of June; 1 session"
    assert activity["2026-05"] == (1, 3)
    assert activity["2026-04"] == (0, 0) and activity["2026-03"] == (1, 0)
    assert stats.retention()[3] == (1, 0), "Amina's match is old enough and ended at 30 days"
    assert [(r.key, r.values) for r in stats.end_reasons()] == [("no_time", (1,))]
    assert stats.followup_due() == 1


def test_equity_shows_who_is_left_behind(city):
    rows = {r.key: r.values for r in stats.equity("language")}
    assert rows["ti"] == (1, 0, 0.0, 100.0), "Selam: never matched, waiting 100 days"
    assert rows["ar"][:3] == (2, 1, 50.0), "Amina had a match, Zahra not"
    boroughs = stats.equity("borough")
    assert boroughs[0].key == "Stadtbezirk 10", "Garath has the lowest match rate"


def test_small_cells_are_suppressed_including_the_subtraction_case():
    table = Table("t", {"a": 10, "b": 7, "c": 3}).suppress()
    assert table.shown == {"a": 10, "b": SUPPRESSED, "c": SUPPRESSED}, \
        "c alone would be total − a − b; the next smallest is hidden too"
    assert table.total == 20
    table = Table("t", {"a": 10, "b": 6, "c": 3, "d": 2}).suppress()
    assert table.shown == {"a": 10, "b": 6, "c": SUPPRESSED, "d": SUPPRESSED}
    table = Table("t", {"a": 2, "b": 1}).suppress()
    assert table.shown == {"a": SUPPRESSED, "b": SUPPRESSED} and table.total == SUPPRESSED
    table = Table("t", {"a": 12, "b": 9}).suppress()
    assert table.shown == {"a": 12, "b": 9} and table.total == 21


def test_city_report_is_anonymous_and_suppressed(client, city, make_coordinator):
    login(client, make_coordinator(locale="en"))
    html = client.get("/coord/report?start=2026-01-01&end=2026-06-30").get_data(as_text=True)
    for name in ("Amina", "Zahra", "Selam", "Olena", "a@x.org"):
        assert name not in html
    assert "How this report was made" in html and "&lt;5" in html
    data = client.get("/coord/report.json?start=2026-01-01&end=2026-06-30").get_json()
    assert data["figures"]["matches_approved"] == SUPPRESSED
    assert data["tables"]["signups_by_language"]["cells"]["ar"] == SUPPRESSED
    assert data["tables"]["signups_by_language"]["total"] == 5
    assert data["method"]["threshold"] == 5 and data["method"]["personal_data"] is False
    text = client.get("/coord/report.csv?start=2026-01-01&end=2026-06-30").get_data(
        as_text=True)
    assert text.startswith("\ufeff") and "signups_by_language,ar,<5" in text
    assert "Amina" not in text
    built = report.build(date(2026, 1, 1), date(2026, 6, 30))
    assert json.loads(json.dumps(report.as_json(built))) == data


def test_dashboard_page_has_charts_with_text_alternatives(client, city, make_coordinator):
    login(client, make_coordinator(locale="en"))
    html = client.get("/coord/").get_data(as_text=True)
    assert html.count("<svg") >= 5 and html.count('role="img"') >= 5
    assert html.count("<summary>The numbers</summary>") >= 5
    assert "Tigrinya" in html and "Stadtbezirk 10" in html
    assert "Median time from sign-up to match in the last 12 months: 32.5 days." in html


def test_report_pages_are_for_coordinators_only(client, make_user):
    from buddy.models import Role

    login(client, make_user(Role.VOLUNTEER))
    for url in ("/coord/report", "/coord/report.csv", "/coord/report.json", "/coord/equity"):
        assert client.get(url).status_code == 403


def test_level_filter_uses_german_from_a2(city):
    city["selam"].german_level = GermanLevel.A2
    db.session.commit()
    languages = {r.key: r.values for r in stats.demand_by_language()}
    assert languages["de"] == (1, 2.0)


def test_dashboard_figures_are_cached_briefly(app, city):
    from sqlalchemy import event

    app.config["STATS_CACHE_SECONDS"] = 60
    first = stats.dashboard()
    statements = []

    def count(*args):
        statements.append(args)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        again = stats.dashboard()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert again is first and statements == []
    app.config["STATS_CACHE_SECONDS"] = 0
    assert stats.dashboard() is not first
