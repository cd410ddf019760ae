"""The figures and timeline screen: the corpus's quantities and dated events as sortable tables.

Two tabs over `assistant.facts`: the figures (value, what it counts, entity, source, date) and
the dated events (date, precision, source, quote). The filter box above each table queries
again as the user types, after a short pause, in a worker thread, so typing never waits on the
database. A click on a column header, or its number key, sorts by that column (again: reverse);
rows without a value for it stay last. Enter opens the row's sentence in the chat's own
`CitationReader`, at its exact offsets, beside the table; Esc goes back to the chat. Every cell
that comes from a document is shown as literal text, never read as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, ClassVar, Generic, Literal, TypeVar

from rich.text import Text
from textual import on
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, TabbedContent, TabPane
from textual.worker import get_current_worker

from assistant.analysis import fold
from assistant.errors import describe
from assistant.export import literal
from assistant.facts import EventRow, FigureRow
from assistant.text import shorten
from assistant.types import EXTRACTIVE_MODEL, Answer, Chunk, Citation, Passage
from tui.keys import FACTS_BINDINGS
from tui.widgets.citation_reader import CitationReader

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from textual.app import ComposeResult
    from textual.binding import BindingType
    from textual.timer import Timer

    from assistant.answer import Assistant
    from assistant.store import Store

Kind = Literal["figures", "timeline"]
Row = TypeVar("Row", FigureRow, EventRow)

DEBOUNCE_S = 0.25
"""How long the filter waits after the last key before it queries again."""
SHOWN_ROWS = 2000
"""At most this many rows go into a table (sorted first); typing a filter narrows the rest."""


@dataclass(frozen=True, slots=True)
class Column(Generic[Row]):
    """One table column: its header, its cell, and what it sorts by (None: no value, last)."""

    label: str
    cell: Callable[[Row], str]
    sort_key: Callable[[Row], object | None]


def _text_key(value: str) -> str | None:
    return fold(value) if value else None


FIGURE_COLUMNS: tuple[Column[FigureRow], ...] = (
    Column("Value", lambda r: r.value, lambda r: r.number),
    Column("What", lambda r: r.what, lambda r: _text_key(r.what)),
    Column("Entity", lambda r: r.entity, lambda r: _text_key(r.entity)),
    Column("Source", lambda r: r.source, lambda r: r.source),
    Column("Date", lambda r: r.date or "", lambda r: r.date or None),
)
EVENT_COLUMNS: tuple[Column[EventRow], ...] = (
    Column("Date", lambda e: e.date or "year unknown", lambda e: e.date or None),
    Column("Precision", lambda e: e.precision, lambda e: e.precision),
    Column("Source", lambda e: e.source, lambda e: e.source),
    Column("Quote", lambda e: e.quote, lambda e: _text_key(e.quote)),
)
_WIDTHS = {"Value": 22, "What": 18, "Entity": 14, "Source": 20, "Quote": 50}
"""Longest cell shown per column (the full text is in the reader)."""


def sort_rows(
    rows: Sequence[Row], column: Column[Row] | None, *, reverse: bool = False
) -> list[Row]:
    """`rows` by `column` (stable; rows without a value last either way), or as given."""
    if column is None:
        return list(rows)
    keyed = [(column.sort_key(r), r) for r in rows]
    present = [pair for pair in keyed if pair[0] is not None]
    present.sort(key=lambda pair: pair[0], reverse=reverse)  # type: ignore[arg-type,return-value]
    return [r for _, r in present] + [r for key, r in keyed if key is None]


def quote_answer(
    row: FigureRow | EventRow, doc_id: str, *, title: str = "", date: str = ""
) -> Answer:
    """A one-citation `Answer` for a row, so the citation reader can open its sentence.

    `title` and `date` are the document's, for the reader's heading (as from the chat).
    """
    chunk = Chunk(
        source=row.source,
        doc_id=doc_id,
        text=row.quote,
        start=row.start,
        end=row.end,
        title=title,
        date=date,
    )
    citation = Citation(
        n=1, source=row.source, chunk_id="", quote=row.quote, start=row.start, end=row.end
    )
    return Answer(
        question=row.quote,
        text=row.quote,
        refused=False,
        mode="extractive",
        model=EXTRACTIVE_MODEL,
        citations=(citation,),
        passages=(Passage(n=1, chunk=chunk, score=1.0),),
    )


class _Table(Generic[Row]):
    """What one tab shows: its columns, the rows of the last query, and their order."""

    def __init__(self, kind: Kind, columns: tuple[Column[Row], ...]) -> None:
        self.kind: Kind = kind
        self.columns: tuple[Column[Row], ...] = columns
        self.rows: list[Row] = []
        """The last query's rows, in the database's order."""
        self.shown: list[Row] = []
        """The rows in the table, in its order (a row's index is its cursor row)."""
        self.sort: int | None = None
        self.reverse = False

    def order(self) -> None:
        column = self.columns[self.sort] if self.sort is not None else None
        self.shown = sort_rows(self.rows, column, reverse=self.reverse)[:SHOWN_ROWS]

    def fill(self, table: DataTable[Text]) -> None:
        table.clear(columns=True)
        for i, column in enumerate(self.columns):
            label = column.label
            if i == self.sort:
                label += " ▼" if self.reverse else " ▲"
            table.add_column(Text(label), key=column.label.lower())
        table.add_rows(
            [
                Text(literal(shorten(c.cell(r), _WIDTHS.get(c.label, 20))), no_wrap=True)
                for c in self.columns
            ]
            for r in self.shown
        )
        noun = "figures" if self.kind == "figures" else "events"
        total = len(self.rows)
        table.border_title = f"{total} {noun}"
        table.border_subtitle = (
            f"first {SHOWN_ROWS} shown: type to narrow" if total > SHOWN_ROWS else ""
        )


class FactsScreen(Screen[None]):
    """Figures and timeline tabs beside the citation reader; Esc returns to the chat."""

    BINDINGS: ClassVar[list[BindingType]] = FACTS_BINDINGS
    DEFAULT_CSS = """
    FactsScreen { layout: vertical; }
    FactsScreen #facts-body { height: 1fr; }
    FactsScreen #facts-tabs { width: 5fr; min-width: 40; }
    FactsScreen #facts-reader { width: 2fr; min-width: 30; }
    FactsScreen TabPane { padding: 0; }
    FactsScreen .facts-filter { margin: 0 1; }
    FactsScreen DataTable { height: 1fr; border: round $secondary; }
    FactsScreen DataTable:focus { border: round $accent; }
    """

    @dataclass
    class FactsQueried(Message):
        """A query worker finished: the rows for `query` in one tab."""

        kind: Kind
        query: str
        rows: list[FigureRow] | list[EventRow]

    def __init__(self, assistant: Assistant | None, tab: Kind = "figures") -> None:
        super().__init__()
        self.assistant = assistant
        """Whose store the facts come from (None: not open yet)."""
        self.initial: Kind = tab
        self.figures: _Table[FigureRow] = _Table("figures", FIGURE_COLUMNS)
        self.events: _Table[EventRow] = _Table("timeline", EVENT_COLUMNS)
        self._debounce: dict[Kind, Timer] = {}

    def compose(self) -> ComposeResult:
        """The two tabs (filter above table) and the reader."""
        with Horizontal(id="facts-body"):
            with TabbedContent(initial=self.initial, id="facts-tabs"):
                for kind, title, hint in (
                    ("figures", "Figures", "Filter figures: words of the sentence, what, entity…"),
                    ("timeline", "Timeline", "Filter events: words of the sentence…"),
                ):
                    with TabPane(title, id=kind):
                        yield Input(placeholder=hint, id=f"{kind}-filter", classes="facts-filter")
                        table: DataTable[Text] = DataTable(
                            id=f"{kind}-table", cursor_type="row", zebra_stripes=True
                        )
                        yield table
            reader = CitationReader(id="facts-reader")
            reader.assistant = self.assistant
            yield reader
        yield Footer()

    def on_mount(self) -> None:
        """Fill both tables and start in the chosen tab's filter."""
        if self.assistant is None:
            self.notify("The store is not open yet.", severity="warning")
        for kind in ("figures", "timeline"):
            self._query(kind, "")
        self.filter_input(self.initial).focus()

    # -- parts ----------------------------------------------------------------------------------

    def table(self, kind: Kind) -> DataTable[Text]:
        """The table of a tab."""
        return self.query_one(f"#{kind}-table", DataTable)

    def filter_input(self, kind: Kind) -> Input:
        """The filter box of a tab."""
        return self.query_one(f"#{kind}-filter", Input)

    @property
    def reader(self) -> CitationReader:
        """The sources and the document of the row opened."""
        return self.query_one(CitationReader)

    @property
    def active(self) -> Kind:
        """The tab shown."""
        return "timeline" if self.query_one(TabbedContent).active == "timeline" else "figures"

    def _state(self, kind: Kind) -> _Table[FigureRow] | _Table[EventRow]:
        return self.figures if kind == "figures" else self.events

    # -- querying -------------------------------------------------------------------------------

    @on(Input.Changed, ".facts-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        kind: Kind = "timeline" if event.input.id == "timeline-filter" else "figures"
        timer = self._debounce.pop(kind, None)
        if timer is not None:
            timer.stop()
        value = event.value
        self._debounce[kind] = self.set_timer(DEBOUNCE_S, lambda: self._query(kind, value))

    @on(Input.Submitted, ".facts-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.table(self.active).focus()  # Enter in the filter: on to the rows

    def _query(self, kind: Kind, query: str) -> None:
        if self.assistant is not None:
            # One group per tab: a new query cancels the tab's stale one, not the other tab's.
            self.run_worker(
                partial(self._run_query, self.assistant.store, kind, query),
                group=f"facts-{kind}",
                exclusive=True,
                thread=True,
                exit_on_error=False,
            )

    def _run_query(self, store: Store, kind: Kind, query: str) -> None:
        from assistant import facts

        worker = get_current_worker()
        try:
            words = query.strip() or None
            rows: list[FigureRow] | list[EventRow] = (
                facts.figures(store, words) if kind == "figures" else facts.events(store, words)
            )
        except Exception as exc:  # noqa: BLE001 - a store error is a notice
            self.app.call_from_thread(self.notify, describe(exc), severity="error", markup=False)
            return
        if not worker.is_cancelled:
            self.post_message(self.FactsQueried(kind, query, rows))

    def on_facts_screen_facts_queried(self, message: FactsQueried) -> None:
        """Show a query's rows, in the tab's sort order (a stale query's are dropped)."""
        if message.query != self.filter_input(message.kind).value:
            return
        self._show(message.kind, message.rows)

    def _show(self, kind: Kind, rows: list[FigureRow] | list[EventRow]) -> None:
        if kind == "figures":
            self.figures.rows = [r for r in rows if isinstance(r, FigureRow)]
        else:
            self.events.rows = [r for r in rows if isinstance(r, EventRow)]
        self._refill(kind)

    def _refill(self, kind: Kind) -> None:
        state = self._state(kind)
        state.order()
        state.fill(self.table(kind))

    # -- sorting --------------------------------------------------------------------------------

    def sort_by(self, kind: Kind, index: int) -> None:
        """Sort a tab's rows by column `index` (0-based); the same column again reverses."""
        state = self._state(kind)
        if not 0 <= index < len(state.columns):
            return
        state.reverse = not state.reverse if state.sort == index else False
        state.sort = index
        self._refill(kind)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """A click on a column header sorts by it."""
        event.stop()
        kind: Kind = "timeline" if event.data_table.id == "timeline-table" else "figures"
        self.sort_by(kind, event.column_index)

    def action_sort(self, n: int) -> None:
        """Number keys: sort the shown tab by column n."""
        self.sort_by(self.active, n - 1)

    # -- opening a row --------------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter or a click on a row: open its sentence in the reader."""
        event.stop()
        kind: Kind = "timeline" if event.data_table.id == "timeline-table" else "figures"
        shown = self._state(kind).shown
        if 0 <= event.cursor_row < len(shown):
            self.open_row(shown[event.cursor_row])

    def open_row(self, row: FigureRow | EventRow) -> None:
        """Show the row's document in the reader, scrolled to its quote."""
        if self.assistant is None:
            self.notify("The store is not open yet.", severity="warning")
            return
        if not row.doc_id:
            missing = f"{literal(row.source)} is no longer in the store."
            self.notify(missing, severity="warning", markup=False)
            return
        self._open(row, row.doc_id)  # each row names its document: no lookup by file name

    def _open(self, row: FigureRow | EventRow, doc_id: str) -> None:
        chunks = self.assistant.store.document_chunks(doc_id) if self.assistant else []
        first = chunks[0] if chunks else None
        answer = quote_answer(
            row,
            doc_id,
            title=first.title if first else "",
            date=first.date if first else "",
        )
        self.reader.select(answer)
        self.reader.open(answer, 1)

    # -- keys -----------------------------------------------------------------------------------

    def action_show_tab(self, kind: Kind) -> None:
        """Ctrl+F / Ctrl+T: show the figures or the timeline, in its filter box."""
        self.query_one(TabbedContent).active = kind
        self.filter_input(kind).focus()

    def action_focus_filter(self) -> None:
        """Back to the shown tab's filter box."""
        self.filter_input(self.active).focus()

    def action_back(self) -> None:
        """Esc: back to the chat."""
        self.dismiss(None)
