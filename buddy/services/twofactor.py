"""A second factor (TOTP) for coordinators, who see everyone's personal data."""

from __future__ import annotations

import pyotp
from flask import current_app

from buddy.extensions import db
from buddy.models import Role, User
from buddy.services import audit

ISSUER = "Buddy"


def new_secret() -> str:
    """A fresh random TOTP secret (base32)."""
    return pyotp.random_base32()


def setup_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads (also shown as text)."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.login, issuer_name=ISSUER)


def code_is_right(secret: str | None, code: str) -> bool:
    """Whether the 6-digit code fits the secret now (one step of clock drift allowed)."""
    code = "".join(ch for ch in (code or "") if not ch.isspace())
    if not secret or len(code) != 6 or not code.isdigit():
        return False
    return pyotp.TOTP(secret).verify(code, valid_window=1)


def enable(user: User, secret: str, code: str) -> bool:
    """Turn the second factor on once the person proves their app shows the right code."""
    if not code_is_right(secret, code):
        return False
    user.totp_secret = secret
    audit.record("twofactor.enabled", user, actor=user)
    db.session.commit()
    return True


def disable(user: User, code: str) -> bool:
    """Turn it off with a current code (not allowed while the setting requires it)."""
    if required_for(user) or not code_is_right(user.totp_secret, code):
        return False
    user.totp_secret = None
    audit.record("twofactor.disabled", user, actor=user)
    db.session.commit()
    return True


def required_for(user: User) -> bool:
    """Whether COORDINATOR_2FA=required applies to this person."""
    return (current_app.config["COORDINATOR_2FA"] == "required"
            and user.role == Role.COORDINATOR)
