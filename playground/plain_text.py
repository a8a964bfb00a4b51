"""Text that came from a visitor's file, made safe to show: plain characters only, cut short, never Markdown."""

from __future__ import annotations

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
