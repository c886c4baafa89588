"""Rules for text people type: normalised, bounded, and free of characters that deceive."""

from __future__ import annotations

import unicodedata

# Bidi embedding/override/isolate controls can make a name display as something else.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ALLOWED_FORMAT = frozenset("\u200c\u200d\u200e\u200f")  # ZWNJ, ZWJ, LRM, RLM


class TextError(ValueError):
    """Text that cannot be stored; str() is a message key for the form."""


def clean_text(value: str | None, multiline: bool = False) -> str:
    """NFC-normalise and strip; refuse NUL, control and bidi override characters."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", value).strip()
    for char in text:
        if char in BIDI_CONTROLS:
            raise TextError("bidi")
        category = unicodedata.category(char)
        if category == "Cc" and not (multiline and char in "\n\r\t"):
            raise TextError("control")
        if category == "Cf" and char not in ALLOWED_FORMAT and char != "\ufe0f":
            if not _is_emoji_format(char):
                raise TextError("control")
    return text


def _is_emoji_format(char: str) -> bool:
    """Tag characters used inside flag emoji (U+E0020–E007F) are harmless."""
    return 0xE0020 <= ord(char) <= 0xE007F
