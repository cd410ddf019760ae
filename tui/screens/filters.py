"""Filters in the chat: the "filter by date or source" dialog, and the screen side that uses it.

`FilterScreen` asks for since/until/source, checked with `parse_filters` before it closes (an
error stays in the dialog). `FilteredScreen` is the chat screen's base: it keeps the chosen
filter, reads each question's date phrase in the answering thread (`question_filters`), shows
both in the status line, and its actions set, clear or drop them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

from assistant.date_phrases import with_question_dates
from assistant.errors import describe
from assistant.filters import FilterError, Filters, parse_filters
from tui.filter_state import status_text
from tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.binding import BindingType

    from assistant.answer import Assistant
    from assistant.date_phrases import DatePhrase


class FilterScreen(ModalScreen[Filters | None]):
    """Returns the filters to apply (inactive ones clear the filter), or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]
    DEFAULT_CSS = """
    #filter-dialog { max-width: 80; }
    #filter-dialog Input { margin: 1 0 0 0; }
    #filter-error { color: $error; margin: 1 0 0 0; }
    """

    def __init__(self, current: Filters | None) -> None:
        super().__init__()
        self.current = current or Filters()

    def compose(self) -> ComposeResult:
        """Three inputs (since, until, source) and room for an error."""
        c = self.current
        with Vertical(id="filter-dialog", classes="dialog"):
            yield Static(
                Text(
                    "Only documents published in a window, or whose path matches. Dates: 2017, "
                    "2017-11 or 2017-11-22; source: a glob such as 2017/*. All empty: no filter."
                )
            )
            yield Input(
                c.since.isoformat() if c.since else "", placeholder="since", id="filter-since"
            )
            yield Input(
                c.until.isoformat() if c.until else "", placeholder="until", id="filter-until"
            )
            yield Input(c.source or "", placeholder="source glob", id="filter-source")
            yield Static("", id="filter-error")

    def on_mount(self) -> None:
        """Title the dialog and focus the first input."""
        dialog = self.query_one("#filter-dialog")
        dialog.border_title = "Filter by date or source"
        dialog.border_subtitle = "Enter apply · Esc cancel"
        self.query_one("#filter-since", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Check the three values; close with them, or say what is wrong."""
        event.stop()
        values = [self.query_one(f"#filter-{name}", Input).value.strip() for name in _FIELDS]
        try:
            chosen = parse_filters(*(v or None for v in values))
        except FilterError as exc:
            self.query_one("#filter-error", Static).update(Text(describe(exc), style="bold"))
            return
        self.dismiss(chosen or Filters())


_FIELDS = ("since", "until", "source")


class QuestionFilter(Message):
    """The window a question's date phrase set for its turn (None: it set none)."""

    def __init__(self, question: str, phrase: DatePhrase | None) -> None:
        super().__init__()
        self.question = question
        self.phrase = phrase


class FilteredScreen(Screen[None]):
    """A screen that asks questions under a chosen filter and each question's date phrase."""

    def __init__(self) -> None:
        super().__init__()
        self.chosen_filters: Filters | None = None
        """The filter set in the dialog, kept until cleared."""
        self.question_filter: DatePhrase | None = None
        """The date phrase of the last question, when it set that turn's window."""
        self._filtered_question = ""
        self._without_phrase: str | None = None

    def ask(self, question: str) -> None:
        """Ask `question` (the chat screen's own)."""
        raise NotImplementedError

    def question_filters(self, assistant: Assistant, question: str) -> Filters | None:
        """The filters of one turn; run in the answering thread (it may read the store)."""
        if self._without_phrase == question:
            self._without_phrase = None
            filters, phrase = self.chosen_filters, None
        else:
            filters, phrase = with_question_dates(question, self.chosen_filters, assistant.store)
        self.post_message(QuestionFilter(question, phrase))
        return filters

    def on_question_filter(self, message: QuestionFilter) -> None:
        """Show the window the question set (or that it set none)."""
        self.question_filter = message.phrase
        self._filtered_question = message.question if message.phrase else ""
        self._show_filters()

    def _show_filters(self) -> None:
        self.query_one(StatusBar).filter_text = status_text(
            self.chosen_filters, self.question_filter
        )

    def action_filter(self) -> None:
        """Open the filter dialog."""
        self.app.push_screen(FilterScreen(self.chosen_filters), self._filter_chosen)

    def _filter_chosen(self, chosen: Filters | None) -> None:
        if chosen is None:
            return
        self.chosen_filters = chosen if chosen.active else None
        self._show_filters()
        self.notify("Filter set." if chosen.active else "No filter.", timeout=2)

    def action_clear_filter(self) -> None:
        """Search every document again."""
        self.chosen_filters = None
        self._show_filters()
        self.notify("Filter cleared.", timeout=2)

    def action_drop_date_filter(self) -> None:
        """Ask the last question again, without the window its date phrase set."""
        if self.question_filter is None:
            self.notify("The last question set no date filter.", timeout=3)
            return
        question = self._filtered_question
        self._without_phrase = question
        self.question_filter = None
        self._show_filters()
        self.ask(question)
