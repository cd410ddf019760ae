"""Snapshot of a list answer in the chat: five cited bullets, the second citation open.

Update it after an intended change with `pytest tests/tui/test_bullet_snapshot.py
--snapshot-update` and look at the report before committing.
"""

from __future__ import annotations

import pytest

from assistant.types import Timings

pytestmark = pytest.mark.tui

SIZE = (140, 45)
FIVE_POINTS = "Quels sont les cinq points qui résument Alibaba ?"


def test_a_bullet_answer_with_an_open_citation(snap_compare, make_app, ask, settle) -> None:
    app = make_app()  # a list never waits for the model

    async def run_before(pilot) -> None:
        await ask(pilot, FIVE_POINTS)
        answer = app.chat.turns[-1]
        await pilot.press("escape", str(answer.citations[1].n))
        await settle(pilot)
        chat = app.chat
        chat.status.location = "~/.local/share/veille/chroma"
        if chat.status.timings is not None:
            chat.status.timings = Timings(retrieve=180.0, first_token=180.0, total=190.0)
        chat.prompt.cursor_blink = False
        app.clear_notifications()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
