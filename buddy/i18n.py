"""Locale selection and language names from Babel's CLDR data."""

from __future__ import annotations

from functools import cache

from babel import Locale
from babel.dates import get_day_names
from flask import current_app, request
from flask_babel import get_locale
from flask_login import current_user

LOCALE_COOKIE = "lang"


def select_locale() -> str:
    """Pick the locale: the user's saved choice, the switcher's cookie, the browser, then de."""
    supported = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    cookie = request.cookies.get(LOCALE_COOKIE)
    if cookie in supported:
        return cookie
    return request.accept_languages.best_match(supported) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]


@cache
def text_direction(locale: str) -> str:
    """'rtl' for right-to-left scripts (ar, fa, ps), otherwise 'ltr'."""
    return Locale.parse(locale).text_direction


@cache
def native_name(code: str) -> str:
    """A language's name in that language, first letter capitalised ('Українська')."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def language_choices() -> list[tuple[str, str]]:
    """The interface languages as (code, name in its own language)."""
    return [(code, native_name(code)) for code in current_app.config["LANGUAGES"]]


# Languages people in the programme speak (besides German), most frequent first.
SPOKEN_LANGUAGES = (
    "ar", "uk", "fa", "ku", "ckb", "tr", "ru", "ti", "ps", "so", "en", "fr", "am", "ur", "ha",
    "sq", "sr", "bs", "hr", "ro", "bg", "pl", "es", "it", "pt", "el", "hy", "ka", "az", "uz",
    "tg", "hi", "bn", "ta", "ne", "zh", "vi", "sw", "yo", "ig", "om", "ln",
)


COMMON_FIRST = 12  # the languages most people here speak come first, then the rest A–Z


@cache
def spoken_language_choices(locale: str) -> tuple[tuple[str, str], ...]:
    """Spoken languages as (code, name in the reader's language): the most common first."""
    names = [(code, language_name(code, locale)) for code in SPOKEN_LANGUAGES]
    common, rest = names[:COMMON_FIRST], names[COMMON_FIRST:]
    return tuple(common + sorted(rest, key=lambda pair: pair[1].casefold()))


def language_name(code: str, locale: str) -> str:
    """A language's name in the reader's locale, for lists of spoken languages."""
    try:
        name = Locale.parse(locale).languages.get(code)
    except ValueError:
        name = None
    if not name:
        return code
    return name[:1].upper() + name[1:]


DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def day_names() -> list[tuple[str, str]]:
    """Week days Monday first as (slot key, name in the reader's locale)."""
    names = get_day_names("wide", locale=get_locale())
    return [(key, names[i]) for i, key in enumerate(DAY_KEYS)]


def language_label(code: str) -> str:
    """A language's name in the current reader's language (a Jinja filter)."""
    return language_name(code, str(get_locale()))


def month_label(key: str) -> str:
    """'2026-03' as a short month name in the reader's language ('März 2026')."""
    from datetime import date

    from babel.dates import format_date

    return format_date(date(int(key[:4]), int(key[5:7]), 1), "LLL y", locale=get_locale())
