"""Pages issue a bounded number of SQL queries: the same count at two sizes of city."""

from sqlalchemy import event

from buddy.extensions import db
from buddy.models import FollowUp, Match, MatchStatus, User
from buddy.services import followup, rounds
from buddy.services.city import load_city
from buddy.services.demo import COORDINATOR_EMAIL, DEMO_PASSWORD, create_demo

from helpers import login

PAGES = ["/coord/", "/coord/newcomers", "/coord/newcomers?status=waiting&language=ar",
         "/coord/volunteers", "/coord/rounds", "/coord/rounds/1", "/coord/rounds/1/unmatched",
         "/coord/follow-up", "/coord/stale", "/coord/outbox", "/coord/equity",
         "/coord/report", "/coord/what-if"]


def query_counts(app, client, pages) -> dict[str, int]:
    counts = {}
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for page in pages:
            statements.clear()
            assert client.get(page).status_code == 200, page
            counts[page] = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return counts


def build_city(app, size: int) -> None:
    create_demo(app.config["CITY"], newcomers=size, seed=7)
    coordinator = db.session.scalar(db.select(User).where(User.email == COORDINATOR_EMAIL))
    rounds.run_round(rounds.start_round(coordinator, rounds.default_weights()).id)
    followup.scan()
    assert db.session.scalar(db.select(db.func.count()).select_from(FollowUp)) > 0


def test_pages_query_count_does_not_grow_with_the_city(app, client):
    counts = []
    for size in (60, 240):
        db.session.remove()
        db.drop_all()
        db.create_all()
        load_city(app.config["CITY"])
        build_city(app, size)
        coordinator = db.session.scalar(db.select(User).where(User.email == COORDINATOR_EMAIL))
        login(client, coordinator, DEMO_PASSWORD)
        counts.append(query_counts(app, client, PAGES))
        client.post("/logout")
    small, large = counts
    assert small == large, {p: (small[p], large[p]) for p in small if small[p] != large[p]}
    assert max(small.values()) < 40, small


def test_volunteer_and_newcomer_pages_are_bounded_too(app, client):
    build_city(app, 60)
    match = db.session.scalar(db.select(Match).where(Match.status == MatchStatus.ACTIVE))
    pages = ["/me/", f"/me/matches/{match.id}"]
    login(client, match.volunteer.user, DEMO_PASSWORD)
    volunteer_counts = query_counts(app, client, pages)
    client.post("/logout")
    login(client, match.newcomer.user, DEMO_PASSWORD)
    newcomer_counts = query_counts(app, client, pages)
    assert max(volunteer_counts.values()) < 30 and max(newcomer_counts.values()) < 30
