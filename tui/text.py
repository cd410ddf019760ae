"""Text from documents and models, made safe to display: shown literally, never interpreted.

Everything the chat shows that came from a document or a model goes through `literal()` (control
characters become visible symbols, so an ANSI escape inside a document cannot recolour or move the
terminal) and is wrapped in `rich.text.Text`, never parsed as markup. Answers are Markdown, so
`answer_markdown()` also escapes what Markdown would turn into HTML or links, and turns each `[n]`
into a `cite:n` link the chat handles itself. Replacements keep one character for one, so
document offsets stay valid.
"""

from __future__ import annotations

import re

from assistant.prompts import CITATION_PATTERN

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # U+2400 "Control Pictures": ␛ for ESC, ␍ for CR
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"  # C1 controls (some terminals read 0x9b as CSI)


def literal(text: str) -> str:
    """The text with every control character except newline and tab made visible.

    One character is replaced by one, so offsets into the text still hold.
    """
    return _CONTROL.sub(_picture, text)


# Emphasis, lists and code from a model render as Markdown; what could hide or rewrite text
# does not: brackets (reference links and definitions), angle brackets (raw HTML, which the
# Markdown widget drops) and backslashes are escaped.
_MARKDOWN_SPECIAL = re.compile(r"([\\\[\]<>])")


def escape_markdown(text: str) -> str:
    """Backslash-escape brackets, angle brackets and backslashes (and make controls visible)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", literal(text))


def answer_markdown(answer: str, cited: set[int] | None = None) -> str:
    """An answer as Markdown: literal text, with each `[n]` a link to its citation.

    Args:
        answer: The answer text with `[n]` markers, as the model or the extractive scorer wrote it.
        cited: The numbers that have a verified citation (None: every marker is a link).
            A marker without a citation is shown as plain text.
    """
    parts: list[str] = []
    pos = 0
    for match in CITATION_PATTERN.finditer(answer):
        parts.append(escape_markdown(answer[pos : match.start()]))
        n = int(match.group(1))
        if cited is None or n in cited:
            parts.append(f"[\\[{n}\\]](cite:{n})")
        else:
            parts.append(escape_markdown(match.group()))
        pos = match.end()
    parts.append(escape_markdown(answer[pos:]))
    # A model's line breaks are kept as paragraph breaks; other whitespace is Markdown's.
    return "".join(parts).replace("\n", "\n\n")


_MARKER_WITH_SPACE = re.compile(r"\s*" + CITATION_PATTERN.pattern)


def short(text: str, width: int = 160) -> str:
    """One line of at most `width` characters (whitespace folded), for lists."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def strip_citations(text: str) -> str:
    """The answer without its `[n]` markers (for eval cases and titles)."""
    return " ".join(_MARKER_WITH_SPACE.sub("", text).split())
