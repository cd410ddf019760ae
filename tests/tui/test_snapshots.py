"""Snapshots of the main screens (pytest-textual-snapshot); what varies between runs is frozen.

Update them after an intended change with `pytest tests/tui/test_snapshots.py --snapshot-update`
and look at the report before committing.
"""

from __future__ import annotations

import dataclasses
import time

import pytest

from assistant.types import Timings
from tui.screens.inspector import InspectorScreen

pytestmark = pytest.mark.tui

SIZE = (140, 45)
FROZEN_TIMINGS = Timings(retrieve=180.0, first_token=640.0, total=1250.0)


def _freeze(app) -> None:
    """Hide what differs between machines and runs: paths, timings, the cursor's blink."""
    chat = app.chat
    chat.status.location = "~/.local/share/veille/chroma"
    if chat.status.timings is not None:
        chat.status.timings = FROZEN_TIMINGS
    chat.prompt.cursor_blink = False
    app.clear_notifications()


def test_welcome(snap_compare, make_app, settle) -> None:
    app = make_app()

    async def run_before(pilot) -> None:
        await settle(pilot)
        _freeze(app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_answer_with_an_open_citation(snap_compare, facts, make_app, ask, settle) -> None:
    app = make_app(facts.hema_answer)

    async def run_before(pilot) -> None:
        await ask(pilot, facts.hema)
        await pilot.press("escape", "1")
        await settle(pilot)
        _freeze(app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_refused_answer(snap_compare, facts, make_app, ask) -> None:
    app = make_app()

    async def run_before(pilot) -> None:
        await ask(pilot, facts.refused)
        _freeze(app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_inspector(snap_compare, facts, make_app, ask, settle) -> None:
    app = make_app(facts.hema_answer)

    async def run_before(pilot) -> None:
        await ask(pilot, facts.hema)
        _freeze(app)
        answer = app.chat.turns[-1]
        # Cosines move in the third decimal between CPUs' kernels; two decimals are stable.
        passages = tuple(
            dataclasses.replace(p, dense_similarity=round(p.dense_similarity, 2))
            if p.dense_similarity is not None
            else p
            for p in answer.passages
        )
        signals = {name: round(value, 2) for name, value in (answer.signals or {}).items()}
        answer = dataclasses.replace(
            answer, timings=FROZEN_TIMINGS, passages=passages, signals=signals
        )
        await app.push_screen(InspectorScreen(answer))
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_help(snap_compare, make_app, settle) -> None:
    app = make_app()

    async def run_before(pilot) -> None:
        await settle(pilot)
        _freeze(app)

    assert snap_compare(app, terminal_size=SIZE, press=["f1"], run_before=run_before)


def test_conversations(snap_compare, facts, make_app, ask, settle, monkeypatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    app = make_app(facts.hema_answer)

    async def run_before(pilot) -> None:
        await ask(pilot, facts.hema)
        # The turn is saved when the answer's message is handled; on a loaded machine that can
        # come after the workers settle, and a later save would overwrite the frozen time.
        for _ in range(100):
            if app.chat.conversation_id is not None:
                break
            await pilot.pause(0.05)
        assert app.chat.conversation_id is not None, "the answer was never saved"
        app.history._db.execute("UPDATE conversations SET updated = 1700000000")
        _freeze(app)
        await pilot.press("f3")
        await settle(pilot)

    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
    finally:
        monkeypatch.undo()
        time.tzset()
