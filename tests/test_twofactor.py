"""Coordinators can use a second factor (TOTP); COORDINATOR_2FA=required makes it a must."""

import re

import pyotp
import pytest

from buddy.extensions import db
from buddy.models import AuditEvent

from helpers import PASSWORD, error_of

EN = {"Accept-Language": "en"}


def log_in(client, user):
    return client.post("/login", data={"identifier": user.login, "password": PASSWORD})


def turn_on(client, user) -> str:
    page = client.get("/me/2fa", headers=EN).get_data(as_text=True)
    secret = re.search(r"<code>([A-Z2-7]{16,})</code>", page).group(1)
    response = client.post("/me/2fa", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    return secret


def test_turning_it_on_needs_a_right_code(client, make_coordinator):
    user = make_coordinator(locale="en")
    log_in(client, user)
    page = client.get("/me/2fa").get_data(as_text=True)
    assert "otpauth://totp/" in page
    html = client.post("/me/2fa", data={"code": "000000"}, headers=EN).get_data(as_text=True)
    assert error_of(html, "code") == "This code is not right. Please try the newest one."
    db.session.refresh(user)
    assert user.totp_secret is None
    secret = turn_on(client, user)
    db.session.refresh(user)
    assert user.totp_secret == secret
    assert db.session.scalar(db.select(AuditEvent.action).where(
        AuditEvent.action == "twofactor.enabled"))


def test_login_asks_for_the_code(client, app, make_coordinator):
    user = make_coordinator(locale="en")
    log_in(client, user)
    secret = turn_on(client, user)
    client.post("/logout")
    response = log_in(client, user)
    assert response.headers["Location"].startswith("/login/code")
    assert client.get("/coord/").status_code == 302, "not logged in before the code"
    html = client.post("/login/code", data={"code": "123456"}, headers=EN).get_data(
        as_text=True)
    assert "This code is not right." in html
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.headers["Location"] == "/coord/"
    assert client.get("/coord/").status_code == 200


def test_the_code_step_without_a_password_goes_back_to_login(client):
    assert client.get("/login/code").headers["Location"] == "/login"


@pytest.mark.parametrize("app_config", [{"COORDINATOR_2FA": "required"}], indirect=True)
def test_required_for_coordinators(client, make_coordinator, make_user):
    user = make_coordinator(locale="en")
    log_in(client, user)
    assert client.get("/coord/").headers["Location"] == "/me/2fa"
    assert "must use a second factor" in client.get("/me/2fa", headers=EN).get_data(
        as_text=True)
    secret = turn_on(client, user)
    assert client.get("/coord/").status_code == 200
    html = client.post("/me/2fa", data={"code": pyotp.TOTP(secret).now()}).status_code
    db.session.refresh(user)
    assert html in (200, 302) and user.totp_secret == secret, "cannot be turned off"
    client.post("/logout")
    from buddy.models import Role

    volunteer = make_user(Role.VOLUNTEER)
    log_in(client, volunteer)
    assert client.get("/me/").status_code == 200, "only coordinators must"
