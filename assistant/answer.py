"""The assistant: a question in, a cited answer out, as a stream of typed events.

`Assistant.stream()` yields `EvidenceFound` as soon as retrieval is done (front ends show the
best sentences at once), then `TokenStreamed` for each piece of the model's answer, then
`AnswerReady` with the verified `Answer`. `Assistant.ask()` is the same, returning only the end.
Collaborators (store, embeddings, keyword index, chat model) are passed in or built from one
`Settings`; the model and the store stay open for the assistant's lifetime.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from assistant.analysis import detect_language
from assistant.answerable import Answerability
from assistant.bullets import rewritten_answer
from assistant.confidence import confidence
from assistant.corpus import answer_corpus_question
from assistant.coverage import LONG_KINDS, cover
from assistant.events import AnswerReady, Event, EvidenceFound, TokenStreamed
from assistant.evidence import Evidence, extractive_answer, score_sentences
from assistant.followup import looks_like_follow_up
from assistant.generation import (
    OFFSETS_CHANGED,
    Generation,
    checked_answer,
    model_errors,
    ms_since,
    refused_answer,
)
from assistant.kinds import classify
from assistant.prompts import REWRITE_SYSTEM_PROMPT, REWRITE_USER_PROMPT
from assistant.retrieval import HybridRetriever, Retrieval
from assistant.types import EXTRACTIVE_MODEL, Answer, Timings

__all__ = [
    "OFFSETS_CHANGED",
    "AnswerReady",
    "Assistant",
    "Event",
    "EvidenceFound",
    "TokenStreamed",
    "Turn",
]

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models.chat_models import BaseChatModel

    from assistant.filters import Filters
    from assistant.keyword import KeywordIndex
    from assistant.llm import Generator
    from assistant.settings import Settings
    from assistant.store import Store


Turn = tuple[str, str]
"""A past exchange: (question, answer)."""


# Seconds between tries of a question whose citations a concurrent write moved (see `ask`).
RETRY_WAITS_S = (0.05, 0.2, 0.5, 1.0)


class Assistant:
    """Answers questions from the store, citing the passages it used."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        store: Store | None = None,
        embeddings: Embeddings | None = None,
        keywords: KeywordIndex | None = None,
        llm: BaseChatModel | None = None,
        generator: Generator | None = None,
    ) -> None:
        """Build from settings, using any collaborator passed in instead of the default.

        Raises:
            StoreEmptyError: Nothing has been ingested.
            StoreMismatchError: The store was built with another model or chunker.
            GeneratorError: The configured model cannot be used.
        """
        from assistant.llm import Generator, resolve_generator
        from assistant.settings import load_settings

        self.settings = settings or load_settings()
        if embeddings is None:
            from assistant.embeddings import make_embeddings

            embeddings = make_embeddings(self.settings)
        if store is None:
            from assistant.store import Store

            store = Store(self.settings, embeddings)
        if keywords is None:
            from assistant.store import keyword_index

            keywords = keyword_index(self.settings)
        keywords.ensure_fresh(store)
        self.store = store
        self.keywords = keywords
        self.embeddings = embeddings
        if generator is None:
            generator = (
                Generator("server", getattr(llm, "model_name", type(llm).__name__))
                if llm is not None
                else resolve_generator(self.settings)
            )
        self.generator = generator
        self._llm = llm
        self.retriever = HybridRetriever(store, keywords, embeddings, self.settings.retrieval)
        self.generation = Generation(self.settings, generator, lambda: self.llm, store)

    @property
    def mode(self) -> str:
        """The answerer in use: extractive, local, openai or server."""
        return self.generator.mode

    @property
    def llm(self) -> BaseChatModel:
        """The chat model, created (and for the local model, loaded) on first use."""
        if self._llm is None:
            from assistant.llm import make_chat_model

            self._llm = make_chat_model(self.settings, self.generator)
        return self._llm

    def warm_up(self) -> None:
        """Load the models now rather than at the first question (front ends call this)."""
        self.embeddings.embed_query("warm up")
        if self.settings.grounding.parse_binding:
            from assistant.parse import parse

            parse("Chargement.")  # the French parser (seconds), for the binding checks
        if self.generator.mode != "extractive":
            _ = self.llm

    def ask(
        self,
        question: str,
        *,
        history: Sequence[Turn] = (),
        k: int | None = None,
        filters: Filters | None = None,
    ) -> Answer:
        """Answer one question; see `stream` for the events along the way.

        A citation whose quote is no longer at its offsets means a writer changed the document
        while this answer was being made: the question is answered again, from the store as it
        is now. A sync writes a document's chunks, then its keyword index, then its text, so a
        retry at once can land in the same write; the waits between tries outlast one.
        """
        answer: Answer | None = None
        for wait in (*RETRY_WAITS_S, None):
            for event in self.stream(question, history=history, k=k, filters=filters):
                if isinstance(event, AnswerReady):
                    answer = event.answer
            if answer is None:  # pragma: no cover - the stream always ends with an answer
                break
            if not any(note.endswith(OFFSETS_CHANGED) for note in answer.notes):
                return answer
            if wait is not None:
                time.sleep(wait)
        if answer is None:  # pragma: no cover
            msg = "stream ended without an answer"
            raise RuntimeError(msg)
        return answer

    def stream(
        self,
        question: str,
        *,
        history: Sequence[Turn] = (),
        k: int | None = None,
        filters: Filters | None = None,
    ) -> Iterator[Event]:
        """Retrieve, show evidence, generate, verify: yields events, ends with `AnswerReady`."""
        started = time.perf_counter()
        question = question.strip()
        standalone = self.rewrite(question, history) if history else question
        kind = classify(standalone)
        if kind == "corpus":
            # "Quels articles parlent de Tencent ?" is answered from the whole keyword index,
            # exhaustively, not from the top k passages.
            listed = answer_corpus_question(
                standalone, self.store, self.keywords, self.settings, filters
            )
            if (
                listed is not None
                and listed.refused
                and not self.keywords.unknown_names(standalone)
            ):
                # No document holds the subject as written, though the corpus has its names
                # ("Alibaba's logistics" over French text): what the passages say about it is a
                # summary, refused like any other if they are weak.
                kind = "summary"
            elif listed is not None:
                listed = replace(
                    listed,
                    mode=self.generator.mode,
                    question=question,
                    standalone_question=standalone if standalone != question else None,
                )
                found = Retrieval(standalone, listed.passages, 1.0, 1.0, ms_since(started))
                yield EvidenceFound(found, (), listed)
                checked = self._final(listed)
                yield AnswerReady(
                    replace(checked, timings=replace(checked.timings, total=ms_since(started)))
                )
                return
        retrieval = self.retriever.retrieve(standalone, k=k, filters=filters)
        policy = self.settings.grounding
        if kind in LONG_KINDS:
            # The answer-type check asks one sentence for one fact; a list has many, and the
            # confidence was calibrated on single facts: only its low floor applies, to evidence
            # that is about something else altogether (evals/README.md). Long answers are the
            # document's own sentences in every mode, so the floor is the same in all of them.
            policy = policy.model_copy(
                update={"answer_type": False, "min_confidence": policy.long_min_confidence}
            )
        # A fact's weak evidence is refused in every mode, before any model is called: with
        # the semantic signals, gating the model's answers saves more wrong ones than right
        # ones, and the confident extractive answer then stands in for the refusals of the
        # model's verifier (`grounding.fallback_confidence`; evals/README.md).
        check = Answerability(standalone, policy, self.store, self.keywords, self.embeddings)
        evidence = check.answering_first(
            score_sentences(standalone, retrieval.passages), retrieval.passages
        )
        language = detect_language(question)
        retrieve_ms = (time.perf_counter() - started) * 1000
        refusal_reason = check.refusal_reason(retrieval, evidence)
        signals = check.signals(retrieval, evidence)
        base = Answer(
            question=question,
            text="",
            refused=False,
            # The mode the question ran in; `model` names what wrote the text, and stays the
            # extractive scorer for a refusal or bullets that no model wrote.
            mode=self.generator.mode,
            model=EXTRACTIVE_MODEL,
            passages=retrieval.passages,
            standalone_question=standalone if standalone != question else None,
            timings=Timings(retrieve=retrieve_ms),
            kind=kind,
            confidence=confidence(signals, policy.confidence_weights) if check.calibrated else None,
            signals=signals.to_dict(),
        )
        if refusal_reason is not None or not evidence:
            refused = refused_answer(base, language, started, refusal_reason or "no passage found")
            yield EvidenceFound(retrieval, tuple(evidence), refused)
            yield AnswerReady(refused)
            return
        if kind in LONG_KINDS:
            yield from self._covered(base, kind, evidence, retrieval, started, k, filters)
            return
        text, citations = extractive_answer(evidence)
        preliminary = replace(
            base,
            text=text,
            citations=tuple(citations),
            timings=Timings(retrieve=retrieve_ms, first_token=retrieve_ms, total=retrieve_ms),
        )
        yield EvidenceFound(retrieval, tuple(evidence), preliminary)
        if self.generator.mode == "extractive":
            checked = self._final(preliminary)
            yield AnswerReady(
                replace(checked, timings=replace(checked.timings, total=ms_since(started)))
            )
            return
        yield from self.generation.answer(
            base, evidence, language, started, check, fallback=preliminary
        )

    def _covered(
        self,
        base: Answer,
        kind: str,
        evidence: list[Evidence],
        retrieval: Retrieval,
        started: float,
        k: int | None,
        filters: Filters | None,
    ) -> Iterator[Event]:
        """A list, summary, comparison or explanation: one cited bullet per point.

        Every bullet is an exact sentence of a document (`assistant/coverage.py`), so it is
        shown at once, in every mode, and checked at its offsets like a single fact.
        """
        question = base.standalone_question or base.question
        coverage = cover(
            kind,
            question,
            evidence,
            retrieval.passages,
            store=self.store,
            policy=self.settings.coverage,
            retrieve=lambda q, depth: self.retriever.retrieve(q, k=depth, filters=filters).passages,
        )
        if not coverage.points:
            language = detect_language(base.question)
            yield AnswerReady(refused_answer(base, language, started, "no sentence makes a point"))
            return
        answer = replace(
            base,
            text=coverage.text(),
            citations=coverage.citations(),
            passages=coverage.passages,
            timings=replace(base.timings, first_token=ms_since(started)),
        )
        shown = replace(retrieval, passages=coverage.passages)
        yield EvidenceFound(shown, tuple(p.evidence for p in coverage.points), answer)
        if self.settings.coverage.rewrite and self.generator.mode != "extractive":
            for event in rewritten_answer(
                answer,
                coverage,
                lambda: self.llm,
                self.generator,
                language=detect_language(base.question),
                support=self.settings.grounding.support,
                started=started,
            ):
                yield (
                    AnswerReady(self._timed(event.answer, started))
                    if isinstance(event, AnswerReady)
                    else event
                )
            return
        yield AnswerReady(self._timed(answer, started))

    def _timed(self, answer: Answer, started: float) -> Answer:
        """The answer with its citations checked at their offsets, and its total time."""
        checked = self._final(answer)
        return replace(checked, timings=replace(checked.timings, total=ms_since(started)))

    def rewrite(self, question: str, history: Sequence[Turn]) -> str:
        """Turn a follow-up ("et JD.com ?") into a standalone question.

        Only questions that lean on the conversation (`looks_like_follow_up`) are rewritten:
        with a model, by a short prompt over the last two questions; without one, by appending
        the previous question.
        """
        previous = [q for q, _ in history[-2:]]
        if not previous or not looks_like_follow_up(question):
            return question
        if self.generator.mode == "extractive":
            return f"{question} ({previous[-1]})"
        from langchain_core.messages import HumanMessage, SystemMessage

        prompt = REWRITE_USER_PROMPT.format(
            history="\n".join(f"- {q}" for q in previous), question=question
        )
        with model_errors(self.generator):
            reply = self.llm.invoke([SystemMessage(REWRITE_SYSTEM_PROMPT), HumanMessage(prompt)])
        text = reply.content if isinstance(reply.content, str) else ""
        text = text.strip().strip('"').splitlines()[0].strip() if text.strip() else ""
        return text if 3 <= len(text) <= 300 else question

    def _final(self, answer: Answer) -> Answer:
        return checked_answer(answer, self.store)
