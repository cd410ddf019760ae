"""Sentences that announce a list, and the sentences after them that give it.

News writes a list as a short announcing sentence followed by the items, one or two a
sentence: "Plusieurs candidats ont été recalés. Pierre Larrouturou et Bastien Faudot ont été
écartés ... Gérard Filoche a aussi été recalé ...". The announcing sentence ranks well (it
holds the question's words) but names no item, so `assistant/coverage.py` reads on through
its paragraph, as it reads on under a heading.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.analysis import fold
from assistant.points import Point, points_at
from assistant.structure import MIN_SENTENCE, is_dateline
from assistant.text import sentence_spans

if TYPE_CHECKING:
    from assistant.store import Store
    from assistant.types import Passage

# A quantity without the items: "plusieurs", "certains", "trois", "several", "a number of".
_QUANTIFIER = re.compile(
    r"\b(?:plusieurs|certain(?:e)?s|quelques|d'autres|(?:de )?nombreu(?:x|ses)|divers(?:es)?|"
    r"deux|trois|quatre|cinq|six|sept|huit|neuf|dix|several|some|many|various|a number of|"
    r"two|three|four|five|seven|eight|nine|ten)\b"
)
_MAX_WORDS = 12  # an announcement is short: the items come after it
ITEMS = 4
"""At most this many sentences after an announcement are read as its items."""


def announces(sentence: str) -> bool:
    """Whether a sentence announces items it does not name ("Plusieurs candidats ont été recalés.").

    It is short, counts or quantifies something (or ends with a colon), and names nobody: no
    capitalised word after its first.
    """
    words = sentence.split()
    if not 3 <= len(words) <= _MAX_WORDS or _names(sentence):
        return False
    return sentence.rstrip().endswith(":") or bool(_QUANTIFIER.search(fold(sentence)))


def announced_items(text: str, end: int, limit: int = ITEMS) -> list[tuple[int, int]]:
    """The spans of the sentences that follow an announcement ending at `end`, in its paragraph."""
    stop = text.find("\n", end)
    stop = len(text) if stop < 0 else stop
    spans = sentence_spans(text, end, stop)
    return [
        (a, b) for a, b in spans[:limit] if b - a >= MIN_SENTENCE and not is_dateline(text[a:b])
    ]


def _names(sentence: str) -> bool:
    """Whether a word after the first is capitalised (a name, in news prose)."""
    return any(w[:1].isupper() for w in sentence.split()[1:])


def follow_announcements(
    points: Sequence[Point],
    passages: tuple[Passage, ...],
    store: Store,
    seen: set[tuple[str, int]],
) -> tuple[list[Point], tuple[Passage, ...]]:
    """Each point that announces items it does not name gives way to the sentences naming them."""
    merged = passages
    out: list[Point] = []
    for pt in points:
        ev = pt.evidence
        if not announces(ev.text):
            out.append(pt)
            continue
        doc_id = ev.passage.chunk.doc_id
        text = store.document_text(doc_id) or ""
        spans = [(a, b) for a, b in announced_items(text, ev.end) if (doc_id, a) not in seen]
        added, merged = points_at(doc_id, text, spans, merged, store, label=ev.text, score=ev.score)
        seen.update((doc_id, p.evidence.start) for p in added)
        out.extend(added or [pt])
    return out, merged
