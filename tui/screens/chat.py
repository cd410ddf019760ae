"""The main screen: ask, see the evidence at once, read the answer stream in, check its sources.

The screen owns the conversation (its finished answers and its id in the history) and the
workers that call the core: answering (`Assistant.stream` in a thread; a new question or Esc
cancels it), fetching a cited document, and ingesting. Workers report with `tui.messages`; the
screen then sets attributes on its widgets. It never builds a client itself: the app hands it
the assistant.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input
from textual.worker import get_current_worker

from assistant.answer import AnswerReady, EvidenceFound, TokenStreamed
from tui.errors import describe
from tui.evalcases import eval_cases_path, save_eval_case
from tui.export import conversation_markdown, export_path
from tui.launch import viewer_command
from tui.messages import (
    AnswerCompleted,
    AnswerFailed,
    AnswerStreamed,
    AssistantLoaded,
    CitationSelected,
    DocumentLoaded,
    EvidenceArrived,
    IngestFailed,
    IngestFinished,
    IngestProgressed,
)
from tui.screens.folder import AddFolderScreen
from tui.screens.history import HistoryScreen
from tui.screens.inspector import InspectorScreen
from tui.text import short
from tui.widgets.chat_log import ChatLog
from tui.widgets.document_viewer import DocumentViewer, Shown
from tui.widgets.ingest_progress import IngestProgress
from tui.widgets.sources_pane import SourcesPane
from tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from assistant.answer import Assistant, Turn
    from assistant.types import Answer
    from tui.app import VeilleApp
    from tui.widgets.message import ChatMessage

LINE_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
"""Files whose loaded text has the file's own lines, so `$EDITOR +LINE` lands on the quote."""


class ChatScreen(Screen[None]):
    """Chat log and prompt on the left, sources and the cited document on the right."""

    BINDINGS = [  # noqa: RUF012 - Textual's API
        Binding("escape", "stop", "Stop", tooltip="Stop the answer, or leave/return to the prompt"),
        Binding("ctrl+n", "new_conversation", "New chat"),
        Binding("f1", "help", "Help"),
        Binding("f2", "inspect", "Inspector"),
        Binding("f3", "conversations", "History"),
        Binding("o", "open_file", "Open file"),
        Binding("y", "copy_quote", "Copy quote"),
        Binding("i", "inspect", "Inspector", show=False),
        Binding("h", "conversations", "History", show=False),
        Binding("s", "save_eval", "Save as eval case", show=False),
        Binding("x", "export", "Export to Markdown", show=False),
        Binding("n", "next_citation", "Next citation", show=False),
        Binding("p", "previous_citation", "Previous citation", show=False),
        Binding("slash", "focus_prompt", "Ask", show=False),
        *(
            Binding(str(n), f"select_citation({n})", f"Citation [{n}]", show=False)
            for n in range(1, 10)
        ),
        # Alt+digit opens a citation even while typing in the prompt.
        *(
            Binding(
                f"alt+{n}", f"select_citation({n})", f"Citation [{n}]", show=False, priority=True
            )
            for n in range(1, 10)
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.turns: list[Answer] = []
        """The finished answers of the current conversation (its context for follow-ups)."""
        self.conversation_id: int | None = None
        self.selected: Answer | None = None
        """The answer whose passages the sources pane lists."""
        self._turn = 0
        self._active: ChatMessage | None = None
        self._pending: str | None = None

    @property
    def veille(self) -> VeilleApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        """The conversation and prompt, the sources and document, the status lines."""
        with Horizontal(id="body"):
            with Vertical(id="conversation"):
                yield ChatLog(id="chat-log")
                yield Input(placeholder="Ask a question about your documents…", id="prompt")
            with Vertical(id="side"):
                yield SourcesPane(id="sources")
                yield DocumentViewer(id="document")
        yield IngestProgress(id="ingest")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        """Start in the prompt: the chat is usable before the store opens."""
        self.query_one("#prompt", Input).focus()

    # -- widgets -------------------------------------------------------------------------------

    @property
    def chat_log(self) -> ChatLog:
        """The conversation pane."""
        return self.query_one(ChatLog)

    @property
    def sources(self) -> SourcesPane:
        """The sources pane."""
        return self.query_one(SourcesPane)

    @property
    def viewer(self) -> DocumentViewer:
        """The document viewer."""
        return self.query_one(DocumentViewer)

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

    def assistant_ready(self, message: AssistantLoaded, *, warming: bool) -> None:
        """A (new) assistant is in use: show what it is, and ask any question typed meanwhile."""
        assistant = message.assistant
        self.status.mode = assistant.mode
        self.status.model = assistant.generator.model
        self.status.location = assistant.store.location
        self.status.documents = message.documents
        self.status.chunks = message.chunks
        self.status.activity = "loading model…" if warming else ""
        if self._pending is not None:
            question, self._pending = self._pending, None
            self._ask(assistant, question)

    def assistant_unavailable(self, error: str) -> None:
        """No assistant: the status says so; a question typed meanwhile is dropped."""
        self.status.activity = "no store" if "empty" in error else "unavailable"
        if self._pending is not None:
            self._pending = None
            if self._active is not None:
                self._active.fail(error)
                self._active = None

    # -- asking ---------------------------------------------------------------------------------

    @on(Input.Submitted, "#prompt")
    def _submitted(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question:
            return
        event.input.clear()
        self.ask(question)

    def ask(self, question: str) -> None:
        """Ask `question` in the current conversation (cancelling an answer still being written)."""
        assistant = self.veille.assistant
        if assistant is None:
            if self.veille.loading:
                self._cancel_active()
                self._pending = question
                self._turn += 1
                self._active = self.chat_log.add_message(question, self._turn)
                self.notify("The index is still opening; your question will be asked next.")
            else:
                self.notify(
                    self.veille.load_error or "The assistant is not available.",
                    title="Cannot answer",
                    severity="error",
                )
            return
        self._ask(assistant, question)

    def _ask(self, assistant: Assistant, question: str) -> None:
        if (
            self._active is not None
            and self._active.question == question
            and not self._active.final
        ):
            message = self._active  # the question typed while the index was opening
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
            for event in assistant.stream(question, history=history):
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
        if turn is None:
            return
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
        history = self.veille.history
        if history is not None:
            try:
                self.conversation_id = history.add_turn(self.conversation_id, answer)
            except Exception as exc:  # noqa: BLE001 - a full disk must not lose the answer shown
                self.notify(f"Could not save the conversation: {describe(exc)}", severity="warning")

    def on_answer_failed(self, message: AnswerFailed) -> None:
        """Say why there is no answer."""
        turn = self._current(message.turn)
        if turn is None:
            return
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
        self._cancel_active()
        self._pending = None
        self.turns = []
        self.conversation_id = None
        self.chat_log.clear()
        self._select(None)
        self.viewer.clear()
        self.prompt.focus()
        self.notify("New conversation.", timeout=2)

    # -- citations -----------------------------------------------------------------------------

    def _select(self, answer: Answer | None) -> None:
        if answer is not self.selected:
            self.selected = answer
            self.sources.show(answer)

    def on_citation_selected(self, message: CitationSelected) -> None:
        """A `[n]` was clicked or a source picked: open it."""
        message.stop()
        self._select(message.answer)
        self.open_citation(message.answer, message.n)

    def action_select_citation(self, n: int) -> None:
        """Number keys: open passage n of the selected answer."""
        if self.selected is None:
            self.notify("No answer yet: ask a question first.", timeout=3)
            return
        self.open_citation(self.selected, n)

    def _step_citation(self, step: int) -> None:
        if self.selected is None or not self.selected.passages:
            return
        numbers = [p.n for p in self.selected.passages]
        current = self.viewer.shown_n if self.viewer.shown_n in numbers else None
        if current is None:
            n = numbers[0] if step > 0 else numbers[-1]
        else:
            n = numbers[(numbers.index(current) + step) % len(numbers)]
        self.open_citation(self.selected, n)

    def action_next_citation(self) -> None:
        """Open the next passage."""
        self._step_citation(1)

    def action_previous_citation(self) -> None:
        """Open the previous passage."""
        self._step_citation(-1)

    def open_citation(self, answer: Answer, n: int) -> None:
        """Show passage n's document, scrolled to the cited span."""
        if not any(p.n == n for p in answer.passages):
            self.notify(f"This answer has no source [{n}].", timeout=3)
            return
        self.sources.pick(n)
        assistant = self.veille.assistant
        if assistant is None:
            self.notify("The store is not open yet.", severity="warning")
            return
        self._load_document(assistant, answer, n)

    @work(thread=True, exclusive=True, group="document", exit_on_error=False)
    def _load_document(self, assistant: Assistant, answer: Answer, n: int) -> None:
        passage = next(p for p in answer.passages if p.n == n)
        try:
            text = assistant.store.document_text(passage.chunk.doc_id)
        except Exception as exc:  # noqa: BLE001 - a store error is a notice
            self.app.call_from_thread(self.notify, describe(exc), severity="error")
            return
        self.post_message(DocumentLoaded(answer, n, text))

    def on_document_loaded(self, message: DocumentLoaded) -> None:
        """Show the fetched document with its quotes highlighted."""
        answer, n, text = message.answer, message.n, message.text
        passage = next(p for p in answer.passages if p.n == n)
        if text is None:
            self.viewer.show_missing(passage.source)
            return
        quotes = tuple(
            (c.start, c.end)
            for c in answer.citations
            if c.n == n and text[c.start : c.end] == c.quote
        )
        self.viewer.show(
            Shown(
                source=passage.source,
                doc_id=passage.chunk.doc_id,
                text=text,
                quotes=quotes,
                passage=(passage.chunk.start, passage.chunk.end),
                n=n,
            )
        )

    def action_copy_quote(self) -> None:
        """Copy the highlighted quote (or the passage) to the clipboard."""
        shown = self.viewer.shown
        if shown is None:
            self.notify(
                "Open a source first (its number, or Enter in the sources pane).", timeout=3
            )
            return
        span = shown.quotes[0] if shown.quotes else shown.passage
        if span is None:
            return
        quote = shown.text[span[0] : span[1]]
        self.app.copy_to_clipboard(quote)
        self.notify(f"Copied «{short(quote, 60)}»", timeout=3)

    def action_open_file(self) -> None:
        """Open the shown document in $EDITOR or $PAGER at the quote (the app is suspended)."""
        shown = self.viewer.shown
        if shown is None:
            self.notify("Open a source first.", timeout=3)
            return
        path = Path(shown.doc_id)
        if not path.is_file():
            self.notify(
                f"{shown.source} is not on this machine ({path}).", severity="warning", timeout=6
            )
            return
        line = 1
        span = shown.quotes[0] if shown.quotes else shown.passage
        if span is not None and path.suffix.lower() in LINE_SUFFIXES:
            line = shown.text.count("\n", 0, span[0]) + 1
        command = viewer_command(path, line)
        if command is None:
            self.notify("Set $EDITOR or $PAGER to open files.", severity="warning")
            return
        try:
            with self.app.suspend():
                subprocess.run(command, check=False)  # noqa: S603 - the user's own editor
        except SuspendNotSupported:
            self.notify("This terminal cannot hand over to an editor.", severity="warning")
        except OSError as exc:
            self.notify(f"Cannot run {command[0]}: {describe(exc)}", severity="error")

    # -- other screens -------------------------------------------------------------------------

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

    def action_help(self) -> None:
        """Show the help screen."""
        from tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_conversations(self) -> None:
        """List saved conversations to search and reopen."""
        history = self.veille.history
        if history is None:
            self.notify("The history is not available.", severity="warning")
            return
        self.app.push_screen(HistoryScreen(history, self.veille.export_dir), self._reopen)

    def _reopen(self, conversation_id: int | None) -> None:
        if conversation_id is not None:
            self.open_conversation(conversation_id)

    def open_conversation(self, conversation_id: int) -> None:
        """Show a saved conversation; follow-ups continue it."""
        history = self.veille.history
        conversation = history.load(conversation_id) if history is not None else None
        if conversation is None:
            self.notify("That conversation no longer exists.", severity="warning")
            return
        self._cancel_active()
        self.chat_log.clear()
        self.turns = list(conversation.turns)
        self.conversation_id = conversation.id
        for answer in conversation.turns:
            self._turn += 1
            self.chat_log.add_message(answer.question, self._turn, answer=answer)
        self.viewer.clear()
        self._select(self.turns[-1] if self.turns else None)
        self.prompt.focus()
        self.notify(f"Reopened «{short(conversation.title, 50)}».", timeout=3)

    def action_export(self) -> None:
        """Write the current conversation to Markdown, quotes as footnotes."""
        if not self.turns:
            self.notify("Nothing to export yet.", timeout=3)
            return
        title = self.turns[0].question
        path = export_path(self.veille.export_dir, self.conversation_id, title)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(conversation_markdown(title, self.turns), encoding="utf-8")
        except OSError as exc:
            self.notify(f"Export failed: {describe(exc)}", severity="error")
            return
        self.notify(f"Exported to {path}", title="Export", timeout=8)

    def action_save_eval(self) -> None:
        """Append the selected (or last) answer to the eval set."""
        answer = self._last_answer()
        if answer is None:
            self.notify("No finished answer to save.", timeout=3)
            return
        path = eval_cases_path(self.veille.settings)
        try:
            case = save_eval_case(path, answer)
        except OSError as exc:
            self.notify(f"Could not save the eval case: {describe(exc)}", severity="error")
            return
        if case is None:
            self.notify(f"Already in the eval set {path}", timeout=4)
            return
        self.notify(f"Saved as eval case {case['id']} in {path}", title="Eval set", timeout=6)

    # -- ingest ----------------------------------------------------------------------------------

    def action_add_folder(self) -> None:
        """Ask for a folder, then ingest it."""

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.start_ingest([path])

        self.app.push_screen(AddFolderScreen(), chosen)

    def action_resync(self) -> None:
        """Ingest again every folder already in the store (new, changed and deleted files)."""
        if self.veille.assistant is None:
            self.notify("Nothing ingested yet: add a folder first (Ctrl+P, Add a folder).")
            return
        self.start_ingest(None)

    def start_ingest(self, paths: list[Path] | None) -> None:
        """Run an ingest in the background; the chat keeps answering meanwhile."""
        if any(w.group == "ingest" and w.is_running for w in self.workers):
            self.notify("An ingest is already running.", severity="warning")
            return
        self.query_one(IngestProgress).start(str(paths[0]) if paths else "known folders")
        self._ingest(paths)

    @work(thread=True, exclusive=True, group="ingest", exit_on_error=False)
    def _ingest(self, paths: list[Path] | None) -> None:
        from ingest.sync import ingest_paths

        app = self.veille
        settings = app.settings
        assistant = app.assistant
        try:
            if paths is None:
                if assistant is None:
                    return
                roots = {r.root for r in assistant.store.documents_under().values() if r.root}
                paths = [Path(r) for r in sorted(roots)]
                if not paths:
                    self.post_message(IngestFailed("the store lists no folder to re-sync"))
                    return
            report = ingest_paths(
                paths,
                settings=settings,
                embeddings=app.embeddings,
                progress=self._ingest_progressed,
            )
        except Exception as exc:  # noqa: BLE001 - every failure becomes a notice
            self.post_message(IngestFailed(describe(exc)))
            return
        self.post_message(IngestFinished(report))

    def _ingest_progressed(self, done: int, total: int, name: str) -> None:
        """Called by the ingest, in its thread."""
        self.post_message(IngestProgressed(done, total, name))

    def on_ingest_progressed(self, message: IngestProgressed) -> None:
        """Advance the bar."""
        self.query_one(IngestProgress).advance(message.done, message.total, message.name)

    def on_ingest_finished(self, message: IngestFinished) -> None:
        """Report, then let the app open the new index."""
        self.query_one(IngestProgress).stop()
        self.notify(message.report.summary(), title="Ingest done", timeout=8)
        self.veille.reload_assistant()

    def on_ingest_failed(self, message: IngestFailed) -> None:
        """Say why the ingest stopped."""
        self.query_one(IngestProgress).stop()
        self.notify(message.error, title="Ingest failed", severity="error", timeout=10)
