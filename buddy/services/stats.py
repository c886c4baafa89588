"""Figures for the dashboard and the equity view: aggregate queries, a fixed number of them."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, func, or_, select

from buddy import clock
from buddy.extensions import db
from buddy.models import (
    District,
    FollowUp,
    FollowUpStatus,
    Match,
    MatchStatus,
    Meeting,
    MeetingStatus,
    Newcomer,
    NewcomerLanguage,
    NewcomerStatus,
    Volunteer,
    VolunteerLanguage,
    VolunteerStatus,
)
from buddy.models.sqlfuncs import days_between, year_month

DECIDED = (MatchStatus.ACTIVE, MatchStatus.ENDED, MatchStatus.PAUSED)
WAIT_BINS = ((0, 7), (8, 30), (31, 90), (91, 180), (181, None))


@dataclass(frozen=True)
class Row:
    """One labelled line of a table: its key and its numbers."""

    key: str
    values: tuple[float, ...]


def months_back(n: int = 12, now: datetime | None = None) -> list[str]:
    """The last n months as 'YYYY-MM', oldest first (this month last)."""
    now = now or clock.now()
    year, month = now.year, now.month
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def _month_start(key: str) -> datetime:
    return datetime(int(key[:4]), int(key[5:]), 1)


def demand_by_language() -> list[Row]:
    """Waiting newcomers and free volunteer places per language (German: level A2 and up)."""
    waiting = dict(db.session.execute(
        select(NewcomerLanguage.code, func.count()).join(Newcomer)
        .where(Newcomer.status == NewcomerStatus.WAITING).group_by(NewcomerLanguage.code)).all())
    free = dict(db.session.execute(
        select(VolunteerLanguage.code, func.sum(Volunteer.capacity - Volunteer.active_matches))
        .join(Volunteer).where(Volunteer.status == VolunteerStatus.ACTIVE)
        .group_by(VolunteerLanguage.code)).all())
    german_waiting, german_free = db.session.execute(select(
        select(func.count()).where(Newcomer.status == NewcomerStatus.WAITING,
                                   Newcomer.german_level.in_(["A2", "B1", "B2", "C1"]))
        .scalar_subquery(),
        select(func.coalesce(func.sum(Volunteer.capacity - Volunteer.active_matches), 0))
        .where(Volunteer.status == VolunteerStatus.ACTIVE).scalar_subquery())).one()
    rows = [Row(code, (count, float(free.get(code) or 0))) for code, count in waiting.items()]
    rows.append(Row("de", (german_waiting, float(german_free))))
    return sorted(rows, key=lambda r: -r.values[0])


def demand_by_borough() -> list[Row]:
    """Waiting newcomers and free volunteer places per Stadtbezirk."""
    waiting = dict(db.session.execute(
        select(District.borough, func.count()).join(Newcomer, Newcomer.district_id == District.id)
        .where(Newcomer.status == NewcomerStatus.WAITING).group_by(District.borough)).all())
    free = dict(db.session.execute(
        select(District.borough, func.sum(Volunteer.capacity - Volunteer.active_matches))
        .join(Volunteer, Volunteer.district_id == District.id)
        .where(Volunteer.status == VolunteerStatus.ACTIVE).group_by(District.borough)).all())
    keys = sorted(set(waiting) | set(free), key=lambda b: (len(b or ""), b or ""))
    return [Row(k or "", (waiting.get(k, 0), float(free.get(k) or 0))) for k in keys]


@dataclass(frozen=True)
class TimeToMatch:
    """Days from sign-up to match: overall median, by month, and a distribution."""

    median: float | None
    by_month: list[Row]
    distribution: list[Row]


def time_to_match(months: int = 12) -> TimeToMatch:
    """Median days from sign-up to approval for matches approved in the last months."""
    keys = months_back(months)
    rows = db.session.execute(
        select(year_month(Match.decided_at), days_between(Newcomer.created_at, Match.decided_at))
        .select_from(Match).join(Newcomer, Match.newcomer_id == Newcomer.id)
        .where(Match.status.in_(DECIDED), Match.decided_at >= _month_start(keys[0]))).all()
    per_month: dict[str, list[float]] = {k: [] for k in keys}
    for month, days in rows:
        if month in per_month and days is not None:
            per_month[month].append(max(float(days), 0.0))
    everything = [d for values in per_month.values() for d in values]
    bins = Counter()
    for d in everything:
        for low, high in WAIT_BINS:
            if d >= low and (high is None or d <= high + 0.999):
                bins[(low, high)] += 1
                break
    return TimeToMatch(
        median=round(statistics.median(everything), 1) if everything else None,
        by_month=[Row(k, (round(statistics.median(v), 1) if v else 0.0, len(v)))
                  for k, v in per_month.items()],
        distribution=[Row(f"{low}–{high}" if high else f"{low}+", (bins[(low, high)],))
                      for low, high in WAIT_BINS],
    )


def activity_by_month(months: int = 12) -> list[Row]:
    """Matches active at the end of each month and sessions held in it."""
    keys = months_back(months)
    held = dict(db.session.execute(
        select(year_month(Meeting.starts_at), func.count())
        .where(Meeting.status == MeetingStatus.HELD,
               Meeting.starts_at >= _month_start(keys[0]))
        .group_by(year_month(Meeting.starts_at))).all())
    columns = []
    for key in keys:
        end = _month_start(key).replace(day=28) + timedelta(days=4)
        end = end.replace(day=1)
        columns.append(func.sum(case((and_(
            Match.decided_at < end, or_(Match.ended_at.is_(None), Match.ended_at >= end)), 1),
            else_=0)))
    active = db.session.execute(
        select(*columns).where(Match.status.in_(DECIDED))).one()
    return [Row(k, (int(active[i] or 0), held.get(k, 0))) for i, k in enumerate(keys)]


def retention() -> dict[int, tuple[int, int]]:
    """For 3 and 6 months: (matches old enough, of which still going at that age)."""
    now = clock.now()
    out = {}
    for months in (3, 6):
        days = months * 30.4
        cohort = and_(Match.status.in_(DECIDED), Match.decided_at <= now - timedelta(days=days))
        lasted = or_(Match.ended_at.is_(None),
                     days_between(Match.decided_at, Match.ended_at) >= days)
        total, kept = db.session.execute(select(
            func.count(), func.coalesce(func.sum(case((lasted, 1), else_=0)), 0)
        ).where(cohort)).one()
        out[months] = (total, int(kept))
    return out


def end_reasons() -> list[Row]:
    """Why matches ended, most frequent first."""
    rows = db.session.execute(select(Match.end_reason, func.count()).where(
        Match.status == MatchStatus.ENDED).group_by(Match.end_reason)).all()
    return sorted([Row(r.value if r else "", (n,)) for r, n in rows], key=lambda r: -r.values[0])


def followup_due() -> int:
    """Open follow-up items (and snoozed ones that are due again)."""
    now = clock.now()
    return db.session.scalar(select(func.count()).where(or_(
        FollowUp.status == FollowUpStatus.OPEN,
        and_(FollowUp.status == FollowUpStatus.SNOOZED, FollowUp.snoozed_until <= now)))) or 0


EQUITY_DIMENSIONS = ("language", "borough", "gender")


def equity(dimension: str) -> list[Row]:
    """Per group: newcomers, of whom ever matched, match rate %, average days waiting now."""
    return cached(("equity", dimension), lambda: _equity(dimension))


def _equity(dimension: str) -> list[Row]:
    ever = Newcomer.id.in_(select(Match.newcomer_id).where(Match.status.in_(DECIDED)))
    waiting_days = case((Newcomer.status == NewcomerStatus.WAITING,
                         days_between(Newcomer.waiting_since, clock.now())), else_=None)
    measures = (func.count(), func.sum(case((ever, 1), else_=0)), func.avg(waiting_days))
    if dimension == "language":
        stmt = select(NewcomerLanguage.code, *measures).join(
            Newcomer, NewcomerLanguage.newcomer_id == Newcomer.id).group_by(NewcomerLanguage.code)
    elif dimension == "borough":
        stmt = select(District.borough, *measures).join(
            Newcomer, Newcomer.district_id == District.id).group_by(District.borough)
    elif dimension == "gender":
        stmt = select(Newcomer.gender, *measures).group_by(Newcomer.gender)
    else:
        raise ValueError(dimension)
    stmt = stmt.where(Newcomer.status != NewcomerStatus.WITHDRAWN)
    rows = []
    for key, total, matched, avg_wait in db.session.execute(stmt):
        key = getattr(key, "value", key) or ""
        rate = round(100 * (matched or 0) / total, 1) if total else 0.0
        rows.append(Row(key, (total, matched or 0, rate,
                              round(float(avg_wait), 1) if avg_wait is not None else 0.0)))
    return sorted(rows, key=lambda r: (r.values[2], -r.values[0]))


@dataclass(frozen=True)
class Dashboard:
    """Everything the coordinator's home shows."""

    languages: list[Row]
    boroughs: list[Row]
    wait: TimeToMatch
    activity: list[Row]
    retention: dict[int, tuple[int, int]]
    ended: list[Row]
    due: int


def dashboard() -> Dashboard:
    """All dashboard figures (a fixed number of aggregate queries; cached briefly)."""
    return cached("dashboard", lambda: Dashboard(
        languages=demand_by_language(), boroughs=demand_by_borough(), wait=time_to_match(),
        activity=activity_by_month(), retention=retention(), ended=end_reasons(),
        due=followup_due()))


_CACHE: dict[tuple, tuple[float, object]] = {}


def cached(key, compute):
    """Figures computed at most every STATS_CACHE_SECONDS per database (0 turns it off).

    The aggregates scan whole tables; a city's coordinators can live with numbers that are
    up to a minute old, and each app server keeps its own copy (nothing shared, nothing lost).
    """
    ttl = current_app.config["STATS_CACHE_SECONDS"]
    if ttl <= 0:
        return compute()
    full_key = (current_app.config["SQLALCHEMY_DATABASE_URI"], key)
    now = time.monotonic()
    hit = _CACHE.get(full_key)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    value = compute()
    _CACHE[full_key] = (now, value)
    return value
