"""The solver's structured reasons, unmatched codes and hints in the reader's language."""

from __future__ import annotations

from babel.lists import format_list
from flask_babel import format_decimal, get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l

from buddy.i18n import day_names, language_name
from buddy.labels import PARTS_OF_DAY

RULES = {
    "language": _l("no common language"),
    "time": _l("no common time"),
    "place": _l("too far apart, and not both online"),
    "gender": _l("a wish about the buddy's gender"),
    "excluded": _l("this pair was rejected or ended before"),
}

UNMATCHED = {
    "no_volunteers": _l("There are no active volunteers."),
    "capacity": _l("Volunteers who fit have no free place left."),
    "no_common_language": _l("No volunteer speaks one of their languages."),
    "no_common_time": _l("No volunteer who speaks their language has a common time."),
    "no_common_place": _l("Volunteers who fit so far live too far away and do not meet online."),
    "gender_preference": _l("The remaining volunteers do not fit a wish about gender."),
    "excluded": _l("Every volunteer who would fit was rejected or ended before."),
}


def slot_name(slot: str) -> str:
    """'mon-evening' as 'Monday, Evening' in the reader's language."""
    day, part = slot.split("-")
    return f"{dict(day_names())[day]}, {PARTS_OF_DAY[part]}"


def _languages(codes) -> str:
    locale = str(get_locale())
    return format_list([language_name(code, locale) for code in codes], locale=locale)


def render(reason: dict) -> str:
    """One reason of a proposal as a sentence."""
    code, params = reason.get("code"), reason.get("params", {})
    if code == "language":
        return gettext("both speak %(languages)s", languages=_languages(params["languages"]))
    if code == "time":
        slots = params["slots"]
        return ngettext("%(num)d common time: %(times)s", "%(num)d common times: %(times)s",
                        len(slots), times="; ".join(slot_name(s) for s in slots))
    if code == "place":
        if not params.get("in_person"):
            return gettext("they meet online")
        if params.get("same_district"):
            return gettext("same part of the city")
        return gettext("%(km)s km apart", km=format_decimal(round(params["km"], 1)))
    if code == "waiting":
        return ngettext("waiting for %(num)d day", "waiting for %(num)d days",
                        int(params["days"]))
    if code == "pinned":
        return gettext("chosen by the coordinator")
    if code == "rule_broken":
        return gettext("breaks a rule: %(rule)s", rule=RULES.get(params["rule"], params["rule"]))
    return str(code)


def unmatched_reason(code: str) -> str:
    """Why a newcomer stayed without a buddy."""
    return str(UNMATCHED.get(code, code))


def rule_name(code: str) -> str:
    """A broken rule in words."""
    return str(RULES.get(code, code))


def hint_place(hint: dict, district_names: dict[str, str]) -> str:
    """Where a hinted volunteer should live: the district, and its Stadtbezirk if known."""
    name = district_names.get(hint["district"], hint["district"])
    return f"{name} ({hint['borough']})" if hint.get("borough") else name


def hint_rows(hints: list[dict], district_names: dict[str, str]) -> list[list[str]]:
    """Recruitment hints as spreadsheet rows in the reader's language."""
    return [[_languages([h["language"]]), hint_place(h, district_names),
             "; ".join(slot_name(s) for s in h["slots"]), str(h["newcomers"])] for h in hints]


def hint_sentence(hint: dict, district_names: dict[str, str]) -> str:
    """A recruitment hint as one sentence for a recruitment call."""
    where = hint_place(hint, district_names)
    return ngettext(
        "A volunteer who speaks %(language)s, is free %(times)s and lives near %(place)s "
        "would match %(num)d person.",
        "A volunteer who speaks %(language)s, is free %(times)s and lives near %(place)s "
        "would match %(num)d people.",
        hint["newcomers"], language=_languages([hint["language"]]),
        times="; ".join(slot_name(s) for s in hint["slots"]), place=where,
    )
