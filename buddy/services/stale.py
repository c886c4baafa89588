"""Stale sign-ups: ask long-waiting newcomers whether they are still interested."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from buddy import clock
from buddy.extensions import db
from buddy.links import public_url
from buddy.models import Newcomer, NewcomerStatus
from buddy.services import audit, mail


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="still-interested")


def token_for(newcomer: Newcomer) -> str:
    """A signed link token for this newcomer and this question (the time it was asked)."""
    return _serializer().dumps({"n": newcomer.id, "at": newcomer.stale_asked_at.isoformat()})


@dataclass(frozen=True)
class StaleReport:
    """What one pass did."""

    asked: int
    to_call: int
    paused: int


def run(now=None) -> StaleReport:
    """Ask those waiting too long; pause those who did not answer in time."""
    now = now or clock.now()
    ask_after = timedelta(days=current_app.config["STALE_AFTER_DAYS"])
    answer_within = timedelta(days=current_app.config["STALE_ANSWER_DAYS"])
    asked = to_call = paused = 0
    unanswered = select(Newcomer).where(
        Newcomer.status == NewcomerStatus.WAITING,
        Newcomer.stale_asked_at.is_not(None),
        Newcomer.stale_asked_at <= now - answer_within,
        or_(Newcomer.stale_answered_at.is_(None),
            Newcomer.stale_answered_at < Newcomer.stale_asked_at),
    )
    for newcomer in db.session.scalars(unanswered):
        newcomer.status = NewcomerStatus.PAUSED
        audit.record("newcomer.paused_no_answer", newcomer)
        paused += 1
    due = select(Newcomer).where(
        Newcomer.status == NewcomerStatus.WAITING,
        Newcomer.waiting_since <= now - ask_after,
        or_(Newcomer.stale_asked_at.is_(None),
            (Newcomer.stale_answered_at >= Newcomer.stale_asked_at)
            & (Newcomer.stale_answered_at <= now - ask_after)),
    )
    for newcomer in db.session.scalars(due):
        newcomer.stale_asked_at = now
        if newcomer.user.email:
            _ask(newcomer)
            asked += 1
        else:
            to_call += 1
        audit.record("newcomer.asked_still_interested", newcomer)
    db.session.commit()
    return StaleReport(asked=asked, to_call=to_call, paused=paused)


def _ask(newcomer: Newcomer) -> None:
    link = public_url("public.still_interested", token=token_for(newcomer))
    mail.queue(key=f"stale:{newcomer.id}:{newcomer.stale_asked_at:%Y%m%d%H%M%S}",
               to_addr=newcomer.user.email,
               locale=newcomer.user.locale or current_app.config["BABEL_DEFAULT_LOCALE"],
               template="still_interested", name=newcomer.first_name, link=link,
               days=current_app.config["STALE_ANSWER_DAYS"])


def newcomer_for_token(token: str) -> Newcomer | None:
    """The newcomer a still-interested link belongs to, if it is genuine and current."""
    max_age = current_app.config["STALE_ANSWER_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    newcomer = db.session.get(Newcomer, data.get("n")) if isinstance(data, dict) else None
    if newcomer is None or newcomer.stale_asked_at is None:
        return None
    if newcomer.stale_asked_at.isoformat() != data.get("at"):
        return None
    return newcomer


def confirm(newcomer: Newcomer) -> None:
    """The newcomer is still interested: keep waiting (or wait again after the pause)."""
    newcomer.stale_answered_at = clock.now()
    if newcomer.status == NewcomerStatus.PAUSED:
        newcomer.status = NewcomerStatus.WAITING
    audit.record("newcomer.still_interested", newcomer, actor=newcomer.user)
    db.session.commit()


def recent_questions(page: int = 1, per_page: int = 50):
    """Newcomers who were asked, newest question first, one page at a time."""
    return db.paginate(
        select(Newcomer).where(Newcomer.stale_asked_at.is_not(None))
        .options(selectinload(Newcomer.user))
        .order_by(Newcomer.stale_asked_at.desc(), Newcomer.id),
        page=page, per_page=per_page, error_out=False)
