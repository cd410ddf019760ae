"""A long answer's bullets rewritten by the model, one at a time, each checked against its sentence.

A list, summary, comparison or explanation is first answered with its points' own sentences
(`assistant/coverage.py`), shown at once. With `coverage.rewrite` and a model, each bullet is
then shortened by the model from its one sentence (a small prompt after a constant system
prompt, which the local server's prompt cache keeps), each shown as soon as it is checked. A rewrite
stands only if its cited sentence supports it (`assistant.citations.supports`, its figures
counting the same things); otherwise, or when the model says KEEP, the sentence itself stays.
The citation is the point's own either way, so every bullet keeps its exact quote and offsets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from assistant.citations import supports
from assistant.errors import VeilleError
from assistant.events import AnswerReady, Event, TokenStreamed
from assistant.generation import model_errors, ms_since
from assistant.grounding import bound_figures_agree
from assistant.numbers import numbers
from assistant.prompts import (
    BULLET_KEEP,
    BULLET_SYSTEM_PROMPT,
    BULLET_USER_PROMPT,
    CITATION_PATTERN,
    LANGUAGE_NAMES,
    fenced,
)

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from assistant.llm import Generator
    from assistant.points import Coverage, Point
    from assistant.types import Answer

_MARK = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)/])\s*")


@dataclass(frozen=True, slots=True)
class Rewritten:
    """One bullet's outcome: the text shown after the label, and whether the model's stood."""

    text: str
    kept_sentence: bool
    prompt: str = ""


def clean(raw: str) -> str:
    """The model's bullet on one line, without a bullet mark, quotes or citation markers."""
    line = next((ln for ln in raw.strip().splitlines() if ln.strip()), "")
    line = CITATION_PATTERN.sub("", _MARK.sub("", line)).strip()
    return line.strip('"«»“” ').strip()


def stands(
    bullet: str, sentence: str, *, context: str, same_language: bool, support: float
) -> bool:
    """Whether the sentence supports the rewritten bullet, figure by figure."""
    if not bullet or bullet == BULLET_KEEP or len(bullet) >= len(sentence):
        return False  # a rewrite that is not shorter is not worth the sentence it replaces
    if numbers(bullet) - numbers(sentence):
        return False
    if supports(bullet, sentence, same_language=same_language, context=context) < support:
        return False
    return bound_figures_agree(bullet, sentence)


def rewrite(
    llm: BaseChatModel,
    question: str,
    points: Sequence[Point],
    *,
    language: str,
    context: str,
    support: float,
    passage_language: str = "fr",
) -> Iterator[Rewritten]:
    """Rewrite each point in turn; yields each point's outcome as soon as it is decided.

    Only decided bullets are shown: a rewrite that its sentence does not support is never on
    screen, not even while it streams.
    """
    from langchain_core.messages import HumanMessage, SystemMessage

    target = LANGUAGE_NAMES.get(language, LANGUAGE_NAMES["en"])
    for point in points:
        sentence = " ".join(point.evidence.text.split())
        prompt = BULLET_USER_PROMPT.format(
            question=question, sentence=fenced(sentence), language=target
        )
        pieces: list[str] = []
        for chunk in llm.stream([SystemMessage(BULLET_SYSTEM_PROMPT), HumanMessage(prompt)]):
            piece = chunk.content if isinstance(chunk.content, str) else ""
            if not piece:
                continue
            pieces.append(piece)
            if "\n" in "".join(pieces).strip():
                break  # one line is one bullet; the rest would be another one
        bullet = clean("".join(pieces))
        ok = stands(
            bullet,
            sentence,
            context=context,
            same_language=language == passage_language,
            support=support,
        )
        yield Rewritten(bullet if ok else sentence, kept_sentence=not ok, prompt=prompt)


def rewritten_answer(
    skeleton: Answer,
    coverage: Coverage,
    llm: Callable[[], BaseChatModel],
    generator: Generator,
    *,
    language: str,
    support: float,
    started: float,
) -> Iterator[Event]:
    """The skeleton's bullets rewritten one by one, each streamed once checked; ends the answer.

    A model that fails half-way leaves the skeleton's own sentences for the bullets it did
    not reach, with a note: the answer shown is never lost to a model error.
    """
    question = skeleton.standalone_question or skeleton.question
    context = "\n".join(p.chunk.text for p in coverage.passages)
    lines: list[str] = []
    prompts: list[str] = []
    shortened = 0
    first: float | None = None
    notes: list[str] = []
    try:
        with model_errors(generator):
            outcomes = rewrite(
                llm(),
                question,
                coverage.points,
                language=language,
                context=context,
                support=support,
            )
            for point, outcome in zip(coverage.points, outcomes, strict=False):
                line = point.bullet(outcome.text)
                first = first if first is not None else ms_since(started)
                lines.append(line)
                prompts.append(outcome.prompt)
                shortened += not outcome.kept_sentence
                yield TokenStreamed(line + "\n")
    except VeilleError as exc:
        notes.append(f"the model stopped rewriting the bullets ({exc.message})")
    lines += [p.bullet() for p in coverage.points[len(lines) :]]
    notes.append(f"{shortened} of {len(coverage.points)} bullet(s) shortened by the model")
    answer = replace(
        skeleton,
        text="\n".join(lines),
        mode=generator.mode,
        model=generator.model,
        prompt=f"{BULLET_SYSTEM_PROMPT}\n\n" + "\n\n".join(prompts) if prompts else None,
        notes=(*skeleton.notes, *notes),
        timings=replace(skeleton.timings, first_token=first or skeleton.timings.first_token),
    )
    yield AnswerReady(answer)
