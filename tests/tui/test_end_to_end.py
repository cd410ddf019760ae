"""The real app, end to end, with the real local model: the issue's "done when" scenario.

The app builds its own assistant from settings (embedded Chroma with the sample corpus, the
bundled Qwen model served by llama.cpp in-process), exactly as `veille chat` does. The model is
assembled into `$VEILLE_TEST_MODELS_DIR` when set (CI caches it there), else a temporary folder.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tui.messages import EvidenceArrived

pytestmark = [pytest.mark.tui, pytest.mark.slow]

SIZE = (140, 45)
EVIDENCE_BUDGET_S = 5.0
"""Generous: the issue asks for evidence within a second; shared CI cores are slower."""


@pytest.fixture(scope="session")
def local_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        from assistant import local_model
    except ImportError:
        pytest.skip("assistant.local_model is missing: the local model is not built yet")
    pytest.importorskip(
        "xllamacpp", reason="the local model runtime is not installed (extra `local`)"
    )
    if not local_model.local_model_available():
        pytest.skip("the local model parts are not installed (extra `local`)")
    shared = os.environ.get("VEILLE_TEST_MODELS_DIR")
    models_dir = Path(shared) if shared else tmp_path_factory.mktemp("models")
    return local_model.ensure_model(models_dir)


async def test_hema_question_with_the_real_local_model(
    sample_store, local_model_path, facts, settle, text_of, monkeypatch
) -> None:
    from textual.widgets import Input

    from tui.app import build_app
    from tui.screens.chat import ChatScreen

    settings = sample_store.settings.with_section(
        "generation", mode="local", local_model=local_model_path
    )
    app = build_app(settings)
    evidence_at: list[float] = []
    original = ChatScreen.on_evidence_arrived

    def spy(screen: ChatScreen, message: EvidenceArrived) -> None:
        evidence_at.append(time.perf_counter())
        original(screen, message)

    monkeypatch.setattr(ChatScreen, "on_evidence_arrived", spy)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.chat.prompt.has_focus  # usable before anything has loaded
        await settle(pilot)  # the store opens, the model loads
        assert app.chat.status.mode == "local"
        assert app.chat.status.activity == ""

        prompt = app.chat.query_one("#prompt", Input)
        prompt.value = facts.hema
        asked = time.perf_counter()
        await pilot.press("enter")
        await settle(pilot)

        assert evidence_at
        assert evidence_at[0] - asked < EVIDENCE_BUDGET_S
        answer = app.chat.turns[-1]
        assert answer.mode == "local"
        assert not answer.refused, answer.notes
        assert "22" in answer.text
        assert answer.citations
        assert answer.prompt is not None
        cited = answer.citations[0]
        assert cited.source == facts.hema_file

        await pilot.press("escape", str(cited.n))
        await settle(pilot)
        assert app.chat.viewer.highlighted == [cited.quote]
        assert "22 magasins" in cited.quote
        assert facts.hema_file in str(app.chat.viewer.border_title)
        assert "22 magasins" in text_of(app)
