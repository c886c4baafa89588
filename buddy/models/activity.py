"""What happens after a match: meetings, follow-up, the audit log and the mail outbox."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from buddy import clock
from buddy.extensions import db
from buddy.models.matching import Match
from buddy.models.people import User
from buddy.models.types import (
    CodeList,
    FollowUpStatus,
    MailStatus,
    MeetingStatus,
    Mode,
    enum_column,
)


class Meeting(db.Model):
    """One session of a match (called Meeting to keep clear of the database session)."""

    __tablename__ = "meeting"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="positive_duration"),
        Index("ix_meeting_match_starts", "match_id", "starts_at"),
        Index("ix_meeting_status_starts", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("match.id"))
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    mode: Mapped[Mode] = mapped_column(enum_column(Mode), default=Mode.IN_PERSON)
    place: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[MeetingStatus] = mapped_column(
        enum_column(MeetingStatus), default=MeetingStatus.PLANNED
    )
    cancelled_by: Mapped[str | None] = mapped_column(String(20))
    topics: Mapped[list[str]] = mapped_column(CodeList, default=list)
    topics_other: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    newcomer_answer: Mapped[str | None] = mapped_column(String(20))
    newcomer_answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)

    match: Mapped[Match] = relationship()

    def __repr__(self) -> str:
        return f"<Meeting {self.id} match={self.match_id} {self.starts_at} {self.status.value}>"


class FollowUp(db.Model):
    """An item in the coordinator's follow-up queue, raised by a rule or a report."""

    __tablename__ = "follow_up"
    __table_args__ = (Index("ix_follow_up_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int | None] = mapped_column(ForeignKey("match.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[FollowUpStatus] = mapped_column(
        enum_column(FollowUpStatus), default=FollowUpStatus.OPEN
    )
    priority: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)
    due_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)
    snoozed_until: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    notes: Mapped[list[Any]] = mapped_column(JSON, default=list)

    match: Mapped[Match | None] = relationship()

    def __repr__(self) -> str:
        return f"<FollowUp {self.id} {self.kind} {self.status.value}>"


class AuditEvent(db.Model):
    """Who did what to whom, when and why."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=clock.now, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    subject_type: Mapped[str] = mapped_column(String(40), default="")
    subject_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.subject_type}:{self.subject_id}>"


class OutboxMail(db.Model):
    """An e-mail: written as a row with the change it reports, sent afterwards."""

    __tablename__ = "outbox_mail"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    to_addr: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[MailStatus] = mapped_column(enum_column(MailStatus), default=MailStatus.WAITING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    @property
    def key_digest(self) -> str:
        """A short, stable digest of the key (for the Message-ID)."""
        return hashlib.sha256(self.key.encode()).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"<OutboxMail {self.id} {self.key!r} {self.status.value}>"
