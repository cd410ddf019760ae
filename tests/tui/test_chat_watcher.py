"""The chat's background watcher (`veille chat --watch`, setting `ingest.watch`).

A store over a copy of two sample articles; the chat opens with the watcher on; a new article
dropped into the folder is counted in the status line ("1 new article") and answered from
within seconds; quitting stops the watcher, and a `veille ingest` on the same data directory
runs at once (the write lock is free).

The test cannot use `settle`: the watcher is a worker that runs until the app exits.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from textual.widgets import Input

from tui.watch_worker import WatchTally

if TYPE_CHECKING:
    from collections.abc import Callable

pytestmark = pytest.mark.tui

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "ingest" / "sample_corpus"
SIZE = (140, 45)
NEW = "zorglub.txt"
NEW_TEXT = (
    "Zorglub ouvre des boutiques à Lyon\n\n"
    "La société Zorglub a ouvert 47 boutiques à Lyon en 2021, selon son rapport annuel.\n"
)


async def _until(pilot: Any, done: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {seconds:.0f} s")
        await pilot.pause(0.1)


def _status(app: Any) -> str:
    return str(app.chat.status.render().plain)


def test_tally_words() -> None:
    from assistant.types import IngestReport

    tally = WatchTally()
    assert tally.line() == "watching"
    tally = tally.plus(IngestReport(added=1))
    assert tally.line() == "1 new article"
    tally = tally.plus(IngestReport(added=2, deleted=1))
    assert tally.line() == "3 new articles · 1 removed"
    assert tally.plus(IngestReport(updated=1)).line() == "3 new articles · 1 changed · 1 removed"


async def test_the_chat_watches_its_folders_and_stops_on_quit(tmp_path, sample_store) -> None:
    from assistant.answer import Assistant
    from assistant.llm import Generator
    from assistant.settings import load_settings
    from assistant.types import EXTRACTIVE_MODEL
    from ingest.sync import ingest_paths
    from tui.app import build_app

    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("000_ee5a528fd7f4285d.txt", "002_35a95145e6805c4a.txt"):
        shutil.copy(SAMPLE / name, folder / name)
    data = tmp_path / "watch-data"
    settings = load_settings(data_dir=data).with_mode("extractive")
    ingest_paths([folder], settings=settings, embeddings=sample_store.embeddings)
    settings = settings.with_section("ingest", watch=True)
    assistant = Assistant(
        settings,
        embeddings=sample_store.embeddings,
        generator=Generator("extractive", EXTRACTIVE_MODEL),
    )

    app = build_app(settings, assistant)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: "watching" in _status(app), 30, "the watcher starts")
        assert app.state.documents == 2

        started = time.monotonic()
        (folder / NEW).write_text(NEW_TEXT, encoding="utf-8")
        await _until(pilot, lambda: "1 new article" in _status(app), 20, "the new article")
        print(f"\nthe chat's watcher indexed a new article in {time.monotonic() - started:.1f} s")
        assert "new articles" not in _status(app)
        await _until(pilot, lambda: app.state.documents == 3, 20, "the store reopens")

        prompt = app.chat.query_one("#prompt", Input)
        prompt.focus()
        prompt.value = "Combien de boutiques Zorglub a-t-elle ouvertes ?"
        await pilot.press("enter")
        await _until(pilot, lambda: bool(app.chat.turns), 60, "the answer")
        answer = app.chat.turns[-1]
        assert not answer.refused, answer.notes
        assert "47" in answer.text
        assert {c.source for c in answer.citations} == {NEW}

        await pilot.press("ctrl+q")
    assert app.return_code in (0, None)
    assert app._watcher is None  # stopped and waited for while the app closed

    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path / "home"),
        "VEILLE_DATA_DIR": str(data),
        "PYTHONPATH": str(ROOT),
    }
    if "VEILLE_TEST_MODELS_DIR" in os.environ:
        env["VEILLE_TEST_MODELS_DIR"] = os.environ["VEILLE_TEST_MODELS_DIR"]
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "tui.cli", "ingest", "--quiet", str(folder)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("0 added, 0 updated, 0 deleted"), done.stdout
    assert "3 unchanged" in done.stdout


async def test_watch_off_by_default_says_nothing(make_app, settle) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # no watcher: every worker ends
        assert app.watching is None
        assert "watching" not in _status(app)
