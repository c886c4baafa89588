"""Security controls: headers, cookies, session lifetimes, authorization of every route,
GET without side effects, mass assignment, CSRF, friendly errors, the security log."""

import logging
import re

import pytest
from sqlalchemy import func, select

from buddy import security
from buddy.extensions import db
from buddy.models import Match, MatchStatus, Meeting, NewcomerStatus, Role, User, Volunteer

from helpers import PASSWORD, login, test_config


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers, "only behind HTTPS"


def test_production_cookies_are_host_prefixed_secure_httponly_lax(tmp_path, monkeypatch):
    from buddy.web import create_app

    monkeypatch.setenv("BUDDY_INSTANCE", str(tmp_path / "instance"))
    app = create_app(test_config(tmp_path, SESSION_COOKIE_SECURE=True))
    with app.app_context():
        db.create_all()
    client = app.test_client()
    response = client.post("/lang", data={"lang": "ar"}, base_url="https://localhost")
    response = client.get("/login", base_url="https://localhost")
    assert "Strict-Transport-Security" in response.headers
    with app.test_request_context():
        assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
        assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] \
            == "Lax"
    with app.app_context():
        db.engine.dispose()


def test_login_starts_a_fresh_session(client, make_user):
    user = make_user(email="sam@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, user)
    with client.session_transaction() as session:
        assert "planted" not in session


@pytest.mark.parametrize(("idle", "total", "logged_in"), [
    (29 * 60, 60 * 60, True), (31 * 60, 60 * 60, False), (10 * 60, 13 * 3600, False)])
def test_idle_and_absolute_timeouts(client, make_user, monkeypatch, idle, total, logged_in):
    user = make_user(email="sam@example.org")
    login(client, user)
    with client.session_transaction() as session:
        now = session["login_at"]
        session["login_at"] = now - total
        session["seen_at"] = now - idle
    assert (client.get("/me/").status_code == 200) is logged_in


def test_mass_assignment_changes_nothing(client):
    from helpers import newcomer_form

    client.post("/join/newcomer", data=newcomer_form(role="coordinator", status="matched",
                                                     user_id="1", id="99"))
    user = db.session.scalar(select(User))
    assert user.role == Role.NEWCOMER and user.newcomer.status == NewcomerStatus.WAITING
    client.post("/me/profile", data=newcomer_form(role="coordinator", status="matched"))
    db.session.expire_all()
    assert user.role == Role.NEWCOMER and user.newcomer.status == NewcomerStatus.WAITING


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_csrf_missing_and_foreign_tokens_are_refused(app, client, make_user):
    user = make_user(email="sam@example.org")
    assert client.post("/login", data={"identifier": user.login,
                                       "password": PASSWORD}).status_code == 400
    other = app.test_client()
    page = other.get("/login").get_data(as_text=True)
    foreign = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.get("/login")
    assert client.post("/login", data={"identifier": user.login, "password": PASSWORD,
                                       "csrf_token": foreign}).status_code == 400
    assert client.post("/logout").status_code == 400


def test_unexpected_errors_get_a_friendly_page_with_an_id(app, client, caplog):
    def boom():
        raise RuntimeError("secret internal detail")

    app.add_url_rule("/boom", "boom", boom)
    with caplog.at_level(logging.ERROR):
        response = client.get("/boom", headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internal detail" not in html and "Traceback" not in html
    number = re.search(r"give this number: ([0-9a-f]{8})", html).group(1)
    assert number in caplog.text


def test_security_log_is_one_line_per_event_without_personal_data(client, make_user, caplog):
    make_user(email="sam@example.org")
    with caplog.at_level(logging.INFO, logger="buddy.security"):
        client.post("/login", data={"identifier": "sam@example.org",
                                    "password": "wrong\r\nFAKE login_ok user=1"})
    lines = [r.getMessage() for r in caplog.records if r.name == "buddy.security"]
    assert len(lines) == 1 and " login_failed " in lines[0]
    assert "sam@example.org" not in lines[0] and "wrong" not in lines[0]
    with client.application.test_request_context():
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="buddy.security"):
            security.security_event("test", note="a\r\nfake_event user=7")
    [line] = [r.getMessage() for r in caplog.records]
    assert "\n" not in line and "\r" not in line and "\\r\\n" in line


# --- every route: declared rule, right roles, other people's objects ------------------------

@pytest.fixture
def world(make_newcomer, make_volunteer, make_coordinator):
    """Two volunteers with a match each, their newcomers, a session, a coordinator."""
    from datetime import datetime

    people = {}
    for key, vname, nname in (("mine", "Julia Weber", "Amina Haddad"),
                              ("other", "Lukas Koch", "Zahra Karimi")):
        volunteer = make_volunteer(vname, email=f"{key}-v@example.org")
        newcomer = make_newcomer(nname, email=f"{key}-n@example.org")
        match = Match(newcomer=newcomer, volunteer=volunteer, status=MatchStatus.ACTIVE,
                      decided_at=datetime(2026, 1, 1))
        volunteer.active_matches, newcomer.status = 1, NewcomerStatus.MATCHED
        meeting = Meeting(match=match, starts_at=datetime(2030, 1, 1, 17, 0))
        db.session.add_all([match, meeting])
        db.session.commit()
        people[key] = {"volunteer": volunteer, "newcomer": newcomer, "match": match,
                       "meeting": meeting}
    people["coordinator"] = make_coordinator()
    return people


def _url_args(rule, world) -> dict:
    mine = world["mine"]
    values = {"match_id": mine["match"].id, "meeting_id": mine["meeting"].id,
              "person_id": mine["newcomer"].id, "kind": "newcomer", "round_id": 1,
              "item_id": 1, "token": "x", "filename": "style.css", "what": "newcomers",
              "import_id": "x"}
    return {arg: values.get(arg, 1) for arg in rule.arguments}


def routes(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def test_every_route_declares_who_may_use_it(app):
    undeclared = [r.rule for r in routes(app)
                  if not getattr(app.view_functions[r.endpoint], "access", None)]
    assert undeclared == []


ROLE_OF = {"newcomer": Role.NEWCOMER, "volunteer": Role.VOLUNTEER,
           "coordinator": Role.COORDINATOR}


def _login_as(client, world, who):
    user = {"newcomer": world["mine"]["newcomer"].user,
            "volunteer": world["mine"]["volunteer"].user,
            "other volunteer": world["other"]["volunteer"].user,
            "coordinator": world["coordinator"]}.get(who)
    if user is not None:
        assert login(client, user).status_code == 302


@pytest.mark.parametrize("who", ["anonymous", "newcomer", "volunteer", "other volunteer",
                                 "coordinator"])
def test_every_get_route_answers_only_whom_it_should(app, client, world, who):
    _login_as(client, world, who)
    role = "volunteer" if who == "other volunteer" else who
    problems = []
    for rule in routes(app):
        if "GET" not in rule.methods:
            continue
        access = app.view_functions[rule.endpoint].access
        url = app.url_map.bind("localhost").build(rule.endpoint, _url_args(rule, world))
        status = client.get(url, buffered=True).status_code
        if "public" in access:
            continue
        if who == "anonymous":
            ok = status == 302
        elif role not in access:
            ok = status in (403, 302) if role == "coordinator" else status == 403
        elif who == "other volunteer" and ("match_id" in rule.arguments
                                           or "meeting_id" in rule.arguments):
            ok = status == 404  # another person's match or session must not be found
        else:
            ok = status in (200, 302, 404)
        if not ok:
            problems.append((url, status))
    assert problems == []


def _row_counts() -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t))
            for t in db.metadata.sorted_tables}


@pytest.mark.parametrize("who", ["anonymous", "newcomer", "volunteer", "coordinator"])
def test_get_never_changes_state(app, client, world, who):
    _login_as(client, world, who)
    before = _row_counts()
    users_before = db.session.execute(select(User.id, User.locale, User.session_version,
                                             User.calendar_token)).all()
    for rule in routes(app):
        if "GET" in rule.methods and rule.endpoint not in ("auth.login",):
            client.get(app.url_map.bind("localhost").build(rule.endpoint,
                                                           _url_args(rule, world)),
                       buffered=True)
    db.session.expire_all()
    assert _row_counts() == before
    assert db.session.execute(select(User.id, User.locale, User.session_version,
                                     User.calendar_token)).all() == users_before
    assert db.session.scalar(select(Volunteer.active_matches).where(
        Volunteer.id == world["mine"]["volunteer"].id)) == 1


@pytest.mark.parametrize("app_config", [{"TRUSTED_HOSTS": ["buddy.example"]}], indirect=True)
def test_forged_host_headers_are_refused(client):
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "buddy.example"}).status_code == 200


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True, "WTF_CSRF_TIME_LIMIT": 1}],
                         indirect=True)
def test_an_expired_token_brings_the_form_back_with_its_data(client):
    import time

    from helpers import newcomer_form

    page = client.get("/join/newcomer", headers={"Accept-Language": "en"}).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    time.sleep(2.1)
    data = {**newcomer_form(display_name="Amina Haddad"), "csrf_token": token}
    response = client.post("/join/newcomer", data=data, headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The form was open for too long. Please check it and send it again." in html
    assert 'value="Amina Haddad"' in html
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    fresh = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/join/newcomer", data={**data, "csrf_token": fresh})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
