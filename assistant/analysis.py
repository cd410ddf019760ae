"""Language analysis: accent folding, elisions, French stemming, stop words, language detection.

One analyser serves BM25 indexing, BM25 queries, extractive sentence scoring and citation
checks, so a word matches the same way everywhere. Questions and documents may be French or
English: words are stemmed with the French Snowball stemmer, and English stop words are dropped
too, which costs nothing on French text and keeps English questions from matching on "the".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Final

import Stemmer

from assistant import stopwords


def fold(text: str) -> str:
    """Lower-case and strip accents: "Économie" -> "economie"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("œ", "oe")


_ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|lorsqu|puisqu|jusqu|quoiqu)['’]", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:[.,][0-9]+)*", re.UNICODE)

FRENCH_STOP_WORDS: Final = frozenset(stopwords.FRENCH.split())
ENGLISH_STOP_WORDS: Final = frozenset(stopwords.ENGLISH.split())
STOP_WORDS: Final = FRENCH_STOP_WORDS | ENGLISH_STOP_WORDS
_FR_HINTS: Final = frozenset(stopwords.FRENCH_HINTS.split())
_EN_HINTS: Final = frozenset(stopwords.ENGLISH_HINTS.split())


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("french")


def words(text: str) -> Iterator[str]:
    """Folded words of a text, elisions removed, numbers kept whole ("712,2")."""
    for match in _WORD.finditer(_ELISION.sub(" ", text)):
        yield fold(match.group())


def analyse(text: str) -> list[str]:
    """BM25 terms: folded, stop words dropped, French-stemmed; numbers kept as written."""
    kept = [w for w in words(text) if w not in STOP_WORDS]
    stems: list[str] = _stemmer().stemWords(kept)
    return [w if w[0].isdigit() else s for w, s in zip(kept, stems, strict=True)]


def detect_language(text: str) -> str:
    """The language of `text`, "fr" or "en", from common words (ties: French, the corpus's)."""
    words = re.findall(r"[a-zàâçéèêëîïôûùüÿœ'-]+", text.lower())
    fr = sum(1 for w in words if w in _FR_HINTS or "'" in w)
    en = sum(1 for w in words if w in _EN_HINTS)
    return "en" if en > fr else "fr"
