"""Corpus-wide questions answered from the keyword index: every document that mentions a subject.

"Quels articles parlent de Tencent ?", "Combien d'articles mentionnent JD.com ?", "Que dit le
corpus sur Hema ?", "Which articles mention Alibaba?" are not answered from the top-k passages
(which would miss documents) but by scanning the analysed terms the keyword index keeps for
every chunk: exhaustive, and fast enough to feel instant. Each matching document comes with its
number of mentions and its best sentence, quoted at its exact offsets, so the answer carries the
same citations as any other. Asked what the corpus *says* about a subject ("Que dit le corpus
sur Hema ?", "What does the corpus say about Tencent?") and few documents match, each of them
gives up to `coverage.about_sentences` of its sentences that mention it, each cited, rather
than one.

A subject is read from the question after its trigger ("parlent de", "sur", "mention"): each
name ("Cainiao Network") is a group of index terms that must occur in one chunk, the other
content words ("un analyste") one more such group. A document matches when it holds every group,
or any of them when the question joins the names with "ou"/"or". A name counts where the text
writes it as a word, in any case or accent ("France", not "français", which has its stem); one
the corpus spells differently ("Tensent") is searched as the corpus word closest to it, as
retrieval does.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

from assistant.analysis import analyse, detect_language
from assistant.corpus_scan import (
    DocumentHit,
    Mention,
    chunks_with,
    closest_terms,
    documents_holding,
    fold_text,
    told,
)
from assistant.kinds import CORPUS_ABOUT, CORPUS_TRIGGER, classify
from assistant.prompts import REFUSAL
from assistant.questions import question_names
from assistant.types import EXTRACTIVE_MODEL, Answer, Citation, Passage, Timings

if TYPE_CHECKING:
    from assistant.filters import Filters
    from assistant.keyword import KeywordIndex
    from assistant.settings import Settings
    from assistant.store import Store

MAX_CITED: Final = 99
"""Documents listed with a citation; `[n]` has at most two digits (`prompts.CITATION_PATTERN`).
Documents past it are still counted and named, without a quote."""

# Between the trigger and the subject: "parlent de la", "est-il question de", "say about the".
_LEAD_IN: Final = re.compile(
    r"\s*(?:-(?:t-)?(?:ils?|elles?)\s+)?(?:(?:est-il|il est) question\s+|trouve-t-on\s+)?"
    r"(?:(?:de la|de l'|du|des|de|d'|sur|au sujet de|a propos de|about|on|of|to|the|la|le|les|"
    r"l'|un|une)(?:\s+|(?<=')))*"
)
# Where the subject ends: "Alipay, et lesquels ?", "Tencent and which ones?".
_SUBJECT_END: Final = re.compile(
    r"[,;?!:(]|\s(?:et|and) (?:lesquel\w*|lequel|laquelle|which|what|combien|how many)\b"
)
_ANY_OF: Final = re.compile(r"\s(?:ou|or)\s")
_ELISION: Final = re.compile(r"\b[dlDL]['’](?=\w)")
_POSSESSIVE: Final = re.compile(r"['’]s\b")

# Words of a subject that say nothing about it ("Quels articles du corpus…, et lesquels").
_NOT_SUBJECT: Final = frozenset(
    analyse("article articles document documents corpus texte textes lesquels lesquelles lequel")
)


@dataclass(frozen=True, slots=True)
class CorpusResult:
    """Every document of the store that mentions a question's subject.

    Attributes:
        question: The question as asked.
        subject: The subject as the question wrote it ("JD.com").
        groups: The index terms of each part of the subject (after fuzzy matching); a part
            the corpus never uses is an empty group.
        any_of: A document needs one group (names joined by "ou"/"or"), else all of them.
        documents: The matching documents, most mentions first.
        milliseconds: How long the search took.
        about: The question asks what the documents say about the subject, not which of them
            mention it; each document then holds its sentences that mention it.
    """

    question: str
    subject: str
    groups: tuple[tuple[str, ...], ...]
    any_of: bool
    documents: tuple[DocumentHit, ...]
    milliseconds: float
    about: bool = False


def _fold_keep_length(text: str) -> str:
    """Lower case without accents, one character per character, so offsets carry over."""
    out = []
    for ch in text.lower():
        base = unicodedata.normalize("NFKD", ch)[:1]
        out.append(base if len(base) == 1 and base.isascii() else ch)
    return "".join(out).replace("’", "'")


def subject_of(question: str) -> tuple[str, list[list[str]], bool, int] | None:
    """The subject of a corpus question: its text, its words grouped, and whether any-of.

    Returns:
        `(subject, groups, any_of, named)`, each group the words of one name or the subject's
        other content words, the `named` first groups the names; None when the question is
        not a corpus question or names no subject.
    """
    folded = _fold_keep_length(question)
    trigger = CORPUS_TRIGGER.search(folded)
    if trigger is None:
        return None
    lead_in = _LEAD_IN.match(folded, trigger.end())
    start = lead_in.end() if lead_in else trigger.end()
    end_match = _SUBJECT_END.search(folded, start)
    subject = question[start : end_match.start() if end_match else len(question)].strip(" .")
    if not subject:
        return None
    plain = _POSSESSIVE.sub("", _ELISION.sub("", subject))
    # A lower-case word first, so that question_names reads the subject's first word as it
    # reads any word after a question's first ("Tencent" is a name here).
    names = [list(name) for name in question_names("de " + plain)]
    named = {word for name in names for word in name}
    rest = [
        w for w in re.findall(r"[^\W_][\w.&-]*", plain) if w not in named and not _ANY_OF.match(w)
    ]
    groups = [*names, rest] if rest else names
    any_of = bool(_ANY_OF.search(f" {_fold_keep_length(plain)} ")) and len(names) > 1
    return subject, groups, any_of, len(names)


def asks_about(question: str) -> bool:
    """Whether a corpus question asks what the documents say about its subject.

    "Que dit le corpus sur Hema ?" does, "Quels articles mentionnent Hema ?" does not: the
    trigger `subject_of` reads the subject after is one of `CORPUS_ABOUT`'s.
    """
    folded = _fold_keep_length(question)
    trigger = CORPUS_TRIGGER.search(folded)
    return trigger is not None and CORPUS_ABOUT.match(folded, trigger.start()) is not None


def find_documents(
    question: str, store: Store, keyword_index: KeywordIndex, *, fuzzy: int = 85
) -> CorpusResult | None:
    """Every document whose chunks mention the question's subject.

    Args:
        question: A corpus-wide question ("Quels articles parlent de Tencent ?").
        store: The store the keyword index follows (chunk texts come from it).
        keyword_index: The BM25 index; its per-chunk terms are scanned, none is skipped.
        fuzzy: A name the corpus never uses is searched as its closest corpus word at this
            rapidfuzz ratio (`grounding.fuzzy_names`); 0 turns it off.

    Returns:
        The documents, most mentions first; None when the question names no subject.
    """
    started = time.perf_counter()
    read = subject_of(question)
    if read is None:
        return None
    subject, words, any_of, named = read
    about = asks_about(question)
    keyword_index.ensure_fresh(store)
    guessed: dict[str, frozenset[str]] = {}
    looked_up = [_index_terms(group, keyword_index, fuzzy, guessed) for group in words]
    groups = [g for g in looked_up if g is not None]
    if not groups:
        return None
    # A part of the subject the corpus never uses: no document holds it (with "or", the
    # other names may still be found).
    usable = [g for g in groups if g] if any_of else (groups if all(groups) else [])
    hits: list[DocumentHit] = []
    if usable:
        matched_chunks = chunks_with(usable, keyword_index, guessed)
        chunks = list(store.get_chunks(matched_chunks).values())
        written = _as_written(words[:named], words[named:], guessed)
        hits = documents_holding(
            chunks, usable, any_of=any_of, guessed=guessed, written=written, sentences=about
        )
    return CorpusResult(
        question=question,
        subject=subject,
        groups=tuple(tuple(g) for g in groups),
        any_of=any_of,
        documents=tuple(sorted(hits, key=lambda h: (-h.mentions, h.source))),
        milliseconds=(time.perf_counter() - started) * 1000,
        about=about,
    )


def _index_terms(
    words: list[str], index: KeywordIndex, fuzzy: int, guessed: dict[str, frozenset[str]]
) -> list[str] | None:
    """The index terms of one group of words.

    [] when the corpus never uses one of them, None when the group has no content word at all
    ("lesquels"). A term the corpus never uses stands for the corpus terms closest to it, by
    the keyword index's own measure (a rapidfuzz ratio of at least `fuzzy`; words of more than
    three letters, against corpus terms of more than two), recorded in `guessed`: "tensent"
    for "tencent" and "tentent" alike.
    """
    terms = [t for t in analyse(" ".join(words)) if t not in _NOT_SUBJECT]
    if not terms:
        return None
    found: list[str] = []
    for term in dict.fromkeys(terms):
        if term in index.vocab:
            found.append(term)
            continue
        close = closest_terms(term, index, fuzzy)
        if not close:
            return []
        guessed[term] = close
        found.append(term)
    return found


def _as_written(
    names: list[list[str]], others: list[list[str]], guessed: dict[str, frozenset[str]]
) -> dict[str, frozenset[str]]:
    """The index terms of the names, each with the folded words that write it ("france").

    A user asking for "France" means the name, not "français" or "francs" (the same stem);
    a term the name was fuzzily matched to, or one the other words share, stays a stem.
    """
    shared = set(analyse(" ".join(w for group in others for w in group)))
    written: dict[str, set[str]] = {}
    for word in (w for name in names for w in name):
        for term in analyse(word):
            if term not in guessed and term not in shared:
                written.setdefault(term, set()).add(fold_text(word))
    return {term: frozenset(words) for term, words in written.items()}


# -- the answer --------------------------------------------------------------------------------

_HEAD: Final = {
    "fr": ("{n} article mentionne {subject} :", "{n} articles mentionnent {subject} :"),
    "en": ("{n} article mentions {subject}:", "{n} articles mention {subject}:"),
}
_QUOTES: Final = {"fr": ("« ", " »"), "en": ("“", "”")}
_MENTIONS: Final = {"fr": ("mention", "mentions"), "en": ("mention", "mentions")}
_MORE: Final = {
    "fr": "… et {n} autre(s), sans citation : {names}",
    "en": "… and {n} more, not cited: {names}",
}
_NONE_NOTE: Final = "refused: no document of the corpus mentions {subject}"


def corpus_answer(
    result: CorpusResult,
    *,
    language: str = "fr",
    about_documents: int = 0,
    about_sentences: int = 1,
) -> Answer:
    """The result as an `Answer`: a Markdown list of documents, one cited quote each.

    Every listed document is one passage (`n` = its rank, the chunk of its best sentence)
    and one `Citation` whose quote is at its exact offsets; past `MAX_CITED` documents are
    named on a last line without a citation. No document: a refusal. A question that asks
    what the corpus says (`CorpusResult.about`) about a subject at most `about_documents`
    documents mention gets, for each, up to `about_sentences` sentences that mention it, in
    document order: the first on the document's line, the others on lines under it, each
    cited at its own offsets; the passages are then the chunks they come from, numbered in
    the order they are cited (sentences of one chunk share its number).

    Args:
        result: What `find_documents` found.
        language: The answer's language ("fr" or "en"; others get English).
        about_documents: At most this many documents get several sentences (0: none).
        about_sentences: The sentences each of them gets.
    """
    lang = language if language in _HEAD else "en"
    timings = Timings(
        retrieve=result.milliseconds, first_token=result.milliseconds, total=result.milliseconds
    )
    base = Answer(
        question=result.question,
        text="",
        refused=False,
        mode="extractive",
        model=EXTRACTIVE_MODEL,
        timings=timings,
        kind="corpus",
    )
    if not result.documents:
        return replace(
            base,
            text=REFUSAL.get(lang, REFUSAL["en"]),
            refused=True,
            notes=(_NONE_NOTE.format(subject=result.subject),),
        )
    docs = result.documents
    detailed = result.about and len(docs) <= about_documents
    one, many = _HEAD[lang]
    lines = [(one if len(docs) == 1 else many).format(n=len(docs), subject=result.subject)]
    opening, closing = _QUOTES[lang]
    passages: list[Passage] = []
    citations: list[Citation] = []
    numbers: dict[tuple[str, int], int] = {}

    def cite(hit: DocumentHit, said: Mention) -> str:
        """The sentence quoted with its citation number, its chunk a passage if new."""
        key = (said.chunk.doc_id, said.chunk.start)
        if key not in numbers:
            numbers[key] = len(passages) + 1
            passages.append(Passage(n=numbers[key], chunk=said.chunk, score=float(hit.mentions)))
        n = numbers[key]
        citations.append(
            Citation(
                n=n,
                source=hit.source,
                chunk_id=said.chunk.chunk_id,
                quote=said.quote,
                start=said.start,
                end=said.end,
            )
        )
        return f"{opening}{' '.join(said.quote.split())}{closing} [{n}]"

    for hit in docs[:MAX_CITED]:
        word = _MENTIONS[lang][hit.mentions > 1]
        best = Mention(hit.chunk, hit.quote, hit.start, hit.end, (0, 0, 0, 0))
        first, *more = (told(hit.sentences, about_sentences) if detailed else []) or [best]
        lines.append(f"- {hit.source} ({hit.mentions} {word}) — {cite(hit, first)}")
        lines.extend(f"  - {cite(hit, said)}" for said in more)
    rest = docs[MAX_CITED:]
    if rest:
        names = ", ".join(h.source for h in rest)
        lines.append(_MORE[lang].format(n=len(rest), names=names))
    notes = [f"corpus-wide: {len(docs)} document(s) from the keyword index"]
    if detailed:
        notes.append(
            f"what the corpus says: up to {about_sentences} sentence(s) of each document "
            "that mention the subject"
        )
    return replace(
        base,
        text="\n".join(lines),
        citations=tuple(citations),
        passages=tuple(passages),
        notes=tuple(notes),
    )


def answer_corpus_question(
    question: str,
    store: Store,
    keyword_index: KeywordIndex,
    settings: Settings,
    filters: Filters | None = None,
) -> Answer | None:
    """Answer a corpus-wide question from the keyword index, or None if it is not one.

    Args:
        question: The (standalone) question.
        store: The store the index follows.
        keyword_index: The keyword index, scanned in full.
        settings: Read for `grounding.fuzzy_names`, `coverage.about_documents` and
            `coverage.about_sentences`.
        filters: Keep only the documents in this date window and under this source glob.

    Returns:
        The list of every matching document with a cited quote each, several for a question
        on what the corpus says about a subject few documents mention (a refusal when none
        matches); None when the question is not corpus-wide or names no subject, so that the
        caller answers it the usual way.
    """
    if classify(question) != "corpus":
        return None
    result = find_documents(question, store, keyword_index, fuzzy=settings.grounding.fuzzy_names)
    if result is None:
        return None
    if filters is not None and filters.active:
        kept = tuple(d for d in result.documents if filters.matches(d.source, d.chunk.date))
        result = replace(result, documents=kept)
    policy = settings.coverage
    return corpus_answer(
        result,
        language=detect_language(question),
        about_documents=policy.about_documents,
        about_sentences=policy.about_sentences,
    )
