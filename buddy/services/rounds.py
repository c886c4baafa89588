"""Matching rounds: run the solver on the database, store proposals, compare what-ifs."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from buddy import clock, matching
from buddy.extensions import db
from buddy.models import (
    District,
    Match,
    MatchRound,
    MatchStatus,
    Newcomer,
    NewcomerStatus,
    RoundStatus,
    User,
    Volunteer,
    VolunteerStatus,
)
from buddy.services import audit
from buddy.services.instance import build_pool, db_id, newcomer_key, volunteer_key
from buddy.services.paging import PER_PAGE, ListPage, page_of

WEIGHT_NAMES = ("language", "time", "place", "waiting")


def default_weights() -> dict[str, float]:
    """The contract's default weights."""
    return {name: getattr(matching.Weights(), name) for name in WEIGHT_NAMES}


def open_proposals() -> list[Match]:
    """Proposals still waiting for a decision, newest round first."""
    return list(db.session.scalars(
        select(Match).where(Match.status == MatchStatus.PROPOSED).order_by(Match.id)
    ))


def start_round(coordinator: User, weights: dict[str, float]) -> MatchRound:
    """Record a round as running (the solver runs next, inline or in the background)."""
    mark_stale_rounds_failed()
    round_ = MatchRound(created_by_id=coordinator.id, status=RoundStatus.RUNNING,
                        parameters={"weights": weights})
    db.session.add(round_)
    db.session.flush()
    audit.record("round.started", round_, actor=coordinator, weights=weights)
    db.session.commit()
    return round_


def _store_pairs(round_: MatchRound, result: matching.Result, pinned: dict) -> None:
    for pair in result.pairs:
        key = (pair.newcomer, pair.volunteer)
        match = pinned.get(key) or Match(newcomer_id=db_id(pair.newcomer),
                                         volunteer_id=db_id(pair.volunteer))
        match.round_id = round_.id
        match.status = MatchStatus.PROPOSED
        match.score = pair.score
        match.components = dataclasses.asdict(pair.components)
        match.reasons = [{"code": r.code, "params": r.params} for r in pair.reasons]
        match.proposed_at = clock.now()
        db.session.add(match)


def run_round(round_id: int, progress: Callable[[str], None] | None = None) -> MatchRound:
    """Solve, replace earlier open proposals (pinned ones stay) and store the result."""
    round_ = db.session.get(MatchRound, round_id)
    started = time.perf_counter()
    try:
        pool = build_pool()
        present_n = {n.id for n in pool.instance.newcomers}
        present_v = {v.id: v.capacity for v in pool.instance.volunteers}
        pinned = {}
        for match in open_proposals():
            key = (newcomer_key(match.newcomer_id), volunteer_key(match.volunteer_id))
            if match.pinned and key[0] in present_n and present_v.get(key[1], 0) > 0:
                pinned[key] = match
            else:
                match.status = MatchStatus.SUPERSEDED
        weights = matching.Weights(**round_.parameters["weights"])
        result = matching.solve(pool.instance, weights=weights, pinned=list(pinned),
                                progress=progress)
        _store_pairs(round_, result, pinned)
        round_.status = RoundStatus.DONE
        round_.newcomers, round_.volunteers = result.summary.newcomers, result.summary.volunteers
        round_.pairs, round_.total_score = result.summary.pairs, result.summary.total_score
        round_.unmatched = [dataclasses.asdict(u) for u in result.unmatched]
        round_.hints = [dataclasses.asdict(h) for h in result.hints]
    except Exception as error:  # the round must end, whatever broke; the log keeps the trace
        db.session.rollback()
        round_ = db.session.get(MatchRound, round_id)
        round_.status, round_.error = RoundStatus.FAILED, f"{type(error).__name__}: {error}"
        current_app.logger.exception("matching round %s failed", round_id)
    round_.seconds = time.perf_counter() - started
    db.session.commit()
    return round_


def run_in_background(app: Flask, round_id: int) -> threading.Thread:
    """Run a round in a thread with its own app context; the page polls its status."""

    def work():
        with app.app_context():
            run_round(round_id)
            db.session.remove()

    thread = threading.Thread(target=work, name=f"round-{round_id}", daemon=True)
    thread.start()
    return thread


def is_large(pool_size: tuple[int, int]) -> bool:
    """True when a round should run in the background rather than in the request."""
    newcomers, volunteers = pool_size
    return newcomers * volunteers > current_app.config["ROUND_INLINE_MAX_PAIRS"]


def pool_size() -> tuple[int, int]:
    """How many newcomers wait and how many volunteers are active."""
    n = db.session.scalar(select(func.count()).where(Newcomer.status == NewcomerStatus.WAITING))
    v = db.session.scalar(
        select(func.count()).where(Volunteer.status == VolunteerStatus.ACTIVE))
    return n or 0, v or 0


WHAT_IFS = ("more_km", "online_for_all", "german_from_a1")


def what_if(weights: dict[str, float] | None = None) -> dict[str, int]:
    """How many newcomers each looser rule would match, next to today's rules."""
    pool = build_pool()
    inst = pool.instance
    w = matching.Weights(**(weights or default_weights()))
    variants = {
        "today": inst,
        "more_km": dataclasses.replace(inst, volunteers=tuple(
            dataclasses.replace(v, max_km=v.max_km + 2) for v in inst.volunteers)),
        "online_for_all": dataclasses.replace(
            inst,
            newcomers=tuple(dataclasses.replace(n, mode="either") for n in inst.newcomers),
            volunteers=tuple(dataclasses.replace(v, mode="either") for v in inst.volunteers)),
        "german_from_a1": dataclasses.replace(inst, newcomers=tuple(
            dataclasses.replace(n, german_level="A2") if n.german_level == "A1" else n
            for n in inst.newcomers)),
    }
    return {name: matching.solve(variant, weights=w, detail=False).summary.pairs
            for name, variant in variants.items()}


def mark_stale_rounds_failed(older_than_seconds: int = 3600) -> int:
    """Rounds still 'running' long after they started died with their process (the caller
    commits)."""
    limit = clock.now() - timedelta(seconds=older_than_seconds)
    result = db.session.execute(
        update(MatchRound)
        .where(MatchRound.status == RoundStatus.RUNNING, MatchRound.created_at < limit)
        .values(status=RoundStatus.FAILED, error="the process running the round stopped")
    )
    return result.rowcount


def district_names() -> dict[str, str]:
    """District slug → name for the configured city."""
    return {d.slug: d.name for d in db.session.scalars(
        select(District).where(District.city == current_app.config["CITY"]))}


def history(limit: int = 20) -> list[MatchRound]:
    """The latest rounds, newest first."""
    return list(db.session.scalars(
        select(MatchRound).order_by(MatchRound.id.desc()).limit(limit)))


@dataclass(frozen=True)
class RoundView:
    """A page of a round's open proposals with both people loaded, best score first."""

    proposals: object  # a Pagination of Match
    decided: int


def round_view(round_: MatchRound, page: int = 1) -> RoundView:
    """Everything the proposals table shows, in a fixed number of queries."""
    proposals = db.paginate(
        select(Match).where(Match.round_id == round_.id, Match.status == MatchStatus.PROPOSED)
        .options(selectinload(Match.newcomer).selectinload(Newcomer.district),
                 selectinload(Match.volunteer).selectinload(Volunteer.district))
        .order_by(Match.score.desc(), Match.id), page=page, per_page=PER_PAGE, error_out=False)
    decided = db.session.scalar(select(func.count()).where(
        Match.round_id == round_.id, Match.status != MatchStatus.PROPOSED)) or 0
    return RoundView(proposals=proposals, decided=decided)


@dataclass(frozen=True)
class UnmatchedRow:
    """One newcomer left without a buddy, with the nearest almost-fitting volunteer."""

    newcomer: Newcomer
    reason: str
    nearest: Volunteer | None
    blocked_by: str | None
    nearest_km: float | None


def unmatched_view(round_: MatchRound, page: int = 1) -> ListPage:
    """A page of the round's unmatched newcomers with their people loaded (two queries)."""
    entries, page = page_of(round_.unmatched or [], page)
    newcomer_ids = [db_id(e["newcomer"]) for e in entries]
    volunteer_ids = [db_id(e["nearest"]) for e in entries if e.get("nearest")]
    newcomers = {n.id: n for n in db.session.scalars(
        select(Newcomer).where(Newcomer.id.in_(newcomer_ids))
        .options(selectinload(Newcomer.district), selectinload(Newcomer.language_rows)))}
    volunteers = {v.id: v for v in db.session.scalars(
        select(Volunteer).where(Volunteer.id.in_(volunteer_ids)))}
    rows = [
        UnmatchedRow(newcomer=newcomers[db_id(e["newcomer"])], reason=e["reason"],
                     nearest=volunteers.get(db_id(e["nearest"])) if e.get("nearest") else None,
                     blocked_by=e.get("blocked_by"), nearest_km=e.get("nearest_km"))
        for e in entries if db_id(e["newcomer"]) in newcomers
    ]
    return ListPage(rows, page, PER_PAGE, len(round_.unmatched or []))

