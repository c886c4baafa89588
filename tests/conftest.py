"""Fixtures: a fresh database per test (SQLite file, or PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from buddy import clock
from buddy.extensions import db
from buddy.models import (
    Availability,
    GermanLevel,
    Newcomer,
    Role,
    User,
    Volunteer,
    VolunteerStatus,
)
from buddy.services.accounts import hash_password
from buddy.services.city import load_city
from buddy.web import create_app

from helpers import PASSWORD, district, test_config

_fresh_pg_schema = False


def reset_database() -> None:
    """Give the test an empty schema: create it on SQLite, truncate it on PostgreSQL.

    The PostgreSQL test database outlives test runs, so the first test of a run replaces
    the whole schema: tables left by an older version of the models must not linger.
    """
    global _fresh_pg_schema
    if db.engine.dialect.name == "postgresql":
        if not _fresh_pg_schema:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            _fresh_pg_schema = True
        db.create_all()
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        db.create_all()


class RequestClient(FlaskClient):
    """A test client whose requests run in their own app context, as in production.

    The test itself holds an app context for its factories; without this, Flask would reuse
    that context (and its `g`, where Flask-Login and Flask-Babel cache the user and locale)
    for every request of the test.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app_config(request, tmp_path) -> dict:
    """The test app's settings; parametrize indirectly with a dict to change some."""
    return test_config(tmp_path, **getattr(request, "param", {}))


@pytest.fixture
def app(app_config, tmp_path, monkeypatch) -> Iterator:
    monkeypatch.setenv("BUDDY_INSTANCE", str(tmp_path / "instance"))
    app = create_app(app_config)
    app.test_client_class = RequestClient
    with app.app_context():
        reset_database()
        load_city(app.config["CITY"])
        yield app
        db.session.remove()
        if db.engine.dialect.name != "postgresql":
            db.drop_all()
        db.engine.dispose()
    clock.freeze(None)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def frozen_clock():
    """A clock the test moves by hand: frozen_clock(datetime) sets it."""
    yield clock.freeze
    clock.freeze(None)


@pytest.fixture
def make_user(app):
    counter = iter(range(1, 10_000))

    def make(role: Role = Role.NEWCOMER, email: str | None = None, phone: str | None = None,
             password: str = PASSWORD, locale: str | None = None) -> User:
        if email is None and phone is None:
            email = f"person{next(counter)}@example.org"
        user = User(email=email, phone=phone, role=role, locale=locale,
                    password_hash=hash_password(password))
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_newcomer(make_user):
    def make(name: str = "Amina Haddad", languages=("ar",), level: str = "A1",
             slug: str = "bilk", slots=("mon-evening",), **user_args) -> Newcomer:
        user = make_user(Role.NEWCOMER, **user_args)
        newcomer = Newcomer(user=user, display_name=name, german_level=GermanLevel(level),
                            district=district(slug), availability=Availability(slots))
        newcomer.languages = list(languages)
        db.session.add(newcomer)
        db.session.commit()
        return newcomer

    return make


@pytest.fixture
def make_volunteer(make_user):
    def make(name: str = "Julia Weber", languages=("ar",), slug: str = "bilk",
             slots=("mon-evening",), capacity: int = 1, max_km: float = 5.0,
             status: VolunteerStatus = VolunteerStatus.ACTIVE, **user_args) -> Volunteer:
        user = make_user(Role.VOLUNTEER, **user_args)
        volunteer = Volunteer(user=user, display_name=name, district=district(slug),
                              availability=Availability(slots), capacity=capacity,
                              max_km=max_km, status=status)
        volunteer.languages = list(languages)
        db.session.add(volunteer)
        db.session.commit()
        return volunteer

    return make


@pytest.fixture
def make_coordinator(make_user):
    def make(**user_args) -> User:
        return make_user(Role.COORDINATOR, **user_args)

    return make
