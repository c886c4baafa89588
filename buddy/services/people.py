"""Changes a person makes to their own account."""

from __future__ import annotations

from flask import current_app

from buddy.extensions import db
from buddy.models import User


def set_locale(user: User, locale: str) -> None:
    """Save the person's interface language."""
    if locale not in current_app.config["LANGUAGES"]:
        raise ValueError(f"unsupported locale {locale!r}")
    user.locale = locale
    db.session.commit()
