"""Settings read from the environment, with safe defaults for a laptop."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

LANGUAGES = ["de", "en", "ar", "fa", "uk", "ru", "tr", "ti", "ps", "so", "ku", "fr"]
REPO_ROOT = Path(__file__).resolve().parent.parent


def _secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY from the environment or a key kept in instance/secret_key."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def from_environment(instance_path: Path) -> dict:
    """Build the configuration mapping from environment variables."""
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance_path / 'buddy.db'}"
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CITY": os.environ.get("CITY", "duesseldorf"),
        "LANGUAGES": LANGUAGES,
        "BABEL_DEFAULT_LOCALE": "de",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TIMEZONE", "Europe/Berlin"),
        "BABEL_TRANSLATION_DIRECTORIES": str(REPO_ROOT / "translations"),
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt:65536:8:2"),
        "RESET_TOKEN_MAX_AGE": _int("RESET_TOKEN_MAX_AGE", 3600),
        "RETENTION_MONTHS": _int("RETENTION_MONTHS", 24),
        "STALE_AFTER_DAYS": _int("STALE_AFTER_DAYS", 60),
        "STALE_ANSWER_DAYS": _int("STALE_ANSWER_DAYS", 14),
        "CHECKIN_LINK_DAYS": _int("CHECKIN_LINK_DAYS", 14),
        "FOLLOWUP_NO_SESSION_DAYS": _int("FOLLOWUP_NO_SESSION_DAYS", 21),
        "FOLLOWUP_FIRST_SESSION_DAYS": _int("FOLLOWUP_FIRST_SESSION_DAYS", 14),
        "FOLLOWUP_NO_SHOWS": _int("FOLLOWUP_NO_SHOWS", 2),
        "STATS_CACHE_SECONDS": _int("STATS_CACHE_SECONDS", 60),
        "IMPORT_INLINE_MAX_ROWS": _int("IMPORT_INLINE_MAX_ROWS", 500),
        "ROUND_INLINE_MAX_PAIRS": _int("ROUND_INLINE_MAX_PAIRS", 5_000_000),
        "ORG_NAME": os.environ.get("ORG_NAME", "Buddy"),
        "ORG_CONTACT": os.environ.get("ORG_CONTACT", "buddy@localhost"),
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "") == "1",
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "Buddy <buddy@localhost>"),
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 10),
        "MAIL_SEND_AFTER_REQUEST": os.environ.get("MAIL_SEND_AFTER_REQUEST", "1") == "1",
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        "REMEMBER_COOKIE_DURATION": 0,
        "COORDINATOR_2FA": os.environ.get("COORDINATOR_2FA", "optional"),
        "SESSION_IDLE_SECONDS": _int("SESSION_IDLE_SECONDS", 30 * 60),
        "SESSION_MAX_SECONDS": _int("SESSION_MAX_SECONDS", 12 * 3600),
        "TRUSTED_HOSTS": [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",")
                          if h.strip()] or None,
    }
