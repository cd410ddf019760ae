"""Filters in the chat: set from the palette or F4, shown in the status line, cleared, and a
question's own date phrase shown for its turn and dropped with F6.

The sample store has one dated article (the Hema one, 22 November 2017); the other four are
undated, so any date window leaves only that article's passages.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from assistant.filters import parse_filters
from tui.screens.filters import FilterScreen

pytestmark = pytest.mark.tui

SIZE = (140, 45)
DATED = "2017-11-22"


async def _palette(pilot, command: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*command)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await pilot.pause()


def _status(app) -> str:
    return app.chat.status.render().plain


async def test_a_filter_set_from_the_palette_is_shown_applied_and_cleared(
    facts, make_app, ask, settle, text_of
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _palette(pilot, "Filter by date or source")
        assert isinstance(app.screen, FilterScreen)
        await pilot.press(*"2017", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, FilterScreen)
        assert "filter: since 2017-01-01" in _status(app)
        assert "filter: since 2017-01-01" in text_of(app)

        await ask(pilot, facts.hema)
        answer = app.chat.turns[-1]
        window = parse_filters("2017")
        assert window is not None
        assert answer.passages
        assert all(window.matches(p.source, p.chunk.date) for p in answer.passages)
        assert {p.chunk.date for p in answer.passages} == {DATED}

        await _palette(pilot, "Clear the filter")
        assert "filter" not in _status(app)
        await ask(pilot, facts.hema)
        assert "" in {p.chunk.date for p in app.chat.turns[-1].passages}  # undated ones again


async def test_an_invalid_date_is_shown_in_the_dialog_which_stays_open(make_app, settle) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, FilterScreen)
        await pilot.press(*"2017-13", "enter")
        await pilot.pause()
        assert isinstance(app.screen, FilterScreen)
        error = app.screen.query_one("#filter-error", Static)
        assert "'2017-13' is not a real date" in str(error.render())
        # A window whose start is after its end is refused too.
        app.screen.query_one("#filter-since", Input).value = "2018"
        app.screen.query_one("#filter-until", Input).value = "2017"
        await pilot.press("enter")
        await pilot.pause()
        assert "after --until" in str(app.screen.query_one("#filter-error", Static).render())
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, FilterScreen)
        assert "filter" not in _status(app)


async def test_a_question_date_phrase_is_shown_for_its_turn_and_dropped_with_f6(
    make_app, ask, settle
) -> None:
    app = make_app()
    # The one dated sample article (2017-11-22, Hema's) lies outside 2018; the undated ones
    # stay: a window read from the question keeps articles whose date is unknown.
    question = "Combien de magasins Hema a-t-il ouverts en 2018 ?"
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, question)
        shown = app.chat.status.filter_text
        assert shown.startswith("filter from the question: 2018-01-01 to 2018-12-31 (« en 2018 »)")
        assert "F6 drops it" in shown
        filtered = app.chat.turns[-1]
        assert filtered.passages
        assert DATED not in {p.chunk.date for p in filtered.passages}

        await pilot.press("f6")  # works from the prompt
        await settle(pilot)
        assert len(app.chat.turns) == 2
        again = app.chat.turns[-1]
        assert again.question == question
        assert DATED in {p.chunk.date for p in again.passages}  # every date again
        assert app.chat.status.filter_text == ""

        await ask(pilot, "Combien de magasins Hema a-t-il ouverts ?")
        assert app.chat.status.filter_text == ""  # a question without a phrase shows none
        await pilot.press("f6")
        await pilot.pause()
        assert any("set no date filter" in n.message for n in app._notifications)
        assert len(app.chat.turns) == 3


async def test_the_dialog_filter_wins_over_the_question_phrase(make_app, ask, settle) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await pilot.pause()
        app.screen.query_one("#filter-until", Input).value = "2016"
        await pilot.press("enter")
        await pilot.pause()
        await ask(pilot, "Combien de magasins Hema a-t-il ouverts en 2017 ?")
        assert app.chat.status.filter_text == "filter: until 2016-12-31"
        assert app.chat.turns[-1].passages == ()  # nothing is dated before 2017
