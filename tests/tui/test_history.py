"""Saved conversations in the app: saving, reopening, searching, exporting; eval cases.

The history store and the Markdown export alone are tested in tests/unit/test_conversations.py.
"""

from __future__ import annotations

import json

import pytest
from textual.widgets import Input, OptionList

from evals.questions import eval_case
from tests.answers import make_answer
from tui.screens.history import HistoryScreen

pytestmark = pytest.mark.tui

SIZE = (140, 45)


def test_eval_case_shape() -> None:
    case = eval_case(
        make_answer("Combien de magasins Hema a-t-il ouverts ?", "Hema a ouvert 22 magasins [1].")
    )
    assert case["question"] == "Combien de magasins Hema a-t-il ouverts ?"
    assert case["answers"] == ["Hema a ouvert 22 magasins."]
    assert case["sources"] == ["a.txt"]
    assert case["answerable"] is True
    assert case["id"].startswith("chat-")
    refused = eval_case(make_answer("Qui ?", "Non.", refused=True))
    assert refused["answerable"] is False
    assert refused["sources"] == []


async def test_conversation_is_saved_reopened_searched_and_exported(
    facts, make_app, ask, settle, settings
) -> None:
    app = make_app(facts.hema_answer)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, facts.hema)
        saved_id = app.chat.conversation_id
        assert saved_id is not None
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.chat.chat_log.messages() == []

        await pilot.press("f3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        listing = screen.query_one(OptionList)
        assert listing.option_count == 1
        search = screen.query_one("#history-search", Input)
        search.value = "zzz"
        await pilot.pause()
        assert listing.option_count == 0
        search.value = "magasins hema"
        await pilot.pause()
        assert listing.option_count == 1
        assert screen.results[0].snippet  # the matching text is shown

        await pilot.press("ctrl+x")  # export the highlighted conversation
        await pilot.pause()
        [exported] = list((settings.data_dir / "exports").glob("*.md"))
        markdown = exported.read_text(encoding="utf-8")
        assert f"[^1-1]: «{facts.hema_quote}» ({facts.hema_file}, characters 872–994)" in markdown

        await pilot.press("enter")  # reopen the best match
        await settle(pilot)
        assert not isinstance(app.screen, HistoryScreen)
        assert app.chat.conversation_id == saved_id
        [message] = app.chat.chat_log.messages()
        assert message.final
        assert message.answer is not None
        assert message.answer.citations[0].quote == facts.hema_quote
        assert facts.hema_answer.split(",")[0] in str(message.answer.text)

        await pilot.press("escape")  # leave the prompt
        await pilot.press("1")  # the reopened answer's citations still open
        await settle(pilot)
        assert app.chat.viewer.highlighted == [facts.hema_quote]

        await pilot.press("x")  # export from the chat
        await pilot.pause()
        assert len(list((settings.data_dir / "exports").glob("*.md"))) == 1  # same file, rewritten


async def test_save_turn_as_eval_case(facts, make_app, ask, settings) -> None:
    from evals.questions import load_questions

    app = make_app(facts.hema_answer, "Hema a ouvert 22 magasins à Shanghai et Pékin [1].")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, facts.hema)
        await pilot.press("escape", "s", "s")  # the second time: already saved
        await pilot.pause()
        await pilot.press("ctrl+n")
        await ask(pilot, facts.hema)  # another answer to the same question
        await pilot.press("escape", "s")
        await pilot.pause()
    path = settings.data_dir / "eval_cases.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    first, second = [json.loads(line) for line in lines]
    assert first["question"] == facts.hema
    assert first["sources"] == [facts.hema_file]
    assert first["answerable"] is True
    assert "22 magasins" in first["answers"][0]
    assert "[1]" not in first["answers"][0]
    assert second["id"] == first["id"] + "-2"
    assert [q.id for q in load_questions(path)] == [
        first["id"],
        second["id"],
    ]  # `veille eval` reads it
