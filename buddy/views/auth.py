"""Log in and out, and reset a forgotten password."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    abort,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from buddy.extensions import db, limiter
from buddy.forms import CodeForm, LoginForm, ResetPasswordForm, ResetRequestForm
from buddy.security import log_in, security_event
from buddy.services import accounts, mail, twofactor
from buddy.views.access import home_for, keeps_form, public, safe_next

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@keeps_form
@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Log in with e-mail or phone number and password."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.identifier.data, form.password.data)
        if user is None:
            security_event("login_failed")
            form.password.errors.append(_("The login or the password is not right."))
        elif user.totp_secret:
            accounts.record_login(user, form.password.data)
            session.clear()
            session["pending_2fa"], session["pending_at"] = user.id, int(time.time())
            return redirect(url_for("auth.login_code", next=request.args.get("next")))
        else:
            accounts.record_login(user, form.password.data)
            log_in(user)
            next_page = request.args.get("next")
            return redirect(safe_next(next_page) if next_page else home_for(user))
    return render_template("auth/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
@keeps_form
@public
@limiter.limit(_login_limit, methods=["POST"])
def login_code():
    """The second step for people with a second factor: the code from their app."""
    user = accounts.pending_second_factor(session.get("pending_2fa"), session.get("pending_at"))
    if user is None:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if twofactor.code_is_right(user.totp_secret, form.code.data):
            log_in(user)
            next_page = request.args.get("next")
            return redirect(safe_next(next_page) if next_page else home_for(user))
        security_event("login_failed", step="code")
        form.code.errors.append(_("This code is not right. Please try the newest one."))
    return render_template("auth/code.html", form=form)


@bp.post("/logout")
@public
@login_required
def logout():
    """Log out on this device and end every other session too."""
    accounts.end_sessions(current_user)
    db.session.commit()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("public.index"))


@bp.route("/reset", methods=["GET", "POST"])
@keeps_form
@public
@limiter.limit(_login_limit, methods=["POST"])
def reset_request():
    """Ask for a password reset link by e-mail."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        after_this_request(mail.send_soon)
        accounts.request_password_reset(form.identifier.data)
        flash(_("If an account with an e-mail address exists, we have sent a link to it. "
                "If you signed up with a phone number only, please call your coordinator."),
              "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@keeps_form
@public
def reset_with_token(token: str):
    """Choose a new password with a link from the e-mail."""
    user = accounts.user_for_reset_token(token)
    if user is None:
        abort(404)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        accounts.reset_password(user, form.password.data)
        flash(_("Your new password is saved. Please log in."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)
