"""`flask buddy …`: load-city, demo, create-coordinator, send-mail."""

from collections import Counter

from buddy.extensions import db
from buddy.models import (
    District,
    Match,
    MatchStatus,
    Meeting,
    Newcomer,
    NewcomerLanguage,
    Role,
    User,
    Volunteer,
)
from buddy.services.demo import COORDINATOR_EMAIL, DEMO_PASSWORD

from helpers import login


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_load_city(runner):
    result = runner.invoke(args=["buddy", "load-city"])
    assert result.exit_code == 0 and "50 districts" in result.output
    assert count(District) == 50


def test_unknown_city_exits_2_with_one_line(app, runner):
    app.config["CITY"] = "atlantis"
    result = runner.invoke(args=["buddy", "load-city"])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "atlantis" in result.stderr
    assert "Traceback" not in result.output


def test_demo_city_is_realistic(runner, client):
    result = runner.invoke(args=["buddy", "demo"])
    assert result.exit_code == 0, result.output
    assert count(Newcomer) == 300 and count(Volunteer) == 150
    assert count(User) == 451
    assert COORDINATOR_EMAIL in result.output and DEMO_PASSWORD in result.output
    languages = Counter(db.session.scalars(db.select(NewcomerLanguage.code)))
    for code in ("ar", "uk", "fa", "ku", "tr", "ti", "ru", "ps", "so", "en", "fr"):
        assert languages[code] > 0, code
    assert languages["ar"] > languages["ti"]
    districts = {n.district_id for n in db.session.scalars(db.select(Newcomer))}
    assert len(districts) > 40
    active = db.session.scalars(db.select(Match).where(Match.status == MatchStatus.ACTIVE)).all()
    assert 40 < len(active) < 150
    assert count(Meeting) > 5 * len(active), "a few months of session history"
    for volunteer in db.session.scalars(db.select(Volunteer)):
        assert 0 <= volunteer.active_matches <= volunteer.capacity
        assert volunteer.active_matches == sum(m.volunteer_id == volunteer.id for m in active)
    coordinator = db.session.scalar(db.select(User).where(User.role == Role.COORDINATOR))
    assert login(client, coordinator, DEMO_PASSWORD).headers["Location"].endswith("/coord/")


def test_demo_is_deterministic(app, runner):
    runner.invoke(args=["buddy", "demo", "--scale", "40"])
    first = [(n.display_name, list(n.languages), n.availability.bits)
             for n in db.session.scalars(db.select(Newcomer).order_by(Newcomer.id))]
    db.session.remove()
    db.drop_all()
    db.create_all()
    runner.invoke(args=["buddy", "load-city"])
    runner.invoke(args=["buddy", "demo", "--scale", "40"])
    second = [(n.display_name, list(n.languages), n.availability.bits)
              for n in db.session.scalars(db.select(Newcomer).order_by(Newcomer.id))]
    assert first == second and len(first) == 40


def test_demo_refuses_a_database_with_people_unless_if_empty(runner, make_user):
    make_user()
    result = runner.invoke(args=["buddy", "demo"])
    assert result.exit_code == 2 and "empty" in result.stderr
    result = runner.invoke(args=["buddy", "demo", "--if-empty"])
    assert result.exit_code == 0 and count(Newcomer) == 0


def test_create_coordinator(runner, client):
    result = runner.invoke(args=["buddy", "create-coordinator", "--email", "Chef@Example.org"],
                           input="a long password\na long password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.email == "chef@example.org"))
    assert user.role == Role.COORDINATOR
    assert login(client, user, "a long password").status_code == 302


def test_create_coordinator_bad_input_exits_2(runner, make_user):
    result = runner.invoke(args=["buddy", "create-coordinator", "--email", "not-an-address",
                                 "--password", "a long password"])
    assert result.exit_code == 2 and result.stderr.startswith("Error: ")
    make_user(email="taken@example.org")
    result = runner.invoke(args=["buddy", "create-coordinator", "--email", "taken@example.org",
                                 "--password", "a long password"])
    assert result.exit_code == 2 and "already registered" in result.stderr
    result = runner.invoke(args=["buddy", "create-coordinator", "--email", "new@example.org",
                                 "--password", "short"])
    assert result.exit_code == 2 and "8 characters" in result.stderr


def test_send_mail_command(runner):
    result = runner.invoke(args=["buddy", "send-mail"])
    assert result.exit_code == 0 and "0 sent" in result.output
