"""The Alembic history builds exactly the models' schema and can be undone."""

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from buddy.extensions import db
from buddy.web import MIGRATIONS, create_app

from helpers import test_config

PG_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(params=["sqlite"] + (["postgresql"] if PG_URL else []))
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def test_upgrade_gives_the_models_schema_and_downgrade_removes_it(
    empty_database_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("BUDDY_INSTANCE", str(tmp_path / "instance"))
    app = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=empty_database_url))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == []
        downgrade(directory=MIGRATIONS, revision="base")
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        db.engine.dispose()


SEED = [
    "INSERT INTO district (id, city, slug, name, borough, lat, lon) "
    "VALUES (1, 'duesseldorf', 'bilk', 'Bilk', 'Stadtbezirk 3', 51.2066, 6.7828)",
    "INSERT INTO \"user\" (id, email, phone, password_hash, role, locale, is_enabled, "
    "session_version, created_at) VALUES "
    "(1, 'amina@example.org', NULL, 'x', 'newcomer', 'ar', true, 1, '2026-01-01 10:00:00'), "
    "(2, 'julia@example.org', '+4917012345678', 'x', 'volunteer', 'de', true, 1, "
    "'2026-01-01 10:00:00')",
    "INSERT INTO newcomer (id, user_id, district_id, german_level, topics, status, "
    "waiting_since, display_name, availability, mode, gender, buddy_gender, created_at, "
    "updated_at) VALUES (1, 1, 1, 'A1', 'everyday', 'matched', '2026-01-01 10:00:00', "
    "'أمينة حداد', 5, 'either', 'female', 'any', '2026-01-01 10:00:00', "
    "'2026-01-01 10:00:00')",
    "INSERT INTO newcomer_language (newcomer_id, code) VALUES (1, 'ar')",
    "INSERT INTO volunteer (id, user_id, district_id, max_km, capacity, active_matches, "
    "motivation, status, display_name, availability, mode, gender, buddy_gender, created_at, "
    "updated_at) VALUES (1, 2, 1, 5, 2, 1, 'Gern.', 'active', 'Julia Weber', 4, 'either', "
    "'female', 'any', '2026-01-01 10:00:00', '2026-01-01 10:00:00')",
    "INSERT INTO match (id, newcomer_id, volunteer_id, status, components, reasons, pinned, "
    "proposed_at, decided_at) VALUES (1, 1, 1, 'active', '{}', '[]', false, "
    "'2026-01-02 10:00:00', '2026-01-03 10:00:00')",
    "INSERT INTO meeting (id, match_id, starts_at, duration_minutes, mode, place, status, "
    "topics, topics_other, note, created_at) VALUES (1, 1, '2026-01-10 17:00:00', 60, "
    "'in_person', 'Café', 'held', 'letters', '', 'gut', '2026-01-05 10:00:00')",
    "INSERT INTO outbox_mail (id, key, to_addr, locale, subject, body, status, attempts, "
    "created_at, next_attempt_at) VALUES (1, 'k1', 'amina@example.org', 'ar', 's', 'b', "
    "'sent', 1, '2026-01-03 10:00:00', '2026-01-03 10:00:00')",
]


def _revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(MIGRATIONS)
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_every_earlier_revision_is_covered():
    assert _revisions() == ["0001", "0002", "0003", "0004", "0005"], "add it below"


@pytest.mark.parametrize("start", ["0001", "0002", "0003", "0004"])
def test_upgrading_from_every_revision_keeps_the_data(start, empty_database_url, tmp_path,
                                                      monkeypatch):
    from buddy.models import Availability, Match, Meeting, Newcomer, OutboxMail, Volunteer

    assert start in _revisions()
    monkeypatch.setenv("BUDDY_INSTANCE", str(tmp_path / "instance"))
    app = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=empty_database_url))
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision=start)
        with db.engine.begin() as conn:
            for statement in SEED:
                conn.execute(text(statement))
        upgrade(directory=MIGRATIONS)
        newcomer = db.session.get(Newcomer, 1)
        assert newcomer.display_name == "أمينة حداد" and list(newcomer.languages) == ["ar"]
        assert newcomer.availability == Availability.from_bits(5)
        assert newcomer.user.email == "amina@example.org" and newcomer.topics == ["everyday"]
        assert db.session.get(Volunteer, 1).user.phone == "+4917012345678"
        match = db.session.get(Match, 1)
        assert match.status.value == "active" and match.ended_by_id is None
        assert db.session.get(Meeting, 1).newcomer_answered_at is None
        assert db.session.get(OutboxMail, 1).status.value == "sent"
        assert newcomer.stale_answered_at is None and newcomer.user.calendar_token is None
        db.session.remove()
        db.engine.dispose()
