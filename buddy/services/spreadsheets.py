"""Import newcomers and volunteers from CSV: a dry run first, then one transaction.

An upload is kept under instance/imports/<id>.csv with its state in <id>.json next to it until
it is confirmed; nothing reaches the database before. Large files are written in a background
thread whose progress the state file holds.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from flask_babel import force_locale, get_locale
from sqlalchemy.exc import IntegrityError

from buddy.extensions import db
from buddy.models import User
from buddy.services import audit
from buddy.services.accounts import hash_password
from buddy.services.city import districts
from buddy.services.paging import ListPage, page_of
from buddy.services.signup import SignupError, add_newcomer, add_volunteer
from buddy.services.spreadsheet_rows import (
    KINDS,
    ImportFileError,
    RowResult,
    columns,
    digest,
    read,
    template_csv,
)
from buddy.services.spreadsheet_rows import check as check_rows

__all__ = ["KINDS", "ImportBusy", "ImportChanged", "ImportFileError", "ImportNotFound",
           "ImportStatus", "Preview", "columns", "confirm", "confirm_in_background", "dry_run",
           "is_large", "status", "template_csv", "upload"]
KEEP_SECONDS = 7 * 24 * 3600
_ID = re.compile(r"[0-9a-f]{32}")


class ImportNotFound(LookupError):
    """No upload with this id (or it was cleaned up)."""


class ImportBusy(RuntimeError):
    """The upload is already being imported or was imported."""


class ImportChanged(RuntimeError):
    """The rows that would be written differ from the rows the coordinator checked."""


@dataclass(frozen=True)
class Preview:
    """The dry run: every row with what would be created or why not."""

    import_id: str
    kind: str
    filename: str
    columns: list[str]
    unknown_columns: list[str]
    rows: list[RowResult]
    digest: str
    changed: bool = False

    @property
    def valid(self) -> int:
        return sum(row.ok for row in self.rows)

    @property
    def invalid(self) -> int:
        return len(self.rows) - self.valid

    def page(self, number: int, only_errors: bool = False, size: int = 200) -> ListPage:
        """One page of the rows (only those with errors if asked)."""
        rows = [row for row in self.rows if not row.ok] if only_errors else self.rows
        items, number = page_of(rows, number, size)
        return ListPage(items, number, size, len(rows))


@dataclass(frozen=True)
class ImportStatus:
    """Where an upload stands: uploaded (checked only), running, done or failed."""

    import_id: str
    kind: str
    filename: str
    state: str
    rows: int
    total: int = 0
    done: int = 0
    created: int = 0
    skipped: int = 0
    changed: bool = False


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(import_id: str, suffix: str) -> Path:
    if not _ID.fullmatch(import_id or ""):
        raise ImportNotFound(import_id)
    return _folder() / f"{import_id}{suffix}"


def _state(import_id: str) -> dict:
    try:
        return json.loads(_path(import_id, ".json").read_text())
    except FileNotFoundError:
        raise ImportNotFound(import_id) from None


def _save_state(import_id: str, **changes) -> None:
    state = {**_state(import_id), **changes} if _path(import_id, ".json").exists() else changes
    temporary = _path(import_id, ".json.tmp")
    temporary.write_text(json.dumps(state))
    os.replace(temporary, _path(import_id, ".json"))


def _clean_up() -> None:
    """Forget uploads older than a week: they hold personal data."""
    cutoff = time.time() - KEEP_SECONDS
    for path in _folder().iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except FileNotFoundError:  # another worker cleaned it a moment ago
            continue


def upload(kind: str, filename: str, data: bytes) -> str:
    """Keep an uploaded file that reads as CSV for a dry run; its id, or ImportFileError."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    _, rows = read(data, columns(kind))
    _clean_up()
    import_id = uuid.uuid4().hex
    _path(import_id, ".csv").write_bytes(data)
    _save_state(import_id, kind=kind, filename=(filename or "")[:200], state="uploaded",
                rows=len(rows))
    return import_id


def status(import_id: str) -> ImportStatus:
    """The state of an upload (ImportNotFound if there is none)."""
    state = _state(import_id)
    counts = {key: state.get(key, 0) for key in ("total", "done", "created", "skipped")}
    return ImportStatus(import_id, state["kind"], state["filename"], state["state"],
                        state["rows"], **counts, changed=state.get("changed", False))


def dry_run(import_id: str) -> Preview:
    """Check every row as the sign-up would; nothing is written (kept per language for paging)."""
    state = _state(import_id)
    cache = _path(import_id, f".preview-{get_locale()}.json")
    if cache.exists():
        saved = json.loads(cache.read_text())
        rows = [RowResult(line, values, errors) for line, values, errors in saved["rows"]]
        return Preview(import_id, state["kind"], state["filename"], saved["columns"],
                       saved["unknown"], rows, saved["digest"], state.get("changed", False))
    try:
        data = _path(import_id, ".csv").read_bytes()
    except FileNotFoundError:
        raise ImportNotFound(import_id) from None
    checked = check_rows(state["kind"], data)
    preview = Preview(import_id, state["kind"], state["filename"], checked.header,
                      checked.unknown, checked.results, digest(data, checked),
                      state.get("changed", False))
    cache.write_text(json.dumps({
        "columns": preview.columns, "unknown": preview.unknown_columns, "digest": preview.digest,
        "rows": [(row.line, row.values, row.errors) for row in preview.rows]}))
    return preview


def _forget_previews(import_id: str) -> None:
    for path in _folder().glob(f"{import_id}.preview-*.json"):
        path.unlink(missing_ok=True)


def is_large(import_id: str) -> bool:
    """True when the import should run in the background with a progress bar."""
    limit = current_app.config["IMPORT_INLINE_MAX_ROWS"]
    return _state(import_id)["rows"] > limit


def _claim(import_id: str) -> None:
    try:
        os.close(os.open(_path(import_id, ".lock"), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        raise ImportBusy(import_id) from None
    if _state(import_id)["state"] != "uploaded":
        raise ImportBusy(import_id)


def _write(import_id: str, actor: User, expected: str) -> ImportStatus:
    """Check again and write the valid rows in one transaction; the state file tracks progress."""
    state = _state(import_id)
    kind, data = state["kind"], _path(import_id, ".csv").read_bytes()
    rows = state["rows"]
    _save_state(import_id, state="running", total=2 * rows, done=0)
    checked = check_rows(kind, data, lambda n: _save_state(import_id, done=n))
    if digest(data, checked) != expected:
        _save_state(import_id, state="uploaded", changed=True, total=0, done=0)
        _forget_previews(import_id)
        _path(import_id, ".lock").unlink(missing_ok=True)
        raise ImportChanged(import_id)
    total = rows + len(checked.data)
    # One unusable password for the whole file: nobody knows it; people set theirs by reset.
    password_hash = hash_password(secrets.token_urlsafe(32))
    by_slug = {d.slug: d for d in districts(current_app.config["CITY"])}
    try:
        add = add_newcomer if kind == "newcomer" else add_volunteer
        with db.session.no_autoflush:  # flushed in batches, not before every query
            for written, (person, locale) in enumerate(checked.data.values(), start=1):
                add(person, password_hash, locale, by_slug)
                if written % 200 == 0:
                    db.session.flush()
                    _save_state(import_id, done=rows + written, total=total)
        created, skipped = len(checked.data), len(checked.results) - len(checked.data)
        audit.record("import.confirmed", actor=actor, kind=kind, rows=len(checked.results),
                     created=created, skipped=skipped, filename=state["filename"])
        db.session.commit()
    except (IntegrityError, SignupError):
        db.session.rollback()
        _save_state(import_id, state="failed", done=total, total=total)
        raise
    finally:
        _path(import_id, ".csv").unlink(missing_ok=True)
        _forget_previews(import_id)
    _save_state(import_id, state="done", done=total, total=total, created=created,
                skipped=skipped, changed=False)
    return status(import_id)


def confirm(import_id: str, actor: User, expected: str) -> ImportStatus:
    """Write the checked rows now (ImportChanged if they are no longer what was shown)."""
    _claim(import_id)
    try:
        return _write(import_id, actor, expected)
    except (IntegrityError, SignupError):
        return status(import_id)


def confirm_in_background(app: Flask, import_id: str, actor_id: int, expected: str,
                          locale: str) -> threading.Thread:
    """Write the checked rows in a thread; the status page shows the progress."""
    _claim(import_id)
    _save_state(import_id, state="running", total=1, done=0)

    def work():
        with app.app_context(), force_locale(locale):
            try:
                _write(import_id, db.session.get(User, actor_id), expected)
            except (ImportChanged, IntegrityError, SignupError):
                pass
            except Exception:
                current_app.logger.exception("import %s failed", import_id)
                _save_state(import_id, state="failed")
            finally:
                db.session.remove()

    thread = threading.Thread(target=work, name=f"import-{import_id}", daemon=True)
    thread.start()
    return thread
