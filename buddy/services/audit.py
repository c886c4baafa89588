"""The audit log: who did what to whom, when and why."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from buddy.extensions import db
from buddy.models import AuditEvent, User
from buddy.security import security_event

SECURITY_ACTIONS = {"approved", "by_hand", "erased", "password_changed", "changed", "reset"}


def record(
    action: str,
    subject: Any = None,
    *,
    actor: User | None = None,
    reason: str = "",
    **data: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits)."""
    if actor is None and current_user and getattr(current_user, "is_authenticated", False):
        actor = current_user
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        subject_type=type(subject).__name__.lower() if subject is not None else "",
        subject_id=getattr(subject, "id", None),
        reason=reason,
        data=data,
    )
    db.session.add(event)
    if action.split(".")[-1] in SECURITY_ACTIONS or action.startswith(("export.", "erase")):
        security_event(action, subject=f"{event.subject_type}:{event.subject_id}")
    return event
