"""The chat, driven with Pilot: asking, evidence, streaming, citations, refusal, inspector, keys."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from tui.screens.help import HelpScreen
from tui.screens.inspector import InspectorScreen
from tui.widgets.answer_view import AnswerView
from tui.widgets.evidence_view import EvidenceView

pytestmark = pytest.mark.tui

SIZE = (140, 45)


async def test_startup_shows_the_store_and_model(facts, make_app, settle) -> None:
    app = make_app(facts.hema_answer)
    async with app.run_test(size=SIZE) as pilot:
        assert app.chat.prompt.has_focus  # usable at once
        await settle(pilot)
        status = app.chat.status
        assert status.mode == "server"
        assert status.model == "GenericFakeChatModel"
        assert (status.documents, status.chunks) == (5, 25)
        assert status.activity == ""  # the model is warm


async def test_question_shows_evidence_then_the_streamed_cited_answer(
    facts, make_app, ask, text_of
) -> None:
    app = make_app(facts.hema_answer)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, facts.hema)
        [message] = app.chat.chat_log.messages()
        evidence = message.query_one(EvidenceView)
        assert evidence.display
        assert "22 magasins" in str(evidence.render())
        view = message.query_one(AnswerView)
        assert view.streamed.strip() == facts.hema_answer  # it came in pieces
        answer = message.answer
        assert answer is not None
        assert not answer.refused
        assert [(c.n, c.source, c.quote) for c in answer.citations] == [
            (1, facts.hema_file, facts.hema_quote)
        ]
        assert app.chat.sources.option_count == len(answer.passages) == 5
        assert app.chat.status.timings == answer.timings
        screen = text_of(app)
        assert "Hema a ouvert 22 magasins" in screen
        assert "[1]" in screen
        assert "cited" in screen  # the sources pane marks the cited passage


async def test_number_key_opens_the_document_at_the_highlighted_span(
    facts, make_app, ask, settle, text_of
) -> None:
    app = make_app(facts.hema_answer)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, facts.hema)
        await pilot.press("escape")  # leave the prompt: number keys now pick sources
        assert not app.chat.prompt.has_focus
        await pilot.press("1")
        await settle(pilot)
        viewer = app.chat.viewer
        assert viewer.highlighted == [facts.hema_quote]
        assert viewer.shown is not None
        assert viewer.shown.text[872:994] == facts.hema_quote
        assert facts.hema_file in str(viewer.border_title)
        assert "872–994" in str(viewer.border_title)
        screen = text_of(app)
        assert "Hema est une chaîne de supermarchés" in screen  # scrolled into view

        await pilot.press("y")
        assert app.clipboard == facts.hema_quote


async def test_alt_number_and_sources_pane_open_citations_while_typing(
    facts, make_app, ask, settle
) -> None:
    app = make_app(facts.hema_answer)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, facts.hema)
        assert app.chat.prompt.has_focus
        await pilot.press("alt+3")
        await settle(pilot)
        assert app.chat.viewer.shown_n == 3
        assert app.chat.viewer.highlighted == []  # [3] is retrieved, not cited: its passage shows
        assert app.chat.viewer.shown.passage is not None

        app.chat.sources.focus()
        app.chat.sources.highlighted = 0
        await pilot.press("enter")
        await settle(pilot)
        assert app.chat.viewer.highlighted == [facts.hema_quote]

        await pilot.press("n")
        await settle(pilot)
        assert app.chat.viewer.shown_n == 2


async def test_clicking_a_citation_in_the_evidence_opens_it(facts, make_app, ask, settle) -> None:
    app = make_app(facts.hema_answer)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, facts.hema)
        evidence = app.chat.chat_log.messages()[0].query_one(EvidenceView)
        await pilot.click(evidence, offset=(2, 0))  # on the first line's "[1]"
        await settle(pilot)
        assert app.chat.viewer.highlighted


async def test_refused_question_looks_different_and_lists_closest_passages(
    facts, make_app, ask, text_of
) -> None:
    app = make_app("should not be used")
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, facts.refused)
        [message] = app.chat.chat_log.messages()
        assert message.has_class("-refused")
        assert message.answer is not None
        assert message.answer.refused
        screen = text_of(app)
        assert "Le corpus ne contient pas la réponse à cette question." in screen
        assert "Passages les plus proches" in screen
        assert "Pinduoduo" in screen  # the reason: the corpus never names it
        assert app.chat.sources.option_count == len(message.answer.passages)


async def test_inspector_shows_ranks_scores_and_the_exact_prompt(
    facts, make_app, ask, settle
) -> None:
    app = make_app(facts.hema_answer)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, facts.hema)
        await pilot.press("f2")
        await settle(pilot)
        inspector = app.screen
        assert isinstance(inspector, InspectorScreen)
        table = inspector.query_one(DataTable)
        answer = app.chat.turns[-1]
        assert table.row_count == len(answer.passages)
        first = table.get_row_at(0)
        assert str(first[0]) == "[1]"
        assert first[2] == str(answer.passages[0].bm25_rank)
        assert first[3] == str(answer.passages[0].dense_rank)
        assert first[5] == f"{answer.passages[0].score:.4f}"
        prompt = str(inspector.query_one("#inspector-prompt").render())
        assert answer.prompt is not None
        assert prompt == answer.prompt
        assert "<passages>" in prompt
        assert "tokens" in str(inspector.query_one("#inspector-prompt-heading").render())
        assert answer.confidence is not None
        line = str(inspector.query_one("#inspector-confidence").render())
        assert f"confidence {answer.confidence:.2f}" in line
        assert "answer type found 1" in line
        await pilot.press("escape")
        assert not isinstance(app.screen, InspectorScreen)


async def test_follow_up_keeps_the_context_and_new_conversation_forgets_it(
    facts, make_app, ask, settle
) -> None:
    rewritten = "Combien de magasins JD.com a-t-il ouverts ?"
    app = make_app(
        facts.hema_answer,
        rewritten,  # the follow-up is rewritten with the previous question
        "JD.com teste actuellement à Pékin deux magasins sans vendeurs [1].",
        "Hema a ouvert 22 magasins [1].",
    )
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, facts.hema)
        await ask(pilot, "Et JD.com ?")
        follow_up = app.chat.turns[-1]
        assert follow_up.question == "Et JD.com ?"
        assert follow_up.standalone_question == rewritten
        await pilot.press("f2")
        await settle(pilot)
        assert rewritten in str(app.screen.query_one("#inspector-standalone").render())
        await pilot.press("escape")

        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.chat.turns == []
        assert app.chat.chat_log.messages() == []
        await ask(pilot, facts.hema)
        assert app.chat.turns[-1].standalone_question is None  # no context, no rewrite


async def test_escape_stops_generation_and_a_new_question_replaces_a_stale_one(
    facts, make_app, settle
) -> None:
    import threading

    app = make_app(facts.hema_answer, facts.hema_answer)
    assistant = app._given
    gate = threading.Event()
    original = assistant.stream

    def slow_stream(question, **kwargs):
        for event in original(question, **kwargs):
            yield event
            gate.wait(5)  # hold every event until the test lets go

    assistant.stream = slow_stream
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        prompt = app.chat.query_one("#prompt", Input)
        prompt.value = facts.hema
        await pilot.press("enter")
        await pilot.pause(0.5)
        assert app.chat.generating
        await pilot.press("escape")
        assert not app.chat.generating
        [message] = app.chat.chat_log.messages()
        assert message.has_class("-cancelled")

        prompt.value = "Quand Hema a-t-il ouvert ses magasins ?"
        await pilot.press("enter")
        await pilot.pause(0.2)
        gate.set()
        await settle(pilot)
        first, second = app.chat.chat_log.messages()
        assert first.has_class("-cancelled")
        assert not first.final  # the stale worker's events were dropped
        assert second.final
        assert len(app.chat.turns) == 1


async def test_help_screen(facts, make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_runs_chat_actions(facts, make_app, ask, settle) -> None:
    app = make_app(facts.hema_answer)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, facts.hema)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Inspector")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InspectorScreen)


async def test_extractive_mode_answers_without_a_model(facts, make_app, ask) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, facts.hema)
        answer = app.chat.turns[-1]
        assert answer.mode == "extractive"
        assert answer.citations[0].quote == facts.hema_quote
        assert app.chat.status.mode == "extractive"


async def test_open_file_hands_over_to_the_editor_or_says_why(
    facts, make_app, ask, settle, tmp_path, monkeypatch
) -> None:
    editor = tmp_path / "fake-editor"
    editor.write_text("#!/bin/sh\nexit 0\n")
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    app = make_app(facts.hema_answer)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, facts.hema)
        await pilot.press("escape", "o")
        assert any("Open a source first" in n.message for n in app._notifications)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("o")  # Pilot's headless terminal cannot be handed over
        assert any("cannot hand over" in n.message for n in app._notifications)


@pytest.mark.parametrize("theme", ["textual-light", "nord", "gruvbox"])
async def test_themes_render(theme, facts, make_app, ask, text_of) -> None:
    app = make_app(facts.hema_answer)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = theme
        await ask(pilot, facts.hema)
        await ask(pilot, facts.refused)
        assert "22 magasins" in text_of(app)


async def test_a_question_typed_while_the_store_opens_is_answered_when_ready(
    facts, sample_store, settle, monkeypatch
) -> None:
    import threading

    import assistant.embeddings
    from tui.app import build_app

    opened = threading.Event()
    monkeypatch.setattr(
        assistant.embeddings,
        "make_embeddings",
        lambda *_a, **_k: opened.wait(10) and sample_store.embeddings,
    )
    settings = sample_store.settings.with_mode("extractive")
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.chat.prompt.value = facts.hema
        await pilot.press("enter")
        await pilot.pause()
        [message] = app.chat.chat_log.messages()
        assert not message.final
        opened.set()
        await settle(pilot)
        assert message.final
        assert app.chat.turns[-1].citations[0].quote == facts.hema_quote


async def test_the_palette_runs_the_chat_commands_and_the_help_lists_their_keys(
    make_app, settle
) -> None:
    from textual.command import CommandPalette
    from textual.widgets import Markdown

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Export to Markdown")
        await pilot.pause(0.3)
        await pilot.press("enter")  # runs the chat's `x`
        await pilot.pause()
        assert any("Nothing to export yet" in n.message for n in app._notifications)

        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        help_text = app.screen.query_one(Markdown).source
        assert "| F2 or i | Inspector: rewritten question" in help_text  # one row, two keys
        assert "| n / p | Next / previous source |" in help_text  # a group of bindings
        assert "| 1 … 9 | Open source [n]" in help_text
        assert "Alt+1 |" not in help_text  # named in the digits' row, not a row of its own
        assert "| Ctrl+Q | Quit |" in help_text
