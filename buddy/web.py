"""The application factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, render_template, request
from flask_babel import format_decimal, get_locale
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import SecurityError

from buddy import config, security
from buddy.extensions import babel, csrf, db, limiter, login_manager, migrate
from buddy.i18n import (
    day_names,
    language_choices,
    language_label,
    month_label,
    select_locale,
    text_direction,
)

MIGRATIONS = str(config.REPO_ROOT / "migrations")


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the Buddy application."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("BUDDY_INSTANCE", str(config.REPO_ROOT / "instance")),
        template_folder=str(config.REPO_ROOT / "templates"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config.from_environment(Path(app.instance_path)))
    if test_config:
        app.config.update(test_config)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
        options.setdefault("connect_args", {}).setdefault("timeout", 30)
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    from buddy import models  # noqa: F401  (register the tables)
    from buddy.cli import buddy_cli
    from buddy.views import (
        auth,
        coord,
        dashboard,
        followup,
        join,
        me,
        privacy,
        public,
        review,
        rounds,
        sessions,
        spreadsheets,
    )

    app.register_blueprint(public.bp)
    app.register_blueprint(join.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(me.bp)
    app.register_blueprint(coord.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(rounds.bp)
    app.register_blueprint(sessions.bp)
    app.register_blueprint(followup.bp)
    app.register_blueprint(spreadsheets.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(privacy.bp)
    app.cli.add_command(buddy_cli)
    _register_template_helpers(app)
    _register_error_pages(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: write-ahead log, so readers never block the one writer."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@login_manager.user_loader
def _load_user(user_id: str):
    from buddy.services.accounts import load_session_user

    return load_session_user(user_id)


def _register_template_helpers(app: Flask) -> None:
    from buddy import charts, labels, reasons
    from buddy.services import stats

    app.jinja_env.globals["labels"] = labels
    app.jinja_env.globals["reasons"] = reasons
    app.jinja_env.globals["charts"] = charts
    app.jinja_env.filters["month_label"] = month_label
    app.jinja_env.filters["end_reason"] = lambda code: labels.END_REASON.get(code, code)
    app.jinja_env.filters["rate_row"] = lambda values: stats.Row("", (values[2],))
    app.jinja_env.globals["zip_rows"] = lambda names, rows: [
        [name, *(format_decimal(v) for v in row.values)] for name, row in zip(names, rows,
                                                                             strict=True)]
    app.jinja_env.globals["day_names"] = day_names
    app.jinja_env.filters["number"] = format_decimal
    app.jinja_env.filters["language_label"] = language_label
    app.jinja_env.filters["session_topic"] = lambda code: labels.SESSION_TOPICS.get(code, code)
    @app.context_processor
    def inject_locale():
        locale = str(get_locale())
        return {
            "current_locale": locale,
            "text_dir": text_direction(locale),
            "language_choices": language_choices(),
        }


def _register_error_pages(app: Flask) -> None:
    def render_error(error):
        if isinstance(error, SecurityError):  # a forged Host: no page can be built for it
            return "Bad Request", 400
        code = getattr(error, "code", 500) or 500
        number = None
        if code == 500:
            number = security.error_id()
            app.logger.exception("unhandled error %s on %s", number, request.path)
        elif code == 403:
            security.security_event("access_refused", path=request.path)
        return render_template("errors/error.html", code=code, error_id=number), code

    @app.errorhandler(CSRFError)
    def csrf_refused(error):
        view = app.view_functions.get(request.endpoint)
        if request.method == "POST" and getattr(view, "keeps_form", False) and \
                "expired" in str(error.description):
            # The form validates the token itself, fails, and comes back with the data typed.
            return view(**(request.view_args or {}))
        security.security_event("csrf_refused", path=request.path)
        return render_error(error)

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, render_error)
    app.register_error_handler(Exception, _unexpected(render_error))


def _unexpected(render_error):
    """Any exception a view did not handle becomes the friendly 500 page (with an id)."""
    from werkzeug.exceptions import HTTPException, InternalServerError

    def handle(error):
        if isinstance(error, HTTPException):
            return error
        return render_error(InternalServerError())

    return handle
