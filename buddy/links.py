"""Absolute links for e-mails, built from PUBLIC_URL (also outside a request, e.g. in the CLI)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values) -> str:
    """The address of an endpoint as people reach it from outside."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)
