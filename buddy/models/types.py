"""Enums and small column types shared by the models."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from sqlalchemy import Enum, Integer, String
from sqlalchemy.types import TypeDecorator

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PARTS = ("morning", "afternoon", "evening")
SLOTS = tuple(f"{day}-{part}" for day in DAYS for part in PARTS)


class Availability(frozenset):
    """A set of weekly slot names such as 'mon-evening', stored as a 21-bit integer."""

    def __new__(cls, slots: Iterable[str] = ()):
        slots = frozenset(slots)
        unknown = slots - set(SLOTS)
        if unknown:
            raise ValueError(f"unknown slot {sorted(unknown)[0]!r}")
        return super().__new__(cls, slots)

    @classmethod
    def from_bits(cls, bits: int) -> Availability:
        """Build the set from its integer form."""
        return cls(slot for i, slot in enumerate(SLOTS) if bits >> i & 1)

    @property
    def bits(self) -> int:
        """The integer form: bit i is set when SLOTS[i] is in the set."""
        return sum(1 << i for i, slot in enumerate(SLOTS) if slot in self)

    def ordered(self) -> list[str]:
        """The slot names in week order."""
        return [slot for slot in SLOTS if slot in self]


class AvailabilityType(TypeDecorator):
    """Column type: Availability in Python, an integer in the database."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return Availability(value).bits

    def process_result_value(self, value, dialect):
        return None if value is None else Availability.from_bits(value)


class CodeList(TypeDecorator):
    """Column type: a list of short codes stored as one comma-separated string."""

    impl = String(200)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return ",".join(value)

    def process_result_value(self, value, dialect):
        return [] if not value else value.split(",")


class Role(enum.StrEnum):
    NEWCOMER = "newcomer"
    VOLUNTEER = "volunteer"
    COORDINATOR = "coordinator"


class GermanLevel(enum.StrEnum):
    A0 = "A0"
    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"


class Mode(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    EITHER = "either"


class Gender(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    DIVERSE = "diverse"
    UNSPECIFIED = "unspecified"


class BuddyGender(enum.StrEnum):
    ANY = "any"
    FEMALE = "female"
    MALE = "male"


class NewcomerStatus(enum.StrEnum):
    WAITING = "waiting"
    MATCHED = "matched"
    PAUSED = "paused"
    WITHDRAWN = "withdrawn"


class VolunteerStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"
    REJECTED = "rejected"


class MatchStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    ENDED = "ended"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # a proposal replaced by a later round
    PAUSED = "paused"  # an active match the coordinator stopped for now (e.g. after a report)


class EndReason(enum.StrEnum):
    NO_REPLY = "no_reply"
    GOAL_REACHED = "goal_reached"
    NO_TIME = "no_time"
    MOVED_AWAY = "moved_away"
    LANGUAGE = "language_difficulties"
    PERSONAL = "personal"
    OTHER = "other"


class RoundStatus(enum.StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class MeetingStatus(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class FollowUpStatus(enum.StrEnum):
    OPEN = "open"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


class MailStatus(enum.StrEnum):
    WAITING = "waiting"
    SENT = "sent"
    FAILED = "failed"


ENUM_LENGTH = 24  # room for new values without a column change


def enum_column(enum_cls: type[enum.Enum]) -> Enum:
    """A portable enum column storing the member values as strings (no native DB enum)."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=ENUM_LENGTH,
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )
