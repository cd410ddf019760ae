"""French-aware text analysis: sentence spans, accent folding, elisions, stemming, stop words.

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


def fold(text: str) -> str:
    """Lower-case and strip accents: "Économie" -> "economie"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("œ", "oe")


_ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|lorsqu|puisqu|jusqu|quoiqu)['’]", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:[.,][0-9]+)*", re.UNICODE)

FRENCH_STOP_WORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "cet",
        "cette",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "elles",
        "en",
        "et",
        "eux",
        "il",
        "ils",
        "je",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "lui",
        "ma",
        "mais",
        "me",
        "meme",
        "mes",
        "moi",
        "mon",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ou",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "qui",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "c",
        "d",
        "j",
        "l",
        "m",
        "n",
        "s",
        "t",
        "y",
        "ete",
        "etre",
        "est",
        "sont",
        "ont",
        "a",
        "avait",
        "etait",
        "sera",
        "fait",
        "plus",
        "ainsi",
        "aussi",
        "comme",
        "dont",
        "donc",
        "lors",
        "tres",
        "peu",
        "tout",
        "tous",
        "toute",
        "toutes",
        "cela",
        "celui",
        "celle",
        "ceux",
        "celles",
        "ici",
        "la",
        "quel",
        "quelle",
        "quels",
        "quelles",
        "combien",
        "comment",
        "pourquoi",
        "quand",
        "ou",
        "est-ce",
        "si",
        "sans",
        "sous",
        "entre",
        "vers",
        "chez",
        "apres",
        "avant",
        "depuis",
        "pendant",
        "selon",
        "afin",
        "leurs",
    ]
)
ENGLISH_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "how",
        "many",
        "much",
        "when",
        "where",
        "why",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "into",
        "about",
        "as",
        "than",
        "then",
        "there",
        "their",
        "they",
        "them",
        "he",
        "she",
        "his",
        "her",
        "we",
        "our",
        "you",
        "your",
        "i",
        "me",
        "my",
        "not",
        "no",
        "so",
        "if",
        "can",
        "could",
        "will",
        "would",
        "should",
        "may",
        "might",
    ]
)
STOP_WORDS = FRENCH_STOP_WORDS | ENGLISH_STOP_WORDS


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


_NUMBER = re.compile(r"\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+(?![\d])(?:[.,]\d+)?|\d+(?:[.,]\d+)?")
_GROUP_SEPARATORS = re.compile(r"[ \u00a0\u202f]")


def numbers(text: str) -> set[str]:
    """The numbers in a text, in one canonical form whatever the convention.

    "3 000", "3.000" and "3,000" -> "3000" (a group of exactly three digits is a thousands
    group); "712,2" and "712.2" -> "712.2"; "2016" -> "2016".
    """
    found: set[str] = set()
    for match in _NUMBER.finditer(text):
        raw = _GROUP_SEPARATORS.sub("", match.group())
        parts = re.split(r"[.,]", raw)
        if len(parts) > 1 and all(len(p) == 3 for p in parts[1:]):
            value = "".join(parts)
        elif len(parts) > 1:
            value = "".join(parts[:-1]) + "." + parts[-1]
        else:
            value = raw
        found.add(value.lstrip("0") or "0")
    return found


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
