"""Who may see a view: decorators that state it on every route."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, request, url_for
from flask_login import current_user, login_required

from buddy.models import Role


def role_required(*roles: Role):
    """Only logged-in users with one of these roles; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.access = {r.value for r in roles}
        return wrapped

    return decorator


def public(view):
    """Anyone may see this view."""
    view.access = {"public"}
    return view


def keeps_form(view):
    """An expired CSRF token brings this form back with what was typed (not a 400 page)."""
    view.keeps_form = True
    return view


def safe_next(target: str | None, default: str = "public.index") -> str:
    """A local path to go back to; anything pointing elsewhere becomes the default page."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            if not target.startswith("//"):
                return target
    return url_for(default)


def home_for(user) -> str:
    """The page a user starts on after logging in."""
    if user.role == Role.COORDINATOR:
        return url_for("coord.home")
    return url_for("me.home")


def current_path() -> str:
    """The current request path with its query string, for `next`."""
    return request.full_path.rstrip("?")
