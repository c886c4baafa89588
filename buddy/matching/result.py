"""Result data classes, their English rendering and the contract's result JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .feasibility import Components

LANGUAGE_NAMES = {
    "am": "Amharic", "ar": "Arabic", "az": "Azerbaijani", "bg": "Bulgarian", "bn": "Bengali",
    "bs": "Bosnian", "ckb": "Central Kurdish", "cs": "Czech", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "fa": "Persian", "fr": "French", "he": "Hebrew",
    "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "hy": "Armenian", "it": "Italian",
    "ja": "Japanese", "ka": "Georgian", "kmr": "Northern Kurdish", "ko": "Korean",
    "ku": "Kurdish", "mk": "Macedonian", "nl": "Dutch", "pl": "Polish", "prs": "Dari",
    "ps": "Pashto", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak",
    "so": "Somali", "sq": "Albanian", "sr": "Serbian", "sw": "Swahili", "ta": "Tamil",
    "ti": "Tigrinya", "tk": "Turkmen", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu",
    "uz": "Uzbek", "vi": "Vietnamese", "zh": "Chinese",
}
_DAY_NAMES = {
    "mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
    "fri": "Friday", "sat": "Saturday", "sun": "Sunday",
}


@dataclass(frozen=True, slots=True)
class Reason:
    """A structured reason: a code and its parameters (rendered in the reader's language)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class Pair:
    """A proposed (or pinned) pair with its score, components and reasons."""

    newcomer: str
    volunteer: str
    score: float
    components: Components
    reasons: tuple[Reason, ...]
    pinned: bool = False


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A newcomer left without a pair, with the contract's reason code.

    ``nearest`` is the nearest almost-fitting volunteer and ``blocked_by`` the single rule
    (or ``capacity``) that kept them apart; both are None when no volunteer breaks just one
    rule, or when the detail was not computed (very large rounds).
    """

    newcomer: str
    reason: str
    nearest: str | None = None
    blocked_by: str | None = None
    nearest_km: float | None = None


@dataclass(frozen=True, slots=True)
class Hint:
    """A volunteer profile worth recruiting and how many unmatched newcomers it would fit."""

    language: str
    district: str
    slots: tuple[str, ...]
    newcomers: int
    borough: str | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts, objective and solver statistics of a matching round."""

    newcomers: int
    volunteers: int
    pairs: int
    total_score: float
    seconds: float
    feasible_pairs: int = 0
    candidate_pairs: int = 0
    rounds: int = 0
    certified: bool = True


@dataclass(frozen=True, slots=True)
class Result:
    """Everything a matching round proposes."""

    pairs: tuple[Pair, ...]
    unmatched: tuple[Unmatched, ...]
    hints: tuple[Hint, ...]
    summary: Summary


def language_name(code: str) -> str:
    """English name of a language code (the code itself when unknown)."""
    return LANGUAGE_NAMES.get(code, code)


def slot_label(slot: str) -> str:
    """English label of a slot: ``sat-morning`` → ``Saturday morning``."""
    day, part = slot.split("-")
    return f"{_DAY_NAMES[day]} {part}"


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def render_reason(reason: Reason) -> str:
    """English sentence for one structured reason."""
    p = reason.params
    if reason.code == "language":
        return "both speak " + _join([language_name(c) for c in p["languages"]])
    if reason.code == "time":
        count = len(p["slots"])
        noun = "common time" if count == 1 else "common times"
        return f"{count} {noun}: " + ", ".join(slot_label(s) for s in p["slots"])
    if reason.code == "place":
        if not p["in_person"]:
            return "meet online"
        if p["same_district"]:
            return "same district"
        return f"{p['km']:.1f} km apart"
    if reason.code == "waiting":
        days = p["days"]
        shown = int(days) if float(days).is_integer() else days
        return f"waiting {shown} day" + ("" if shown == 1 else "s")
    if reason.code == "pinned":
        return "matched by hand"
    if reason.code == "rule_broken":
        return f"breaks the {p['rule']} rule"
    return reason.code


def result_to_dict(result: Result) -> dict[str, Any]:
    """The contract's result JSON (reasons rendered in English)."""
    s = result.summary
    return {
        "pairs": [
            {
                "newcomer": p.newcomer,
                "volunteer": p.volunteer,
                "score": p.score,
                "reasons": [render_reason(r) for r in p.reasons],
            }
            for p in result.pairs
        ],
        "unmatched": [{"newcomer": u.newcomer, "reasons": [u.reason]} for u in result.unmatched],
        "hints": [
            {
                "language": h.language,
                "district": h.district,
                **({"borough": h.borough} if h.borough is not None else {}),
                "slots": list(h.slots),
                "newcomers": h.newcomers,
            }
            for h in result.hints
        ],
        "summary": {
            "newcomers": s.newcomers,
            "volunteers": s.volunteers,
            "pairs": s.pairs,
            "total_score": s.total_score,
            "seconds": round(s.seconds, 3),
        },
    }
