"""Matching rounds and the matches they propose."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from buddy import clock
from buddy.extensions import db
from buddy.models.people import Newcomer, User, Volunteer
from buddy.models.types import EndReason, MatchStatus, RoundStatus, enum_column


class MatchRound(db.Model):
    """One run of the solver: who ran it, with which weights, and what came out."""

    __tablename__ = "match_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now, index=True)
    status: Mapped[RoundStatus] = mapped_column(
        enum_column(RoundStatus), default=RoundStatus.RUNNING
    )
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    newcomers: Mapped[int] = mapped_column(Integer, default=0)
    volunteers: Mapped[int] = mapped_column(Integer, default=0)
    pairs: Mapped[int] = mapped_column(Integer, default=0)
    total_score: Mapped[float] = mapped_column(Float, default=0.0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    unmatched: Mapped[list[Any]] = mapped_column(JSON, default=list)
    hints: Mapped[list[Any]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)

    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<MatchRound {self.id} {self.status.value} pairs={self.pairs}>"


class Match(db.Model):
    """A newcomer–volunteer pair: proposed, then active or rejected, and finally ended."""

    __tablename__ = "match"
    __table_args__ = (
        Index(
            "uq_match_active_newcomer",
            "newcomer_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index(
            "uq_match_active_pair",
            "newcomer_id",
            "volunteer_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_match_status_decided", "status", "decided_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    newcomer_id: Mapped[int] = mapped_column(ForeignKey("newcomer.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("match_round.id"), index=True)
    status: Mapped[MatchStatus] = mapped_column(
        enum_column(MatchStatus), default=MatchStatus.PROPOSED
    )
    score: Mapped[float | None] = mapped_column(Float)
    components: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    pinned: Mapped[bool] = mapped_column(default=False)
    override_reason: Mapped[str | None] = mapped_column(Text)
    proposed_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    end_reason: Mapped[EndReason | None] = mapped_column(enum_column(EndReason))
    end_note: Mapped[str | None] = mapped_column(Text)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    newcomer: Mapped[Newcomer] = relationship()
    volunteer: Mapped[Volunteer] = relationship()
    round: Mapped[MatchRound | None] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def __repr__(self) -> str:
        return (
            f"<Match {self.id} n={self.newcomer_id} v={self.volunteer_id} {self.status.value}>"
        )
