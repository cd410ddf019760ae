"""Whether the retrieved evidence can answer one question, and which of its sentences do.

One `Answerability` per question holds what the question asks for (`questions.expect`) and the
grounding policy, and decides three things every answerer uses: the reason to refuse before
anything is generated (weak retrieval, names the corpus never mentions, no sentence that gives
what is asked, a calibrated confidence below the policy's floor), the evidence order
(sentences that answer first), and whether a generated answer's cited quotes give what was
asked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from assistant import lexicon
from assistant.analysis import STOP_WORDS, analyse, detect_language
from assistant.confidence import Signals, confidence
from assistant.embeddings import E5_MODEL_ID, model_id
from assistant.grounding import (
    claim_gives,
    figures,
    gives,
    giving_figures,
    mentions,
    mentions_any,
    names_bound,
    years_in,
)
from assistant.prompts import CITATION_PATTERN
from assistant.questions import Expectation, expect, question_names, subject_names
from assistant.structure import is_heading
from assistant.support import Support, support
from assistant.text import sentence_spans

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from assistant.evidence import Evidence
    from assistant.keyword import KeywordIndex
    from assistant.retrieval import Retrieval
    from assistant.settings import GroundingSettings
    from assistant.store import Store
    from assistant.types import Citation, Passage

# A numeral as written, "400", "16,3", "712.2", "1 500": not the digit inside a name ("B2C").
_NUMERAL = re.compile(r"(?<!\w)\d+(?:[ \u00a0\u202f]\d{3})*(?:[.,]\d+)?(?!\w)")
_NUMERAL_SPACES = re.compile(r"[ \u00a0\u202f]")


class Answerability:
    """The grounding decisions for one question."""

    def __init__(
        self,
        question: str,
        policy: GroundingSettings,
        store: Store,
        keywords: KeywordIndex,
        embeddings: Embeddings | None = None,
    ) -> None:
        """Checks for `question` (the standalone one) under `policy`.

        `embeddings` is the store's model, for the semantic support signals; without it they
        count as 0.
        """
        self.question = question
        self.embeddings = embeddings
        self.policy = policy
        self.store = store
        self.keywords = keywords
        self.expectation: Expectation = expect(question)
        self.subjects = subject_names(question)
        self._documents: dict[str, str] = {}  # texts read for the names check
        self._spans: dict[str, list[tuple[int, int]]] = {}
        # Verdicts per sentence: the ordering and the refusal ask about the same sentences.
        self._verdicts: dict[tuple[str, int, int], bool] = {}
        self._assessed: tuple[Retrieval, Sequence[Evidence], Signals] | None = None
        self._owners: Sequence[Sequence[tuple[str, ...]]] | None = None
        self.parse_unbound: set[str] = set()  # names the parse binding refused a figure to

    @property
    def binds_by_parse(self) -> bool:
        """Whether this question's figures are checked against the sentence's parse."""
        return (
            self.policy.parse_binding
            and self.policy.answer_type
            and self.policy.names_scope == "bound"
            and self.expectation.kind == "quantity"
            and bool(self.subjects)
        )

    @property
    def owners(self) -> Sequence[Sequence[tuple[str, ...]]]:
        """The subject groups whose figures the parse checks (`binding.owners`)."""
        if self._owners is None:
            from assistant import binding

            self._owners = binding.owners(
                self.question,
                self.subjects,
                self.expectation.focus,
                fuzzy=self.policy.fuzzy_names,
            )
        return self._owners

    @property
    def calibrated(self) -> bool:
        """Whether the confidence means what its weights were fitted for.

        They were fitted on the e5 model's cosines (`assistant/support.py`); another model's lie
        elsewhere (and would refuse everything), and without the semantic signals the weights
        do not apply: then no confidence is computed and none refuses.
        """
        return (
            self.policy.semantic_support
            and self.embeddings is not None
            and model_id(self.embeddings) == E5_MODEL_ID
        )

    @property
    def checks(self) -> bool:
        """Whether the answer-type check applies to this question."""
        return self.policy.answer_type and self.expectation.checkable

    def refusal_reason(self, retrieval: Retrieval, evidence: Sequence[Evidence]) -> str | None:
        """Why the corpus cannot answer, or None to go on."""
        if not retrieval.passages:
            return "no passage found"
        policy = self.policy
        floor = policy.min_similarity
        # A sentence that matches the question's terms (cognates included) outweighs a weak
        # whole-chunk cosine: e5-small scores English questions on French chunks low.
        strong_sentence = bool(evidence) and evidence[0].score >= policy.strong_evidence
        if (
            retrieval.best_similarity < floor
            and retrieval.keyword_coverage < policy.keyword_coverage
            and not strong_sentence
        ):
            return f"best passage similarity {retrieval.best_similarity:.2f} < {floor:.2f}"
        unknown = self.keywords.unknown_names(
            self.question, fuzzy=policy.fuzzy_names, surname_fuzzy=policy.fuzzy_surnames
        )
        if unknown and retrieval.best_similarity < policy.strong_similarity:
            return "the corpus never mentions " + ", ".join(unknown)
        if self.checks:
            retrieved = all_text(retrieval.passages)
            top = evidence[: policy.answer_type_sentences]
            if not any(self._gives(ev.text, ev.passage, ev.start, ev.end, retrieved) for ev in top):
                reason = f"no retrieved sentence gives {self.wanted()}"
                if self.parse_unbound:
                    names = ", ".join(sorted(self.parse_unbound))
                    reason += f" (parse binding: its figures are in another clause than {names})"
                if not self._attribute_waived(retrieval, evidence, retrieved):
                    return reason
        if policy.min_confidence > 0 and self.calibrated:
            score = confidence(self.signals(retrieval, evidence), policy.confidence_weights)
            if score < policy.min_confidence:
                return f"confidence {score:.2f} < {policy.min_confidence:.2f}"
        return None

    def _attribute_waived(
        self, retrieval: Retrieval, evidence: Sequence[Evidence], retrieved: str
    ) -> bool:
        """Whether a missing attribute verb is outweighed by a confident best sentence.

        A paraphrase rarely repeats the question's verb ("Qui gagne la course ?" over "…,
        remportée par Peter Post"; a noun, "le père de", stays a hard check): when the best
        sentence gives what is asked once the verb is set aside (a name for "qui"; an open
        question has nothing left to check and is not waived), a calibrated confidence of
        `grounding.attribute_confidence` or more answers anyway (1 never does).
        """
        policy = self.policy
        if (
            not self.expectation.attribute_verb
            or policy.attribute_confidence >= 1
            or not self.calibrated
        ):
            return False
        relaxed = replace(
            self.expectation, attribute=frozenset(), attribute_word="", attribute_verb=False
        )
        # Only a question whose type is still checked without it ("qui", "quand", "combien"):
        # an open "Quel est le successeur…" would then be checked against nothing at all. The
        # sentence shown, the best, must give it: the confidence is that sentence's.
        best = evidence[0] if evidence else None
        if (
            best is None
            or not relaxed.checkable
            or not self._check(best.text, best.passage, best.start, best.end, retrieved, relaxed)
        ):
            return False
        score = confidence(self.signals(retrieval, evidence), policy.confidence_weights)
        return score >= max(policy.attribute_confidence, policy.min_confidence)

    def signals(self, retrieval: Retrieval, evidence: Sequence[Evidence]) -> Signals:
        """What the best sentence and its passage say about answering right (`confidence`).

        Computed once per retrieval and evidence: the refusal and the answer ask for both.
        """
        if self._assessed is not None:
            seen_retrieval, seen_evidence, seen = self._assessed
            if seen_retrieval is retrieval and seen_evidence is evidence:
                return seen
        signals = self._signals(retrieval, evidence)
        self._assessed = (retrieval, evidence, signals)
        return signals

    def _signals(self, retrieval: Retrieval, evidence: Sequence[Evidence]) -> Signals:
        if not evidence:
            return Signals(keyword_coverage=retrieval.keyword_coverage)
        best = evidence[0]
        asked = set(analyse(self.question))
        wanted = max(len(asked), 1)
        context = sentence_context(best.passage, best.start, best.end)
        found = self.checks and self._gives(
            best.text, best.passage, best.start, best.end, all_text(retrieval.passages)
        )
        meaning = self._support(retrieval, evidence)
        return Signals(
            keyword_coverage=retrieval.keyword_coverage,
            evidence_score=best.score,
            answer_type_checked=float(self.checks),
            answer_type_found=float(found),
            sentence_coverage=len(asked & set(analyse(best.text))) / wanted,
            context_coverage=len(asked & set(analyse(context))) / wanted,
            passage_similarity=best.passage.dense_similarity or 0.0,
            passage_rank=1.0 / max(best.n, 1),
            cross_language=float(detect_language(self.question) != detect_language(best.text)),
            question_terms=float(len(asked)),
            sentence_similarity=meaning.similarity,
            focus_similarity=meaning.focus_similarity,
        )

    def _support(self, retrieval: Retrieval, evidence: Sequence[Evidence]) -> Support:
        """The embeddings' view of the best sentence (`assistant/support.py`)."""
        if self.embeddings is None or not self.calibrated:
            return Support()
        return support(
            self.embeddings,
            self.question,
            evidence[0].text,
            question_vector=retrieval.query_vector or None,
        )

    def answering_first(
        self, evidence: list[Evidence], passages: Sequence[Passage]
    ) -> list[Evidence]:
        """The evidence with the sentences that hold what the question asks for first.

        Among the best sentences, one that has a figure counting the question's focus (or a
        date, for "quand") answers; a better-scoring one that only shares the question's words
        does not ("trois provinces" for "combien de drones").
        """
        if not self.checks:
            return evidence
        retrieved = all_text(passages)
        top = evidence[: self.policy.answer_type_sentences]
        answering = [
            ev for ev in top if self._gives(ev.text, ev.passage, ev.start, ev.end, retrieved)
        ]
        if not answering:
            return evidence
        # Those that name the question's subject right there come before those whose document
        # does ("Hema ... 22 magasins" before "Quant à JD.com ... deux magasins").
        names = question_names(self.question)
        near = [
            ev
            for ev in answering
            if not names
            or mentions_any(
                names,
                sentence_context(ev.passage, ev.start, ev.end),
                fuzzy=self.policy.fuzzy_names,
            )
        ]
        far = [ev for ev in answering if ev not in near]
        rest = [ev for ev in evidence if ev not in answering]
        return near + far + rest

    def cited_answer_gives(
        self, citations: Sequence[Citation], passages: Sequence[Passage]
    ) -> bool:
        """Whether some quote of a generated answer gives what the question asks for."""
        if not self.checks:
            return True
        by_n = {p.n: p for p in passages}
        retrieved = all_text(passages)
        return any(
            self._gives(c.quote, by_n[c.n], c.start, c.end, retrieved)
            for c in citations
            if c.n in by_n
        )

    def claim_states_the_figure(self, claim: str, citations: Sequence[Citation]) -> bool:
        """Whether a generated answer's own figure is one its quotes give for the question.

        A quote that gives what is asked may hold other figures too: "61% … contre 23% pour
        Tmall" gives Tmall's share, and "Tmall détient 61% [1]" cites it with JD's. Only
        quantity questions with `grounding.claim_figures` are checked; a claim with no
        figure is left to the other checks.
        """
        wanted = self.expectation
        if not (self.policy.claim_figures and self.checks and wanted.kind == "quantity"):
            return True
        plain = CITATION_PATTERN.sub("", claim)
        if not figures(plain):
            return True
        owners = self.owners if self.binds_by_parse else None
        if self.policy.claim_year and not all(
            self._nearest_the_year(plain, c.quote) for c in citations
        ):
            return False
        if self.policy.claim_question_figures and not self._quotes_hold_asked_figures(citations):
            return False
        return any(
            claim_gives(
                plain,
                giving_figures(
                    wanted,
                    c.quote,
                    self.question,
                    owners,
                    fuzzy=self.policy.fuzzy_names,
                    nearest=self.policy.parse_nearest or self.policy.claim_nearest,
                ),
            )
            for c in citations
        )

    def _quotes_hold_asked_figures(self, citations: Sequence[Citation]) -> bool:
        """Whether every numeral the question is conditioned on is written in a cited quote.

        "Combien d'années pour atteindre 400 milliards ?" is answered by the sentence that
        writes 400 milliards, not by another sentence's "sur cinq à huit ans". Years date
        the question (claim_year checks them) and one-digit numerals are too often part of a
        name ("B2C", "T-Mall 2") to count.
        """
        asked = {
            _NUMERAL_SPACES.sub("", f.text).replace(".", ",")
            for f in figures(self.question)
            if _NUMERAL.fullmatch(f.text) and len(re.sub(r"\D", "", f.text)) >= 2
        }
        if not asked:
            return True
        written = {
            _NUMERAL_SPACES.sub("", m.group()).replace(".", ",")
            for c in citations
            for m in _NUMERAL.finditer(c.quote)
        }
        return asked <= written

    def _nearest_the_year(self, claim: str, quote: str) -> bool:
        """Whether a claim's figure is the quote's one nearest to the year the question asks.

        "250 marques … dont 60 nouvelles, rien qu'en 2016" answers "… in 2016 alone?" with 60,
        the figure written by the year; a quote without the question's year, or with one
        figure only, says nothing here.
        """
        years = [y for y in years_in(self.question) if y in years_in(quote)]
        found = figures(quote)
        if not years or len(found) < 2 or not claim_gives(claim, found):
            return True  # the year, or the claim's figure, is another quote's
        at = [m.start() for y in years for m in re.finditer(rf"\b{y}\b", quote)]
        nearest = min(found, key=lambda f: min(abs(f.start - a) for a in at))
        return claim_gives(claim, [nearest])

    def restates(self, claim: str) -> bool:
        """Whether a generated sentence says nothing the question did not already say.

        Every content word of it is one of the question's (by stem) and it has no figure of
        its own: the small model sometimes answers "Which app belongs to the group that led
        the round?" with "The rival belongs to the group that led the round [1]", which the
        verifier finds in the quote word for word.
        """
        if not self.policy.restated_claims:
            return False
        plain = CITATION_PATTERN.sub("", claim)
        asked = set(lexicon.sentence_stems(self.question))
        if any(f.text not in self.question for f in figures(plain)):
            return False
        said = [s for s in lexicon.sentence_stems(plain) if len(s) > 2 and s not in STOP_WORDS]
        return bool(said) and all(s in asked for s in said)

    def wanted(self) -> str:
        """What the question asked for, for refusal notes ("a figure counting magasins")."""
        e = self.expectation
        if e.kind == "quantity":
            return f"a figure counting {e.focus_word}" if e.focus else "a figure"
        if e.attribute_word and e.kind in ("other", "who", "place", "name"):
            return f"what the question asks ({e.attribute_word})"
        return {"date": "a date", "who": "a name", "place": "a place", "name": "a name"}.get(
            e.kind, "an answer"
        )

    def _gives(self, text: str, passage: Passage, start: int, end: int, retrieved: str) -> bool:
        key = (passage.chunk.chunk_id, start, end)
        if key not in self._verdicts:
            self._verdicts[key] = self._check(text, passage, start, end, retrieved)
        return self._verdicts[key]

    def _check(
        self,
        text: str,
        passage: Passage,
        start: int,
        end: int,
        retrieved: str,
        expectation: Expectation | None = None,
    ) -> bool:
        wanted = expectation or self.expectation
        if self.policy.names_scope == "bound" and not self._years_hold(text, passage, start):
            return False
        # A "who" answer is itself a name, the sentence's topic: binding the question's names
        # to the sentence would refuse it; those keep the document-wide names check.
        if self.policy.names_scope == "bound" and wanted.kind not in ("who", "name"):
            if self.subjects and not names_bound(
                self.subjects,
                text,
                self.question,
                earlier=self._earlier(passage, start),
                lead=self._lead(passage),
                document=self._document(passage),
                fuzzy=self.policy.fuzzy_names,
                parsed=self.binds_by_parse,
            ):
                return False
            found = gives(
                wanted,
                text,
                self.question,
                fuzzy=self.policy.fuzzy_names,
                check_names=False,
                owners=self.owners if self.binds_by_parse else None,
                nearest=self.policy.parse_nearest,
            )
            if not found and self.binds_by_parse:
                self.parse_unbound.update(self._unbound_names(text))
            return found
        if self.policy.names_scope == "bound":
            # Every name of a "who" question in the answer's article, not just one of them.
            names = [name for group in self.subjects for name in group[:1]]
            if names and not mentions(
                names, self._document(passage), fuzzy=self.policy.fuzzy_names
            ):
                return False
        return gives(
            wanted,
            text,
            self.question,
            context=self._names_context(passage, start, end),
            retrieved=retrieved,
            fuzzy=self.policy.fuzzy_names,
        )

    def _unbound_names(self, text: str) -> list[str]:
        """The subject names the parse refused the sentence's figures to, if the regex took it."""
        fuzzy = self.policy.fuzzy_names
        if not gives(self.expectation, text, self.question, fuzzy=fuzzy, check_names=False):
            return []
        return [
            " ".join(group[0])
            for group in self.subjects
            if not gives(
                self.expectation,
                text,
                self.question,
                fuzzy=fuzzy,
                check_names=False,
                owners=[group],
                nearest=self.policy.parse_nearest,
            )
        ]

    def _years_hold(self, text: str, passage: Passage, start: int) -> bool:
        """Whether each year the question names dates the sentence ("en 2017", "in 2016").

        The year may be in the sentence, the few before it, or the article's date; a figure of
        another year answers another question.
        """
        years = years_in(self.question)
        if not years:
            return True
        around = " ".join([text, *self._earlier(passage, start, limit=3), passage.chunk.date])
        return years <= years_in(around)

    def _document(self, passage: Passage) -> str:
        doc_id = passage.chunk.doc_id
        if doc_id not in self._documents:
            self._documents[doc_id] = self.store.document_text(doc_id) or passage.chunk.text
        return self._documents[doc_id]

    def _earlier(self, passage: Passage, start: int, limit: int = 12) -> list[str]:
        """The document's sentences before offset `start`, nearest first (at most `limit`)."""
        spans = self._sentences(passage)
        text = self._documents[passage.chunk.doc_id]
        before: list[str] = []
        for a, b in reversed([(a, b) for a, b in spans if b <= start]):
            if len(before) == limit or is_heading(text, a, b):
                break  # a new section starts: what came before it is about its own subject
            before.append(text[a:b])
        return before

    def _lead(self, passage: Passage) -> str:
        """The article's title and first sentence: what the whole article is about."""
        spans = self._sentences(passage)
        end = spans[1][1] if len(spans) > 1 else (spans[0][1] if spans else 0)
        return self._documents[passage.chunk.doc_id][:end]

    def _sentences(self, passage: Passage) -> list[tuple[int, int]]:
        """The sentence spans of the passage's document, split once per document."""
        doc_id = passage.chunk.doc_id
        if doc_id not in self._spans:
            self._spans[doc_id] = sentence_spans(self._document(passage))
        return self._spans[doc_id]

    def _names_context(self, passage: Passage, start: int, end: int) -> str:
        scope = self.policy.names_scope
        if scope in ("document", "bound"):
            return self._document(passage)
        if scope == "passage":
            return passage.chunk.text
        return sentence_context(passage, start, end)


def all_text(passages: Sequence[Passage]) -> str:
    """The retrieved passages' texts, one after the other."""
    return "\n".join(p.chunk.text for p in passages)


def sentence_context(passage: Passage, start: int, end: int) -> str:
    """A sentence with the one before it in its passage (where its pronouns point)."""
    chunk = passage.chunk
    rel = start - chunk.start
    before = [a for a, b in sentence_spans(chunk.text) if b <= rel]
    begin = before[-1] if before else max(rel, 0)
    return chunk.text[begin : max(end - chunk.start, begin)]
