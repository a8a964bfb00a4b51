"""Values that came from a visitor's file: checked for what they claim to be before use, made safe to show
(plain characters only, cut short, never Markdown)."""

from __future__ import annotations

import math
import re

SHOWN_CHARACTERS = 40
_UNSAFE = re.compile(r"[^A-Za-z0-9 _.,()×-]")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&\"'=^])")


def file_text(value, limit: int = SHOWN_CHARACTERS) -> str:
    """Any value from an uploaded file as a short plain string: letters, digits and a few signs, `limit` at most."""
    text = _UNSAFE.sub("?", str(value)[: limit * 4])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def markdown_escaped(text: str) -> str:
    """`text` as Streamlit's Markdown shows it literally: every sign Markdown (or its :colour[...] and $maths$)
    could read is backslash-escaped, so a message can carry words from a file without becoming a link or a picture."""
    return _MARKDOWN.sub(r"\\\1", text)


def number(value) -> bool:
    """A finite JSON number (not true/false, which Python counts as ints)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def sides(values) -> bool:
    """A list of sizes: positive whole numbers (not true/false), none absurdly large."""
    return (
        isinstance(values, (list, tuple))
        and len(values) > 0
        and all(type(side) is int and 1 <= side <= 10_000_000 for side in values)
    )


def listed(value):
    """A list for a list or tuple, the value itself otherwise: JSON has no tuples, Keras writes both."""
    return list(value) if isinstance(value, (list, tuple)) else value
