"""Words for codes: each enum value and slot name as the reader sees it (lazily translated)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from buddy.models.types import (
    BuddyGender,
    EndReason,
    Gender,
    GermanLevel,
    MailStatus,
    MeetingStatus,
    Mode,
    NewcomerStatus,
    VolunteerStatus,
)

NEWCOMER_STATUS = {
    NewcomerStatus.WAITING: _l("We are looking for a buddy for you."),
    NewcomerStatus.MATCHED: _l("You have a buddy."),
    NewcomerStatus.PAUSED: _l("Your search is paused."),
    NewcomerStatus.WITHDRAWN: _l("You have left Buddy."),
}

VOLUNTEER_STATUS = {
    VolunteerStatus.PENDING: _l("A coordinator will check your sign-up soon."),
    VolunteerStatus.ACTIVE: _l("You are an active volunteer."),
    VolunteerStatus.PAUSED: _l("You have paused. You get no new buddies."),
    VolunteerStatus.LEFT: _l("You have left Buddy."),
    VolunteerStatus.REJECTED: _l("Your sign-up was not accepted."),
}

NEWCOMER_STATUS_SHORT = {
    NewcomerStatus.WAITING: _l("waiting"),
    NewcomerStatus.MATCHED: _l("matched"),
    NewcomerStatus.PAUSED: _l("paused"),
    NewcomerStatus.WITHDRAWN: _l("withdrawn"),
}

VOLUNTEER_STATUS_SHORT = {
    VolunteerStatus.PENDING: _l("to review"),
    VolunteerStatus.ACTIVE: _l("active"),
    VolunteerStatus.PAUSED: _l("paused"),
    VolunteerStatus.LEFT: _l("left"),
    VolunteerStatus.REJECTED: _l("not accepted"),
}

GERMAN_LEVEL = {
    GermanLevel.A0: _l("I do not speak German yet."),
    GermanLevel.A1: _l("I know a few words and simple sentences."),
    GermanLevel.A2: _l("I can talk about simple everyday things."),
    GermanLevel.B1: _l("I can talk about most everyday things."),
    GermanLevel.B2: _l("I can talk easily about many topics."),
    GermanLevel.C1: _l("I speak German well and want to practise."),
}

MODE = {
    Mode.IN_PERSON: _l("In person"),
    Mode.ONLINE: _l("Online"),
    Mode.EITHER: _l("In person or online"),
}

GENDER = {
    Gender.FEMALE: _l("Woman"),
    Gender.MALE: _l("Man"),
    Gender.DIVERSE: _l("Diverse"),
    Gender.UNSPECIFIED: _l("I prefer not to say"),
}

BUDDY_GENDER = {
    BuddyGender.ANY: _l("It does not matter"),
    BuddyGender.FEMALE: _l("A woman"),
    BuddyGender.MALE: _l("A man"),
}

TOPIC = {
    "everyday": _l("Everyday life"),
    "work": _l("Work"),
    "school": _l("School and children"),
    "letters": _l("Letters from offices"),
}

PARTS_OF_DAY = {
    "morning": _l("Morning"),
    "afternoon": _l("Afternoon"),
    "evening": _l("Evening"),
}

MAIL_STATUS = {
    MailStatus.WAITING: _l("waiting"),
    MailStatus.SENT: _l("sent"),
    MailStatus.FAILED: _l("failed"),
}

SCORE_PARTS = {
    "language": _l("language"),
    "time": _l("times"),
    "place": _l("place"),
    "waiting": _l("waiting"),
}

WHAT_IF = {
    "today": _l("Today's rules"),
    "more_km": _l("Every volunteer travels 2 km further"),
    "online_for_all": _l("Everybody may also meet online"),
    "german_from_a1": _l("German counts as a common language from level A1"),
}

MEETING_STATUS = {
    MeetingStatus.PLANNED: _l("planned"),
    MeetingStatus.HELD: _l("took place"),
    MeetingStatus.CANCELLED: _l("cancelled"),
    MeetingStatus.NO_SHOW: _l("the buddy did not come"),
}

CANCELLED_BY = {
    "volunteer": _l("cancelled by the volunteer"),
    "newcomer": _l("cancelled by the newcomer"),
}

SESSION_TOPICS = {
    **TOPIC,
    "conversation": _l("Free conversation"),
    "grammar": _l("Grammar"),
    "reading": _l("Reading and writing"),
}

END_REASON = {
    EndReason.NO_REPLY: _l("The buddy does not reply"),
    EndReason.GOAL_REACHED: _l("Goal reached"),
    EndReason.NO_TIME: _l("No time any more"),
    EndReason.MOVED_AWAY: _l("Moved away"),
    EndReason.LANGUAGE: _l("Difficulties with the language"),
    EndReason.PERSONAL: _l("Personal reasons"),
    EndReason.OTHER: _l("Other reason"),
}

REPORT_KIND = {
    "no_show": _l("My buddy does not come to our meetings"),
    "inappropriate": _l("My buddy behaves in a way that is not okay"),
    "money_or_date": _l("My buddy asks for money or for a date"),
    "other": _l("Something else"),
}

NOTE_KIND = {
    "phoned": _l("phoned"),
    "emailed": _l("e-mailed"),
    "met": _l("met in person"),
    "other": _l("other"),
}

CHECKIN_ANSWER = {
    "met": _l("Yes, we met"),
    "not_met": _l("No, we did not meet"),
    "cancelled": _l("The meeting was cancelled"),
}

FOLLOWUP_KIND = {
    "report": _l("A problem was reported"),
    "two_no_shows": _l("Two no-shows in a row"),
    "disagreement": _l("Newcomer and volunteer disagree whether a session took place"),
    "first_session_late": _l("No first session yet"),
    "no_recent_session": _l("No session for a while"),
    "rematch": _l("The match ended: offer a new buddy"),
}

DATA_KEYS = {
    "account": _l("Account"), "email": _l("E-mail address"), "phone": _l("Phone number"),
    "role": _l("Role"), "language": _l("Language"), "created": _l("Created"),
    "last_login": _l("Last login"), "profile": _l("Profile"), "name": _l("Name"),
    "district": _l("Part of the city"), "languages": _l("Languages"),
    "free_times": _l("Free times"), "meeting_mode": _l("How to meet"),
    "gender": _l("Gender"), "buddy_gender": _l("Buddy's gender"), "status": _l("Status"),
    "consent_given": _l("Consent given"), "german_level": _l("German"),
    "topics": _l("Topics"), "waiting_since": _l("Waiting since"),
    "max_km": _l("How far (km)"), "capacity": _l("Buddies at the same time"),
    "motivation": _l("Motivation"), "matches": _l("Matches"),
    "buddy_first_name": _l("Your buddy"), "started": _l("Started"), "ended": _l("Ended"),
    "end_reason": _l("Reason"), "sessions": _l("Sessions"), "start": _l("When"),
    "minutes": _l("Minutes"), "place": _l("Place"), "checked_in": _l("Your answer"),
    "note": _l("Note"),
}
