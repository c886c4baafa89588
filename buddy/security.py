"""Security controls: response headers, session lifetimes, the security log, error ids."""

from __future__ import annotations

import logging
import time
import uuid

from flask import Flask, g, request, session
from flask_login import current_user, login_user, logout_user

from buddy import clock

log = logging.getLogger("buddy.security")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


SECOND_FACTOR_FREE = {"me.twofactor_setup", "auth.logout", "static", "public.set_language",
                      "public.healthz"}


def security_event(event: str, **details) -> None:
    """One line in the security log: UTC time, event, user, address — never personal data.

    Values are made single-line, so input with CR/LF cannot forge extra log lines.
    """
    user = getattr(current_user, "id", None) if current_user else None
    fields = {"user": user, "ip": request.remote_addr if request else None, **details}
    text = " ".join(f"{k}={_one_line(v)}" for k, v in fields.items())
    log.info("%s %s %s", clock.now().isoformat(timespec="seconds") + "Z", event, text)


def _one_line(value) -> str:
    return str(value).replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")


def log_in(user) -> None:
    """Log in on a fresh session (no fixation), remembering when it started."""
    session.clear()
    session["login_at"] = session["seen_at"] = int(time.time())
    login_user(user)


def error_id() -> str:
    """A short id to quote to the coordinator, also written to the log."""
    g.error_id = uuid.uuid4().hex[:8]
    return g.error_id


def init_app(app: Flask) -> None:
    """Headers on every response; idle and absolute session timeouts on every request."""
    if app.config["SESSION_COOKIE_SECURE"]:
        app.config.setdefault("SESSION_COOKIE_NAME", "__Host-session")
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
        app.config["SESSION_COOKIE_PATH"] = "/"
        app.config["SESSION_COOKIE_DOMAIN"] = None

    @app.before_request
    def check_host():
        if app.config.get("TRUSTED_HOSTS"):
            request.host  # noqa: B018 (reading it validates it; a forged Host gives 400)

    @app.before_request
    def expire_sessions():
        if not current_user.is_authenticated:
            return
        now = int(time.time())
        login_at, seen_at = session.get("login_at", 0), session.get("seen_at", 0)
        if (now - seen_at > app.config["SESSION_IDLE_SECONDS"]
                or now - login_at > app.config["SESSION_MAX_SECONDS"]):
            security_event("session_expired")
            logout_user()
            session.clear()
            return
        session["seen_at"] = now

    @app.before_request
    def require_second_factor():
        from flask import redirect, url_for

        from buddy.services.twofactor import required_for

        if (current_user.is_authenticated and not current_user.totp_secret
                and required_for(current_user)
                and request.endpoint not in SECOND_FACTOR_FREE):
            return redirect(url_for("me.twofactor_setup"))
        return None

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security",
                                        "max-age=31536000; includeSubDomains")
        return response
