"""The data model: typed SQLAlchemy 2.0 models, one module per family."""

from buddy.models.activity import AuditEvent, FollowUp, Meeting, OutboxMail
from buddy.models.matching import Match, MatchRound
from buddy.models.people import (
    District,
    Newcomer,
    NewcomerLanguage,
    User,
    Volunteer,
    VolunteerLanguage,
)
from buddy.models.types import (
    Availability,
    BuddyGender,
    EndReason,
    FollowUpStatus,
    Gender,
    GermanLevel,
    MailStatus,
    MatchStatus,
    MeetingStatus,
    Mode,
    NewcomerStatus,
    Role,
    RoundStatus,
    VolunteerStatus,
)

__all__ = [
    "AuditEvent", "Availability", "BuddyGender", "District", "EndReason", "FollowUp",
    "FollowUpStatus", "Gender", "GermanLevel", "MailStatus", "Match", "MatchRound",
    "MatchStatus", "Meeting", "MeetingStatus", "Mode", "Newcomer", "NewcomerLanguage",
    "NewcomerStatus", "OutboxMail", "Role", "RoundStatus", "User", "Volunteer",
    "VolunteerLanguage", "VolunteerStatus",
]
