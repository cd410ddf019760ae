"""The figures and timeline screen, driven with Pilot: open, filter, sort, open a quote, go back."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from assistant.analysis import fold
from assistant.facts import FigureRow
from tui.screens.chat import ChatScreen
from tui.screens.facts import FactsScreen
from tui.widgets.document_viewer import document_heading

if TYPE_CHECKING:
    from textual.widgets import DataTable

pytestmark = pytest.mark.tui

SIZE = (140, 45)


def cells(table: DataTable) -> list[list[str]]:
    """The table's rows as plain strings, in the order shown."""
    return [
        [str(getattr(c, "plain", c)) for c in table.get_row_at(i)] for i in range(table.row_count)
    ]


async def _open(pilot, settle, key: str) -> FactsScreen:
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, FactsScreen)
    return screen


async def _filter(pilot, settle, screen: FactsScreen, kind: str, text: str) -> None:
    box = screen.filter_input(kind)
    box.focus()
    await pilot.press(*text)
    await pilot.pause(0.4)  # the filter waits for a pause in the typing
    await settle(pilot)


async def test_figures_filter_sort_and_open_a_quote(facts, make_app, settle, text_of) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, settle, "ctrl+f")
        assert screen.active == "figures"
        assert screen.filter_input("figures").has_focus  # typing filters at once
        table = screen.table("figures")
        rows = cells(table)
        assert rows[[r[0] for r in rows].index("22")][:3] == ["22", "magasins", "Hema"]
        assert len({r.source for r in screen.figures.shown}) == 5  # every document has figures
        everything = len(rows)

        await _filter(pilot, settle, screen, "figures", "Hema")
        narrowed = cells(table)
        assert 0 < len(narrowed) < everything
        assert ["22", "magasins", "Hema"] in [r[:3] for r in narrowed]
        assert all("hema" in fold(r.quote + r.what + r.entity) for r in screen.figures.shown)

        # Back to every figure; sort by value (key 1), then reverse it with a header click.
        screen.filter_input("figures").value = ""
        await pilot.pause(0.4)
        await settle(pilot)
        assert len(cells(table)) == everything
        table.focus()
        await pilot.press("1")
        numbers = [r.number for r in screen.figures.shown]
        assert numbers == sorted(numbers)
        assert "Value ▲" in text_of(app)
        await pilot.click(table, offset=(3, 1))  # the "Value" header (inside the border)
        await pilot.pause()
        numbers = [r.number for r in screen.figures.shown]
        assert numbers == sorted(numbers, reverse=True)
        assert numbers[0] > numbers[-1]

        await pilot.press("3")  # by entity: the figures with none come last
        entities = [r.entity for r in screen.figures.shown]
        named = [e for e in entities if e]
        assert entities[: len(named)] == named
        assert [fold(e) for e in named] == sorted(fold(e) for e in named)

        # Enter on the 22 magasins row: its sentence, highlighted at its exact offsets.
        table.move_cursor(row=[r[0] for r in cells(table)].index("22"))
        await pilot.press("enter")
        await settle(pilot)
        viewer = screen.reader.viewer
        assert viewer.highlighted == [facts.hema_quote]
        assert viewer.shown is not None
        assert viewer.shown.text[facts.hema_span[0] : facts.hema_span[1]] == facts.hema_quote
        assert "872–994" in str(viewer.border_title)
        # Headed as from the chat: the document's title (and date), then its file.
        first = app.state.assistant.store.document_chunks(viewer.shown.doc_id)[0]
        assert first.title
        assert str(viewer.border_title).startswith(
            document_heading(first.title, first.date, first.source)
        )
        assert "Hema est une chaîne de supermarchés" in text_of(app)

        await pilot.press("escape")
        assert isinstance(app.screen, ChatScreen)


async def test_timeline_filter_sort_and_open_a_quote(make_app, settle, text_of) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, settle, "ctrl+t")
        assert screen.active == "timeline"
        table = screen.table("timeline")
        rows = cells(table)
        assert any(r[0] == "2017-11" and r[1] == "month" for r in rows)
        assert "year unknown" in [r[0] for r in rows]  # "courant avril": never guessed
        dated = [e.date for e in screen.events.shown if e.date]
        assert dated == sorted(dated)  # in order, unresolved last
        assert screen.events.shown[-1].date is None
        everything = len(rows)

        await _filter(pilot, settle, screen, "timeline", "novembre")
        narrowed = screen.events.shown
        assert 0 < len(narrowed) < everything
        assert all("novembre" in fold(e.quote) for e in narrowed)

        table.focus()
        await pilot.press("3")  # by source
        sources = [e.source for e in screen.events.shown]
        assert sources == sorted(sources)
        await pilot.press("1", "1")  # by date, then the same key again: newest first
        dates = [e.date for e in screen.events.shown if e.date]
        assert dates == sorted(dates, reverse=True)
        assert "Date ▼" in text_of(app)

        event = next(e for e in screen.events.shown if e.date == "2017-11")
        table.move_cursor(row=screen.events.shown.index(event))
        await pilot.press("enter")
        await settle(pilot)
        viewer = screen.reader.viewer
        assert viewer.highlighted == [event.quote]
        assert viewer.shown is not None
        assert viewer.shown.text[event.start : event.end] == event.quote
        assert event.source in str(viewer.border_title)

        await pilot.press("ctrl+f")  # the other tab, from here
        assert screen.active == "figures"
        await pilot.press("escape")
        assert isinstance(app.screen, ChatScreen)


async def test_palette_opens_the_figures(make_app, settle) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Timeline")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FactsScreen)
        assert app.screen.active == "timeline"


async def test_document_text_in_cells_is_not_read_as_markup(make_app, settle, text_of) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, settle, "ctrl+f")
        row = FigureRow(
            value="[bold]7[/bold]",
            number=7.0,
            unit="",
            what="[red]boutiques",
            entity="[link=x]Acme",
            source="odd[/].txt",
            date=None,
            quote="[bold]7[/bold] boutiques",
            start=0,
            end=24,
        )
        screen._show("figures", [row])
        await pilot.pause()
        shown = text_of(app)
        for written in ("[bold]7[/bold]", "[red]boutiques", "[link=x]Acme", "odd[/].txt"):
            assert written in shown


def test_figures_screen_snapshot(snap_compare, facts, make_app, settle) -> None:
    app = make_app()

    async def run_before(pilot) -> None:
        screen = await _open(pilot, settle, "ctrl+f")
        table = screen.table("figures")
        table.focus()
        table.move_cursor(row=[r[0] for r in cells(table)].index("22"))
        await pilot.press("enter")
        await settle(pilot)
        for box in screen.query(".facts-filter"):
            box.cursor_blink = False
        app.clear_notifications()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
