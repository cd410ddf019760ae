"""A list answer in the chat: cited bullets at once, each citation opening at its exact span."""

from __future__ import annotations

import pytest

from tui.widgets.answer_view import AnswerView

pytestmark = pytest.mark.tui

SIZE = (140, 45)
FIVE_POINTS = "Quels sont les cinq points qui résument Alibaba ?"


async def test_a_list_question_shows_cited_bullets_and_opens_each_point(
    make_app, ask, settle, text_of
) -> None:
    app = make_app()  # no fake answer queued: a list never waits for the model
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, FIVE_POINTS)
        [message] = app.chat.chat_log.messages()
        answer = message.answer
        assert answer is not None
        assert answer.kind == "list"
        assert len(answer.citations) == 5
        assert message.query_one(AnswerView).display
        screen = text_of(app)
        assert "La philosophie du New Retail" in screen
        assert "1/ L" not in screen  # list numbers are not sentences
        assert app.chat.sources.option_count == len(answer.passages)
        # The second bullet's citation opens its document at the cited span.
        second = answer.citations[1]
        await pilot.press("escape")
        await pilot.press(str(second.n))
        await settle(pilot)
        reader = text_of(app)
        assert "Jack Ma a défini le New Retail" in reader
        assert f"{second.start}" in reader
