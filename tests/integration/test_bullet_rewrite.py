"""A long answer's bullets shortened by the model (`coverage.rewrite`), through a fake chat model.

The fake answers each bullet prompt from the sentence in it, as a model would: shorter and
faithful, with an invented figure, with KEEP, or failing as a dead server does. Retrieval, the
points, the check of each rewrite and the exact citations are the real code over the real
sample store.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import openai
import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from assistant.answer import AnswerReady, Assistant, EvidenceFound, TokenStreamed
from assistant.bullets import clean, stands
from assistant.llm import Generator
from assistant.prompts import BULLET_SYSTEM_PROMPT
from assistant.settings import Settings

pytestmark = pytest.mark.integration

FIVE_POINTS = "Quels sont les cinq points qui résument Alibaba ?"


class Shortener(BaseChatModel):
    """Replies to a bullet prompt by `style`: `short`, `invent`, `keep`, or `fail` at call N."""

    style: str = "short"
    fail_at: int = 0
    calls: int = 0

    @property
    def _llm_type(self) -> str:
        return "fake-shortener"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        self.calls += 1
        if self.fail_at and self.calls >= self.fail_at:
            request = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
            raise openai.APIConnectionError(request=request)
        assert messages[0].content == BULLET_SYSTEM_PROMPT
        match = re.search(r"<sentence>(.*)</sentence>", str(messages[-1].content), re.DOTALL)
        sentence = match.group(1) if match else ""
        words = sentence.split()
        if self.style == "keep":
            reply = "KEEP"
        elif self.style == "invent":
            reply = "- " + " ".join(words[:6]) + " avec 987 654 clients"
        else:
            reply = "- " + " ".join(words[: max(3, len(words) // 2)]) + "\nSecond line"
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=reply))])


def _assistant(settings: Settings, model: Shortener, *, rewrite: bool = True) -> Assistant:
    rewriting = settings.with_section("coverage", rewrite=rewrite)
    return Assistant(rewriting, llm=model, generator=Generator("local", "fake"))


def _skeleton(settings: Settings) -> Any:
    return Assistant(settings).ask(FIVE_POINTS)


def test_each_bullet_is_shortened_and_keeps_its_exact_citation(sample_settings: Settings):
    skeleton = _skeleton(sample_settings)
    model = Shortener()
    events = list(_assistant(sample_settings, model).stream(FIVE_POINTS))
    (found,) = [e for e in events if isinstance(e, EvidenceFound)]
    answer = events[-1].answer if isinstance(events[-1], AnswerReady) else None
    assert answer is not None
    assert not answer.refused
    # The skeleton comes first, at once; then one streamed piece per checked bullet.
    assert found.preliminary.text == skeleton.text
    streamed = [e.text for e in events if isinstance(e, TokenStreamed)]
    assert len(streamed) == len(skeleton.citations) == model.calls
    assert answer.text == "".join(streamed).rstrip("\n")
    assert answer.citations == skeleton.citations  # same quotes, same offsets
    assert answer.mode == "local"
    assert answer.text != skeleton.text
    assert len(answer.text) < len(skeleton.text)
    assert "Second line" not in answer.text  # one line is one bullet
    shortened = len(skeleton.citations)
    assert f"{shortened} of {shortened} bullet(s) shortened by the model" in answer.notes
    assert answer.prompt is not None
    assert answer.prompt.startswith(BULLET_SYSTEM_PROMPT)


def test_a_rewrite_with_a_figure_its_sentence_lacks_is_never_shown(sample_settings: Settings):
    skeleton = _skeleton(sample_settings)
    answer = _assistant(sample_settings, Shortener(style="invent")).ask(FIVE_POINTS)
    assert "987" not in answer.text
    assert answer.text == skeleton.text
    assert f"0 of {len(skeleton.citations)} bullet(s) shortened by the model" in answer.notes


def test_keep_leaves_the_sentence(sample_settings: Settings):
    skeleton = _skeleton(sample_settings)
    answer = _assistant(sample_settings, Shortener(style="keep")).ask(FIVE_POINTS)
    assert answer.text == skeleton.text
    assert answer.citations == skeleton.citations


def test_a_server_that_dies_half_way_leaves_the_sentences_of_the_rest(sample_settings: Settings):
    skeleton = _skeleton(sample_settings)
    answer = _assistant(sample_settings, Shortener(fail_at=3)).ask(FIVE_POINTS)
    assert not answer.refused
    lines, original = answer.text.splitlines(), skeleton.text.splitlines()
    assert len(lines) == len(original)
    assert lines[:2] != original[:2]
    assert lines[2:] == original[2:]
    assert answer.citations == skeleton.citations
    assert any(n.startswith("the model stopped rewriting the bullets") for n in answer.notes)


def test_off_by_default_and_in_extractive_mode(sample_settings: Settings):
    skeleton = _skeleton(sample_settings)
    model = Shortener()
    assert _assistant(sample_settings, model, rewrite=False).ask(FIVE_POINTS).text == skeleton.text
    extractive = Assistant(sample_settings.with_section("coverage", rewrite=True))
    assert extractive.ask(FIVE_POINTS).text == skeleton.text
    assert model.calls == 0


def test_clean_and_stands() -> None:
    assert clean("- « Hema a ouvert 22 magasins » [2]\nautre") == "Hema a ouvert 22 magasins"
    assert clean("3/ Les épiceries rurales") == "Les épiceries rurales"
    sentence = "Hema est une chaîne de supermarchés qui a ouvert 22 magasins ces derniers mois."
    kw = {"context": sentence, "same_language": True, "support": 0.5}
    assert stands("Hema a ouvert 22 magasins", sentence, **kw)
    assert not stands("Hema a ouvert 23 magasins", sentence, **kw)  # a figure not in it
    assert not stands("KEEP", sentence, **kw)
    assert not stands(sentence + " Vraiment.", sentence, **kw)  # not shorter
    assert not stands("Walmart vend des voitures", sentence, **kw)  # not supported
