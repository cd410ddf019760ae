"""The main screen: ask, see the evidence at once, read the answer stream in, check its sources.

The screen owns the conversation (its finished answers and its id in the history) and the
workers that answer (`Assistant.stream` in a thread; a new question or Esc cancels it) and fetch
a cited document. It is handed down what it does not own: the settings and the history when it
is made (and the filter chosen on the command line), then the app's `AssistantState`, ingest run
and watcher's tally as bound reactives it renders. It never builds a client itself. Hand-offs
(clipboard, editor, export, eval set) are `tui.handoff`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from textual import on, work
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.widgets import Footer, Input
from textual.worker import get_current_worker

from assistant.answer import AnswerReady, EvidenceFound, TokenStreamed
from assistant.errors import describe
from assistant.export import exports_dir
from assistant.text import shorten
from tui import handoff
from tui.commands import ChatCommands
from tui.keys import CHAT_BINDINGS
from tui.messages import (
    AnswerCompleted,
    AnswerFailed,
    AnswerStreamed,
    AssistantState,
    CitationSelected,
    EvidenceArrived,
)
from tui.screens.filters import FilteredScreen
from tui.screens.history import HistoryScreen
from tui.screens.inspector import InspectorScreen
from tui.widgets.chat_log import ChatLog
from tui.widgets.citation_reader import CitationReader
from tui.widgets.ingest_progress import IngestProgress, IngestRun
from tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.binding import BindingType

    from assistant.answer import Assistant, Turn
    from assistant.conversations import History
    from assistant.filters import Filters
    from assistant.settings import Settings
    from assistant.types import Answer
    from tui.watch_worker import WatchTally
    from tui.widgets.document_viewer import DocumentViewer
    from tui.widgets.message import ChatMessage
    from tui.widgets.sources_pane import SourcesPane


class ChatScreen(FilteredScreen):
    """Chat log and prompt on the left, sources and the cited document on the right."""

    BINDINGS: ClassVar[list[BindingType]] = CHAT_BINDINGS
    COMMANDS: ClassVar = {ChatCommands}

    state: var[AssistantState] = var(AssistantState(), init=False)
    """Bound to the app's: the assistant's lifecycle."""
    ingest: var[IngestRun | None] = var(None)
    """Bound to the app's: the ingest run under way, if any."""
    watching: var[WatchTally | None] = var(None, init=False)
    """Bound to the app's: what the background watcher changed, if it runs."""

    def __init__(
        self, settings: Settings, history: History | None, *, filters: Filters | None = None
    ) -> None:
        super().__init__()
        self.chosen_filters = filters if filters is not None and filters.active else None
        self.settings = settings
        self.history = history
        """Where conversations are saved (None: the file could not be opened)."""
        self.turns: list[Answer] = []
        """The finished answers of the current conversation (its context for follow-ups)."""
        self.conversation_id: int | None = None
        self._turn = 0
        self._active: ChatMessage | None = None
        self._pending: str | None = None

    def compose(self) -> ComposeResult:
        """The conversation and prompt, the sources and document, the status lines."""
        with Horizontal(id="body"):
            with Vertical(id="conversation"):
                yield ChatLog(id="chat-log")
                yield Input(placeholder="Ask a question about your documents…", id="prompt")
            yield CitationReader(id="side")
        yield IngestProgress(id="ingest").data_bind(run=ChatScreen.ingest)
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        """Start in the prompt: the chat is usable before the store opens."""
        if self.chosen_filters is not None:
            self._show_filters()  # chosen on the command line
        self.prompt.focus()

    @property
    def chat_log(self) -> ChatLog:
        """The conversation pane."""
        return self.query_one(ChatLog)

    @property
    def reader(self) -> CitationReader:
        """The sources and the cited document."""
        return self.query_one(CitationReader)

    @property
    def sources(self) -> SourcesPane:
        """The sources pane."""
        return self.reader.sources

    @property
    def viewer(self) -> DocumentViewer:
        """The document viewer."""
        return self.reader.viewer

    @property
    def selected(self) -> Answer | None:
        """The answer whose passages the sources pane lists."""
        return self.reader.answer

    @property
    def status(self) -> StatusBar:
        """The status line."""
        return self.query_one(StatusBar)

    @property
    def prompt(self) -> Input:
        """The question input."""
        return self.query_one("#prompt", Input)

    @property
    def generating(self) -> bool:
        """Whether an answer is being written."""
        return self._active is not None and not self._active.final

    # -- the assistant --------------------------------------------------------------------------

    def watch_state(self, state: AssistantState) -> None:
        """Show where the assistant is; ask a question typed meanwhile, or drop it."""
        self.status.show_state(state)
        self.reader.assistant = state.assistant
        if self._pending is None or state.phase == "loading":
            return
        question, self._pending = self._pending, None
        if state.phase == "ready" and state.assistant is not None:
            self._ask(state.assistant, question)
        elif self._active is not None:
            self._active.fail(state.error or "The assistant is not available.")
            self._active = None

    def watch_watching(self, tally: WatchTally | None) -> None:
        """Show what the watcher added ("3 new articles"), or nothing when it does not run."""
        self.status.watch_text = tally.line() if tally is not None else ""

    # -- asking ---------------------------------------------------------------------------------

    @on(Input.Submitted, "#prompt")
    def _submitted(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if question:
            event.input.clear()
            self.ask(question)

    def ask(self, question: str) -> None:
        """Ask `question` in the current conversation (cancelling an answer still being written)."""
        assistant = self.state.assistant
        if assistant is not None:
            self._ask(assistant, question)
        elif self.state.phase == "loading":
            self._cancel_active()
            self._pending = question
            self._turn += 1
            self._active = self.chat_log.add_message(question, self._turn)
            self.notify("The index is still opening; your question will be asked next.")
        else:
            message = self.state.error or "The assistant is not available."
            self.notify(message, title="Cannot answer", severity="error")

    def _ask(self, assistant: Assistant, question: str) -> None:
        active = self._active
        if active is not None and active.question == question and not active.final:
            message = active  # the question typed while the index was opening
        else:
            self._cancel_active()
            self._turn += 1
            message = self.chat_log.add_message(question, self._turn)
        self._active = message
        history = [(a.question, a.text) for a in self.turns]
        self._answer(assistant, question, history, message.turn)

    @work(thread=True, exclusive=True, group="answer", exit_on_error=False)
    def _answer(self, assistant: Assistant, question: str, history: list[Turn], turn: int) -> None:
        worker = get_current_worker()
        try:
            filters = self.question_filters(assistant, question)
            for event in assistant.stream(question, history=history, filters=filters):
                if worker.is_cancelled:
                    return  # closing the generator closes the model's stream too
                if isinstance(event, EvidenceFound):
                    self.post_message(EvidenceArrived(turn, event))
                elif isinstance(event, TokenStreamed):
                    self.post_message(AnswerStreamed(turn, event.text))
                elif isinstance(event, AnswerReady):
                    self.post_message(AnswerCompleted(turn, event.answer))
        except Exception as exc:  # noqa: BLE001 - every failure becomes a notice, never a traceback
            if not worker.is_cancelled:
                self.post_message(AnswerFailed(turn, describe(exc)))

    def _current(self, turn: int) -> ChatMessage | None:
        """The turn being answered, if `turn` is it (messages of a stale worker are dropped)."""
        if self._active is not None and self._active.turn == turn:
            return self._active
        return None

    def on_evidence_arrived(self, message: EvidenceArrived) -> None:
        """Show the best sentences at once, and list the passages."""
        turn = self._current(message.turn)
        if turn is not None:
            turn.show_evidence(message.found)
            self._select(message.found.preliminary)

    def on_answer_streamed(self, message: AnswerStreamed) -> None:
        """Append a piece of the answer."""
        turn = self._current(message.turn)
        if turn is not None:
            turn.add_piece(message.text)

    def on_answer_completed(self, message: AnswerCompleted) -> None:
        """Render the verified answer, keep it as context, and save the conversation."""
        turn = self._current(message.turn)
        if turn is None:
            return
        answer = message.answer
        turn.complete(answer)
        self._active = None
        self.turns.append(answer)
        self._select(answer)
        self.status.timings = answer.timings
        if self.history is not None:
            try:
                self.conversation_id = self.history.add_turn(self.conversation_id, answer)
            except Exception as exc:  # noqa: BLE001 - a full disk must not lose the answer shown
                self.notify(f"Could not save the conversation: {describe(exc)}", severity="warning")

    def on_answer_failed(self, message: AnswerFailed) -> None:
        """Say why there is no answer."""
        turn = self._current(message.turn)
        if turn is not None:
            turn.fail(message.error)
            self._active = None
            self.notify(message.error, title="No answer", severity="error", timeout=10)

    def _cancel_active(self) -> None:
        if self.generating and self._active is not None:
            self.workers.cancel_group(self, "answer")
            self._active.cancel()
        self._active = None

    def action_stop(self) -> None:
        """Esc: stop the answer being written; otherwise move between the prompt and the sources."""
        if self.generating:
            self._cancel_active()
            self.notify("Stopped.", timeout=2)
        elif self.prompt.has_focus:
            self.sources.focus()
        else:
            self.prompt.focus()

    def action_focus_prompt(self) -> None:
        """Back to the prompt."""
        self.prompt.focus()

    def action_new_conversation(self) -> None:
        """Forget the context and start an empty conversation (the old one stays saved)."""
        self._pending = None
        self._show_conversation(None, [])
        self.notify("New conversation.", timeout=2)

    def _show_conversation(self, conversation_id: int | None, turns: list[Answer]) -> None:
        self._cancel_active()
        self.chat_log.clear()
        self.turns = turns
        self.conversation_id = conversation_id
        for answer in turns:
            self._turn += 1
            self.chat_log.add_message(answer.question, self._turn, answer=answer)
        self.viewer.clear()
        self._select(turns[-1] if turns else None)
        self.prompt.focus()

    # -- citations -----------------------------------------------------------------------------

    def _select(self, answer: Answer | None) -> None:
        self.reader.select(answer)

    def on_citation_selected(self, message: CitationSelected) -> None:
        """A `[n]` was clicked or a source picked: open it."""
        message.stop()
        self._select(message.answer)
        self.reader.open(message.answer, message.n)

    def action_select_citation(self, n: int) -> None:
        """Number keys: open passage n of the selected answer."""
        if self.selected is None:
            self.notify("No answer yet: ask a question first.", timeout=3)
        else:
            self.reader.open(self.selected, n)

    def action_next_citation(self) -> None:
        """Open the next passage."""
        self.reader.step(1)

    def action_previous_citation(self) -> None:
        """Open the previous passage."""
        self.reader.step(-1)

    def action_copy_quote(self) -> None:
        """Copy the highlighted quote (or the passage) to the clipboard."""
        handoff.copy_quote(self, self.viewer.shown)

    def action_open_file(self) -> None:
        """Open the shown document in $EDITOR or $PAGER at the quote (the app is suspended)."""
        handoff.open_in_editor(self, self.viewer.shown)

    # -- other screens and hand-offs -------------------------------------------------------------

    def _last_answer(self) -> Answer | None:
        if self.selected is not None and self.selected in self.turns:
            return self.selected
        return self.turns[-1] if self.turns else None

    def action_inspect(self) -> None:
        """Show how the last answer was made."""
        answer = self._last_answer() or self.selected
        if answer is None:
            self.notify("Nothing to inspect yet: ask a question first.", timeout=3)
            return
        self.app.push_screen(InspectorScreen(answer))

    def action_figures(self) -> None:
        """Show the corpus's figures as a sortable table."""
        self._show_facts("figures")

    def action_timeline(self) -> None:
        """Show the corpus's dated events in order."""
        self._show_facts("timeline")

    def _show_facts(self, tab: Literal["figures", "timeline"]) -> None:
        from tui.screens.facts import FactsScreen

        if self.state.assistant is None:
            self.notify("The store is not open yet.", severity="warning")
            return
        self.app.push_screen(FactsScreen(self.state.assistant, tab))

    def action_help(self) -> None:
        """Show the help screen: these keys and the app's."""
        from tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen([*self.BINDINGS, *self.app.BINDINGS]))

    def action_conversations(self) -> None:
        """List saved conversations to search and reopen."""
        if self.history is None:
            self.notify("The history is not available.", severity="warning")
            return
        screen = HistoryScreen(self.history, exports_dir(self.settings))
        self.app.push_screen(screen, self._reopen)

    def _reopen(self, conversation_id: int | None) -> None:
        if conversation_id is not None:
            self.open_conversation(conversation_id)

    def open_conversation(self, conversation_id: int) -> None:
        """Show a saved conversation; follow-ups continue it."""
        conversation = self.history.load(conversation_id) if self.history is not None else None
        if conversation is None:
            self.notify("That conversation no longer exists.", severity="warning")
            return
        self._show_conversation(conversation.id, list(conversation.turns))
        self.notify(f"Reopened «{shorten(conversation.title, 50)}».", timeout=3)

    def action_export(self) -> None:
        """Write the current conversation to Markdown, quotes as footnotes."""
        if not self.turns:
            self.notify("Nothing to export yet.", timeout=3)
            return
        directory = exports_dir(self.settings)
        title = self.turns[0].question
        handoff.export_conversation(self, directory, self.conversation_id, title, self.turns)

    def action_save_eval(self) -> None:
        """Append the selected (or last) answer to the eval set."""
        answer = self._last_answer()
        if answer is None:
            self.notify("No finished answer to save.", timeout=3)
        else:
            handoff.save_to_eval_set(self, self.settings, answer)
