"""Logging in with e-mail or phone, logging out by POST, resetting a forgotten password."""

import re

import pytest

from buddy.extensions import db
from buddy.models import OutboxMail, Role
from buddy.services import accounts

from helpers import PASSWORD, login


@pytest.mark.parametrize("typed", ["+49 151 23456789", "0151 23456789", "015123456789"])
def test_phone_login_in_any_usual_format(client, make_user, typed):
    make_user(Role.NEWCOMER, phone="+4915123456789")
    response = client.post("/login", data={"identifier": typed, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/me/")


def test_email_login_ignores_case_and_spaces(client, make_user):
    make_user(Role.VOLUNTEER, email="julia@example.org")
    response = client.post(
        "/login", data={"identifier": "  Julia@Example.ORG ", "password": PASSWORD}
    )
    assert response.status_code == 302


def test_coordinator_lands_on_coordination(client, make_coordinator):
    coordinator = make_coordinator()
    response = login(client, coordinator)
    assert response.headers["Location"].endswith("/coord/")
    assert "Koordination" in client.get("/coord/").get_data(as_text=True)


def test_wrong_password_and_unknown_login_get_the_same_message(client, make_user):
    make_user(email="sam@example.org")
    wrong = client.post("/login", data={"identifier": "sam@example.org", "password": "nope nope"})
    unknown = client.post(
        "/login", data={"identifier": "nobody@example.org", "password": "nope nope"}
    )
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "Die Anmeldung oder das Passwort ist nicht richtig." in response.get_data(
            as_text=True
        )
    # the form keeps what was typed, but never the password
    assert 'value="sam@example.org"' in wrong.get_data(as_text=True)
    assert "nope nope" not in wrong.get_data(as_text=True)


def test_empty_login_form_says_what_is_missing_next_to_the_field(client):
    html = client.post("/login", data={}).get_data(as_text=True)
    assert 'id="identifier-error"' in html
    assert "Bitte gib deine E-Mail-Adresse oder Telefonnummer ein." in html


def test_disabled_account_cannot_log_in(client, make_user):
    user = make_user(email="gone@example.org")
    user.is_enabled = False
    db.session.commit()
    assert login(client, user).status_code == 200


def test_logout_is_post_only_and_ends_old_sessions(client, make_user):
    user = make_user(email="sam@example.org")
    login(client, user)
    assert client.get("/me/").status_code == 200
    stolen_cookie = client.get_cookie("session").value
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/me/").status_code == 302
    client.set_cookie("session", stolen_cookie)
    assert client.get("/me/").status_code == 302, "a replayed cookie must not log back in"


def test_password_is_upgraded_to_the_configured_hash_at_login(app, client, make_user):
    user = make_user(email="old@example.org")
    user.password_hash = accounts.generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    db.session.commit()
    login(client, user)
    db.session.refresh(user)
    assert user.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"] + "$")


def _reset_link(mail: OutboxMail) -> str:
    return re.search(r"http://buddy\.test(/reset/\S+)", mail.body).group(1)


def test_password_reset_by_link_in_the_users_language(client, make_user):
    user = make_user(email="amina@example.org", locale="ar")
    response = client.post("/reset", data={"identifier": "amina@example.org"})
    assert response.status_code == 302
    mail = db.session.scalar(db.select(OutboxMail))
    assert mail.to_addr == "amina@example.org" and mail.locale == "ar"
    assert mail.subject == "كلمة مرورك الجديدة في Buddy"
    link = _reset_link(mail)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "a new long password",
                                       "confirm": "a new long password"})
    assert response.status_code == 302
    assert client.get(link).status_code == 404, "a used link must not work again"
    assert login(client, user, "a new long password").status_code == 302


def test_reset_for_unknown_login_says_the_same_and_sends_nothing(client, make_user):
    make_user(email="known@example.org")
    known = client.post("/reset", data={"identifier": "known@example.org"}, follow_redirects=True)
    unknown = client.post("/reset", data={"identifier": "who@example.org"}, follow_redirects=True)
    assert known.get_data(as_text=True).count("Link") == unknown.get_data(as_text=True).count(
        "Link"
    )
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMail)) == 1


def test_expired_or_forged_reset_link_is_refused(app, client, make_user):
    user = make_user(email="sam@example.org")
    token = accounts.reset_token(user)
    app.config["RESET_TOKEN_MAX_AGE"] = -1
    assert client.get(f"/reset/{token}").status_code == 404
    app.config["RESET_TOKEN_MAX_AGE"] = 3600
    assert client.get(f"/reset/{token}x").status_code == 404


def test_reset_form_refuses_short_and_mismatched_passwords(client, make_user):
    user = make_user(email="sam@example.org")
    link = f"/reset/{accounts.reset_token(user)}"
    html = client.post(link, data={"password": "short", "confirm": "short"}).get_data(as_text=True)
    assert "Verwende zwischen 8 und 64 Zeichen." in html
    html = client.post(link, data={"password": "long enough 1", "confirm": "long enough 2"}
                       ).get_data(as_text=True)
    assert "Die beiden Passwörter sind nicht gleich." in html


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}], indirect=True)
def test_login_is_rate_limited(client, make_user):
    from buddy.extensions import limiter

    try:
        codes = [client.post("/login", data={"identifier": "x@example.org",
                                             "password": "wrong pass"}).status_code
                 for _ in range(12)]
    finally:
        limiter.reset()
    assert codes[:10] == [200] * 10 and codes[-1] == 429


def test_private_pages_need_the_right_role(client, make_user, make_coordinator):
    assert client.get("/me/").status_code == 302
    assert client.get("/coord/").status_code == 302
    login(client, make_user(Role.NEWCOMER))
    assert client.get("/coord/").status_code == 403
    assert client.get("/coord/outbox").status_code == 403
