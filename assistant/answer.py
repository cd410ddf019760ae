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
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from assistant.analysis import detect_language
from assistant.answerable import Answerability
from assistant.citations import verify
from assistant.confidence import confidence
from assistant.corpus import answer_corpus_question
from assistant.coverage import LONG_KINDS, cover
from assistant.evidence import Evidence, extractive_answer, score_sentences
from assistant.followup import looks_like_follow_up
from assistant.kinds import classify
from assistant.llm import model_error
from assistant.prompts import (
    LANGUAGE_NAMES,
    PASSAGE_FORMAT,
    REFUSAL,
    REFUSAL_MARKER,
    REWRITE_SYSTEM_PROMPT,
    REWRITE_USER_PROMPT,
    SYSTEM_PROMPT,
    USER_PROMPT,
    fenced,
    says_not_found,
)
from assistant.retrieval import HybridRetriever, Retrieval
from assistant.text import sentence_spans
from assistant.types import EXTRACTIVE_MODEL, Answer, Citation, Passage, Timings

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models.chat_models import BaseChatModel

    from assistant.filters import Filters
    from assistant.keyword import KeywordIndex
    from assistant.llm import Generator
    from assistant.settings import Settings
    from assistant.store import Store


OFFSETS_CHANGED = "quote not found at its offsets"
"""The end of the note of an answer whose document changed while it was being made."""


@dataclass(frozen=True, slots=True)
class EvidenceFound:
    """Retrieval is done: the passages, the best sentences, and the extractive answer."""

    retrieval: Retrieval
    evidence: tuple[Evidence, ...]
    preliminary: Answer


@dataclass(frozen=True, slots=True)
class TokenStreamed:
    """A piece of the model's answer, as it arrives (before verification)."""

    text: str


@dataclass(frozen=True, slots=True)
class AnswerReady:
    """The final, verified answer."""

    answer: Answer


Event = EvidenceFound | TokenStreamed | AnswerReady
Turn = tuple[str, str]
"""A past exchange: (question, answer)."""


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
        while this answer was being made: the question is answered once more, from the store
        as it is now.
        """
        answer: Answer | None = None
        for _attempt in range(2):
            for event in self.stream(question, history=history, k=k, filters=filters):
                if isinstance(event, AnswerReady):
                    answer = event.answer
            if answer is None:  # pragma: no cover - the stream always ends with an answer
                break
            if not any(note.endswith(OFFSETS_CHANGED) for note in answer.notes):
                return answer
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
                    question=question,
                    standalone_question=standalone if standalone != question else None,
                )
                found = Retrieval(standalone, listed.passages, 1.0, 1.0, _ms(started))
                yield EvidenceFound(found, (), listed)
                checked = self._checked(listed)
                yield AnswerReady(
                    replace(checked, timings=replace(checked.timings, total=_ms(started)))
                )
                return
        retrieval = self.retriever.retrieve(standalone, k=k, filters=filters)
        policy = self.settings.grounding
        if kind in LONG_KINDS:
            # The answer-type check asks one sentence for one fact; a list has many, and the
            # confidence was calibrated on single facts.
            policy = policy.model_copy(update={"answer_type": False, "min_confidence": 0.0})
        elif self.generator.mode != "extractive":
            # The confidence predicts whether the best sentence answers (it was fitted on
            # extractive runs); a model reads several and its answer is verified on its own.
            # Gating it cost right answers and saved no wrong one (evals/README.md).
            policy = policy.model_copy(update={"min_confidence": 0.0})
        check = Answerability(standalone, policy, self.store, self.keywords)
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
            mode="extractive",
            model=EXTRACTIVE_MODEL,
            passages=retrieval.passages,
            standalone_question=standalone if standalone != question else None,
            timings=Timings(retrieve=retrieve_ms),
            kind=kind,
            confidence=confidence(signals, policy.confidence_weights),
            signals=signals.to_dict(),
        )
        if refusal_reason is not None or not evidence:
            refused = self._refused(base, language, started, refusal_reason or "no passage found")
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
            checked = self._checked(preliminary)
            yield AnswerReady(
                replace(checked, timings=replace(checked.timings, total=_ms(started)))
            )
            return
        yield from self._generate(base, evidence, language, started, check)

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
            yield AnswerReady(self._refused(base, language, started, "no sentence makes a point"))
            return
        answer = replace(
            base,
            text=coverage.text(),
            citations=coverage.citations(),
            passages=coverage.passages,
            timings=replace(base.timings, first_token=_ms(started)),
        )
        shown = replace(retrieval, passages=coverage.passages)
        yield EvidenceFound(shown, tuple(p.evidence for p in coverage.points), answer)
        checked = self._checked(answer)
        yield AnswerReady(replace(checked, timings=replace(checked.timings, total=_ms(started))))

    # -- generation ----------------------------------------------------------------------------

    def build_prompt(
        self, question: str, evidence: Sequence[Evidence], language: str
    ) -> tuple[str, list[Evidence]]:
        """The user prompt: the best sentences, grouped under their passage numbers."""
        chosen: list[Evidence] = []
        budget = self.settings.generation.evidence_chars
        used = 0
        for ev in evidence:
            if used + len(ev.text) > budget and chosen:
                continue
            chosen.append(ev)
            used += len(ev.text)
            if used >= budget:
                break
        by_passage: dict[int, list[Evidence]] = {}
        for ev in sorted(chosen, key=lambda e: (e.n, e.start)):
            by_passage.setdefault(ev.n, []).append(ev)
        blocks = [
            PASSAGE_FORMAT.format(
                n=n,
                source=fenced(evs[0].passage.source),
                text=fenced(
                    _with_context(evs, self.settings.grounding.short_sentence).replace("\n", " ")
                ),
            )
            for n, evs in by_passage.items()
        ]
        prompt = USER_PROMPT.format(
            passages="\n".join(blocks),
            question=question,
            language=LANGUAGE_NAMES.get(language, LANGUAGE_NAMES["en"]),
        )
        return prompt, chosen

    def _generate(
        self,
        base: Answer,
        evidence: list[Evidence],
        language: str,
        started: float,
        check: Answerability,
    ) -> Iterator[Event]:
        from langchain_core.messages import AIMessageChunk, HumanMessage, SystemMessage

        if self.settings.generation.style == "reader":
            yield from self._read(base, evidence, language, started, check)
            return
        question = base.standalone_question or base.question
        prompt, shown = self.build_prompt(question, evidence, language)
        messages = [SystemMessage(SYSTEM_PROMPT), HumanMessage(prompt)]
        pieces: list[str] = []
        first_token: float | None = None
        prompt_tokens: int | None = None
        with _model_errors(self.generator):
            for chunk in self.llm.stream(messages):
                usage = chunk.usage_metadata if isinstance(chunk, AIMessageChunk) else None
                if usage and usage.get("input_tokens"):
                    prompt_tokens = int(usage["input_tokens"])
                piece = chunk.content if isinstance(chunk.content, str) else ""
                if not piece:
                    continue
                if first_token is None:
                    first_token = _ms(started)
                pieces.append(piece)
                yield TokenStreamed(piece)
        raw = "".join(pieces).strip()
        timings = Timings(retrieve=base.timings.retrieve, first_token=first_token, total=0.0)
        generated = replace(
            base,
            mode=self.generator.mode,
            model=self.generator.model,
            prompt=f"{SYSTEM_PROMPT}\n\n{prompt}",
            prompt_tokens=prompt_tokens,
            timings=timings,
        )
        if REFUSAL_MARKER in raw or not raw or says_not_found(raw):
            yield AnswerReady(
                self._refused(generated, language, started, "the model found no answer")
            )
            return
        grounding = self.settings.grounding
        verified = verify(
            raw,
            base.passages,
            shown + evidence,
            language=language,
            threshold=grounding.support,
            bindings=grounding.answer_type,
        )
        if not verified.citations:
            reason = "no sentence of the model's answer was supported by the passages"
            yield AnswerReady(self._refused(generated, language, started, reason))
            return
        if not check.cited_answer_gives(verified.citations, base.passages):
            reason = f"no cited sentence gives {check.wanted()}"
            yield AnswerReady(self._refused(generated, language, started, reason))
            return
        final = replace(
            generated,
            text=verified.text,
            citations=verified.citations,
            notes=verified.notes,
        )
        final = self._checked(final)
        yield AnswerReady(replace(final, timings=replace(final.timings, total=_ms(started))))

    def _read(
        self,
        base: Answer,
        evidence: list[Evidence],
        language: str,
        started: float,
        check: Answerability,
    ) -> Iterator[Event]:
        """The model as a reader (`assistant/reader.py`): it picks the sentence that answers."""
        from assistant import reader

        generation = self.settings.generation
        with _model_errors(self.generator):
            reply = reader.read(
                self.llm,
                base.standalone_question or base.question,
                evidence,
                chars=generation.reader_chars,
                most=generation.reader_sentences,
            )
        generated = replace(
            base,
            mode=self.generator.mode,
            model=self.generator.model,
            prompt=reply.prompt,
            prompt_tokens=reply.prompt_tokens,
            timings=Timings(retrieve=base.timings.retrieve, first_token=_ms(started), total=0.0),
        )
        reading = reply.reading
        if reading is not None and reading.sentence is None:
            yield AnswerReady(
                self._refused(generated, language, started, "the model found no answer")
            )
            return
        notes: tuple[str, ...] = ()
        chosen = reading.sentence if reading is not None else None
        if chosen is None or (
            check.checks and not check.cited_answer_gives([chosen.citation()], base.passages)
        ):
            # An unreadable reply, or a sentence that does not give what is asked: the
            # answering sentence the checks put first stands instead.
            chosen, span = evidence[0], ""
            notes = ("the model's choice did not give what was asked; the best sentence is shown",)
        else:
            span = reading.span if reading is not None else ""
        text = reader.answer_text(reader.Reading(chosen, span))
        yield TokenStreamed(text)
        final = replace(generated, text=text, citations=(chosen.citation(),), notes=notes)
        final = self._checked(final)
        yield AnswerReady(replace(final, timings=replace(final.timings, total=_ms(started))))

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
        try:
            reply = self.llm.invoke([SystemMessage(REWRITE_SYSTEM_PROMPT), HumanMessage(prompt)])
        except Exception as exc:
            error = model_error(exc, self.generator)
            if error is None:
                raise
            raise error from None
        text = reply.content if isinstance(reply.content, str) else ""
        text = text.strip().strip('"').splitlines()[0].strip() if text.strip() else ""
        return text if 3 <= len(text) <= 300 else question

    # -- refusal and checks ------------------------------------------------------------------

    def _refused(self, base: Answer, language: str, started: float, reason: str) -> Answer:
        return replace(
            base,
            text=REFUSAL.get(language, REFUSAL["en"]),
            refused=True,
            citations=(),
            notes=(*base.notes, f"refused: {reason}"),
            timings=replace(base.timings, total=_ms(started)),
        )

    def _checked(self, answer: Answer) -> Answer:
        """Drop any citation whose quote is not exactly at its offsets in the document."""
        good: list[Citation] = []
        texts: dict[str, str | None] = {}
        by_n: dict[int, Passage] = {p.n: p for p in answer.passages}
        for c in answer.citations:
            passage = by_n.get(c.n)
            if passage is None:
                continue
            doc_id = passage.chunk.doc_id
            if doc_id not in texts:
                texts[doc_id] = self.store.document_text(doc_id)
            text = texts[doc_id]
            if text is not None and text[c.start : c.end] == c.quote:
                good.append(c)
        if len(good) == len(answer.citations):
            return answer
        dropped = len(answer.citations) - len(good)
        return replace(
            answer,
            citations=tuple(good),
            notes=(*answer.notes, f"{dropped} citation(s) dropped: {OFFSETS_CHANGED}"),
        )


@contextmanager
def _model_errors(generator: Generator) -> Iterator[None]:
    """Turn a model client's failure into the `VeilleError` that says which setting to fix."""
    try:
        yield
    except Exception as exc:
        error = model_error(exc, generator)
        if error is None:
            raise
        raise error from None


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _with_context(evidence: list[Evidence], short_sentence: int) -> str:
    """A passage's chosen sentences in document order, short ones after their predecessor."""
    chunk = evidence[0].passage.chunk
    spans = sentence_spans(chunk.text)
    shown: dict[int, str] = {}
    for ev in evidence:
        rel = ev.start - chunk.start
        index = next((i for i, (a, b) in enumerate(spans) if a <= rel < b), None)
        if index is not None and index > 0 and len(ev.text) < short_sentence:
            a, b = spans[index - 1]
            shown.setdefault(chunk.start + a, chunk.text[a:b])
        shown[ev.start] = ev.text
    return " ".join(text for _, text in sorted(shown.items()))
