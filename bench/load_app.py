"""WSGI entry for the load benchmark: `gunicorn bench.load_app:app` (see bench/load.py).

The database comes from DATABASE_URL and the instance folder from BUDDY_INSTANCE, as for the
real app; the SMTP port of the benchmark's mail server comes from BUDDY_LOAD_MAIL_PORT.
Rate limits are off (every client comes from 127.0.0.1) and mail is sent after each response.
"""

import os

from buddy.web import create_app

app = create_app({
    "RATELIMIT_ENABLED": False,
    "MAIL_SEND_AFTER_REQUEST": True,
    "MAIL_SERVER": "127.0.0.1",
    "MAIL_PORT": int(os.environ["BUDDY_LOAD_MAIL_PORT"]),
    "MAIL_TIMEOUT": 5,
})
