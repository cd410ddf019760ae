"""A fact's answer from a chat model: the prompt, the writer and the reader, and final checks.

`Generation.write` streams the model's own sentences and verifies each citation against its
passage (`assistant/citations.py`); `Generation.read` (with `generation.style = "reader"`)
has the model pick the numbered evidence sentence that answers (`assistant/reader.py`). Both end
with `checked_answer`, which drops any citation whose quote is no longer at its offsets, and
refuse through `refused_answer`. `Assistant` (`assistant/answer.py`) decides when they run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING

from assistant.citations import verify
from assistant.events import AnswerReady, Event, TokenStreamed
from assistant.llm import model_error
from assistant.prompts import (
    DROPPED_CLAIM_NOTE,
    LANGUAGE_NAMES,
    PASSAGE_FORMAT,
    REFUSAL,
    REFUSAL_MARKER,
    SYSTEM_PROMPT,
    USER_PROMPT,
    fenced,
    says_not_found,
)
from assistant.text import sentence_spans
from assistant.types import EXTRACTIVE_MODEL, Answer, Citation, Passage, Timings

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from assistant.answerable import Answerability
    from assistant.evidence import Evidence
    from assistant.llm import Generator
    from assistant.settings import Settings
    from assistant.store import Store

OFFSETS_CHANGED = "quote not found at its offsets"
"""The end of the note of an answer whose document changed while it was being made."""

MODEL_FOUND_NOTHING = "the model found no answer"
"""The refusal reason when the model itself replies that the passages hold no answer."""


class Generation:
    """Answers one fact question from its evidence with the chat model."""

    def __init__(
        self,
        settings: Settings,
        generator: Generator,
        llm: Callable[[], BaseChatModel],
        store: Store,
    ) -> None:
        """The model comes from `llm`, called when first needed (loading it is slow)."""
        self.settings = settings
        self.generator = generator
        self.llm = llm
        self.store = store

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

    def answer(
        self,
        base: Answer,
        evidence: list[Evidence],
        language: str,
        started: float,
        check: Answerability,
        fallback: Answer | None = None,
    ) -> Iterator[Event]:
        """The model's answer, written or read as `generation.style` says; ends with one.

        `fallback` is the extractive answer: shown instead of a refusal the model's answer
        earned when the evidence is confident enough (`grounding.fallback_confidence`).
        """
        by = self.read if self.settings.generation.style == "reader" else self.write
        for event in by(base, evidence, language, started, check):
            if isinstance(event, AnswerReady) and fallback is not None:
                yield AnswerReady(self._fall_back(event.answer, fallback, started))
            else:
                yield event

    def _fall_back(self, answer: Answer, fallback: Answer, started: float) -> Answer:
        """The extractive answer in place of a refusal of the model's, when the evidence is sure.

        The model fails most often on what it cannot phrase from French text (an English
        question, a paraphrase): its sentences then match no passage, though the best
        evidence sentence answers. A refusal because the model found nothing is kept unless
        `grounding.fallback_on_model_refusal` says otherwise.
        """
        grounding = self.settings.grounding
        reason = next((n for n in answer.notes if n.startswith("refused: ")), "")
        model_said_no = reason == f"refused: {MODEL_FOUND_NOTHING}"
        if (
            not answer.refused
            or fallback.confidence is None
            or fallback.confidence < grounding.fallback_confidence
            or grounding.fallback_confidence >= 1
            or (model_said_no and not grounding.fallback_on_model_refusal)
            or not fallback.citations
        ):
            return answer
        note = (
            f"the model's answer was refused ({reason.removeprefix('refused: ')}): the best "
            f"evidence sentence is shown (confidence {fallback.confidence:.2f})"
        )
        shown = replace(
            answer,
            text=fallback.text,
            refused=False,
            model=EXTRACTIVE_MODEL,
            citations=fallback.citations,
            notes=(*fallback.notes, note),
        )
        shown = checked_answer(shown, self.store)
        return replace(shown, timings=replace(shown.timings, total=ms_since(started)))

    def write(
        self,
        base: Answer,
        evidence: list[Evidence],
        language: str,
        started: float,
        check: Answerability,
    ) -> Iterator[Event]:
        """The model writes the answer; each sentence's citation is verified (the writer)."""
        from langchain_core.messages import AIMessageChunk, HumanMessage, SystemMessage

        question = base.standalone_question or base.question
        prompt, shown = self.build_prompt(question, evidence, language)
        messages = [SystemMessage(SYSTEM_PROMPT), HumanMessage(prompt)]
        pieces: list[str] = []
        first_token: float | None = None
        prompt_tokens: int | None = None
        with model_errors(self.generator):
            for chunk in self.llm().stream(messages):
                usage = chunk.usage_metadata if isinstance(chunk, AIMessageChunk) else None
                if usage and usage.get("input_tokens"):
                    prompt_tokens = int(usage["input_tokens"])
                piece = chunk.content if isinstance(chunk.content, str) else ""
                if not piece:
                    continue
                if first_token is None:
                    first_token = ms_since(started)
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
            yield AnswerReady(refused_answer(generated, language, started, MODEL_FOUND_NOTHING))
            return
        grounding = self.settings.grounding
        verified = verify(
            raw,
            base.passages,
            shown + evidence,
            language=language,
            threshold=grounding.support,
            bindings=grounding.answer_type,
            parse_bindings=grounding.parse_binding,
            quote_numbers=grounding.quote_numbers,
            question=check.question if grounding.claim_names_in_quote else None,
        )
        if not verified.citations:
            reason = "no sentence of the model's answer was supported by the passages"
            yield AnswerReady(refused_answer(generated, language, started, reason))
            return
        if _only_restates(verified.text, check):
            reason = "the model's answer only restates the question"
            yield AnswerReady(refused_answer(generated, language, started, reason))
            return
        if not check.cited_answer_gives(verified.citations, base.passages):
            reason = f"no cited sentence gives {check.wanted()}"
            yield AnswerReady(refused_answer(generated, language, started, reason))
            return
        if not check.claim_states_the_figure(verified.text, verified.citations):
            reason = f"the answer's figure is not the one its quote gives as {check.wanted()}"
            yield AnswerReady(refused_answer(generated, language, started, reason))
            return
        final = replace(
            generated,
            text=verified.text,
            citations=verified.citations,
            notes=verified.notes,
        )
        final = checked_answer(final, self.store)
        yield AnswerReady(replace(final, timings=replace(final.timings, total=ms_since(started))))

    def read(
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
        with model_errors(self.generator):
            reply = reader.read(
                self.llm(),
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
            timings=Timings(
                retrieve=base.timings.retrieve, first_token=ms_since(started), total=0.0
            ),
        )
        reading = reply.reading
        if reading is not None and reading.sentence is None:
            yield AnswerReady(refused_answer(generated, language, started, MODEL_FOUND_NOTHING))
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
        final = checked_answer(final, self.store)
        yield AnswerReady(replace(final, timings=replace(final.timings, total=ms_since(started))))


def refused_answer(base: Answer, language: str, started: float, reason: str) -> Answer:
    """`base` refused, with the fixed sentence in the question's language and the reason."""
    return replace(
        base,
        text=REFUSAL.get(language, REFUSAL["en"]),
        refused=True,
        citations=(),
        notes=(*base.notes, f"refused: {reason}"),
        timings=replace(base.timings, total=ms_since(started)),
    )


def checked_answer(answer: Answer, store: Store) -> Answer:
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
            texts[doc_id] = store.document_text(doc_id)
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
def model_errors(generator: Generator) -> Iterator[None]:
    """Turn a model client's failure into the `VeilleError` that says which setting to fix."""
    try:
        yield
    except Exception as exc:
        error = model_error(exc, generator)
        if error is None:
            raise
        raise error from None


def ms_since(started: float) -> float:
    """Milliseconds since `started` (a `time.perf_counter()` reading)."""
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


def _only_restates(text: str, check: Answerability) -> bool:
    """Whether every sentence of a verified answer just repeats the question's words."""
    for note in DROPPED_CLAIM_NOTE.values():
        text = text.replace(note, "")
    spans = sentence_spans(text)
    return bool(spans) and all(check.restates(text[a:b]) for a, b in spans)
