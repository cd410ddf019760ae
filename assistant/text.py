"""Sentences and offsets: sentence spans of a text, and the small string helpers built on them.

Every span is a pair of character offsets into the exact text it came from, which is what keeps
chunk and citation offsets checkable (`text[start:end] == quote`).
"""

from __future__ import annotations

import re
from typing import Final

# Titles and initials: a period after them never ends a sentence ("M. Zhang").
_TITLES = frozenset(
    "m mm mme mmes mlle dr pr st ste mr mrs ms jr sr j.-c".split()  # noqa: SIM905
)
# Abbreviations that end a sentence when a capital follows ("recettes, etc. Près de").
_ABBREVIATIONS = frozenset(
    "av apr env cf etc ex fig p pp vol no n° art ch chap inc ltd co corp dept vs e.g i.e".split()  # noqa: SIM905
)

_SENTENCE_END = re.compile(r"[.!?…]+[»\"”’')\]]*(?=\s)|\n")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text[start:end]`, whitespace trimmed.

    Line breaks always end a sentence (titles and paragraphs); a period ends one unless it
    follows a known abbreviation or a single capital letter (an initial).
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        stop = match.end()
        if match.group() != "\n":
            before = text[cursor : match.start()].rsplit(None, 1)
            last_word = before[-1].lower().strip('(«"“') if before else ""
            following = text[stop:end].lstrip()
            if last_word in _TITLES or (len(last_word) == 1 and last_word.isalpha()):
                continue
            if following and (
                following[0].islower()
                or (last_word in _ABBREVIATIONS and not following[0].isupper())
            ):
                continue
        _append_trimmed(text, cursor, stop, spans)
        cursor = stop
    _append_trimmed(text, cursor, end, spans)
    return spans


def _append_trimmed(text: str, a: int, b: int, spans: list[tuple[int, int]]) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        spans.append((a, b))


# `[1]` and `[1, 2]` as models and Veille's own answers write them.
_CITATION_MARKERS: Final = re.compile(r"\s*\[\d{1,2}(?:\s*,\s*\d{1,2})*\]")


def strip_citations(text: str) -> str:
    """The text without its `[n]` / `[n, m]` citation markers, whitespace collapsed.

    The eval metrics strip markers with a wider rule of their own (evals/metrics.py), on
    purpose: a scorer must not share the helpers of the system it scores.
    """
    return " ".join(_CITATION_MARKERS.sub("", text).split())


def shorten(text: str, width: int = 160) -> str:
    """One line of at most `width` characters (whitespace folded, an ellipsis if cut)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


# C0 controls but tab and newline, DEL, and C1 controls: what a terminal may act on (clear the
# screen, set the title) if a file name, a document or a model's output reaches it raw.
_CONTROLS: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` safe to write to a terminal: control characters shown as `\\xNN`, never sent."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
