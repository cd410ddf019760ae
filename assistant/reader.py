"""The model as a reader: it picks the evidence sentence that answers, and the answer in it.

A 1.5B model chooses better than it writes. Given the best evidence sentences, numbered, it
replies with a JSON object (`SCHEMA`, which the llama.cpp server turns into a grammar) naming
one sentence and the shortest span of it that answers, or sentence 0 when none does. The
answer shown is then the document's own sentence, cited at its exact offsets, led by the span
when the span is really in it: nothing the model wrote is shown unless the sentence holds it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from assistant.analysis import fold
from assistant.prompts import (
    READER_SENTENCE_FORMAT,
    READER_SYSTEM_PROMPT,
    READER_USER_PROMPT,
    fenced,
)

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from assistant.evidence import Evidence


def schema(count: int) -> dict[str, Any]:
    """The reply's JSON schema for `count` numbered sentences."""
    return {
        "type": "object",
        "properties": {
            "sentence": {"type": "integer", "minimum": 0, "maximum": count},
            "answer": {"type": "string", "maxLength": 160},
        },
        "required": ["sentence", "answer"],
    }


def response_format(count: int) -> dict[str, Any]:
    """The OpenAI-compatible `response_format` that constrains the reply to `schema`."""
    return {"type": "json_schema", "json_schema": {"name": "choice", "schema": schema(count)}}


def choices(evidence: Sequence[Evidence], *, chars: int, most: int) -> list[Evidence]:
    """The sentences put before the reader: the best ones, within `chars` and `most`."""
    chosen: list[Evidence] = []
    used = 0
    for ev in evidence:
        if len(chosen) == most:
            break
        if used + len(ev.text) > chars and chosen:
            continue
        chosen.append(ev)
        used += len(ev.text)
    return chosen


def prompt(question: str, sentences: Sequence[Evidence]) -> str:
    """The user message: the numbered sentences, fenced as data, and the question."""
    lines = [
        READER_SENTENCE_FORMAT.format(i=i, text=fenced(ev.text.replace("\n", " ")))
        for i, ev in enumerate(sentences, start=1)
    ]
    return READER_USER_PROMPT.format(sentences="\n".join(lines), question=question)


@dataclass(frozen=True, slots=True)
class Reading:
    """What the reader chose: a sentence (None: none answers) and the span it gave."""

    sentence: Evidence | None
    span: str


_NUMBER: Final = re.compile(r'"sentence"\s*:\s*(\d+)')


def parse(raw: str, sentences: Sequence[Evidence]) -> Reading | None:
    """The reader's reply as a `Reading`, or None when it cannot be read."""
    try:
        data = json.loads(raw)
    except ValueError:
        match = _NUMBER.search(raw)
        if not match:
            return None
        data = {"sentence": int(match.group(1)), "answer": ""}
    if not isinstance(data, dict):
        return None
    number = data.get("sentence")
    if not isinstance(number, int) or not 0 <= number <= len(sentences):
        return None
    span = data.get("answer")
    span = span.strip() if isinstance(span, str) else ""
    return Reading(sentences[number - 1] if number else None, span)


def answer_text(reading: Reading) -> str:
    """The answer shown: the span, when the sentence holds it, then the cited sentence."""
    assert reading.sentence is not None
    ev = reading.sentence
    sentence = ev.text.strip()
    span = reading.span.strip(" .;:,«»\"'")
    cited = f"{sentence} [{ev.n}]"
    if span and len(span) < len(sentence) and fold(span) in fold(sentence):
        return f"{span[0].upper()}{span[1:]} — {cited}"
    return cited


@dataclass(frozen=True, slots=True)
class Reply:
    """One reading: what the model chose, the prompt it read, its size in tokens."""

    reading: Reading | None
    prompt: str
    prompt_tokens: int | None


def read(
    llm: BaseChatModel, question: str, evidence: Sequence[Evidence], *, chars: int, most: int
) -> Reply:
    """Ask the model which of the best evidence sentences answers `question`."""
    from langchain_core.messages import HumanMessage, SystemMessage

    sentences = choices(evidence, chars=chars, most=most)
    user = prompt(question, sentences)
    bound = llm.bind(response_format=response_format(len(sentences)))
    reply = bound.invoke([SystemMessage(READER_SYSTEM_PROMPT), HumanMessage(user)])
    raw = reply.content if isinstance(reply.content, str) else ""
    usage = getattr(reply, "usage_metadata", None) or {}
    tokens = int(usage["input_tokens"]) if usage.get("input_tokens") else None
    return Reply(parse(raw, sentences), f"{READER_SYSTEM_PROMPT}\n\n{user}", tokens)
