"""The scan behind corpus-wide questions: chunks holding a subject's terms, then documents.

`assistant.corpus` reads the subject and builds the answer; this module does the exhaustive
part. Chunks are selected from the keyword index's per-chunk terms (every chunk is looked at,
none is ranked away), then each document's sentences are read for its mentions and its best
sentence, with exact offsets in the document text; for "what does the corpus say about X",
also every sentence that mentions X, of which `told` keeps the most informative.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Final

import numpy as np

from assistant.analysis import analyse
from assistant.structure import is_dateline, is_heading
from assistant.text import sentence_spans

if TYPE_CHECKING:
    from assistant.keyword import KeywordIndex
    from assistant.types import Chunk


@dataclass(frozen=True, slots=True)
class Mention:
    """One sentence of a document that mentions the subject.

    Attributes:
        chunk: The chunk it was read in (the passage its citation names).
        quote: The sentence, exactly `document_text[start:end]`.
        start: Its offset in the document text.
        end: One past its last character.
        key: How informative it is, higher first: whether it is a sentence (not a heading),
            the subject's groups it holds, whether it has 6-80 words, and how many of the
            subject's terms it holds.
    """

    chunk: Chunk
    quote: str
    start: int
    end: int
    key: tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class DocumentHit:
    """One document that mentions the subject.

    Attributes:
        doc_id: The document's key in the store.
        source: Its path relative to the ingested root.
        mentions: How many times its sentences mention the subject (each group counted).
        chunk: The chunk holding its best sentence.
        quote: The best sentence, exactly `document_text[start:end]`.
        start: The quote's offset in the document text.
        end: One past the quote's last character.
        sentences: Every sentence (or heading) that mentions the subject, in document order,
            when `documents_holding` was asked for them (else empty); datelines are left out.
    """

    doc_id: str
    source: str
    mentions: int
    chunk: Chunk
    quote: str
    start: int
    end: int
    sentences: tuple[Mention, ...] = ()


def closest_terms(term: str, index: KeywordIndex, fuzzy: int) -> frozenset[str]:
    """The corpus terms as close to `term` as the best one, at rapidfuzz ratio >= `fuzzy`."""
    if not fuzzy or len(term) <= 3 or term[0].isdigit():  # short words match too much
        return frozenset()
    from rapidfuzz import fuzz, process

    choices = [t for t in index.vocab if len(t) > 2]
    found = process.extract(term, choices, scorer=fuzz.ratio, score_cutoff=fuzzy, limit=5)
    if not found:
        return frozenset()
    top = found[0][1]
    return frozenset(str(t) for t, score, _ in found if score >= top - 1e-9)


def chunks_with(
    groups: list[list[str]], index: KeywordIndex, guessed: dict[str, frozenset[str]]
) -> list[str]:
    """Ids of the chunks that hold every term of at least one group (exhaustive)."""
    ids, terms = list(index.ids), list(index.terms)
    if not ids or not any(groups):
        return []
    lengths = np.fromiter((len(t) for t in terms), dtype=np.int64, count=len(terms))
    flat = np.concatenate(terms)
    owner = np.repeat(np.arange(len(terms)), lengths)
    selected: set[int] = set()
    for group in groups:
        inside: set[int] | None = None
        for term in group:
            tids = [index.vocab[t] for t in guessed.get(term, (term,))]
            holding = set(np.unique(owner[np.isin(flat, tids)]).tolist())
            inside = holding if inside is None else inside & holding
        selected |= inside or set()
    return [ids[i] for i in sorted(selected)]


def documents_holding(
    chunks: list[Chunk],
    groups: list[list[str]],
    *,
    any_of: bool,
    guessed: dict[str, frozenset[str]],
    written: Mapping[str, frozenset[str]] | None = None,
    sentences: bool = False,
) -> list[DocumentHit]:
    """One hit per document whose chunks hold the groups, with its mentions and best sentence.

    A group counts when one chunk holds all its terms, as the index finds it, even split over
    two sentences ("Cainiao. Network"); mentions are counted per sentence. A term the name
    was fuzzily matched to counts only where the text writes it with a capital: "Tensent" is
    as close to the verb "tentent" as to "Tencent". A term in `written` (a name's, with the
    name's folded spellings) counts only where the text writes the name as a word, in any
    case or accent: "France" shares its stem with "français" and "francs", which do not
    mention it. With `sentences`, each hit also holds every sentence that mentions the
    subject (`DocumentHit.sentences`).
    """
    by_doc: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        by_doc.setdefault(chunk.doc_id, []).append(chunk)
    wanted = [g for g in groups if g]
    finder = _Mentions(wanted, guessed, written or {})
    hits: list[DocumentHit] = []
    for doc_id, doc_chunks in by_doc.items():
        terms_at: dict[int, list[str]] = {}
        chunk_terms: list[set[str]] = []
        mentions = 0
        best: tuple[tuple[int, int, int, int], Chunk, int, int] | None = None
        telling: list[Mention] = []
        for chunk in sorted(doc_chunks, key=lambda c: c.start):
            held: set[str] = set()
            chunk_terms.append(held)
            names_at = finder.names_at(chunk.text)
            if not names_at and not finder.may_hold_stems(chunk.text):
                continue
            for a, b in finder.sentences(chunk.text, names_at):
                start = chunk.start + a
                if start in terms_at:  # chunks overlap by a sentence: count it once
                    held.update(terms_at[start])
                    continue
                terms = terms_at[start] = finder.terms(chunk.text, a, b, names_at)
                held.update(terms)
                partial = sum(t in terms for g in wanted for t in g)
                if not partial:
                    continue
                counts = [min(terms.count(t) for t in g) for g in wanted]
                mentions += sum(counts)
                words = len(chunk.text[a:b].split())
                key = (sum(n > 0 for n in counts), partial, int(6 <= words <= 80), -start)
                if best is None or key > best[0]:
                    best = (key, chunk, a, b)
                if sentences and not is_dateline(chunk.text[a:b]):
                    # A title says what its article is about, in few words: after every
                    # sentence, not never ("Chine : Xi Jinping peut être président à vie").
                    told_key = (int(not is_heading(chunk.text, a, b)), key[0], key[2], partial)
                    telling.append(
                        Mention(chunk, chunk.text[a:b], start, chunk.start + b, told_key)
                    )
        found = [any(set(g) <= terms for terms in chunk_terms) for g in wanted]
        if best is None or not (any(found) if any_of else all(found)):
            continue
        _, chunk, a, b = best
        hits.append(
            DocumentHit(
                doc_id=doc_id,
                source=chunk.source,
                mentions=max(mentions, 1),
                chunk=chunk,
                quote=chunk.text[a:b],
                start=chunk.start + a,
                end=chunk.start + b,
                sentences=tuple(sorted(telling, key=lambda m: m.start)),
            )
        )
    return hits


_WORD: Final = re.compile(r"[^\W_]+")


def told(mentions: Sequence[Mention], most: int) -> list[Mention]:
    """The `most` most informative of a document's mentions, in document order.

    Informative as `Mention.key` says (the whole subject, in a sentence of 6-80 words; a
    heading only once every sentence is kept), earlier first among equals. A sentence that
    overlaps one already kept, or says nearly the same words (chunks overlap by a sentence, a
    lead repeats the title), is left out.
    """
    kept: list[Mention] = []
    words: list[set[str]] = []
    for mention in sorted(mentions, key=lambda m: (tuple(-k for k in m.key), m.start)):
        if len(kept) >= most:
            break
        if any(mention.start < k.end and k.start < mention.end for k in kept):
            continue
        these = set(_WORD.findall(fold_text(mention.quote)))
        if any(_similar(these, those) for those in words):
            continue
        kept.append(mention)
        words.append(these)
    return sorted(kept, key=lambda m: m.start)


def _similar(a: set[str], b: set[str]) -> bool:
    """Whether two sentences share at least 80% of their words (Jaccard)."""
    return bool(a | b) and len(a & b) >= 0.8 * len(a | b)


class _Mentions:
    """The subject's terms a text holds: a name's as written, the other words' by stem.

    A name is found by one regular expression over the text itself (so its positions are
    offsets into it); the other words start with a substring test on folded text, so that
    the sentences that cannot hold them are never analysed.
    """

    def __init__(
        self,
        groups: list[list[str]],
        guessed: dict[str, frozenset[str]],
        written: Mapping[str, frozenset[str]],
    ) -> None:
        wanted = {t for g in groups for t in g}
        self.guessed = guessed
        self.patterns = {t: written_pattern(written[t]) for t in sorted(wanted) if written.get(t)}
        self.stemmed = wanted - self.patterns.keys()
        # Stems are prefixes of folded words; the rough fold drops non-ASCII letters, so it
        # only filters needles that are ASCII themselves.
        self.needles = {n for t in self.stemmed for n in guessed.get(t, (t,))}
        self.filter_stems = all(n.isascii() for n in self.needles)

    def names_at(self, text: str) -> dict[str, list[int]]:
        """Where `text` writes each name's term: the offsets of its matches, in order."""
        found = {t: [m.start() for m in p.finditer(text)] for t, p in self.patterns.items()}
        return {t: starts for t, starts in found.items() if starts}

    def may_hold_stems(self, text: str) -> bool:
        """False only when no sentence of `text` can hold a stemmed term of the subject."""
        if not self.stemmed:
            return False
        if not self.filter_stems:
            return True
        rough = _rough_fold(text)
        return any(n in rough for n in self.needles)

    def sentences(self, text: str, names_at: dict[str, list[int]]) -> list[tuple[int, int]]:
        """The sentences of `text` that may hold a term (spans).

        Those where a name is written, or every one when the subject has other words.
        """
        spans = sentence_spans(text)
        if self.stemmed:
            return spans
        starts = [a for a, _ in spans]
        holding = {bisect_right(starts, m) - 1 for found in names_at.values() for m in found}
        return [spans[i] for i in sorted(holding) if i >= 0]

    def terms(self, text: str, a: int, b: int, names_at: dict[str, list[int]]) -> list[str]:
        """The subject's terms in the sentence `text[a:b]`, each as often as it has it."""
        found: list[str] = []
        for term, starts in names_at.items():
            found.extend([term] * (bisect_left(starts, b) - bisect_left(starts, a)))
        if self.stemmed:
            sentence = text[a:b]
            if not self.filter_stems or any(n in _rough_fold(sentence) for n in self.needles):
                found.extend(t for t in _stems(sentence, self.guessed) if t in self.stemmed)
        return found


def written_pattern(spellings: Iterable[str]) -> re.Pattern[str]:
    """Where a text writes one of `spellings` (folded words) as a word, in any case or accent.

    What `assistant.analysis.fold` would match on the folded text, found in the text itself:
    each folded character stands for every character that folds to it ("e": é, È, ē…; "oe":
    œ), and combining accents may follow any of them. Kept per process: compiling the large
    character classes costs 10-30 ms, once per name.
    """
    return _written_pattern(tuple(sorted(set(spellings))))


@lru_cache(maxsize=256)
def _written_pattern(spellings: tuple[str, ...]) -> re.Pattern[str]:
    spelled_as = _spelled_as()
    marks = f"{_marks().pattern}*"
    # Not after a letter, nor after an accent that folding takes away (with its letter);
    # tested once the first character matched, which keeps the scan at C speed.
    not_after = rf"(?<![\w{_marks().pattern[1:-1]}][\s\S])"

    def from_(word: str, i: int) -> str:
        if i == len(word):
            return ""
        options = []
        for k in range(1, len(word) - i + 1):
            piece = word[i : i + k]
            chars = spelled_as.get(piece, frozenset()) | ({piece} if k == 1 else set())
            if chars:
                one_of = "".join(re.escape(c) for c in sorted(chars))
                first = not_after if i == 0 else ""
                options.append(f"[{one_of}]{first}{marks}{from_(word, i + k)}")
        return options[0] if len(options) == 1 else f"(?:{'|'.join(options)})"

    body = "|".join(from_(word, 0) for word in spellings)
    return re.compile(rf"(?:{body})(?!\w)")


# Where the characters that fold to Latin, Greek or Cyrillic letters, digits and punctuation
# live (accented and capital letters, ligatures, superscripts, full-width forms): scanning
# these rather than the whole plane keeps the table's one-time cost to a few milliseconds.
_FOLDING_BLOCKS: Final = (
    (0x0000, 0x0530), (0x1D00, 0x1FFF), (0x2000, 0x24FF), (0x2C60, 0x2C7F),
    (0xA720, 0xA7FF), (0xFB00, 0xFB4F), (0xFE10, 0xFE6F), (0xFF00, 0xFFEF),
)  # fmt: skip


@lru_cache(maxsize=1)
def _spelled_as() -> dict[str, frozenset[str]]:
    """Each folded string and the characters that fold to it ("f": F, Ｆ; "oe": œ, Œ)."""
    table: dict[str, set[str]] = {}
    for low, high in _FOLDING_BLOCKS:
        for code in range(low, high + 1):
            ch = chr(code)
            if ch.lower() == ch and not unicodedata.decomposition(ch) and ch != "œ":
                continue  # folds to itself
            folded = fold_text(ch)
            if folded and folded != ch:
                table.setdefault(folded, set()).add(ch)
    return {folded: frozenset(chars) for folded, chars in table.items()}


@lru_cache(maxsize=1)
def _marks() -> re.Pattern[str]:
    """Every combining mark of the Basic Multilingual Plane, as one character class."""
    ranges: list[list[int]] = []
    for code in range(0x10000):
        if unicodedata.combining(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    # As ranges, which keeps the patterns that repeat this class short to compile.
    inner = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return re.compile(f"[{inner}]")


def fold_text(text: str) -> str:
    """`assistant.analysis.fold` at C speed: lower case, accents (combining marks) removed."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return _marks().sub("", decomposed).replace("œ", "oe")


def _rough_fold(text: str) -> str:
    """Lower case, accents and every other non-ASCII character dropped, at C speed.

    Only a filter: dropping characters can join letters (more matches), never split them.
    """
    plain = text.lower().replace("œ", "oe").replace("æ", "ae")
    return unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode("ascii")


_SURFACE: Final = re.compile(r"[^\W_][\w.&'’-]*")


def _stems(sentence: str, guessed: dict[str, frozenset[str]]) -> list[str]:
    """The sentence's index terms, a corpus term close to a misspelt one counted as it.

    Only where the sentence writes it with a capital, as a name.
    """
    stems = analyse(sentence)
    close = {t: asked for asked, terms in guessed.items() for t in terms}
    if not close.keys() & set(stems):
        return stems
    named = [t for w in _SURFACE.findall(sentence) if w[0].isupper() for t in analyse(w)]
    return [t for t in stems if t not in close] + [close[t] for t in named if t in close]
