"""CSV exports for coordinators: people, matches and sessions, streamed and audit-logged.

Files are UTF-8 with a BOM so that Excel opens them; a cell that a spreadsheet would read as a
formula gets a leading apostrophe. People files use the import's column names, so the two match.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased, contains_eager, selectinload

from buddy.extensions import db
from buddy.models import Match, MatchStatus, Meeting, Newcomer, User, Volunteer
from buddy.services import audit

BATCH = 1000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Export:
    """A CSV download: its file name, how many rows, and the text in pieces."""

    filename: str
    rows: int
    chunks: Iterator[str]


def guard(value) -> str:
    """A cell as text; one a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _codes(values: Iterable[str]) -> str:
    return " ".join(values)


def _person(profile: Newcomer | Volunteer) -> dict:
    return {"id": profile.id, "display_name": profile.display_name, "email": profile.user.email,
            "phone": profile.user.phone, "languages": _codes(profile.languages),
            "district": profile.district.slug, "availability": _codes(
                profile.availability.ordered()), "mode": profile.mode, "gender": profile.gender,
            "buddy_gender": profile.buddy_gender, "status": profile.status,
            "created_at": profile.created_at}


def _newcomer(newcomer: Newcomer) -> dict:
    return {**_person(newcomer), "german_level": newcomer.german_level,
            "topics": _codes(newcomer.topics), "locale": newcomer.user.locale,
            "waiting_since": newcomer.waiting_since}


def _volunteer(volunteer: Volunteer) -> dict:
    return {**_person(volunteer), "max_km": f"{volunteer.max_km:g}",
            "capacity": volunteer.capacity, "active_matches": volunteer.active_matches,
            "motivation": volunteer.motivation, "approved_at": volunteer.approved_at}


def _people(model) -> Select:
    return (select(model).join(model.user).join(model.district)
            .options(contains_eager(model.user), contains_eager(model.district),
                     selectinload(model.language_rows))
            .order_by(model.id))


_NC, _VO = aliased(Newcomer), aliased(Volunteer)
_MATCHES = (select(Match.id, Match.status, Match.newcomer_id, _NC.display_name, Match.volunteer_id,
                   _VO.display_name, Match.score, Match.proposed_at, Match.decided_at,
                   Match.ended_at, Match.end_reason)
            .join(_NC, Match.newcomer_id == _NC.id).join(_VO, Match.volunteer_id == _VO.id)
            .where(Match.status != MatchStatus.SUPERSEDED).order_by(Match.id))
_SESSIONS = (select(Meeting.id, Meeting.match_id, _NC.display_name, _VO.display_name,
                    Meeting.starts_at, Meeting.duration_minutes, Meeting.mode, Meeting.status,
                    Meeting.cancelled_by, Meeting.topics, Meeting.topics_other)
             .join(Match, Meeting.match_id == Match.id)
             .join(_NC, Match.newcomer_id == _NC.id).join(_VO, Match.volunteer_id == _VO.id)
             .order_by(Meeting.id))


@dataclass(frozen=True)
class _Kind:
    action: str
    columns: tuple[str, ...]
    query: Callable[[], Select]
    count: Select
    row: Callable[[object], list]
    orm: bool


def _dict_row(convert, columns):
    def row(obj) -> list:
        data = convert(obj)
        return [data.get(name) for name in columns]

    return row


_PERSON = ("id", "display_name", "email", "phone", "languages", "district", "availability",
           "mode", "gender", "buddy_gender")
_NEWCOMER_COLUMNS = (*_PERSON, "german_level", "topics", "locale", "status", "waiting_since",
                     "created_at")
_VOLUNTEER_COLUMNS = (*_PERSON, "max_km", "capacity", "active_matches", "motivation", "status",
                      "approved_at", "created_at")


def _topics_row(row) -> list:
    return [*row[:9], _codes(row[9] or ()), row[10]]


KINDS: dict[str, _Kind] = {
    "newcomers": _Kind("export.people", _NEWCOMER_COLUMNS, lambda: _people(Newcomer),
                       select(func.count(Newcomer.id)),
                       _dict_row(_newcomer, _NEWCOMER_COLUMNS), True),
    "volunteers": _Kind("export.people", _VOLUNTEER_COLUMNS, lambda: _people(Volunteer),
                        select(func.count(Volunteer.id)),
                        _dict_row(_volunteer, _VOLUNTEER_COLUMNS), True),
    "matches": _Kind("export.matches", (
        "id", "status", "newcomer_id", "newcomer_name", "volunteer_id", "volunteer_name",
        "score", "proposed_at", "decided_at", "ended_at", "end_reason"),
        lambda: _MATCHES,
        select(func.count(Match.id)).where(Match.status != MatchStatus.SUPERSEDED), list, False),
    "sessions": _Kind("export.sessions", (
        "id", "match_id", "newcomer_name", "volunteer_name", "starts_at", "duration_minutes",
        "mode", "status", "cancelled_by", "topics", "topics_other"),
        lambda: _SESSIONS, select(func.count(Meeting.id)), _topics_row, False),
}


def _lines(kind: _Kind) -> Iterator[str]:
    """The CSV text, a batch of rows at a time (a bounded number of queries per batch)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(kind.columns)
    yield "\ufeff" + buffer.getvalue()
    statement = kind.query().execution_options(yield_per=BATCH)
    result = db.session.scalars(statement) if kind.orm else db.session.execute(statement)
    for partition in result.partitions():
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([guard(cell) for cell in kind.row(item)] for item in partition)
        yield buffer.getvalue()


def export(what: str, actor: User) -> Export:
    """Count the rows, write the export to the audit log, and return the streamed CSV."""
    kind = KINDS[what]
    rows = db.session.scalar(kind.count) or 0
    audit.record(kind.action, actor=actor, kind=what, rows=rows)
    db.session.commit()
    return Export(f"{what}.csv", rows, _lines(kind))
