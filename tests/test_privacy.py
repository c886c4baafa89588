"""Privacy: download one's data, delete one's account, retention, backups that restore."""

import json
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from buddy.extensions import db
from buddy.models import (
    AuditEvent,
    Match,
    MatchStatus,
    Meeting,
    Newcomer,
    NewcomerStatus,
    OutboxMail,
    User,
)
from buddy.services import privacy

from helpers import PASSWORD, PG_URL, login

NOW = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def pair(make_newcomer, make_volunteer, frozen_clock):
    frozen_clock(NOW)
    newcomer = make_newcomer("Amina Haddad", email="amina@example.org", locale="ar",
                             phone="+4915123456789")
    volunteer = make_volunteer("Julia Weber", email="julia@example.org", locale="de")
    match = Match(newcomer=newcomer, volunteer=volunteer, status=MatchStatus.ACTIVE,
                  decided_at=NOW - timedelta(days=10))
    newcomer.status, volunteer.active_matches = NewcomerStatus.MATCHED, 1
    db.session.add_all([match, Meeting(match=match, starts_at=NOW - timedelta(days=3),
                                       place="Café Bilk", note="She is shy.")])
    db.session.commit()
    return match


def test_a_person_downloads_everything_stored_about_them(client, pair):
    login(client, pair.newcomer.user)
    data = json.loads(client.get("/me/data.json").data)
    assert data["account"]["email"] == "amina@example.org"
    assert data["account"]["phone"] == "+4915123456789"
    assert data["profile"]["name"] == "Amina Haddad" and data["profile"]["languages"] == ["ar"]
    [match] = data["matches"]
    assert match["buddy_first_name"] == "Julia" and "Weber" not in json.dumps(data)
    assert match["sessions"][0]["place"] == "Café Bilk"
    page = client.get("/me/data", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Amina Haddad" in page and "amina@example.org" in page


def test_deleting_my_account_erases_me_ends_the_match_and_tells_my_buddy(client, pair):
    newcomer_id, user_id = pair.newcomer.id, pair.newcomer.user_id
    login(client, pair.newcomer.user)
    assert client.get("/me/delete").status_code == 200
    client.post("/me/delete", data={"confirm": "yes"})
    db.session.expire_all()
    user = db.session.get(User, user_id)
    newcomer = db.session.get(Newcomer, newcomer_id)
    assert user.email == f"erased-{user_id}@invalid" and user.phone is None
    assert not user.is_enabled and newcomer.display_name == privacy.ERASED_NAME
    assert newcomer.status == NewcomerStatus.WITHDRAWN
    assert list(newcomer.languages) == ["ar"] and newcomer.district.slug == "bilk", \
        "anonymous rows stay for the reports"
    assert pair.status == MatchStatus.ENDED and pair.volunteer.active_matches == 0
    assert db.session.scalar(select(Meeting.note)) == "" and \
        db.session.scalar(select(Meeting.place)) == ""
    [mail] = db.session.scalars(select(OutboxMail)).all()
    assert mail.to_addr == "julia@example.org" and "Amina" in mail.body
    assert login(client, user, PASSWORD).status_code == 200, "cannot log in any more"
    assert client.get("/me/").status_code == 302


def test_coordinator_erases_on_request_with_a_reason(client, pair, make_coordinator):
    coordinator = make_coordinator()
    login(client, coordinator)
    html = client.post(f"/coord/volunteer/{pair.volunteer.id}/erase",
                       data={"reason": ""}).get_data(as_text=True)
    assert "error" in html
    client.post(f"/coord/volunteer/{pair.volunteer.id}/erase",
                data={"reason": "Asked by phone on 2 March."})
    db.session.expire_all()
    assert pair.volunteer.user.email.startswith("erased-")
    assert pair.newcomer.status == NewcomerStatus.WAITING, "the newcomer waits again"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "person.erased"))
    assert event.actor_id == coordinator.id and event.reason == "Asked by phone on 2 March."


def test_retention_dry_run_then_apply_and_idempotent(pair, make_newcomer, frozen_clock,
                                                     runner):
    frozen_clock(NOW - timedelta(days=800))
    old = make_newcomer("Old Person", email="old@example.org")
    frozen_clock(NOW)
    pair.status, pair.ended_at = MatchStatus.ENDED, NOW - timedelta(days=800)
    pair.end_note = "They moved."
    db.session.commit()
    dry = runner.invoke(args=["buddy", "retention"])
    assert "would be anonymised" in dry.output and f"person {old.user_id}" in dry.output
    db.session.expire_all()
    assert old.user.email == "old@example.org", "a dry run changes nothing"
    applied = runner.invoke(args=["buddy", "retention", "--apply"])
    assert "anonymised." in applied.output
    db.session.expire_all()
    assert old.user.email.startswith("erased-") and pair.end_note is None
    again = runner.invoke(args=["buddy", "retention", "--apply"])
    assert again.output.startswith("0 people and 0 ended matches")


def test_other_people_cannot_read_my_data(client, pair, make_user):
    from buddy.models import Role

    login(client, make_user(Role.COORDINATOR))
    assert client.get("/me/data").status_code == 403


@pytest.mark.skipif(bool(PG_URL), reason="the SQLite backup is tested on SQLite")
def test_sqlite_backup_restores(app, runner, pair, tmp_path):
    target = tmp_path / "copy.db"
    result = runner.invoke(args=["buddy", "backup", "--to", str(target)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT count(*) FROM match").fetchone()[0] == 1
        assert copy.execute("SELECT display_name FROM newcomer").fetchone()[0] == "Amina Haddad"
    # restore: the copy replaces the database file and the app reads it
    db.session.execute(db.delete(Meeting))
    db.session.commit()
    db.engine.dispose()
    live = db.engine.url.database
    for suffix in ("-wal", "-shm"):
        if os.path.exists(live + suffix):
            os.remove(live + suffix)
    shutil.copy(target, live)
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 1


@pytest.mark.skipif(not PG_URL or not shutil.which("pg_restore"), reason="needs PostgreSQL")
def test_postgresql_backup_with_pg_dump(runner, pair, tmp_path):
    target = tmp_path / "buddy.dump"
    result = runner.invoke(args=["buddy", "backup", "--to", str(target)])
    assert result.exit_code == 0, result.output
    listing = subprocess.run(["pg_restore", "--list", str(target)], capture_output=True,
                             text=True, check=True).stdout
    assert "TABLE DATA public match" in listing
