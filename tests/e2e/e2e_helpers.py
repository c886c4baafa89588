"""Serving the app for browser tests."""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

from buddy.extensions import db
from buddy.services.city import load_city
from buddy.web import create_app

from helpers import test_config


@contextmanager
def serve(tmp: Path, setup=None, **config):
    """A real server in a thread, with CSRF on, on its own SQLite file."""
    os.environ.setdefault("BUDDY_INSTANCE", str(tmp / "instance"))
    app = create_app(test_config(
        tmp, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'live.db'}", WTF_CSRF_ENABLED=True,
        **config,
    ))
    with app.app_context():
        db.create_all()
        load_city(app.config["CITY"])
        if setup is not None:
            setup(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    try:
        yield app
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()
