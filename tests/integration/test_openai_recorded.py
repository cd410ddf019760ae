"""The `openai` mode end to end over recorded HTTP: no key, no network, the real client code.

The cassette (tests/integration/cassettes/openai_hema.yaml, made by
scripts/record_openai_cassette.py) holds two streamed chat-completions exchanges at OpenAI's
URL. The replay runs the real `ChatOpenAI` streaming parser, citation verification and offsets.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import vcr
from pydantic import SecretStr

from assistant.analysis import detect_language
from assistant.answer import Assistant
from assistant.settings import Settings

pytestmark = pytest.mark.integration

CASSETTE = Path(__file__).parent / "cassettes" / "openai_hema.yaml"
CANARY = "sk-canary-recorded-2b8e4d6f0a1c"
HEMA_FR = "Combien de références sont cataloguées dans l'application Hema ?"
HEMA_EN = "How many references are catalogued in the Hema app?"


def _openai(settings: Settings) -> Settings:
    return settings.with_section(
        "generation", mode="openai", model="gpt-4o-mini", api_key=SecretStr(CANARY)
    )


def test_cassette_holds_no_credentials():
    text = CASSETTE.read_text(encoding="utf-8")
    assert "authorization" not in text.lower()
    assert "sk-" not in text
    assert "https://api.openai.com/v1/chat/completions" in text


def test_openai_mode_answers_from_recorded_http(sample_settings: Settings):
    recorder = vcr.VCR(
        record_mode="none",  # any request not in the cassette fails the test
        match_on=["method", "scheme", "host", "path"],
        filter_headers=["authorization"],
    )
    with recorder.use_cassette(str(CASSETTE)) as cassette:
        assistant = Assistant(_openai(sample_settings))
        french = assistant.ask(HEMA_FR)
        english = assistant.ask(HEMA_EN)
        assert cassette.all_played
    for answer, language in ((french, "fr"), (english, "en")):
        assert (answer.mode, answer.model) == ("openai", "gpt-4o-mini")
        assert not answer.refused, answer.notes
        assert detect_language(answer.text) == language, answer.text
        assert answer.prompt_tokens is not None
        assert "3" in answer.text
        assert answer.citations, answer.text
        assert answer.citations[0].source == "002_35a95145e6805c4a.txt"
        for citation in answer.citations:
            passage = next(p for p in answer.passages if p.n == citation.n)
            text = assistant.store.document_text(passage.chunk.doc_id)
            assert text is not None
            assert text[citation.start : citation.end] == citation.quote
        assert answer.timings.first_token is not None
        assert CANARY not in json.dumps(answer.to_dict())
