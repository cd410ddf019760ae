"""The scan behind corpus-wide questions: chunks holding a subject's terms, then documents.

`assistant.corpus` reads the subject and builds the answer; this module does the exhaustive
part. Chunks are selected from the keyword index's per-chunk terms (every chunk is looked at,
none is ranked away), then each document's sentences are read for its mentions and its best
sentence, with exact offsets in the document text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from assistant.analysis import analyse
from assistant.text import sentence_spans

if TYPE_CHECKING:
    from assistant.keyword import KeywordIndex
    from assistant.types import Chunk


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
    """

    doc_id: str
    source: str
    mentions: int
    chunk: Chunk
    quote: str
    start: int
    end: int


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
) -> list[DocumentHit]:
    """One hit per document whose chunks hold the groups, with its mentions and best sentence.

    A group counts when one chunk holds all its terms, as the index finds it, even split over
    two sentences ("Cainiao. Network"); mentions are counted per sentence. A term the name
    was fuzzily matched to counts only where the text writes it with a capital: "Tensent" is
    as close to the verb "tentent" as to "Tencent".
    """
    by_doc: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        by_doc.setdefault(chunk.doc_id, []).append(chunk)
    wanted = [g for g in groups if g]
    # A sentence can hold a term only if its folded text holds the term (stems are prefixes
    # of folded words): the others are not analysed, which keeps "la France" (500 articles)
    # fast.
    needles = {n for g in wanted for t in g for n in guessed.get(t, (t,))}
    ascii_needles = all(n.isascii() for n in needles)
    hits: list[DocumentHit] = []
    for doc_id, doc_chunks in by_doc.items():
        stems_at: dict[int, list[str]] = {}
        chunk_terms: list[set[str]] = []
        mentions = 0
        best: tuple[tuple[int, int, int, int], Chunk, int, int] | None = None
        for chunk in sorted(doc_chunks, key=lambda c: c.start):
            held: set[str] = set()
            for a, b in sentence_spans(chunk.text):
                start = chunk.start + a
                if start in stems_at:  # chunks overlap by a sentence: count it once
                    held.update(stems_at[start])
                    continue
                sentence = chunk.text[a:b]
                folded = _rough_fold(sentence)
                if ascii_needles and not any(n in folded for n in needles):
                    stems_at[start] = []
                    continue
                stems = stems_at[start] = _stems(sentence, guessed)
                held.update(stems)
                partial = sum(t in stems for g in wanted for t in g)
                if not partial:
                    continue
                counts = [min(stems.count(t) for t in g) for g in wanted]
                mentions += sum(counts)
                words = len(sentence.split())
                key = (sum(n > 0 for n in counts), partial, int(6 <= words <= 80), -start)
                if best is None or key > best[0]:
                    best = (key, chunk, a, b)
            chunk_terms.append(held)
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
            )
        )
    return hits


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
