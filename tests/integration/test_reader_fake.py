"""The model as a reader (`generation.style = "reader"`) through a fake chat model.

The fake reads the numbered sentences of the real prompt and replies as the local model would
(JSON naming one sentence); retrieval, the answer-type checks and the exact citation are the
real code over the real sample store.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from assistant.answer import Assistant
from assistant.llm import Generator
from assistant.settings import Settings

pytestmark = pytest.mark.integration

HEMA = "Combien de magasins Hema a-t-il ouverts ?"


class Reader(BaseChatModel):
    """Picks the numbered sentence holding `wanted` (0 when `wanted` is empty or missing)."""

    wanted: str = ""
    avoid: bool = False  # pick the first sentence NOT holding `wanted` instead
    seen: list[dict[str, Any]] = []  # noqa: RUF012 - one list per test's instance

    @property
    def _llm_type(self) -> str:
        return "fake-reader"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        self.seen.append(kw)
        lines = re.findall(r"^(\d+)\. (.*)$", str(messages[-1].content), flags=re.MULTILINE)
        number = 0
        for n, text in lines:
            if self.wanted and ((self.wanted in text) != self.avoid):
                number = int(n)
                break
        reply = {"sentence": number, "answer": self.wanted if number and not self.avoid else ""}
        message = AIMessage(content=json.dumps(reply, ensure_ascii=False))
        return ChatResult(generations=[ChatGeneration(message=message)])


def _assistant(settings: Settings, reader: Reader) -> Assistant:
    reading = settings.with_section("generation", style="reader")
    return Assistant(reading, llm=reader, generator=Generator("local", "fake"))


def test_the_chosen_sentence_is_shown_with_its_span_and_exact_citation(sample_settings: Settings):
    reader = Reader(wanted="22 magasins", seen=[])
    answer = _assistant(sample_settings, reader).ask(HEMA)
    assert not answer.refused, answer.notes
    assert answer.text.startswith("22 magasins — Hema est une chaîne")
    (citation,) = answer.citations
    assert "22 magasins" in citation.quote
    assert answer.text.endswith(f"[{citation.n}]")
    # The reply is constrained by a JSON schema the server turns into a grammar.
    (kwargs,) = reader.seen
    assert kwargs["response_format"]["type"] == "json_schema"
    assert "sentence" in kwargs["response_format"]["json_schema"]["schema"]["properties"]


def test_no_sentence_chosen_is_a_refusal(sample_settings: Settings):
    answer = _assistant(sample_settings, Reader(seen=[])).ask(HEMA)
    assert answer.refused
    assert answer.citations == ()


def test_a_choice_that_does_not_give_what_is_asked_is_not_shown(sample_settings: Settings):
    # The fake picks a sentence without the figure: the checked best sentence stands instead.
    answer = _assistant(sample_settings, Reader(wanted="22 magasins", avoid=True, seen=[])).ask(
        HEMA
    )
    assert not answer.refused
    assert "22 magasins" in answer.text
    assert any("did not give what was asked" in note for note in answer.notes)
