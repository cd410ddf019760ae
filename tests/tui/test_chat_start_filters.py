"""`veille chat --since/--until/--source`: the chat opens with that filter already chosen.

It is shown in the status line, applied to every question, prefilled in the filter dialog and
cleared there, exactly as a filter set from the dialog. A bad value fails before the screen is
taken, with the same one line as `veille ask` gives.

The sample store has one dated article (the Hema one, 22 November 2017); the other four are
undated, so a date window leaves only that article's passages.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Input

from assistant.filters import parse_filters
from tui.screens.filters import FilterScreen

pytestmark = pytest.mark.tui

ROOT = Path(__file__).parents[2]
SIZE = (140, 45)


def _status(app) -> str:
    return app.chat.status.render().plain


async def test_a_filter_given_at_start_is_shown_applied_and_cleared_in_the_dialog(
    facts, settings, make_assistant, ask, settle, text_of
) -> None:
    from tui.app import build_app

    chosen = parse_filters("2017-11", "2017-11", "0*")
    app = build_app(settings, make_assistant(), filters=chosen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        expected = "filter: 2017-11-01 to 2017-11-30"
        assert f"{expected}, source '0*'" in _status(app)
        assert expected in text_of(app)

        await ask(pilot, facts.hema)
        answer = app.chat.turns[-1]
        assert answer.passages
        assert {p.chunk.date for p in answer.passages} == {"2017-11-22"}
        assert {p.source for p in answer.passages} == {facts.hema_file}

        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, FilterScreen)
        values = [app.screen.query_one(f"#filter-{n}", Input).value for n in ("since", "until")]
        assert values == ["2017-11-01", "2017-11-30"]
        assert app.screen.query_one("#filter-source", Input).value == "0*"
        for name in ("since", "until", "source"):
            app.screen.query_one(f"#filter-{name}", Input).value = ""
        app.screen.query_one("#filter-source", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, FilterScreen)
        assert "filter" not in _status(app)

        await ask(pilot, facts.hema)
        assert "" in {p.chunk.date for p in app.chat.turns[-1].passages}  # undated ones again


async def test_a_source_glob_given_at_start_keeps_to_its_files(
    facts, settings, make_assistant, ask, settle
) -> None:
    from tui.app import build_app

    app = build_app(settings, make_assistant(), filters=parse_filters(source="00[14]_*"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "filter: source '00[14]_*'" in _status(app)
        await ask(pilot, facts.hema)
        sources = {p.source[:4] for p in app.chat.turns[-1].passages}
        assert sources
        assert sources <= {"001_", "004_"}


async def test_no_filter_at_start_shows_none(settings, make_assistant, settle) -> None:
    from tui.app import build_app

    app = build_app(settings, make_assistant(), filters=parse_filters())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "filter" not in _status(app)
        assert app.chat.chosen_filters is None


def _veille(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "VEILLE_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("flag", "value", "says"),
    [
        ("--since", "2017-13", "'2017-13' is not a real date"),
        ("--until", "novembre", "'novembre' is not a date"),
    ],
)
def test_a_bad_date_fails_like_ask_before_the_chat_starts(
    tmp_path: Path, flag: str, value: str, says: str
) -> None:
    chat = _veille(["chat", flag, value], tmp_path)
    ask = _veille(["ask", flag, value, "Combien de magasins Hema a-t-il ouverts ?"], tmp_path)
    assert chat.returncode == ask.returncode == 1
    assert chat.stderr == ask.stderr
    assert chat.stderr.startswith(f"veille: error: {says}")
    assert len(chat.stderr.strip().splitlines()) == 1
    assert chat.stdout == ""  # nothing drawn: Textual never started
    assert not (tmp_path / "data").exists()  # nor was a store opened


def test_chat_flags_reach_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    import tui.app
    from tui.cli import main

    got = {}

    def run_chat(settings, filters=None) -> int:
        got.update(settings=settings, filters=filters)
        return 0

    monkeypatch.setattr(tui.app, "run_chat", run_chat)
    assert main(["chat", "--since", "2017", "--source", "2017/*", "--watch"]) == 0
    assert got["filters"] == parse_filters("2017", None, "2017/*")
    assert got["settings"].ingest.watch is True

    assert main(["chat"]) == 0
    assert got["filters"] is None
    assert got["settings"].ingest.watch is False
