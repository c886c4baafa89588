"""Small helpers shared by the tests."""

from __future__ import annotations

import os
import re
from html import unescape

from buddy.extensions import db
from buddy.models import District, User

PASSWORD = "correct horse battery"
PG_URL = os.environ.get("TEST_DATABASE_URL")


def district(slug: str = "bilk") -> District:
    """A district of the test city by slug."""
    return db.session.scalar(db.select(District).where(District.slug == slug))


def login(client, user: User, password: str = PASSWORD):
    """Log a user in through the real form and return the response."""
    return client.post("/login", data={"identifier": user.login, "password": password})


def csrf_token(html: str) -> str:
    """The CSRF token of the first form in a page."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


def test_config(tmp_path, **extra) -> dict:
    """The configuration every test app starts from."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": PG_URL or f"sqlite:///{tmp_path / 'test.db'}",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        "MAIL_SERVER": "",
        "MAIL_SEND_AFTER_REQUEST": False,
        "STATS_CACHE_SECONDS": 0,
        "PUBLIC_URL": "http://buddy.test",
    }
    config.update(extra)
    return config


test_config.__test__ = False  # not a test, despite the name


def newcomer_form(**changes) -> dict:
    form = {
        "display_name": "Amina Haddad", "phone": "0151 23456789", "email": "",
        "password": "a long password", "languages": ["ar", "en"], "german_level": "A1",
        "district": "bilk", "availability": ["mon-evening", "sat-morning"], "mode": "either",
        "gender": "female", "buddy_gender": "female", "topics": ["everyday", "letters"],
        "consent": "y",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def volunteer_form(**changes) -> dict:
    form = {
        "display_name": "Julia Weber", "email": "julia@example.org", "phone": "",
        "password": "a long password", "languages": ["en", "fr"], "district": "oberkassel",
        "max_km": "5", "availability": ["mon-evening"], "mode": "in_person", "capacity": "2",
        "gender": "female", "buddy_gender": "any", "motivation": "Ich helfe gern.",
        "consent": "y",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def error_of(html: str, field: str) -> str:
    """The error message shown next to a field, as the reader sees it."""
    match = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    return unescape(match.group(1)) if match else ""
