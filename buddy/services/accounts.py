"""Accounts: login identifiers, passwords, coordinators and password reset."""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from buddy import clock
from buddy.extensions import db
from buddy.links import public_url
from buddy.models import Role, User
from buddy.services import audit, mail


class AccountError(ValueError):
    """A request about an account that cannot be carried out; str() says why."""


@dataclass(frozen=True)
class LoginId:
    """A normalised login: exactly one of e-mail (lowercase) or phone (E.164)."""

    email: str | None = None
    phone: str | None = None


def normalise_email(value: str) -> str:
    """Return the e-mail address in canonical lowercase form or raise AccountError."""
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AccountError(str(error)) from None


def normalise_phone(value: str, region: str = "DE") -> str:
    """Return the phone number in E.164 form or raise AccountError."""
    try:
        number = phonenumbers.parse(value.strip(), region)
    except phonenumbers.NumberParseException as error:
        raise AccountError(str(error)) from None
    if not phonenumbers.is_valid_number(number):
        raise AccountError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_login(identifier: str) -> LoginId:
    """Read what a person typed to log in: an e-mail address or a phone number."""
    if "@" in identifier:
        return LoginId(email=normalise_email(identifier))
    return LoginId(phone=normalise_phone(identifier))


def find_user(identifier: str) -> User | None:
    """The user with this e-mail address or phone number, if any."""
    try:
        login = parse_login(identifier)
    except AccountError:
        return None
    if login.email:
        return db.session.scalar(select(User).where(User.email == login.email))
    return db.session.scalar(select(User).where(User.phone == login.phone))


def hash_password(password: str) -> str:
    """Hash a password with the configured scrypt parameters."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


_DUMMY_HASH: dict[str, str] = {}


def authenticate(identifier: str, password: str) -> User | None:
    """Return the enabled user whose login and password match, taking the same time otherwise."""
    user = find_user(identifier)
    if user is None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        dummy = _DUMMY_HASH.setdefault(method, hash_password("not a real password"))
        check_password_hash(dummy, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_enabled:
        return None
    return user


def record_login(user: User, password: str) -> None:
    """Note the login time and upgrade an outdated password hash."""
    user.last_login_at = clock.now()
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if not user.password_hash.startswith(method + "$"):
        user.password_hash = hash_password(password)
    db.session.commit()


def load_session_user(session_id: str) -> User | None:
    """Flask-Login loader: 'id:version'; a stale version means the session has ended."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def pending_second_factor(user_id, since, max_age: int = 300) -> User | None:
    """The user who gave the right password and still owes the code (for 5 minutes)."""
    if not isinstance(user_id, int) or not isinstance(since, int):
        return None
    if time.time() - since > max_age:
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.is_enabled and user.totp_secret else None


def end_sessions(user: User) -> None:
    """End every session of this user (logout everywhere); the caller commits."""
    user.session_version += 1


def create_coordinator(email: str, password: str) -> User:
    """Create a coordinator account, or raise AccountError naming the problem."""
    address = normalise_email(email)
    if len(password) < 8:
        raise AccountError("password: at least 8 characters")
    if db.session.scalar(select(User.id).where(User.email == address)):
        raise AccountError(f"email: {address} is already registered")
    user = User(email=address, password_hash=hash_password(password), role=Role.COORDINATOR)
    db.session.add(user)
    db.session.flush()
    audit.record("coordinator.created", user, actor=user)
    db.session.commit()
    return user


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def reset_token(user: User) -> str:
    """A signed token for one password reset; it stops working once the password changes."""
    return _serializer().dumps({"u": user.id, "h": user.password_hash[-16:]})


def user_for_reset_token(token: str) -> User | None:
    """The user a reset token belongs to, or None when it is forged, used or expired."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["RESET_TOKEN_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not hmac.compare_digest(user.password_hash[-16:], str(data.get("h"))):
        return None
    return user


def request_password_reset(identifier: str) -> None:
    """Queue a reset link to the account's e-mail address, if there is one; say nothing else."""
    user = find_user(identifier)
    if user is None or not user.email or not user.is_enabled:
        # the same work as for a real account, so the answer's timing tells nothing
        mail.render("reset_password", current_app.config["BABEL_DEFAULT_LOCALE"],
                    link=public_url("auth.reset_with_token", token=secrets.token_urlsafe(40)),
                    minutes=current_app.config["RESET_TOKEN_MAX_AGE"] // 60)
        hash_password(secrets.token_urlsafe(8))
        return
    hash_password(secrets.token_urlsafe(8))  # balances the branch above
    token = reset_token(user)
    mail.queue(
        key=f"reset:{user.id}:{token[-24:]}",
        to_addr=user.email,
        locale=user.locale or current_app.config["BABEL_DEFAULT_LOCALE"],
        template="reset_password",
        link=public_url("auth.reset_with_token", token=token),
        minutes=current_app.config["RESET_TOKEN_MAX_AGE"] // 60,
    )
    audit.record("password.reset_requested", user, actor=user)
    db.session.commit()


def reset_password(user: User, new_password: str) -> None:
    """Set a new password and end every session of this user."""
    user.password_hash = hash_password(new_password)
    end_sessions(user)
    audit.record("password.reset", user, actor=user)
    db.session.commit()
