"""Ingest from inside the app: add a folder from the command palette, then re-sync."""

from __future__ import annotations

import pytest
from textual.widgets import Input, ProgressBar

from tui.screens.folder import AddFolderScreen
from tui.widgets.ingest_progress import IngestProgress

pytestmark = pytest.mark.tui

SIZE = (140, 45)


async def _palette(pilot, command: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*command)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await pilot.pause()


def _notices(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_add_a_folder_then_resync_from_the_palette(settings, tmp_path, ask, settle) -> None:
    from tui.app import build_app

    settings = settings.with_mode("extractive")
    docs = tmp_path / "notes"
    docs.mkdir()
    (docs / "zorglub.md").write_text(
        "# Zorglub\n\nLa société Zorglub a ouvert 47 boutiques à Lyon en 2021.\n", encoding="utf-8"
    )
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.assistant is None  # nothing ingested yet

        await _palette(pilot, "Add a folder")
        assert isinstance(app.screen, AddFolderScreen)
        app.screen.query_one(Input).value = str(tmp_path / "missing")
        await pilot.press("enter")
        assert isinstance(app.screen, AddFolderScreen)  # a missing folder is refused in place
        app.screen.query_one(Input).value = str(docs)
        await pilot.press("enter")
        await settle(pilot)

        assert any("1 added" in n for n in _notices(app))
        bar = app.chat.query_one(IngestProgress)
        assert not bar.display
        assert bar.query_one(ProgressBar).progress == bar.query_one(ProgressBar).total == 1
        assert app.assistant is not None
        assert (app.chat.status.documents, app.chat.status.chunks) == (1, 1)

        await ask(pilot, "Combien de boutiques Zorglub a-t-elle ouvertes ?")
        answer = app.chat.turns[-1]
        assert not answer.refused
        assert "47 boutiques" in answer.text

        (docs / "second.txt").write_text("Le siège de Zorglub est à Grenoble.\n", encoding="utf-8")
        await _palette(pilot, "Re-sync the index")
        await settle(pilot)
        assert any("1 added" in n and "1 unchanged" in n for n in _notices(app))
        assert app.chat.status.documents == 2


async def test_resync_without_a_store_says_so(settings, settle) -> None:
    from tui.app import build_app

    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _palette(pilot, "Re-sync the index")
        await settle(pilot)
        assert any("add a folder first" in n for n in _notices(app))
