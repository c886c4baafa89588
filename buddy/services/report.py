"""The city report: anonymous figures for a period, small cells suppressed (shown as "<5")."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from buddy.extensions import db
from buddy.models import (
    District,
    Match,
    MatchStatus,
    Meeting,
    MeetingStatus,
    Newcomer,
    NewcomerLanguage,
)
from buddy.models.sqlfuncs import days_between
from buddy.services.stats import cached

THRESHOLD = 5
SUPPRESSED = "<5"
DECIDED = (MatchStatus.ACTIVE, MatchStatus.ENDED, MatchStatus.PAUSED)


@dataclass
class Table:
    """Counts by category with a total; suppress() hides small and recoverable cells."""

    name: str
    counts: dict[str, int]
    shown: dict[str, int | str] = field(default_factory=dict)
    total: int | str = 0

    def suppress(self) -> Table:
        """Primary: cells below 5. Secondary: if one cell is hidden, hide the next smallest
        too, so that no hidden cell can be worked out by subtracting from the total."""
        hidden = {k for k, v in self.counts.items() if v < THRESHOLD}
        if len(hidden) == 1 and len(self.counts) > 1:
            rest = sorted((v, k) for k, v in self.counts.items() if k not in hidden)
            hidden.add(rest[0][1])
        self.shown = {k: (SUPPRESSED if k in hidden else v) for k, v in self.counts.items()}
        total = sum(self.counts.values())
        self.total = SUPPRESSED if total < THRESHOLD else total
        return self


@dataclass
class CityReport:
    """Everything the report shows for one period."""

    start: date
    end: date
    tables: list[Table]
    figures: dict[str, int | float | str | None]


def _cell(value: int) -> int | str:
    return SUPPRESSED if value < THRESHOLD else value


def build(start: date, end: date) -> CityReport:
    """The report for [start, end]: sign-ups, matches, sessions, endings — no names."""
    return cached(("report", start, end), lambda: _build(start, end))


def _build(start: date, end: date) -> CityReport:
    lo = datetime.combine(start, datetime.min.time())
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time())
    signed_up = (Newcomer.created_at >= lo) & (Newcomer.created_at < hi)
    by_language = dict(db.session.execute(
        select(NewcomerLanguage.code, func.count()).join(Newcomer).where(signed_up)
        .group_by(NewcomerLanguage.code)).all())
    by_borough = dict(db.session.execute(
        select(District.borough, func.count()).join(Newcomer, Newcomer.district_id == District.id)
        .where(signed_up).group_by(District.borough)).all())
    by_gender = {g.value: n for g, n in db.session.execute(
        select(Newcomer.gender, func.count()).where(signed_up).group_by(Newcomer.gender)).all()}
    approved = (Match.decided_at >= lo) & (Match.decided_at < hi) & Match.status.in_(DECIDED)
    waits = [max(float(d), 0.0) for (d,) in db.session.execute(
        select(days_between(Newcomer.created_at, Match.decided_at)).select_from(Match)
        .join(Newcomer, Match.newcomer_id == Newcomer.id).where(approved)).all()
        if d is not None]
    ended = {(r.value if r else ""): n for r, n in db.session.execute(
        select(Match.end_reason, func.count()).where(
            Match.status == MatchStatus.ENDED, Match.ended_at >= lo, Match.ended_at < hi)
        .group_by(Match.end_reason)).all()}
    held = db.session.scalar(select(func.count()).where(
        Meeting.status == MeetingStatus.HELD, Meeting.starts_at >= lo,
        Meeting.starts_at < hi)) or 0
    active_at_end = db.session.scalar(select(func.count()).where(
        Match.status.in_(DECIDED), Match.decided_at < hi,
        (Match.ended_at.is_(None)) | (Match.ended_at >= hi))) or 0
    tables = [Table("signups_by_language", by_language).suppress(),
              Table("signups_by_borough", {k or "": v for k, v in by_borough.items()}).suppress(),
              Table("signups_by_gender", by_gender).suppress(),
              Table("ended_by_reason", ended).suppress()]
    figures = {
        "matches_approved": _cell(len(waits)),
        "median_days_to_match": round(statistics.median(waits), 1)
        if len(waits) >= THRESHOLD else SUPPRESSED,
        "sessions_held": _cell(held),
        "active_matches_at_end": _cell(active_at_end),
    }
    return CityReport(start=start, end=end, tables=tables, figures=figures)


def as_json(report: CityReport) -> dict:
    """The report as plain data (the same suppressed cells as the page)."""
    return {
        "period": {"start": report.start.isoformat(), "end": report.end.isoformat()},
        "figures": report.figures,
        "tables": {t.name: {"cells": t.shown, "total": t.total} for t in report.tables},
        "method": {"threshold": THRESHOLD, "suppressed_as": SUPPRESSED,
                   "secondary_suppression": True, "personal_data": False},
    }


def as_rows(report: CityReport) -> list[list[str]]:
    """The report as spreadsheet rows: table, category, count."""
    rows = [["period", "", f"{report.start.isoformat()}/{report.end.isoformat()}"]]
    rows += [["figure", name, str(value)] for name, value in report.figures.items()]
    for table in report.tables:
        rows += [[table.name, key, str(value)] for key, value in table.shown.items()]
        rows.append([table.name, "total", str(table.total)])
    return rows
