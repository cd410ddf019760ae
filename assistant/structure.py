"""A document's structure as long answers read it: headings, numbered points, sections, paragraphs.

`assistant/coverage.py` chooses the points of a list or summary answer; this module says where
the document's own points are: a numbered run ("1/ ...", "2. ..."), a heading and the sentences
under it until the next heading, the paragraph a sentence belongs to, and whether a sentence
continues the one before it ("Celle-ci permet ..." is about what the previous sentence named).
Everything here works on one document's text and character offsets, so a span found here is
an exact, citable piece of the stored text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from assistant.analysis import analyse, fold
from assistant.text import sentence_spans

if TYPE_CHECKING:
    from assistant.evidence import Evidence

# "1/ L'expansion d'Alibaba", "2. La philosophie du New Retail", "3) ..." at a line start.
_POINT = re.compile(r"^[ \t]*(\d{1,2})[ \t]*[/.)][ \t]+(\S[^\n]*)$", re.MULTILINE)
_HEADING_LINE = re.compile(r"^[ \t]*(\S[^\n]*?)[ \t]*$", re.MULTILINE)
# The words a sentence opens with when it goes on about what the previous one named:
# "Celle-ci permet ...", "Cette solution analyse ...", "L'enseigne conçoit ...", "It also ...".
_ANAPHOR = re.compile(
    r"^(?:celle-ci|celui-ci|ceux-ci|celles-ci|cette|cet|ces|il|elle|ils|elles|"
    r"l'enseigne|le groupe|l'entreprise|la societe|la solution|l'application|"
    r"this|these|it|they|the company|the group|"
    # Connectives: the sentence goes on with the previous one's point ("Néanmoins, l'accord
    # de paix a été rejeté", "En effet, 352 013 voix ont été ajoutées").
    r"neanmoins|cependant|toutefois|pourtant|en effet|mais|or|donc|ainsi|de plus|en outre|"
    r"par ailleurs|d'ailleurs|c'est pourquoi|however|but|indeed|thus|moreover|yet)\b"
)
# A dateline, "7 octobre 2016, 9 h 07 UTC . –" or "June 3, 2017 —": what is left of the line
# once its date and time words are taken out is punctuation.
_DATE_WORD = re.compile(
    r"\b(?:\d{1,4}(?:er)?|h|utc|gmt|cet|cest|am|pm|le|on|"
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|janvier|fevrier|mars|avril|mai|juin|"
    r"juillet|aout|septembre|octobre|novembre|decembre|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|january|february|march|april|may|june|july|august|september|"
    r"october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b"
)
MIN_SENTENCE = 25  # titles, bylines and captions are rarely points
_CARRIED = 0.9  # the share of a sentence's score that the sentence continuing it gets
_ASKED_SHARE = 0.6  # share of a heading's words the question must hold to ask for its section


def is_heading(text: str, start: int, end: int) -> bool:
    """A short line of its own with no final punctuation: a title or a section heading."""
    line = text[start:end]
    own_line = (start == 0 or text[start - 1] == "\n") and (end == len(text) or text[end] == "\n")
    return own_line and len(line) < 120 and not line.rstrip().endswith((".", "!", "?", "»", ":"))


def is_dateline(line: str) -> bool:
    """Whether a line only dates the article ("27 août 2016 . –", "7 octobre 2016, 9 h 07 UTC .").

    A news dateline shares a question's month and year words but says nothing: it is neither
    a heading to answer from nor a point.
    """
    folded = fold(line)
    # A day and a month at least: a bare year may head a section of a report.
    if not re.search(r"\d", folded) or not re.search(r"[^\W\d_]{3}", folded):
        return False
    return not re.search(r"[^\W_]", _DATE_WORD.sub(" ", folded))


def numbered_points(text: str) -> list[tuple[int, int]]:
    """The spans of a text's numbered headings ("1/ ...", "2. ...") without their numbers.

    Only the longest run numbered 1, 2, 3... in order counts; fewer than three is no structure.
    """
    best: list[re.Match[str]] = []
    run: list[re.Match[str]] = []
    for match in _POINT.finditer(text):
        number = int(match.group(1))
        if number == 1:
            run = [match]
        elif run and number == len(run) + 1:
            run.append(match)
        else:
            continue
        if len(run) > len(best):
            best = list(run)
    if len(best) < 3:
        return []
    return [(m.start(2), m.end(2)) for m in best]


def headings(text: str) -> list[tuple[int, int]]:
    """Every heading line of a text but its first line (the title), numbers left off.

    A numbered point's span starts after its number ("1/ "), so what is compared with a
    question is the heading's words.
    """
    found: list[tuple[int, int]] = []
    first = True
    for match in _HEADING_LINE.finditer(text):
        a, b = match.start(1), match.end(1)
        if first:
            first = False
            continue
        if b - a < 4 or (not is_heading(text, a, b) and not _is_numbered(text, a, b)):
            continue
        if is_dateline(text[a:b]):
            continue
        point = _POINT.match(text, match.start(), match.end())
        found.append((point.start(2), point.end(2)) if point else (a, b))
    return found


def _is_numbered(text: str, start: int, end: int) -> bool:
    return _POINT.match(text, start, end) is not None and len(text[start:end]) < 120


def asked_heading(question: str, text: str) -> tuple[float, int, int] | None:
    """The heading of `text` whose words the question holds, as (share held, start, end).

    "Que font les concurrents d'Alibaba pour conquérir les campagnes ?" asks for the section
    "Les concurrents d'Alibaba tentent aussi de conquérir les campagnes": the question holds at
    least two of the heading's words and most of them. None when no heading is asked for.
    """
    wanted = set(analyse(question))
    best: tuple[float, int, int] | None = None
    for a, b in headings(text):
        terms = set(analyse(text[a:b]))
        shared = len(terms & wanted)
        if shared < 2 or not terms:
            continue
        share = shared / len(terms)
        if share >= _ASKED_SHARE and (best is None or share > best[0]):
            best = (share, a, b)
    return best


def section_spans(
    text: str, after: int, question: str, sentences: int = 3, paragraphs: int = 3
) -> list[tuple[int, int]]:
    """The sentences under a heading that best answer the question, in document order.

    The section runs to the next heading (`paragraphs` paragraphs at most). A paragraph's first
    sentence says what it is about, so it counts a little more than the question's words alone.
    """
    wanted = set(analyse(question))
    found: list[tuple[float, int, int]] = []
    seen_paragraphs = 0
    for a, b in sentence_spans(text, after, min(len(text), after + 3000)):
        if is_heading(text, a, b) or _is_numbered(text, a, b):
            break
        lead = text[:a].rstrip(" \t").endswith("\n")
        seen_paragraphs += lead
        if seen_paragraphs > paragraphs:
            break
        if b - a >= MIN_SENTENCE and not is_dateline(text[a:b]):
            shared = len(wanted & set(analyse(text[a:b])))
            found.append((shared + 0.5 * lead - 0.01 * len(found), a, b))
    best = sorted(found, reverse=True)[:sentences]
    return sorted((a, b) for _, a, b in best)


def heading_with_sentence(text: str, start: int, end: int, limit: int) -> int:
    """Where a point's span ends: its heading, and the first sentence after it when short."""
    spans = sentence_spans(text, end, min(limit, end + 600))
    if not spans or end - start > 80:  # a long heading is its own sentence
        return end
    return spans[0][1]


def paragraph_of(text: str, start: int) -> int:
    """Where the paragraph (the line) holding offset `start` begins."""
    return text.rfind("\n", 0, start) + 1


def continues(text: str, previous_end: int, start: int) -> bool:
    """Whether the sentence at `start` goes on about the one ending at `previous_end`.

    It does when it follows it in the same paragraph and opens with a pronoun or a word that
    points back ("Celle-ci", "Cette solution", "L'enseigne", "It").
    """
    between = text[previous_end:start]
    if "\n" in between or between.strip():
        return False
    opening = fold(text[start : start + 40]).replace("’", "'")
    return _ANAPHOR.match(opening) is not None


# A sentence's opening name: "Hema est une chaîne…", "Cainiao Network a…".
_OPENING_NAME = re.compile(r"[A-ZÀ-Ý][\w.&-]{2,}")


def names_again(text: str, previous: str, previous_end: int, start: int) -> bool:
    """Whether the sentence at `start` opens with a name that the one before it named.

    "… portée à l'avenir par Hema, … au sein d'Alibaba. Hema est une chaîne de supermarchés
    qui a ouvert 22 magasins": the second sentence goes on about what the first introduced,
    in the same paragraph. A name that only opens the previous sentence does not count: any
    sentence starts with a capital ("Le", "Il").
    """
    between = text[previous_end:start]
    if "\n" in between or between.strip():
        return False
    opening = _OPENING_NAME.match(text, start)
    if opening is None:
        return False
    name = opening.group().rstrip(".")
    return re.search(rf"(?<=\W){re.escape(name)}(?!\w)", previous) is not None


def with_continuations(evidence: Sequence[Evidence]) -> list[Evidence]:
    """The evidence, a sentence that continues another scored at least 0.9 of that one.

    "Celle-ci permet d'obtenir ... origine, fabrication, recettes" follows "télécharger
    l'application mobile du magasin" and is about it, though it repeats none of the
    question's words; without this, the point it makes is never chosen.
    """
    by_chunk: dict[str, list[Evidence]] = {}
    for ev in evidence:
        by_chunk.setdefault(ev.passage.chunk.chunk_id or ev.passage.chunk.doc_id, []).append(ev)
    raised: dict[int, float] = {}
    for group in by_chunk.values():
        group.sort(key=lambda e: e.start)
        previous: Evidence | None = None
        for ev in group:
            if previous is not None:
                chunk = ev.passage.chunk
                if continues(chunk.text, previous.end - chunk.start, ev.start - chunk.start):
                    carried = _CARRIED * raised.get(id(previous), previous.score)
                    raised[id(ev)] = max(ev.score, carried)
            previous = ev
    out = [replace(ev, score=raised[id(ev)]) if id(ev) in raised else ev for ev in evidence]
    out.sort(key=lambda e: -e.score)
    return out
