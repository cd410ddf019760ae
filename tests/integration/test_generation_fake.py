"""Generated answers through a fake chat model over the real sample store.

The model is langchain-core's GenericFakeChatModel; everything else (retrieval, prompt, streaming,
citation verification, refusal) is the real code path that the local model and OpenAI use.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.answer import AnswerReady, Assistant, EvidenceFound, TokenStreamed
from assistant.llm import Generator
from assistant.prompts import REFUSAL, SYSTEM_PROMPT
from assistant.settings import Settings

pytestmark = pytest.mark.integration

HEMA = "Combien de magasins Hema a-t-il ouverts ?"


def _assistant(settings: Settings, *replies: str) -> Assistant:
    messages: Iterator[AIMessage] = iter([AIMessage(content=r) for r in replies])
    return Assistant(
        settings, llm=GenericFakeChatModel(messages=messages), generator=Generator("local", "fake")
    )


def test_evidence_comes_first_then_tokens_then_a_verified_answer(sample_settings: Settings):
    assistant = _assistant(sample_settings, "Hema a ouvert 22 magasins [1].")
    events = list(assistant.stream(HEMA))
    assert isinstance(events[0], EvidenceFound)
    assert "22 magasins" in events[0].preliminary.text
    tokens = [e.text for e in events if isinstance(e, TokenStreamed)]
    assert len(tokens) > 1
    assert "".join(tokens) == "Hema a ouvert 22 magasins [1]."
    final = events[-1]
    assert isinstance(final, AnswerReady)
    answer = final.answer
    assert (answer.mode, answer.model, answer.refused) == ("local", "fake", False)
    assert answer.text == "Hema a ouvert 22 magasins [1]."
    (citation,) = answer.citations
    assert citation.source == "002_35a95145e6805c4a.txt"
    assert "22 magasins" in citation.quote
    assert answer.timings.first_token is not None
    assert answer.timings.first_token <= answer.timings.total


def test_a_wrong_citation_is_repointed_and_an_invented_claim_dropped(sample_settings: Settings):
    assistant = _assistant(
        sample_settings,
        "Hema a ouvert 22 magasins [3]. Hema vaut 40 milliards de dollars [1].",
    )
    answer = assistant.ask(HEMA)
    assert not answer.refused
    assert "40 milliards" not in answer.text
    assert answer.text.startswith("Hema a ouvert 22 magasins [")
    assert any("re-pointed" in n for n in answer.notes)
    assert any("removed" in n for n in answer.notes)
    for c in answer.citations:
        assert "22" in c.quote


def test_the_models_refusal_marker_gives_the_fixed_sentence(sample_settings: Settings):
    answer = _assistant(sample_settings, "NOT_IN_CORPUS").ask(HEMA)
    assert answer.refused
    assert answer.text == REFUSAL["fr"]
    assert answer.citations == ()


def test_english_question_gets_the_english_refusal(sample_settings: Settings):
    answer = _assistant(sample_settings, "NOT_IN_CORPUS").ask("How many stores has Hema opened?")
    assert answer.text == REFUSAL["en"]


def test_retrieval_refusal_never_calls_the_model(sample_settings: Settings):
    assistant = _assistant(sample_settings)  # no reply queued: a call would fail
    answer = assistant.ask("Qui est le PDG de Pinduoduo ?")
    assert answer.refused
    assert answer.text == REFUSAL["fr"]


def test_prompt_is_small_fenced_and_keeps_a_constant_system_prompt(sample_settings: Settings):
    answer = _assistant(sample_settings, "Hema a ouvert 22 magasins [1].").ask(HEMA)
    assert answer.prompt is not None
    assert answer.prompt.startswith(SYSTEM_PROMPT)
    user = answer.prompt[len(SYSTEM_PROMPT) :]
    assert "<passages>" in user
    assert "</passages>" in user
    assert user.index("<passages>") < user.index("Question:")
    assert len(user) < 1800  # ~400 tokens with the system prompt


def test_follow_up_is_rewritten_before_retrieval(sample_settings: Settings):
    assistant = _assistant(
        sample_settings,
        "Combien de magasins JD.com a-t-il ouverts ?",
        "NOT_IN_CORPUS",
    )
    answer = assistant.ask("et JD.com ?", history=[(HEMA, "Hema a ouvert 22 magasins [1].")])
    assert answer.standalone_question == "Combien de magasins JD.com a-t-il ouverts ?"
