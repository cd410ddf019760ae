"""Follow-up detection: whether a question leans on the conversation and must be rewritten.

Only such questions cost the local model a rewriting call; a self-contained question goes to
retrieval as typed (see `Assistant.rewrite`).
"""

from __future__ import annotations

import re
from typing import Final

# Openers and words that make a question lean on the previous one ("et JD.com ?", "what about
# JD?", "combien en a-t-il ?", "when did they do it?"). French inversions (a-t-il) are not.
_FOLLOW_UP_OPENERS: Final = ("et ", "and ", "what about", "how about", "mais ", "but ", "aussi")
# Not "en", "y", "that", "there": they are as common in self-contained questions ("en Chine",
# "combien y a-t-il", "the share that...") as in follow-ups.
_ANAPHORA: Final = frozenset(
    {"celui", "celle", "ceux", "celles", "cela", "ça", "ceci", "lui", "leur", "leurs"}
    | {"it", "its", "they", "them", "their", "these", "those", "he", "she", "his", "her"}
)
_EN_CLITIC: Final = re.compile(r"\ben \w+-(?:t-)?(?:il|elle|on|ils|elles)\b")
_INVERSION: Final = re.compile(r"-t-(?:il|elle|on|ils|elles)\b|-(?:il|elle|on|ils|elles)\b")


def looks_like_follow_up(question: str) -> bool:
    """Whether a question needs the conversation to be understood (and so a rewrite).

    A self-contained question ("Combien de magasins Hema a-t-il ouverts ?") goes to retrieval
    as it is: rewriting it costs the local model a whole extra call (~4 s on 2 cores).
    """
    text = question.strip().lower()
    if _EN_CLITIC.search(text):  # "combien en a-t-il", not "en Chine"
        return True
    text = _INVERSION.sub("", text)
    if text.startswith(_FOLLOW_UP_OPENERS):
        return True
    words = re.findall(r"[\w']+", text)
    if len(words) <= 3:
        return True
    bare = {w.split("'")[-1] for w in words}
    return bool(bare & _ANAPHORA)
