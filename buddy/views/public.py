"""Public pages: welcome and language choice, the language switcher, health check."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
)
from flask_babel import force_locale
from flask_login import current_user
from sqlalchemy import text

from buddy.extensions import db
from buddy.forms import LanguageForm
from buddy.forms.fields import options
from buddy.i18n import LOCALE_COOKIE, language_choices
from buddy.services import stale
from buddy.services.people import set_locale
from buddy.views.access import public, safe_next

bp = Blueprint("public", __name__)


@bp.get("/")
@public
def index():
    """Welcome page with the language choice and the ways to join."""
    return render_template("public/index.html")


@bp.get("/privacy")
@public
def privacy():
    """The privacy notice, built from the actual settings."""
    return render_template("public/privacy.html")


@bp.route("/still-interested/<token>", methods=["GET", "POST"])
@public
def still_interested(token: str):
    """A newcomer answers 'yes, I still want a buddy' with the link from the e-mail."""
    newcomer = stale.newcomer_for_token(token) or abort(404)
    done = request.method == "POST"
    if done:
        stale.confirm(newcomer)
    with force_locale(newcomer.user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        return render_template("public/still_interested.html", done=done)


@bp.post("/lang")
@public
def set_language():
    """Switch the interface language: a cookie, and the saved choice when logged in."""
    form = LanguageForm()
    form.lang.choices = options(language_choices())
    if not form.validate_on_submit():
        return redirect(safe_next(form.next.data))
    if current_user.is_authenticated:
        set_locale(current_user, form.lang.data)
    response = make_response(redirect(safe_next(form.next.data)))
    response.set_cookie(
        LOCALE_COOKIE,
        form.lang.data,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
    )
    return response


@bp.get("/healthz")
@public
def healthz():
    """Liveness and database check for load balancers."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
