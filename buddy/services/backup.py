"""Backups: SQLite's online backup API (consistent while the app runs) or pg_dump."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from flask import current_app

from buddy import clock
from buddy.extensions import db


class BackupError(RuntimeError):
    """The backup could not be written; str() says why."""


def backup(target: str | None = None) -> Path:
    """Write a backup of the whole database and return its path."""
    url = db.engine.url
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    folder = Path(current_app.instance_path) / "backups"
    if url.get_backend_name() == "sqlite":
        path = Path(target) if target else folder / f"buddy-{stamp}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(url.database)
        try:
            copy = sqlite3.connect(path)
            with copy:
                source.backup(copy)
            copy.close()
        finally:
            source.close()
        return path
    if url.get_backend_name() == "postgresql":
        path = Path(target) if target else folder / f"buddy-{stamp}.dump"
        path.parent.mkdir(parents=True, exist_ok=True)
        if shutil.which("pg_dump") is None:
            raise BackupError("pg_dump is not installed (Debian: apt-get install "
                              "postgresql-client)")
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        result = subprocess.run(["pg_dump", "--format=custom", "--file", str(path), plain],
                                capture_output=True, text=True, timeout=3600)
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip().splitlines()[-1:]}")
        return path
    raise BackupError(f"no backup method for {url.get_backend_name()}")
