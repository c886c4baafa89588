"""The application's clock: naive UTC datetimes, replaceable in tests."""

from __future__ import annotations

from datetime import UTC, datetime

_frozen: datetime | None = None


def now() -> datetime:
    """Return the current time as a naive UTC datetime (or the frozen test time)."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC).replace(tzinfo=None)


def freeze(at: datetime | None) -> None:
    """Fix the clock at `at` (naive UTC); None lets it run again."""
    global _frozen
    _frozen = at
