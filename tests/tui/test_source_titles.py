"""Sources are named by their document's title and date, and so is the document viewer.

In the sample corpus the Hema article has a title ("L'e-commerce chinois s'attaque au offline")
and a dateline (22 novembre 2017); two articles have neither (their first line is a lone word),
so they keep their file name.
"""

from __future__ import annotations

import pytest

from tui.widgets.document_viewer import document_heading

pytestmark = pytest.mark.tui

SIZE = (140, 45)
HEMA_TITLE = "L'e-commerce chinois s'attaque au offline"
UNTITLED = "000_ee5a528fd7f4285d.txt"


def _entries(app) -> list[tuple[str, str]]:
    """Each passage's file and its entry in the sources pane, as shown."""
    pane = app.chat.sources
    answer = app.chat.selected
    return [(p.source, pane.get_option(f"passage-{p.n}").prompt.plain) for p in answer.passages]


async def test_sources_and_viewer_show_title_and_date(
    facts, make_app, ask, settle, text_of
) -> None:
    app = make_app(facts.hema_answer)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, facts.hema)
        entries = _entries(app)
        assert entries[0][0] == facts.hema_file
        hema = entries[0][1]
        assert hema.startswith(f"[1] {HEMA_TITLE} · 2017-11-22  cited\n")
        assert facts.hema_file in hema  # the file stays in view, under the title
        screen = text_of(app)
        assert "[1] L'e-commerce chinois s'attaque au offline ·" in screen
        assert "2017-11-22  cited" in screen  # the pane wraps the long title's line
        untitled = [entry for source, entry in entries if source == UNTITLED]
        assert untitled  # the sample's question finds it too
        first_line = untitled[0].split("\n")[0]
        assert first_line.split("] ", 1)[1].startswith(UNTITLED)
        assert untitled[0].count(UNTITLED) == 1

        await pilot.press("escape", "1")
        await settle(pilot)
        title = str(app.chat.viewer.border_title)
        assert title.startswith(f"{HEMA_TITLE} · 2017-11-22 — {facts.hema_file}")
        assert title.endswith("characters 872–994")
        # The side pane is too narrow for all of it: the file and span are shown below the text.
        assert f"{facts.hema_file} · characters 872–994" in text_of(app)


def test_heading_falls_back_to_the_file_name() -> None:
    assert document_heading("Les cinq points d'Alibaba", "2017-11-22", "a/alibaba.txt") == (
        "Les cinq points d'Alibaba · 2017-11-22 — a/alibaba.txt"
    )
    assert document_heading("alibaba", "2017-11", "a/alibaba.txt") == "a/alibaba.txt · 2017-11"
    assert document_heading("", "", "a/alibaba.txt") == "a/alibaba.txt"
    assert document_heading("Un titre\x1b[31m", "", "x.txt").startswith("Un titre\u241b")


async def test_a_title_with_brackets_is_shown_as_written(make_app, settle) -> None:
    from tui.widgets.document_viewer import Shown

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.chat.viewer.show(
            Shown("x.txt", "d", "Du texte.", ((0, 3),), title="[bold]Brut[/bold]", date="2018")
        )
        await pilot.pause()
        assert "[bold]Brut[/bold] · 2018 — x.txt" in _plain_title(app)


def _plain_title(app) -> str:
    title = app.chat.viewer._border_title
    return title.plain if title is not None else ""
